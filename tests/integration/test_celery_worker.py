"""A real Celery worker on the real Redis runs camera_mark_stale against the real PostgreSQL.

No result backend is configured (the database is the source of truth), so the test does not
call `.get()`: it polls the rows the task must change, with a bounded wait.
"""

import time
from datetime import timedelta

import pytest
from celery.result import EagerResult
from celery.signals import task_prerun
from django.db import connections
from django.utils import timezone

from agencies.models import Camera
from agencies.tasks import camera_mark_stale
from tests.factories import CameraFactory
from tests.integration.waiting import wait_until

pytestmark = pytest.mark.integration

WAIT_SECONDS = 20


def _wait_until(predicate, *, timeout: float = WAIT_SECONDS, interval: float = 0.1) -> bool:
    return wait_until(predicate, timeout=timeout, interval=interval)


@pytest.fixture
def routed_to_test_queue(monkeypatch, celery_queue):
    """Make `.delay()` publish to this test's queue (a task's `queue` attribute is an exec option)."""
    monkeypatch.setattr(camera_mark_stale, "queue", celery_queue, raising=False)
    # Celery caches a task's exec options on first use; make it read them again.
    monkeypatch.setattr(camera_mark_stale, "_exec_options", None)


@pytest.fixture
def prerun_log():
    """(task id, ran eagerly?) of every task that starts while the test runs."""
    seen = []

    def _record(sender=None, task_id=None, task=None, **kwargs):
        seen.append((task_id, bool(task.request.is_eager)))

    task_prerun.connect(_record, weak=False, dispatch_uid="integration-prerun-log")
    yield seen
    task_prerun.disconnect(dispatch_uid="integration-prerun-log")


def test_a_worker_marks_stale_cameras_offline_in_postgresql(celery_worker, routed_to_test_queue, prerun_log, settings):
    settings.SINERGI_CAMERA_STALE_MINUTES = 15
    now = timezone.now()
    stale = [CameraFactory(code=f"stale-{n}", last_seen_at=now - timedelta(minutes=30)) for n in range(3)]
    fresh = CameraFactory(code="fresh", last_seen_at=now - timedelta(minutes=1))
    in_maintenance = CameraFactory(
        code="maintenance", status=Camera.Status.MAINTENANCE, last_seen_at=now - timedelta(hours=2)
    )
    assert connections["default"].vendor == "postgresql"

    result = camera_mark_stale.delay()

    assert not isinstance(result, EagerResult), "the task ran in the test thread, not through the broker"
    assert _wait_until(
        lambda: Camera.objects.filter(pk__in=[c.pk for c in stale], status=Camera.Status.OFFLINE).count() == 3
    ), f"the worker did not mark the stale cameras offline within {WAIT_SECONDS} s"
    assert Camera.objects.get(pk=fresh.pk).status == Camera.Status.ONLINE
    assert Camera.objects.get(pk=in_maintenance.pk).status == Camera.Status.MAINTENANCE
    assert _wait_until(lambda: prerun_log == [(result.id, False)], timeout=5)


def test_a_second_run_through_the_worker_changes_nothing(celery_worker, routed_to_test_queue, prerun_log):
    stale = CameraFactory(code="stale", last_seen_at=timezone.now() - timedelta(hours=1))
    first = camera_mark_stale.delay()
    assert _wait_until(lambda: Camera.objects.get(pk=stale.pk).status == Camera.Status.OFFLINE)
    before = list(Camera.objects.order_by("pk").values())

    second = camera_mark_stale.delay()

    # Without a result backend, "the second task has run" is seen through the prerun signal
    # plus a moment for the (no-op) UPDATE to commit.
    assert _wait_until(lambda: [task_id for task_id, _ in prerun_log] == [first.id, second.id])
    time.sleep(0.5)
    assert list(Camera.objects.order_by("pk").values()) == before
