"""Reads of patrol shifts, scoped to the user, and the predicates the services and pages share.

Visibility (docs/security.md, "Access"): a shift is visible to whoever may see its operation
(`coordination.operations.selectors.operation_visibility_q`):
- public and restricted operations: every member of an active agency (public: anyone signed in);
- confidential: the lead agency, the participating agencies, and the agencies whose valid
  information-sharing partnership binds them to the lead;
- secret: the lead and participating agencies only;
- staff: everything.
What a user may not see answers 404 (`shift_get`); what they see but may not change answers
403 (`shift_get_for_change`).

Writes (`services.py`): acting members (commander, liaison, planner: capability "patrol.plan")
of the operation's lead or participating agencies, or staff. Viewers and analysts read only.
The `can_*` predicates here are the rules the services apply and the pages ask before they
offer an action.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency, Area
from agencies.roles import agencies_with, has_capability
from agencies.selectors import agency_reader, partner_agency_ids, user_agency_ids, user_is_staff
from agencies.services import audit_reads
from common.selectors import get_or_404
from common.types import User
from coordination.models import (
    CalendarFeed,
    CheckIn,
    Checkpoint,
    ConflictOverride,
    JointOperation,
    Participation,
    PatrolShift,
    ShiftContribution,
)
from coordination.operations.selectors import operation_list, operation_visibility_q

# The longest shift the services accept; window queries bound starts_at with it.
MAX_SHIFT_LENGTH = datetime.timedelta(hours=24)


def tolerance() -> datetime.timedelta:
    return datetime.timedelta(minutes=getattr(settings, "SINERGI_CHECKIN_TOLERANCE_MINUTES", 15))


def zone_of(areas: Iterable[Area]) -> ZoneInfo:
    """The zone of the first area (WIB, WITA or WIT), else the site's default zone."""
    for area in areas:
        if area.timezone:
            return ZoneInfo(area.timezone)
    return ZoneInfo(settings.TIME_ZONE)


def shift_hours(shift: PatrolShift) -> float:
    return (shift.ends_at - shift.starts_at).total_seconds() / 3600


# --- Operations the shifts hang on ---------------------------------------------------------


def operation_get_for_shifts(*, user: User, pk: Any) -> JointOperation:
    """An operation the user may see (to attach shifts to), unaudited, or 404."""
    return get_or_404(operation_list(user=user), pk=pk)


def _planning_agency_ids(user: User) -> set[int]:
    """The user's agencies in which they may plan patrols (commander, liaison, planner)."""
    return agencies_with(user=user, capability="patrol.plan")


def can_plan(*, user: User, operation: JointOperation) -> bool:
    """Acting members of the lead or a participating agency, or staff."""
    if user_is_staff(user):
        return True
    own = _planning_agency_ids(user)
    if not own:
        return False
    if operation.lead_agency_id in own:
        return True
    return Participation.objects.filter(operation=operation, agency_id__in=own).exists()


def operation_list_plannable(*, user: User) -> QuerySet[JointOperation]:
    """Operations the user may attach shifts to: the same rule as `can_plan`, as a query (the
    pages offer these in their choices, and the coverage page its "fill" buttons only if any)."""
    qs = operation_list(user=user).exclude(status__in=[JointOperation.Status.CANCELLED, JointOperation.Status.REVIEWED])
    if user_is_staff(user):
        return qs
    own = _planning_agency_ids(user)
    if not own:
        return qs.none()
    participating = Participation.objects.filter(operation_id=OuterRef("pk"), agency_id__in=own)
    return qs.filter(Q(lead_agency_id__in=own) | Exists(participating))


def can_plan_any(*, user: User) -> bool:
    """Whether the user may plan some shift at all (the new-shift and recurring-plan pages)."""
    return operation_list_plannable(user=user).exists()


# --- Shifts --------------------------------------------------------------------------------


def shift_list(*, user: User, filters: dict[str, Any] | None = None) -> QuerySet[PatrolShift]:
    """Shifts the user may see, with what a list or calendar shows in a bounded number of queries."""
    qs = PatrolShift.objects.select_related("operation", "operation__lead_agency").prefetch_related(
        Prefetch("areas", queryset=Area.objects.only("id", "name", "level", "path", "timezone")),
        Prefetch("contributions", queryset=ShiftContribution.objects.select_related("agency")),
    )
    q = operation_visibility_q(user=user)
    if q is not None:
        qs = qs.filter(operation__in=JointOperation.objects.filter(q).values("pk"))
    filters = filters or {}
    if op := filters.get("operation"):
        qs = qs.filter(operation_id=getattr(op, "pk", op))
    if agency := filters.get("agency"):
        agency_id = getattr(agency, "pk", agency)
        qs = qs.filter(Exists(ShiftContribution.objects.filter(shift_id=OuterRef("pk"), agency_id=agency_id)))
    if area := filters.get("area"):
        through = PatrolShift.areas.through.objects.filter(
            patrolshift_id=OuterRef("pk"), area__path__startswith=area.path
        )
        qs = qs.filter(Exists(through))
    if kind := filters.get("kind"):
        qs = qs.filter(kind=kind)
    if start := filters.get("from"):
        # The lower bound on starts_at follows from the first (a shift lasts at most
        # MAX_SHIFT_LENGTH) and lets the window index read only the window, not every
        # shift since the first one (the planner cannot bound an overlap by itself).
        qs = qs.filter(ends_at__gt=start, starts_at__gt=start - MAX_SHIFT_LENGTH)
    if end := filters.get("to"):
        qs = qs.filter(starts_at__lt=end)
    return qs


def shift_get(*, user: User, pk: Any, audit: bool = True) -> PatrolShift:
    """One shift the user may see, or 404; confidential and secret reads are audited."""
    shift = get_or_404(
        shift_list(user=user).prefetch_related(
            "checkpoints",
            Prefetch("check_ins", queryset=CheckIn.objects.select_related("user", "agency", "checkpoint")),
            "roster",
            Prefetch("overrides", queryset=ConflictOverride.objects.select_related("user")),
        ),
        pk=pk,
    )
    if audit:
        audit_reads(user=user, objects=[shift.operation], object_type="operation")
    return shift


def shift_get_for_change(*, user: User, pk: Any) -> PatrolShift:
    """A shift the user may change (a planner of its operation, `can_plan`): 404 if they may
    not see it, PermissionDenied if they see it but may not change it. Not audited: a change
    is recorded by what it changes."""
    shift = shift_get(user=user, pk=pk, audit=False)
    if not can_plan(user=user, operation=shift.operation):
        raise PermissionDenied(_("Only planners of the operation's agencies change its shifts."))
    return shift


def roster_visible(*, user: User, shift: PatrolShift) -> bool:
    """Siskamling names and phones: the community group and the police agencies it partners
    with (joint patrol or information sharing), and staff."""
    if user_is_staff(user):
        return True
    own = user_agency_ids(user=user)
    if not own:
        return False
    groups = {c.agency_id for c in shift.contributions.all() if c.agency.kind == Agency.Kind.COMMUNITY}
    if shift.operation.lead_agency.kind == Agency.Kind.COMMUNITY:
        groups.add(shift.operation.lead_agency_id)
    if own & groups:
        return True
    if not groups:
        return False
    partners = partner_agency_ids(agency_ids=groups, scope="joint_patrol") | partner_agency_ids(
        agency_ids=groups, scope="information_sharing"
    )
    police = set(Agency.objects.filter(pk__in=partners & own, kind=Agency.Kind.POLICE).values_list("pk", flat=True))
    return bool(police)


def jurisdiction_paths(*, user: User) -> list[str]:
    """Paths of the areas the user's agencies have jurisdiction over (each covers its subtree)."""
    return list(
        Area.objects.filter(agencies_with_jurisdiction__in=user_agency_ids(user=user))
        .order_by("level", "name")
        .values_list("path", flat=True)
        .distinct()
    )


def can_fill_coverage(*, user: User, area: Area) -> bool:
    """The area lies in the jurisdiction of one of the user's agencies (staff: anywhere), as the
    coverage page's choice of cities; planning the operation is `can_plan`'s question."""
    if user_is_staff(user):
        return True
    return any(area.path.startswith(path) for path in jurisdiction_paths(user=user))


# --- Check-ins -----------------------------------------------------------------------------


def check_in_agency_ids(*, user: User, shift: PatrolShift) -> set[int]:
    """The contributing agencies of the shift in which the user may check in (not as a viewer
    or analyst); staff check in for none, being members of none."""
    contributing = set(shift.contributions.values_list("agency_id", flat=True))
    return agencies_with(user=user, capability="patrol.check_in", among=contributing)


def can_check_in(*, user: User, shift: PatrolShift) -> bool:
    """Whether the check-in page offers its buttons: the rule `services.checkin_create` applies."""
    return bool(check_in_agency_ids(user=user, shift=shift))


def checkpoint_statuses(*, shift: PatrolShift, now: datetime.datetime | None = None) -> list[dict[str, Any]]:
    """Each checkpoint of the route: on_time (checked in within the tolerance of planned_at),
    late, missed (the tolerance passed with no check-in) or pending. Uses prefetched rows."""
    now = now or timezone.now()
    tol = tolerance()
    first: dict[int, CheckIn] = {}
    for check_in in sorted(shift.check_ins.all(), key=lambda c: c.at):
        if check_in.checkpoint_id is not None:
            first.setdefault(check_in.checkpoint_id, check_in)
    out = []
    cp: Checkpoint
    for cp in sorted(shift.checkpoints.all(), key=lambda c: c.order):
        found = first.get(cp.pk)
        planned = cp.planned_at
        if found is not None:
            status = "on_time" if planned is None or found.at <= planned + tol else "late"
        else:
            deadline = (planned or shift.ends_at) + tol
            status = "missed" if now > deadline else "pending"
        out.append({"checkpoint": cp, "check_in": found, "status": status})
    return out


# --- Calendar feed -------------------------------------------------------------------------


def can_get_feed(*, user: User, agency: Agency) -> bool:
    """A member of the agency (any role), or staff."""
    return has_capability(user=user, capability="patrol.feed", agency_ids=[agency.pk])


def can_rotate_feed(*, user: User, agency: Agency) -> bool:
    """A commander or liaison of the agency, or staff: rotating cuts every subscribed phone off."""
    return has_capability(user=user, capability="patrol.feed_rotate", agency_ids=[agency.pk])


def calendar_feeds_of_user(*, user: User) -> list[tuple[Agency, CalendarFeed | None]]:
    """The user's agencies by name, each with its feed if it has one (their secrets: members
    only), in one query."""
    agencies = Agency.objects.filter(pk__in=user_agency_ids(user=user)).select_related("calendar_feed").order_by("name")
    return [(agency, getattr(agency, "calendar_feed", None)) for agency in agencies]


def calendar_feed_agency_get(*, user: User, pk: Any) -> Agency:
    """An agency the user belongs to, else 404: the calendar offers the feeds of the user's own
    agencies (staff included; they reach any agency's feed through the API or the admin)."""
    agency = Agency.objects.filter(pk=pk, pk__in=user_agency_ids(user=user)).first()
    if agency is None:
        raise Http404
    return agency


def calendar_feed_url(feed: CalendarFeed) -> str:
    """The absolute URL a calendar application subscribes to."""
    return f"{settings.SITE_URL.rstrip('/')}{reverse('api-shift-feed')}?token={feed.token}"


def calendar_feed_shifts(*, token: str) -> tuple[Agency, QuerySet[PatrolShift]]:
    """The agency and its shifts (those it contributes to, from 30 days back) for a feed token.

    Read through `shift_list` as a member of that agency alone (`agency_reader`): a shift of
    an operation the agency may not read (a secret one it contributes a unit to without taking
    part) is left out of its feed exactly as the API answers 404 for it to its members."""
    if not token:
        raise Http404
    feed = CalendarFeed.objects.select_related("agency").filter(token=token).first()
    if feed is None or not secrets.compare_digest(feed.token, token):
        raise Http404
    since = timezone.now() - datetime.timedelta(days=30)
    shifts = (
        shift_list(user=agency_reader(agency=feed.agency), filters={"agency": feed.agency})
        .filter(ends_at__gte=since)
        .prefetch_related("checkpoints")
    )
    return feed.agency, shifts
