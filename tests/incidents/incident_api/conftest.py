"""Fixtures of the /api/v1/incidents/ tests: an incident of agency A per classification
(and a confidential one of C), and a restricted incident logged by alice.
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from agencies.models import Classification
from incidents import services
from tests.factories import (
    IncidentFactory,
    category,
)
from tests.incidents.incident_api.helpers import year


@pytest.fixture
def by_class(world):
    """One incident of agency A per classification, and a confidential one of agency C."""
    made = {}
    for n, level in enumerate(Classification.values, start=1):
        made[level] = IncidentFactory(
            reference=f"KLS-{year()}-00000{n}",
            title=f"A {level}",
            classification=level,
            reporting_agency=world.a,
            area=world.areas.guntung,
            occurred_at=timezone.now() - datetime.timedelta(hours=n),
        )
    made["c_confidential"] = IncidentFactory(
        reference=f"KLC-{year()}-000001",
        title="C confidential",
        classification=Classification.CONFIDENTIAL,
        reporting_agency=world.c,
        area=world.areas.balikpapan_kota,
        occurred_at=timezone.now() - datetime.timedelta(hours=10),
    )
    return made


@pytest.fixture
def incident(world):
    """A restricted incident of agency A, logged by alice through the service."""
    return services.incident_create(
        actor=world.alice,
        title="Pencurian motor di Guntung",
        category=category("crime-theft"),
        area=world.areas.guntung,
        latitude=Decimal("0.176"),
        longitude=Decimal("117.471"),
    )
