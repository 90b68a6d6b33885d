"""Reads of coordination's in-portal notifications: a user reads only their own, and what each
says is written now, for the reader, from the records it refers to (`notification_texts`)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from common.types import User
from coordination.models import Notification
from coordination.operations.selectors import operation_list

KINDS = ("changed", "started", "added", "removed")


def notification_list(*, user: User, unread: bool | None = None) -> QuerySet[Notification]:
    """The user's own coordination notifications, newest first."""
    if not user or not user.is_authenticated:
        return Notification.objects.none()
    # The operation's areas and the agency's seat give the zone its time is shown in.
    qs = (
        Notification.objects.filter(user=user)
        .select_related("agency__headquarters_area", "operation", "subject_agency")
        .prefetch_related("operation__areas")
    )
    if unread is True:
        qs = qs.filter(read_at__isnull=True)
    elif unread is False:
        qs = qs.filter(read_at__isnull=False)
    return qs


def notification_texts(*, user: User, notifications: Iterable[Notification]) -> None:
    """Give each notification its `text` and `operation_readable`, written now for `user`.

    The operation is named only if the user may read it now (`operation_list`, one query):
    made secret, or the user's agency taken off it, it reads as "an operation you cannot see",
    with no link. A notification written before notifications held references keeps its
    stored text, under the same rule."""
    rows = list(notifications)
    ids = {n.operation_id for n in rows if n.operation_id}
    readable = set(operation_list(user=user).filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
    for n in rows:
        n.operation_readable = n.operation_id in readable  # type: ignore[attr-defined]
        if n.operation_id and not n.operation_readable:  # type: ignore[attr-defined]
            n.text = _("An operation you cannot see changed.")  # type: ignore[attr-defined]
            continue
        name = n.operation.name if n.operation else ""
        agency = n.subject_agency.name if n.subject_agency else "—"
        texts = {
            "changed": _("The plan of %(name)s changed.") % {"name": name},
            "started": _("%(name)s has started.") % {"name": name},
            "added": _("%(agency)s was added to %(name)s.") % {"agency": agency, "name": name},
            "removed": _("%(agency)s no longer takes part in %(name)s.") % {"agency": agency, "name": name},
        }
        n.text = n.message or texts.get(n.kind, n.kind)  # type: ignore[attr-defined]
