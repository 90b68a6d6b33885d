"""Reads of coordination's in-portal notifications: a user reads only their own."""

from __future__ import annotations

from django.db.models import QuerySet

from common.types import User
from coordination.models import Notification


def notification_list(*, user: User, unread: bool | None = None) -> QuerySet[Notification]:
    """The user's own coordination notifications, newest first."""
    if not user or not user.is_authenticated:
        return Notification.objects.none()
    # The operation's areas and the agency's seat give the zone its time is shown in.
    qs = (
        Notification.objects.filter(user=user)
        .select_related("agency__headquarters_area", "operation")
        .prefetch_related("operation__areas")
    )
    if unread is True:
        qs = qs.filter(read_at__isnull=True)
    elif unread is False:
        qs = qs.filter(read_at__isnull=False)
    return qs
