"""Fixtures of the incident page tests: English messages, and the incidents they are tried on.

alice (liaison of A), carol (commander of A), vera (viewer of A), bob (liaison of B, A's
information-sharing partner), charlie (liaison of C, an outsider), nobody (signed in, no
agency) and admin (staff) are the personas of tests/conftest.py.
"""

from decimal import Decimal

import pytest

from agencies.models import Classification
from incidents import services
from tests.factories import IncidentFactory, category


@pytest.fixture(autouse=True)
def _english(settings):
    """Assertions read English msgids, whatever the Indonesian catalogue says."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def incident(world):
    """A restricted incident logged by alice through the service (so with its first timeline entry)."""
    return services.incident_create(
        actor=world.alice,
        title="Pencurian motor di Guntung",
        category=category("crime-theft"),
        area=world.areas.guntung,
        latitude=Decimal("0.176000"),
        longitude=Decimal("117.471000"),
    )


@pytest.fixture
def public(world):
    return IncidentFactory(
        title="Banjir rob di Bontang Utara",
        category=category("flood-tidal"),
        area=world.areas.bontang_utara,
        reporting_agency=world.a,
        classification=Classification.PUBLIC,
    )
