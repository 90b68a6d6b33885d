"""Reads of coordination meetings, scoped to the user.

Who reads a meeting (docs/security.md, "Meetings"): the members of its organiser agency, of
its invited agencies, and its invited persons; staff read everything. Meetings carry no
classification: the invitation list is the audience. What a user may not read is absent from
lists and answers 404 (`meeting_get`); what they read but may not change answers 403
(`meeting_get_for_change`).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone

from agencies.selectors import user_agency_ids, user_is_staff
from common.selectors import get_or_404
from common.types import User
from coordination.models import ActionItem, Meeting, MeetingDecision, MeetingInvitee

from .services import require_scheduler


def meeting_visibility_q(*, user: User) -> Q | None:
    """The Q a meeting must match for `user` to read it; None means everything (staff)."""
    if user_is_staff(user):
        return None
    if not user or not user.is_authenticated:
        return Q(pk__in=[])
    own = user_agency_ids(user=user)
    invited = MeetingInvitee.objects.filter(meeting_id=OuterRef("pk"))
    q = Q(Exists(invited.filter(user_id=user.pk)))
    if own:
        q |= Q(organiser_id__in=own) | Q(Exists(invited.filter(agency_id__in=own, user__isnull=True)))
    return q


def meeting_list(*, user: User, filters: dict[str, Any] | None = None) -> QuerySet[Meeting]:
    """The meetings the user may read (search reads this too); `filters`: `status`,
    `upcoming` (not ended yet)."""
    qs = Meeting.objects.select_related("organiser", "area")
    q = meeting_visibility_q(user=user)
    if q is not None:
        qs = qs.filter(q)
    filters = filters or {}
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("upcoming"):
        qs = qs.filter(ends_at__gt=timezone.now())
    return qs


def meeting_get(*, user: User, pk: int | str) -> Meeting:
    """One meeting the user may read, with its invitees, decisions and action items, or 404."""
    qs = meeting_list(user=user).prefetch_related(
        Prefetch(
            "invitees",
            queryset=MeetingInvitee.objects.select_related("agency", "user", "rsvp_by").order_by(
                "agency__name", "user__username", "id"
            ),
        ),
        Prefetch("decisions", queryset=MeetingDecision.objects.order_by("created_at", "id")),
        Prefetch(
            "action_items",
            queryset=ActionItem.objects.select_related("owner_agency", "owner_person").order_by("due_date", "id"),
        ),
    )
    return get_or_404(qs, pk=pk)


def meeting_get_for_change(*, user: User, pk: int | str) -> Meeting:
    """One meeting the user may read (else 404) and schedule (else PermissionDenied: a
    commander, liaison or planner of the organiser, or staff)."""
    meeting = meeting_get(user=user, pk=pk)
    require_scheduler(actor=user, meeting=meeting)
    return meeting


# --- The desk's block ----------------------------------------------------------------------


def desk_upcoming_meetings(user: User, scope: Any, counts: Any = None) -> Any:
    """The desk's "upcoming meetings" block (a hook of `coordination.desk.selectors.HOOKS`,
    registered by `coordination.apps`): the next scheduled meetings of the agency looked at
    (organised or invited), each with the agency's answer; one query for the rows, its count
    with the desk's other counts (`counts`, a `desk.selectors.Counts`; counted at once
    without one)."""
    from functools import partial

    from coordination.desk.selectors import ROWS, Block, tally

    agency_id = scope.agency.pk if scope.agency is not None else None
    qs = meeting_list(user=user, filters={"status": Meeting.Status.SCHEDULED, "upcoming": True})
    if agency_id is not None:
        invited = MeetingInvitee.objects.filter(meeting_id=OuterRef("pk"), agency_id=agency_id, user__isnull=True)
        qs = qs.filter(Q(organiser_id=agency_id) | Q(Exists(invited))).annotate(
            agency_rsvp=Subquery(invited.values("rsvp")[:1])
        )
    rows = list(qs.order_by("starts_at", "id")[:ROWS])
    block = Block(
        "meetings",
        0,
        rows,
        reverse("meeting-list") + "?upcoming=true&status=scheduled",
        {"template": "coordination/meetings/partials/desk_block.html"},
    )
    tally(counts, qs, partial(setattr, block, "count"))
    return block
