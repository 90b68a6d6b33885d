"""camera_mark_stale: only ONLINE cameras silent for too long go OFFLINE, once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from agencies.models import Camera
from agencies.tasks import camera_mark_stale
from tests.factories import CameraFactory

pytestmark = pytest.mark.django_db


def _camera(code, *, status=Camera.Status.ONLINE, seen_minutes_ago=None, created_minutes_ago=None):
    now = timezone.now()
    last_seen = None if seen_minutes_ago is None else now - timedelta(minutes=seen_minutes_ago)
    camera = CameraFactory(code=code, status=status, last_seen_at=last_seen)
    if created_minutes_ago is not None:
        # auto_now_add ignores a value passed to create(); move it with an UPDATE.
        Camera.objects.filter(pk=camera.pk).update(created_at=now - timedelta(minutes=created_minutes_ago))
    return camera


@pytest.fixture
def cameras(settings):
    settings.SINERGI_CAMERA_STALE_MINUTES = 15
    return {
        "stale": _camera("stale", seen_minutes_ago=16),
        "very-stale": _camera("very-stale", seen_minutes_ago=60 * 24),
        "fresh": _camera("fresh", seen_minutes_ago=14),
        "offline-stale": _camera("offline-stale", status=Camera.Status.OFFLINE, seen_minutes_ago=60),
        "maintenance-stale": _camera("maintenance-stale", status=Camera.Status.MAINTENANCE, seen_minutes_ago=60),
        "never-seen-old": _camera("never-seen-old", created_minutes_ago=30),
        "never-seen-new": _camera("never-seen-new", created_minutes_ago=1),
    }


def _statuses():
    return dict(Camera.objects.values_list("code", "status"))


def test_it_marks_only_stale_online_cameras_offline(cameras):
    assert camera_mark_stale() == 3

    assert _statuses() == {
        "stale": Camera.Status.OFFLINE,
        "very-stale": Camera.Status.OFFLINE,
        "never-seen-old": Camera.Status.OFFLINE,
        "fresh": Camera.Status.ONLINE,
        "never-seen-new": Camera.Status.ONLINE,
        "offline-stale": Camera.Status.OFFLINE,
        "maintenance-stale": Camera.Status.MAINTENANCE,
    }


def test_it_keeps_last_seen_and_bumps_updated_at_of_what_it_marks(cameras):
    stale, fresh = cameras["stale"], cameras["fresh"]

    camera_mark_stale()

    old_stale_updated, old_fresh_updated = stale.updated_at, fresh.updated_at
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.last_seen_at is not None
    assert stale.updated_at > old_stale_updated
    assert fresh.updated_at == old_fresh_updated


def test_a_second_run_changes_nothing(cameras):
    camera_mark_stale()
    before = list(Camera.objects.order_by("pk").values())

    assert camera_mark_stale() == 0

    assert list(Camera.objects.order_by("pk").values()) == before


def test_it_follows_the_stale_minutes_setting(cameras, settings):
    settings.SINERGI_CAMERA_STALE_MINUTES = 10

    assert camera_mark_stale() == 4

    assert Camera.objects.get(code="fresh").status == Camera.Status.OFFLINE


def test_it_defaults_to_15_minutes_without_the_setting(cameras, settings):
    del settings.SINERGI_CAMERA_STALE_MINUTES

    assert camera_mark_stale() == 3


def test_it_runs_through_celery_in_eager_mode(cameras, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True

    result = camera_mark_stale.delay()

    assert result.get() == 3
    assert Camera.objects.filter(status=Camera.Status.ONLINE).count() == 2
