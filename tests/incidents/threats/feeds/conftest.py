"""Fixtures of the CAP feed tests: a local HTTP server (server.py) reachable through the
closed-network setting, short timeouts, and a source of agency B (BPBD) over it.

The documents are the real alerts of tests/data/cap/ (see tests/data/cap_feeds/README.md);
the Atom indexes around them are built by server.py.
"""

import pytest

from agencies.models import Severity
from incidents.models import CapSource
from tests.factories import SubscriptionFactory

from .server import CapServer


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def feeds(settings):
    """The closed-network setting the tests need to reach 127.0.0.1, and a short timeout."""
    settings.SINERGI_CAP_FEEDS_ALLOW_NETWORKS = ["127.0.0.0/8"]
    settings.SINERGI_CAP_FEEDS_TIMEOUT = 0.5
    return settings


@pytest.fixture
def server(feeds):
    running = CapServer().start()
    running.sleep_seconds = 1.5
    yield running
    running.stop()


@pytest.fixture
def make_source(world):
    def _make(url: str, **fields) -> CapSource:
        defaults = {
            "name": "BMKG nowcast",
            "authority": "BMKG",
            "url": url,
            "agency": world.b,
            "poll_every_minutes": 5,
        }
        defaults.update(fields)
        source = CapSource(**defaults)
        source.full_clean()
        source.save()
        return source

    return _make


@pytest.fixture
def charlie_subscribes(world):
    """C (Damkar) subscribes to every category's alerts about Bontang."""
    return SubscriptionFactory(agency=world.c, areas=[world.areas.bontang], min_severity=Severity.UNKNOWN)
