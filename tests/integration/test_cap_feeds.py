"""The CAP feeds through the real broker and a real worker on PostgreSQL: beat's dispatcher
queues a poll per due source, the worker polls them, a source that times out backs off and the
other imports all the same."""

import pytest

from agencies.models import Agency
from incidents.models import CapSource, Threat
from incidents.threats.feeds import tasks
from tests.factories import AgencyFactory
from tests.incidents.threats.cap.helpers import sample
from tests.incidents.threats.feeds.server import CapServer
from tests.integration.waiting import wait_until

pytestmark = pytest.mark.integration

WAIT_SECONDS = 30


def _wait_until(predicate, *, timeout: float = WAIT_SECONDS, interval: float = 0.2) -> bool:
    return wait_until(predicate, timeout=timeout, interval=interval)


@pytest.fixture
def cap_server(settings):
    settings.SINERGI_CAP_FEEDS_ALLOW_NETWORKS = ["127.0.0.0/8"]
    settings.SINERGI_CAP_FEEDS_TIMEOUT = 0.5
    server = CapServer().start()
    server.sleep_seconds = 1.5
    for name in ("at-valid.xml", "cn-valid.xml"):
        server.put(f"/alerts/{name}", sample(name))
    server.put_index("/feed.atom", ["/alerts/at-valid.xml", "/alerts/cn-valid.xml"])
    yield server
    server.stop()


def test_the_dispatcher_polls_every_due_source_through_the_worker(celery_routed, celery_worker, cap_server):
    agency = AgencyFactory(name="BPBD", code="bpbd", kind=Agency.Kind.DISASTER)
    slow = CapSource.objects.create(name="Slow", authority="X", url=cap_server.url("/slow/feed.atom"), agency=agency)
    healthy = CapSource.objects.create(name="Healthy", authority="Y", url=cap_server.url("/feed.atom"), agency=agency)

    tasks.cap_sources_dispatch.delay()

    assert _wait_until(lambda: CapSource.objects.filter(last_polled_at__isnull=False).count() == 2)
    slow.refresh_from_db()
    healthy.refresh_from_db()
    assert Threat.objects.filter(cap_source=healthy).count() == 2 and healthy.failing_since is None
    assert slow.last_error.startswith("timed out") and slow.next_poll_at > slow.last_polled_at
    assert slow.polling_since is None and healthy.polling_since is None
