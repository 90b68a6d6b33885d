"""Reminders of acknowledgements not given by the deadline: first to the agency (its managing
members, in-app and by e-mail and SMS per its subscription), then, `ESCALATE_AFTER` later, to
its commanders.

Each step is claimed with a conditional UPDATE on the recipient row (`reminded_at`,
`escalated_at` still empty), so a sweep run twice, or by two beat workers, reminds once.
Served by the partial index `bulletin_ack_due_idx` (bulletins in force asking for an
acknowledgement, by deadline).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from coordination.models import Bulletin, BulletinRecipient

from .notify import notify_in_app


def escalate_after() -> timedelta:
    return timedelta(minutes=float(getattr(settings, "SINERGI_BULLETIN_ESCALATE_AFTER_MINUTES", 60)))


@dataclass
class SweepResult:
    reminded: dict[int, list[int]] = field(default_factory=dict)  # bulletin id -> agency ids
    escalated: dict[int, list[int]] = field(default_factory=dict)


def _claim(filters: dict[str, object], stamp: str) -> dict[int, list[int]]:
    now = timezone.now()
    due = BulletinRecipient.objects.filter(
        bulletin__ack_required=True,
        bulletin__status=Bulletin.Status.SENT,
        acknowledged_at__isnull=True,
        **filters,
    )
    claimed: dict[int, list[int]] = defaultdict(list)
    # Each late agency claimed once by one sweep, in two statements whatever their number: the
    # rows are locked (PostgreSQL: FOR UPDATE SKIP LOCKED; a sweep running at the same time
    # takes the others) and stamped together.
    with transaction.atomic():
        rows = list(
            due.select_for_update(skip_locked=True, of=("self",)).values_list("pk", "bulletin_id", "agency_id")[:5000]
        )
        BulletinRecipient.objects.filter(pk__in=[pk for pk, _b, _a in rows]).update(**{stamp: now})
    for _pk, bulletin_id, agency_id in rows:
        claimed[bulletin_id].append(agency_id)
    return dict(claimed)


def bulletins_remind() -> SweepResult:
    """Remind the agencies past the deadline, then escalate those reminded long enough ago."""
    now = timezone.now()
    result = SweepResult()
    result.reminded = _claim({"bulletin__ack_deadline__lte": now, "reminded_at__isnull": True}, "reminded_at")
    result.escalated = _claim(
        {"reminded_at__lte": now - escalate_after(), "escalated_at__isnull": True}, "escalated_at"
    )
    for bulletin_id, agency_ids in result.reminded.items():
        notify_in_app(bulletin=Bulletin(pk=bulletin_id), agency_ids=agency_ids, event="reminder")
    for bulletin_id, agency_ids in result.escalated.items():
        notify_in_app(bulletin=Bulletin(pk=bulletin_id), agency_ids=agency_ids, event="escalation")
    return result
