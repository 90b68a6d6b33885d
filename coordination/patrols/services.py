"""Writes of patrol shifts: shifts and their units, route and roster, recurring plans, coverage
fills, check-ins and the calendar feed's secret. Atomic and validated (`full_clean()`).

Who may write is read from `agencies/roles.py` through the predicates of `selectors.py`
(`can_plan`, `can_fill_coverage`, `check_in_agency_ids`, `can_get_feed`, `can_rotate_feed`):
the same rules decide which actions the pages offer. A refusal is PermissionDenied (403).

A save that clashes (`conflicts.py`) raises `ShiftConflictError` unless an override reason is
given, in which case a `ConflictOverride` records who, why and what clashed.
"""

from __future__ import annotations

import datetime
import secrets
import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency, Area
from common.services import model_update, signed_in
from common.types import User
from coordination.models import (
    AgencyCapacity,
    CalendarFeed,
    CheckIn,
    Checkpoint,
    ConflictOverride,
    JointOperation,
    PatrolShift,
    RosterEntry,
    ShiftContribution,
)

from .conflicts import ShiftConflictError, conflict_reference, conflicts_by_shift, conflicts_compute
from .coverage import COVERAGE_DAYS, coverage_list
from .selectors import (
    MAX_SHIFT_LENGTH,
    can_fill_coverage,
    can_get_feed,
    can_plan,
    can_rotate_feed,
    check_in_agency_ids,
    zone_of,
)

# What `shift_update` changes on the shift itself (lists replace its units, route or roster).
SHIFT_FIELDS = ("title", "kind", "starts_at", "ends_at", "notes")


def _require_plan(*, user: User, operation: JointOperation) -> None:
    if not can_plan(user=user, operation=operation):
        raise PermissionDenied(_("Only commanders, liaisons and planners of the operation's agencies plan its shifts."))


# --- Conflicts -----------------------------------------------------------------------------


def _guard_conflicts(
    *, user: User, shifts: Sequence[PatrolShift], override_reason: str, tz: ZoneInfo
) -> list[dict[str, Any]]:
    """Raise ShiftConflictError unless overridden; record the override for each clashing shift."""
    if not shifts:
        return []
    ids = {s.pk for s in shifts}
    agency_ids = set(ShiftContribution.objects.filter(shift_id__in=ids).values_list("agency_id", flat=True))
    if not agency_ids:
        return []
    # Serialize concurrent saves committing the same agencies (PostgreSQL; SQLite locks anyway):
    # two planners each adding 15 to a 20-person agency must not both pass the check.
    list(AgencyCapacity.objects.select_for_update().filter(agency_id__in=agency_ids).values_list("pk"))
    conflicts = conflicts_compute(
        start=min(s.starts_at for s in shifts),
        end=max(s.ends_at for s in shifts),
        agency_ids=agency_ids,
        only_shift_ids=ids,
        tz=tz,
        user=user,
    )
    if not conflicts:
        return []
    if not (override_reason or "").strip():
        raise ShiftConflictError(conflicts)
    per_shift = conflicts_by_shift(conflicts)
    # References only (ids and figures): the messages are written for each reader when the
    # override is read (`conflicts.conflicts_describe`), so a clashing shift's title never
    # reaches those who may not see it, now or after its operation is made secret.
    ConflictOverride.objects.bulk_create(
        [
            ConflictOverride(
                shift_id=sid,
                user=signed_in(user),
                reason=override_reason.strip(),
                conflicts=[conflict_reference(c) for c in per_shift[sid]],
            )
            for sid in sorted(ids)
            if per_shift.get(sid)
        ]
    )
    return conflicts


# --- Shifts and recurring plans ------------------------------------------------------------


def _validate_window(starts_at: datetime.datetime, ends_at: datetime.datetime) -> None:
    if starts_at is None or ends_at is None:
        raise ValidationError({"starts_at": [_("Start and end are required.")]})
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": [_("The shift ends before it starts.")]})
    if ends_at - starts_at > MAX_SHIFT_LENGTH:
        raise ValidationError({"ends_at": [_("A shift lasts at most 24 hours.")]})


def _add_children(
    *,
    shift: PatrolShift,
    contributions: Sequence[dict[str, Any]],
    checkpoints: Sequence[dict[str, Any]],
    roster: Sequence[dict[str, Any]],
) -> None:
    for data in contributions:
        contribution_add(shift=shift, **data)
    for i, data in enumerate(checkpoints, start=1):
        data = dict(data)
        data.setdefault("order", i)
        checkpoint = Checkpoint(shift=shift, **data)
        checkpoint.full_clean(exclude=["shift"])
        checkpoint.save()
    for data in roster:
        entry = RosterEntry(shift=shift, **data)
        entry.full_clean(exclude=["shift"])
        entry.save()


def contribution_add(
    *, shift: PatrolShift, agency: Agency, unit_name: str, headcount: int, vehicles: int = 0
) -> ShiftContribution:
    """One agency's unit on a shift (no conflict check: the calling service runs it once)."""
    contribution = ShiftContribution(
        shift=shift, agency=agency, unit_name=unit_name.strip(), headcount=headcount, vehicles=vehicles
    )
    contribution.full_clean(exclude=["shift"])
    if ShiftContribution.objects.filter(shift=shift, agency=agency, unit_name=contribution.unit_name).exists():
        raise ValidationError({"contributions": [_("Unit %(unit)s is listed twice.") % {"unit": unit_name}]})
    contribution.save()
    return contribution


@transaction.atomic
def shift_create(
    *,
    user: User,
    operation: JointOperation,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    kind: str = PatrolShift.Kind.JOINT_PATROL,
    title: str = "",
    areas: Sequence[Area] = (),
    contributions: Sequence[dict[str, Any]] = (),
    checkpoints: Sequence[dict[str, Any]] = (),
    roster: Sequence[dict[str, Any]] = (),
    notes: str = "",
    series: str = "",
    override_reason: str = "",
) -> PatrolShift:
    """Create a shift with its units, route and roster, atomically.

    Raises PermissionDenied (not a planner of the operation), ValidationError (bad input) or
    ShiftConflictError (clashes, no override); with `override_reason` the clash is saved and a
    ConflictOverride records it.
    """
    _require_plan(user=user, operation=operation)
    _validate_window(starts_at, ends_at)
    shift = PatrolShift(
        operation=operation,
        kind=kind,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        notes=notes,
        series=series,
        created_by=signed_in(user),
    )
    shift.full_clean()
    shift.save()
    shift.areas.set(areas)
    _add_children(shift=shift, contributions=contributions, checkpoints=checkpoints, roster=roster)
    _guard_conflicts(user=user, shifts=[shift], override_reason=override_reason, tz=zone_of(areas))
    return shift


@transaction.atomic
def shift_update(
    *,
    user: User,
    shift: PatrolShift,
    data: dict[str, Any],
    contributions: Sequence[dict[str, Any]] | None = None,
    checkpoints: Sequence[dict[str, Any]] | None = None,
    roster: Sequence[dict[str, Any]] | None = None,
    areas: Sequence[Area] | None = None,
    override_reason: str = "",
) -> PatrolShift:
    """Change a shift's fields (`SHIFT_FIELDS`: another key is the caller's mistake, ValueError);
    given lists replace its units, route or roster. Conflicts as for `shift_create`."""
    _require_plan(user=user, operation=shift.operation)
    model_update(instance=shift, fields=data, allowed=SHIFT_FIELDS)
    _validate_window(shift.starts_at, shift.ends_at)
    shift.full_clean()
    shift.save()
    if areas is not None:
        shift.areas.set(areas)
    if contributions is not None:
        shift.contributions.all().delete()
    if checkpoints is not None:
        shift.checkpoints.all().delete()
    if roster is not None:
        shift.roster.all().delete()
    _add_children(shift=shift, contributions=contributions or (), checkpoints=checkpoints or (), roster=roster or ())
    _guard_conflicts(user=user, shifts=[shift], override_reason=override_reason, tz=zone_of(shift.areas.all()))
    return shift


@transaction.atomic
def shift_delete(*, user: User, shift: PatrolShift) -> None:
    _require_plan(user=user, operation=shift.operation)
    shift.delete()


@transaction.atomic
def patrol_plan_generate(
    *,
    user: User,
    operation: JointOperation,
    first_date: datetime.date,
    days: int,
    start_time: datetime.time,
    end_time: datetime.time,
    areas: Sequence[Area] = (),
    kind: str = PatrolShift.Kind.JOINT_PATROL,
    title: str = "",
    contributions: Sequence[dict[str, Any]] = (),
    checkpoints_per_shift: Sequence[dict[str, Any]] = (),
    override_reason: str = "",
) -> list[PatrolShift]:
    """A recurring plan: one shift a day for `days` days from `first_date`, from `start_time`
    to `end_time` in the zone of the first area (WIB, WITA, WIT; none of them has DST), an end
    at or before the start meaning the next morning. The shifts share a `series` key. Atomic:
    all shifts or none; conflicts as for `shift_create`.
    """
    _require_plan(user=user, operation=operation)
    if not 1 <= days <= 366:
        raise ValidationError({"days": [_("Between 1 and 366 days.")]})
    tz = zone_of(areas)
    series = uuid.uuid4().hex[:16]
    created_by = signed_in(user)
    shifts = []
    for i in range(days):
        day = first_date + datetime.timedelta(days=i)
        start = datetime.datetime.combine(day, start_time, tzinfo=tz)
        end_day = day if end_time > start_time else day + datetime.timedelta(days=1)
        end = datetime.datetime.combine(end_day, end_time, tzinfo=tz)
        shift = PatrolShift(
            operation=operation,
            kind=kind,
            title=title,
            starts_at=start.astimezone(datetime.UTC),
            ends_at=end.astimezone(datetime.UTC),
            series=series,
            created_by=created_by,
        )
        shift.full_clean()
        shifts.append(shift)
    shifts = PatrolShift.objects.bulk_create(shifts)
    through = PatrolShift.areas.through
    through.objects.bulk_create([through(patrolshift_id=s.pk, area_id=a.pk) for s in shifts for a in areas])
    rows: list[ShiftContribution] = []
    for data in contributions:
        probe = ShiftContribution(shift=shifts[0], **data)
        probe.full_clean(exclude=["shift"])
        rows.extend(ShiftContribution(shift=s, **data) for s in shifts)
    ShiftContribution.objects.bulk_create(rows)
    cps: list[Checkpoint] = []
    for i, data in enumerate(checkpoints_per_shift, start=1):
        cp_probe = Checkpoint(shift=shifts[0], order=i, **data)
        cp_probe.full_clean(exclude=["shift"])
        cps.extend(Checkpoint(shift=s, order=i, **data) for s in shifts)
    Checkpoint.objects.bulk_create(cps)
    _guard_conflicts(user=user, shifts=shifts, override_reason=override_reason, tz=tz)
    return shifts


# --- Coverage ------------------------------------------------------------------------------


@transaction.atomic
def coverage_fill(
    *,
    user: User,
    area: Area,
    operation: JointOperation,
    now: datetime.datetime | None = None,
    start_time: datetime.time = datetime.time(22, 0),
    shift_hours: int = 6,
    contributions: Sequence[dict[str, Any]] = (),
    override_reason: str = "",
) -> list[PatrolShift]:
    """Turn an area's coverage gap into nightly shifts in one step: as many `shift_hours`
    shifts from the next `start_time` (area's zone) as close the gap of the next 7 days, at
    most one a night. Atomic; conflicts as for `shift_create`."""
    _require_plan(user=user, operation=operation)
    if not can_fill_coverage(user=user, area=area):
        raise PermissionDenied(_("Only agencies with jurisdiction over the area fill its coverage gaps."))
    if area.parent is None:
        raise ValidationError({"area": [_("Choose a regency, district or village.")]})
    now = now or timezone.now()
    row = next(
        (r for r in coverage_list(user=user, city=area.parent, now=now) if r["area_id"] == area.pk),
        None,
    )
    gap = row["gap_hours"] if row else 0
    if gap <= 0:
        return []
    tz = zone_of([area])
    local_now = now.astimezone(tz)
    first = local_now.date()
    if datetime.datetime.combine(first, start_time, tzinfo=tz) < now:
        first += datetime.timedelta(days=1)
    window_end = now + datetime.timedelta(days=COVERAGE_DAYS)

    def nights_needed(length: int) -> tuple[int, float]:
        n, covered = 0, 0.0
        while covered < gap:
            start = datetime.datetime.combine(first + datetime.timedelta(days=n), start_time, tzinfo=tz)
            if start >= window_end:
                break
            covered += (min(start + datetime.timedelta(hours=length), window_end) - start).total_seconds() / 3600
            n += 1
        return n, covered

    # Nightly shifts of `shift_hours` first; when the nights left in the window cannot close the
    # gap that way, lengthen them (up to 12 hours) rather than leave the area under-covered.
    for length in range(shift_hours, max(shift_hours, 12) + 1):
        n, covered = nights_needed(length)
        if covered >= gap:
            break
    shift_hours = length
    if n == 0:
        return []
    end_time = (datetime.datetime.combine(first, start_time) + datetime.timedelta(hours=shift_hours)).time()
    return patrol_plan_generate(
        user=user,
        operation=operation,
        first_date=first,
        days=n,
        start_time=start_time,
        end_time=end_time,
        areas=[area],
        title=_("Coverage patrol %(area)s") % {"area": area.name},
        contributions=contributions,
        override_reason=override_reason,
    )


# --- Check-ins -----------------------------------------------------------------------------


@transaction.atomic
def require_check_in(*, user: User, shift: PatrolShift) -> set[int]:
    """The contributing agencies in which the user may check in, or PermissionDenied: asked
    before the API reads the check-in's body, so that who may not check in hears so (403), not
    what is wrong with their input (400)."""
    acting = check_in_agency_ids(user=user, shift=shift)
    if not acting:
        raise PermissionDenied(_("Only members of an agency contributing to this shift check in."))
    return acting


def checkin_create(
    *,
    user: User,
    shift: PatrolShift,
    checkpoint: Checkpoint | None,
    latitude: Decimal | None,
    longitude: Decimal | None,
    at: datetime.datetime | None = None,
) -> CheckIn:
    """A member (not a viewer or analyst) of a contributing agency checks in at a checkpoint."""
    acting = require_check_in(user=user, shift=shift)
    if checkpoint is not None and checkpoint.shift_id != shift.pk:
        raise ValidationError({"checkpoint": [_("This checkpoint is not on the shift's route.")]})
    check_in = CheckIn(
        shift=shift,
        checkpoint=checkpoint,
        user=signed_in(user),
        agency_id=min(acting),
        at=at or timezone.now(),
        latitude=latitude,
        longitude=longitude,
    )
    check_in.full_clean()
    check_in.save()
    return check_in


# --- Calendar feed -------------------------------------------------------------------------


def calendar_feed_get_or_create(*, user: User, agency: Agency) -> CalendarFeed:
    """A member of the agency (any role) gets its feed's secret, created on first ask."""
    if not can_get_feed(user=user, agency=agency):
        raise PermissionDenied(_("Only members of the agency get its calendar feed."))
    feed, _created = CalendarFeed.objects.get_or_create(agency=agency, defaults={"token": secrets.token_urlsafe(32)})
    return feed


@transaction.atomic
def calendar_feed_rotate(*, user: User, agency: Agency) -> CalendarFeed:
    """A new secret for the agency's feed: the old URL answers 404 from now on (a phone that
    subscribed to it must subscribe again). Commanders and liaisons of the agency, or staff."""
    if not can_rotate_feed(user=user, agency=agency):
        raise PermissionDenied(_("Only commanders and liaisons of the agency rotate its calendar feed's link."))
    feed = CalendarFeed.objects.select_for_update().filter(agency=agency).first()
    token = secrets.token_urlsafe(32)
    if feed is None:
        return CalendarFeed.objects.create(agency=agency, token=token)
    feed.token = token
    feed.save(update_fields=["token"])
    return feed
