"""Fixtures of the threat page tests: English messages, logging a threat through the service
with its fan-out, C's subscription to terrorism alerts about Bontang, and a restricted
threat of A that reaches C through it.

alice (liaison of A, the issuer), carol (commander of A), vera (viewer of A), bob (liaison of
B, A's information-sharing partner), charlie and dave (liaison and commander of C, an outsider
that subscribes to Bontang), nobody and admin are the personas of tests/conftest.py.
"""

import pytest

from agencies.models import Severity
from incidents.threats import services as threat_services
from tests.factories import SubscriptionFactory, category


@pytest.fixture(autouse=True)
def _english(settings):
    """Assertions read English msgids, whatever the Indonesian catalogue says."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def log(world, django_capture_on_commit_callbacks):
    """Log a threat through the service and run its fan-out (eager Celery) on commit."""

    def _log(actor=None, **fields):
        defaults = {
            "headline": "Ancaman bom di pelabuhan Lok Tuan",
            "category": category("terrorism-threat"),
            "areas": [world.areas.guntung],
            "severity": Severity.MODERATE,
        }
        defaults.update(fields)
        with django_capture_on_commit_callbacks(execute=True):
            return threat_services.threat_log(actor=actor or world.alice, **defaults)

    return _log


@pytest.fixture
def subscribed(world):
    """C (charlie, dave) wants the terrorism alerts about Bontang, in the app."""
    subscription = SubscriptionFactory(agency=world.c, areas=[world.areas.bontang])
    subscription.category_codes.create(code="terrorism")
    return subscription


@pytest.fixture
def threat(log, subscribed):
    """A restricted threat of A that reaches C through its subscription."""
    return log()
