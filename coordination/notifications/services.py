"""Writes of coordination's in-portal notifications: telling an operation's agencies, and a
member marking what they read."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.utils import timezone

from agencies.models import Agency, Membership
from common.types import User
from coordination.models import JointOperation, Notification


def notify_agencies(
    *,
    operation: JointOperation,
    agency_ids: Iterable[int],
    kind: str,
    subject_agency: Agency | None = None,
    exclude: User | None = None,
) -> int:
    """One in-app notification for each active member of the agencies, in one INSERT.

    `kind` is one of `selectors.KINDS`; the notification holds references only (the operation,
    `subject_agency`), its text is written when it is read. The actor is left out: they know
    what they just did. Returns how many were written.
    """
    ids = set(agency_ids)
    if not ids:
        return 0
    members = Membership.objects.filter(agency_id__in=ids, is_active=True, agency__is_active=True, user__is_active=True)
    excluded = getattr(exclude, "pk", None)
    if excluded:
        members = members.exclude(user_id=excluded)
    seen: set[int] = set()
    rows = []
    for user_id, agency_id in members.values_list("user_id", "agency_id").order_by("agency_id", "user_id"):
        if user_id in seen:
            continue
        seen.add(user_id)
        rows.append(
            Notification(
                user_id=user_id, agency_id=agency_id, operation=operation, kind=kind, subject_agency=subject_agency
            )
        )
    Notification.objects.bulk_create(rows)
    return len(rows)


def notification_mark_read(*, user: User, ids: Sequence[int] | None = None) -> int:
    """Mark the user's notifications read (the given ones, or all); returns how many changed."""
    if not user.is_authenticated:  # an anonymous visitor has no notifications
        return 0
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())
