"""Writes of the one inbox: delivering entries to members, marking them read.

`inbox_deliver` is the one entry point every feature calls (operations and bulletins today;
meetings and assignments when they exist); `notify_agencies` is the operations' shorthand."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from agencies.audit import audit_rows
from agencies.models import Agency, Membership
from agencies.roles import roles_for
from common.types import User
from coordination.bulletins.services import bulletin_mark_read_many
from coordination.models import InboxItem, JointOperation
from incidents.threats.services import inbox_mark_alerts_read

from .kinds import KINDS


def inbox_deliver(
    *,
    agency_ids: Iterable[int],
    kind: str,
    exclude: User | None = None,
    user_ids: Iterable[int] | None = None,
    needs_ack: bool = False,
    **refs: Any,
) -> int:
    """One entry for each active member of the active agencies (or only `user_ids` among
    them), in one INSERT; a member of several of them gets one, as a member of the first.

    `kind` must be registered in `kinds.KINDS`; `refs` are the entry's references (its record,
    e.g. `operation=...`, and `subject_agency=...`), never text. The actor (`exclude`) is left
    out: they know what they just did. Returns how many were written.
    """
    if kind not in KINDS:
        raise ValueError(f"unregistered inbox kind {kind!r}")
    ids = set(agency_ids)
    if not ids:
        return 0
    members = Membership.objects.filter(agency_id__in=ids, is_active=True, agency__is_active=True, user__is_active=True)
    if user_ids is not None:
        members = members.filter(user_id__in=set(user_ids))
    excluded = getattr(exclude, "pk", None)
    if excluded:
        members = members.exclude(user_id=excluded)
    seen: set[int] = set()
    rows = []
    for user_id, agency_id in members.values_list("user_id", "agency_id").order_by("agency_id", "user_id"):
        if user_id in seen:
            continue
        seen.add(user_id)
        rows.append(InboxItem(user_id=user_id, agency_id=agency_id, kind=kind, needs_ack=needs_ack, **refs))
    InboxItem.objects.bulk_create(rows)
    return len(rows)


def notify_agencies(
    *,
    operation: JointOperation,
    agency_ids: Iterable[int],
    kind: str,
    subject_agency: Agency | None = None,
    exclude: User | None = None,
) -> int:
    """The operations' entries: `kind` is the event ("added", "changed", "started", "removed")."""
    return inbox_deliver(
        agency_ids=agency_ids,
        kind=f"operation.{kind}",
        exclude=exclude,
        operation=operation,
        subject_agency=subject_agency,
    )


def notification_mark_read(*, user: User, ids: Sequence[int] | None = None) -> int:
    """Mark the user's inbox entries read (the given ones, or all); returns how many changed.

    A bulletin's entry is read with the bulletin: marking it read records the user's read
    receipt of the bulletin (if they may read it) and reads its other entries, as opening the
    bulletin does (`bulletins.services.bulletin_mark_read`): one read state."""
    if not user.is_authenticated:  # an anonymous visitor has no inbox
        return 0
    qs = InboxItem.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    bulletin_ids = set(qs.filter(bulletin__isnull=False).values_list("bulletin_id", flat=True))
    marked = qs.update(read_at=timezone.now())
    if bulletin_ids:
        bulletin_mark_read_many(user=user, bulletin_ids=bulletin_ids)
    return marked


def inbox_mark_read(*, user: User, entries: Sequence[str] | None = None) -> int:
    """Mark read the inbox's entries named `<kind>-<id>` ("alert-12": the alert 12; "item-7":
    the entry 7), or, with None, everything: alerts and entries. Returns how many changed."""
    if not user.is_authenticated:
        return 0
    if entries is None:
        return notification_mark_read(user=user) + inbox_mark_alerts_read(user=user)
    items = [int(e[5:]) for e in entries if e.startswith("item-") and e[5:].isdigit()]
    alerts = [int(e[6:]) for e in entries if e.startswith("alert-") and e[6:].isdigit()]
    marked = notification_mark_read(user=user, ids=items) if items else 0
    if alerts:
        marked += inbox_mark_alerts_read(user=user, alert_ids=alerts)
    return marked


def inbox_audit(*, user: User, entries: Iterable[Any], detail: str = "") -> None:
    """The list-read audit of an inbox page (or the desk's inbox rows): one row per kind of
    record naming the confidential and secret threats, bulletins and operations the reader was
    shown by name (a withdrawn entry names nothing), collected from the entries: no query per
    row (`agencies.audit`)."""
    shown = [e for e in entries if not e.withdrawn]
    with transaction.atomic():  # one transaction for the rows and their links, not one each
        _audit_entries(user, shown, detail)


def _audit_entries(user: User, shown: list[Any], detail: str) -> None:
    audit_rows(
        user=user, rows=[e.alert.threat for e in shown if e.alert is not None], object_type="threat", detail=detail
    )
    audit_rows(
        user=user, rows=[e.bulletin for e in shown if e.bulletin is not None], object_type="bulletin", detail=detail
    )
    operations = [e.item.operation for e in shown if e.item is not None and e.item.operation_id]
    audit_rows(user=user, rows=operations, object_type="operation", detail=detail)


def report_answered(question: Any) -> int:
    """The reporter answered a moderator's question (`incidents.reports.services.ANSWER_HOOKS`):
    an inbox entry for the moderators ("report.moderate") of the agency that asked. A question
    asked by staff for no agency is followed on the report's page only."""
    if not question.agency_id:
        return 0
    moderators = Membership.objects.filter(
        agency_id=question.agency_id, role__in=list(roles_for("report.moderate"))
    ).values_list("user_id", flat=True)
    return inbox_deliver(
        agency_ids=[question.agency_id], user_ids=moderators, kind="report.answered", report_id=question.report_id
    )
