"""Celery tasks of the agencies app.

Periodic work only for now; the beat entry lives in settings.CELERY_BEAT_SCHEDULE, which
django-celery-beat's DatabaseScheduler copies into its tables when beat starts.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from .models import Camera

logger = logging.getLogger(__name__)

DEFAULT_CAMERA_STALE_MINUTES = 15


def camera_stale_after() -> timedelta:
    """How long a camera may stay silent before it counts as offline (SINERGI_CAMERA_STALE_MINUTES)."""
    return timedelta(minutes=getattr(settings, "SINERGI_CAMERA_STALE_MINUTES", DEFAULT_CAMERA_STALE_MINUTES))


@shared_task(name="agencies.tasks.camera_mark_stale")
def camera_mark_stale() -> int:
    """Mark as OFFLINE every ONLINE camera not heard from within SINERGI_CAMERA_STALE_MINUTES.

    "Heard from" is `last_seen_at` (set by `services.camera_heartbeat`); a camera that never
    answered is judged by when it was registered, so a new camera gets the same grace period.
    Cameras in OFFLINE or MAINTENANCE are left alone.

    Promises:
    - one conditional UPDATE, no rows loaded: cost does not grow with the number of cameras
      beyond the scan of online ones;
    - idempotent: a second run finds nothing ONLINE and stale, changes nothing, returns 0;
    - safe against a concurrent heartbeat: the WHERE clause is re-checked on the row being
      updated (PostgreSQL re-evaluates it after waiting for the heartbeat's lock), so a camera
      that answered a moment ago is never marked offline;
    - any worker may run it at any time, as often as beat likes.

    Returns the number of cameras marked offline.
    """
    now = timezone.now()
    cutoff = now - camera_stale_after()
    # QuerySet.update() bypasses auto_now, so updated_at is set explicitly.
    count = (
        Camera.objects.filter(status=Camera.Status.ONLINE)
        .filter(Q(last_seen_at__lt=cutoff) | Q(last_seen_at__isnull=True, created_at__lt=cutoff))
        .update(status=Camera.Status.OFFLINE, updated_at=now)
    )
    if count:
        logger.info("Marked %d camera(s) offline: silent since before %s", count, cutoff.isoformat())
    return count
