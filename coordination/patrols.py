"""Patrol shifts: reads (scoped to the user) and writes (atomic, validated) in one module.

Visibility (docs/security.md, "Access"): a shift is visible to whoever may see its operation:
- public and restricted operations: every member of an active agency (public: anyone signed in);
- confidential: the lead agency, the participating agencies, and the agencies whose valid
  information-sharing partnership binds them to the lead;
- secret: the lead and participating agencies only;
- staff: everything.
What a user may not see answers 404 (`shift_get`).

Writes: acting members (commander, liaison, planner) of the operation's lead or participating
agencies, or staff. Viewers and analysts read only (PermissionDenied -> 403).

Conflicts are computed, never stored: a unit (agency + unit name) on two overlapping shifts,
and an agency committing more personnel at one moment than its `AgencyCapacity`. Saving a
shift that clashes raises `ShiftConflictError` unless an override reason is given, in which
case a `ConflictOverride` records who, why and what clashed.
"""

from __future__ import annotations

import datetime
import secrets
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections, transaction
from django.db.models import Exists, F, FloatField, Func, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from agencies.localtime import DEFAULT_FORMAT, in_zone
from agencies.models import Agency, Area
from agencies.roles import agencies_with, has_capability, roles_for
from agencies.selectors import classification_q, partner_agency_ids, user_agency_ids
from agencies.selectors import user_is_staff as _is_staff
from agencies.services import audit_reads
from incidents.risks.selectors import risk_list
from incidents.selectors import incident_list

from .models import (
    AgencyCapacity,
    CalendarFeed,
    CheckIn,
    Checkpoint,
    ConflictOverride,
    JointOperation,
    Participation,
    PatrolShift,
    RosterEntry,
    ShiftContribution,
)

# Roles that may plan shifts and check in; viewers and analysts only read.
ACTING_ROLES = roles_for("patrol.plan")
COVERAGE_DAYS = 7
COVERAGE_INCIDENT_DAYS = 30
# Hours of patrol a week an area "needs": 2 per risk point (a 5x4 = 20 risk wants 40 h, about a
# nightly 6-hour patrol) plus 1 per incident of the last 30 days. Crude, explicit, tunable.
HOURS_PER_RISK_POINT = 2
HOURS_PER_RECENT_INCIDENT = 1
HIGH_RISK_SCORE = 10
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


def _fmt(dt: datetime.datetime, tz: ZoneInfo, *, label: bool = False) -> str:
    """ "30 Jan 2026 22:00" in the area's zone, month in the active language; with label=True
    "30 Jan 2026 22:00 WITA" (a message shows the label after each range's end)."""
    if label:
        return in_zone(dt, tz)
    return formats.date_format(dt.astimezone(tz), DEFAULT_FORMAT)


# --- Visibility ----------------------------------------------------------------------------


def operation_visibility_q(*, user: Any, prefix: str = "") -> Q | None:
    """The Q an operation (through `prefix`, e.g. "operation__") must match; None: all (staff)."""
    p = prefix
    op_ref = OuterRef(f"{p}pk") if p else OuterRef("pk")

    def involved(agency_ids: set[int]) -> Q:
        participating = Exists(Participation.objects.filter(operation_id=op_ref, agency_id__in=agency_ids))
        return Q(**{f"{p}lead_agency_id__in": agency_ids}) | Q(participating)

    return classification_q(
        user=user,
        involved=involved,
        confidential=lambda own, partners: involved(own) | Q(**{f"{p}lead_agency_id__in": partners}),
        field=f"{p}classification",
    )


def operation_list_for_shifts(*, user: Any) -> QuerySet[JointOperation]:
    """Operations the user may see (to attach shifts to, or to list them)."""
    qs = JointOperation.objects.select_related("lead_agency")
    q = operation_visibility_q(user=user)
    return qs if q is None else qs.filter(q)


def operation_get_for_shifts(*, user: Any, pk: Any) -> JointOperation:
    try:
        return operation_list_for_shifts(user=user).get(pk=pk)
    except (JointOperation.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def shift_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[PatrolShift]:
    """Shifts the user may see, with what a list or calendar shows in a bounded number of queries."""
    qs = PatrolShift.objects.select_related("operation", "operation__lead_agency").prefetch_related(
        Prefetch("areas", queryset=Area.objects.only("id", "name", "level", "path", "timezone")),
        Prefetch("contributions", queryset=ShiftContribution.objects.select_related("agency")),
    )
    q = operation_visibility_q(user=user, prefix="operation__")
    if q is not None:
        qs = qs.filter(q)
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


def shift_get(*, user: Any, pk: Any, audit: bool = True) -> PatrolShift:
    """One shift the user may see, or 404; confidential and secret reads are audited."""
    try:
        shift = (
            shift_list(user=user)
            .prefetch_related(
                "checkpoints",
                Prefetch("check_ins", queryset=CheckIn.objects.select_related("user", "agency", "checkpoint")),
                "roster",
                Prefetch("overrides", queryset=ConflictOverride.objects.select_related("user")),
            )
            .get(pk=pk)
        )
    except (PatrolShift.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if audit:
        audit_reads(user=user, objects=[shift.operation], object_type="operation")
    return shift


def _planning_agency_ids(user: Any) -> set[int]:
    """The user's agencies in which they may plan patrols (commander, liaison, planner)."""
    return agencies_with(user=user, capability="patrol.plan")


def can_plan(*, user: Any, operation: JointOperation) -> bool:
    """Acting members of the lead or a participating agency, or staff."""
    if _is_staff(user):
        return True
    own = _planning_agency_ids(user)
    if not own:
        return False
    if operation.lead_agency_id in own:
        return True
    return Participation.objects.filter(operation=operation, agency_id__in=own).exists()


def operation_list_plannable(*, user: Any) -> QuerySet[JointOperation]:
    """Operations the user may attach shifts to: the same rule as `can_plan`, as a query (the
    pages offer these in their choices, and the coverage page its "fill" buttons only if any)."""
    qs = operation_list_for_shifts(user=user).exclude(
        status__in=[JointOperation.Status.CANCELLED, JointOperation.Status.REVIEWED]
    )
    if _is_staff(user):
        return qs
    own = _planning_agency_ids(user)
    if not own:
        return qs.none()
    participating = Participation.objects.filter(operation_id=OuterRef("pk"), agency_id__in=own)
    return qs.filter(Q(lead_agency_id__in=own) | Exists(participating))


def can_plan_any(*, user: Any) -> bool:
    """Whether the user may plan some shift at all (the new-shift and recurring-plan pages)."""
    return operation_list_plannable(user=user).exists()


def _require_plan(*, user: Any, operation: JointOperation) -> None:
    if not can_plan(user=user, operation=operation):
        raise PermissionDenied(_("Only commanders, liaisons and planners of the operation's agencies plan its shifts."))


def roster_visible(*, user: Any, shift: PatrolShift) -> bool:
    """Siskamling names and phones: the community group and the police agencies it partners
    with (joint patrol or information sharing), and staff."""
    if _is_staff(user):
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


# --- Conflicts -----------------------------------------------------------------------------


@dataclass
class _Row:
    shift_id: int
    title: str
    # Datetimes; in `_rows(light=True)`, seconds since 1970.
    starts_at: Any
    ends_at: Any
    agency_id: int
    agency_name: str
    unit_name: str
    headcount: int


class ShiftConflictError(ValidationError):
    """A save that clashes, without an override: `conflicts` says what clashes with what."""

    def __init__(self, conflicts: list[dict[str, Any]]) -> None:
        self.conflicts = conflicts
        super().__init__(
            _("This shift clashes with other commitments: %(n)d conflict(s). Give a reason to override.")
            % {"n": len(conflicts)},
            code="conflict",
        )


def _rows(
    *, start: datetime.datetime, end: datetime.datetime, agency_ids: Iterable[int] | None = None, light: bool = False
) -> list[_Row]:
    """Every contribution of the shifts overlapping [start, end): one query, plain tuples.

    `light`: for counting conflicts, not describing them: no titles nor agency names (no
    join), and the times as seconds since 1970 (floats order as the instants do)."""
    qs = ShiftContribution.objects.filter(
        shift__starts_at__lt=end, shift__ends_at__gt=start, shift__starts_at__gt=start - MAX_SHIFT_LENGTH
    )
    if agency_ids is not None:
        qs = qs.filter(agency_id__in=list(agency_ids))
    if connections[qs.db].vendor == "postgresql":
        qs = qs.annotate(starts=_Epoch("shift__starts_at"), ends=_Epoch("shift__ends_at"))
    else:
        qs = qs.annotate(starts=F("shift__starts_at"), ends=F("shift__ends_at"))
    if light:
        light_rows = qs.values_list("shift_id", "starts", "ends", "agency_id", "unit_name", "headcount").order_by()
        if connections[qs.db].vendor == "postgresql":
            return [_Row(s, "", a, b, ag, "", u, h) for s, a, b, ag, u, h in raw_tuples(light_rows)]
        return [_Row(s, "", a.timestamp(), b.timestamp(), ag, "", u, h) for s, a, b, ag, u, h in light_rows]
    rows = qs.values_list(
        "shift_id", "shift__title", "starts", "ends", "agency_id", "agency__name", "unit_name", "headcount"
    )
    utc = datetime.UTC
    return [
        _Row(
            shift_id,
            title,
            datetime.datetime.fromtimestamp(starts, utc) if isinstance(starts, float) else starts,
            datetime.datetime.fromtimestamp(ends, utc) if isinstance(ends, float) else ends,
            agency_id,
            agency_name,
            unit_name,
            headcount,
        )
        for shift_id, title, starts, ends, agency_id, agency_name, unit_name, headcount in rows.order_by()
    ]


def raw_tuples(qs: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """A values_list's rows straight from PostgreSQL's cursor, without the ORM's per-row
    converters: for ~10,000 rows of plain columns (ints, text, floats, dates, which psycopg
    already returns as Python values) they cost more than the query. Not for SQLite, whose
    dates and times come back as text."""
    sql, params = qs.query.sql_with_params()
    with connections[qs.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


class _Epoch(Func):
    """A timestamp as seconds since 1970 (PostgreSQL's float8).

    A month of the calendar reads ~10,000 contributions, two timestamps each: psycopg parses a
    timestamptz from its text form in ~10 us, a float in well under one, and
    `datetime.fromtimestamp` builds the same aware UTC datetime: a float8 of today's epoch
    resolves 0.24 us, so the microseconds round back exactly.
    """

    output_field = FloatField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"EXTRACT(EPOCH FROM {sql})::float8", params


def _shift_label(row: _Row, tz: ZoneInfo) -> str:
    return row.title or _("shift #%(id)d") % {"id": row.shift_id}


def conflicts_compute(
    *,
    start: datetime.datetime,
    end: datetime.datetime,
    agency_ids: Iterable[int] | None = None,
    only_shift_ids: set[int] | None = None,
    tz: ZoneInfo | None = None,
    user: Any = None,
    describe: bool = True,
) -> list[dict[str, Any]]:
    """Conflicts among the shifts overlapping [start, end) (two queries, then a sweep in Python).

    `describe=False` finds the same conflicts but gives each only its "kind" and "shifts" (what a
    count or a badge needs): no message, no title, and a lighter query.

    With `user`, a clashing shift the user may not see is described without its title (its
    operation may be confidential): only that a unit is busy elsewhere, and when.

    `only_shift_ids` keeps the conflicts that involve one of those shifts (a save's check).
    A unit clash is reported once per pair; an over-capacity stretch once per agency and
    stretch, naming the shifts that are running at its peak.
    """
    tz = tz or ZoneInfo(settings.TIME_ZONE)
    # Shifts overlapping the window may overlap others that start before it or end after it:
    # widen by a day so their clashes count (no shift is planned longer than that).
    rows = _rows(
        start=start - datetime.timedelta(days=1),
        end=end + datetime.timedelta(days=1),
        agency_ids=agency_ids,
        light=not describe,
    )
    if not describe:
        # The light rows' times are seconds since 1970: compare the window's bounds as such.
        start, end = start.timestamp(), end.timestamp()  # type: ignore[assignment]
        user = None
    conflicts: list[dict[str, Any]] = []
    visible: set[int] | None = None
    if user is not None and rows:
        visible = set(shift_list(user=user).filter(pk__in={r.shift_id for r in rows}).values_list("pk", flat=True))

    def title(row: _Row) -> str:
        if visible is None or row.shift_id in visible:
            return _shift_label(row, tz)
        return str(_("another shift you may not see"))

    def involved(ids: Iterable[int]) -> bool:
        return only_shift_ids is None or bool(only_shift_ids & set(ids))

    def in_window(a: _Row, b: _Row) -> bool:
        return max(a.starts_at, b.starts_at) < end and min(a.ends_at, b.ends_at) > start

    # 1. A unit on two overlapping shifts.
    by_unit: dict[tuple[int, str], list[_Row]] = defaultdict(list)
    for row in rows:
        by_unit[(row.agency_id, row.unit_name.strip().lower())].append(row)
    for unit_rows in by_unit.values():
        if len(unit_rows) < 2:
            continue
        unit_rows.sort(key=lambda r: (r.starts_at, r.shift_id))
        active: list[_Row] = []
        for row in unit_rows:
            active = [a for a in active if a.ends_at > row.starts_at]
            for other in active:
                if not in_window(row, other) or not involved((row.shift_id, other.shift_id)):
                    continue
                first, second = (row, other) if only_shift_ids and row.shift_id in only_shift_ids else (other, row)
                if not describe:
                    conflicts.append({"kind": "unit_double_booked", "shifts": [first.shift_id, second.shift_id]})
                    continue
                conflicts.append(
                    {
                        "kind": "unit_double_booked",
                        "agency": row.agency_id,
                        "agency_name": row.agency_name,
                        "unit": row.unit_name,
                        "shifts": [first.shift_id, second.shift_id],
                        "message": _(
                            'Unit "%(unit)s" of %(agency)s is on "%(first)s" (%(fs)s to %(fe)s) and on '
                            '"%(second)s" (%(ss)s to %(se)s) at the same time.'
                        )
                        % {
                            "unit": row.unit_name,
                            "agency": row.agency_name,
                            "first": title(first),
                            "fs": _fmt(first.starts_at, tz),
                            "fe": _fmt(first.ends_at, tz, label=True),
                            "second": title(second),
                            "ss": _fmt(second.starts_at, tz),
                            "se": _fmt(second.ends_at, tz, label=True),
                        },
                    }
                )
            active.append(row)

    # 2. An agency over its declared personnel at some moment.
    agencies = {row.agency_id for row in rows}
    capacity = dict(AgencyCapacity.objects.filter(agency_id__in=agencies).values_list("agency_id", "personnel"))
    by_agency: dict[int, list[_Row]] = defaultdict(list)
    for row in rows:
        if row.agency_id in capacity:
            by_agency[row.agency_id].append(row)
    for agency_id, agency_rows in by_agency.items():
        limit = capacity[agency_id]
        events: list[tuple[datetime.datetime, int, _Row]] = []
        for row in agency_rows:
            events.append((row.starts_at, 1, row))
            events.append((row.ends_at, 0, row))  # ends sort before starts at the same instant
        events.sort(key=lambda e: (e[0], e[1]))
        running: dict[tuple[int, str], _Row] = {}
        total = 0
        stretch: dict[str, Any] | None = None
        for at, is_start, row in events:
            key = (row.shift_id, row.unit_name)
            if is_start:
                running[key] = row
                total += row.headcount
            else:
                running.pop(key, None)
                total -= row.headcount
            over = total > limit and start <= at < end
            if over:
                running_ids = {r.shift_id for r in running.values()}
                if stretch is None or total > stretch["committed"]:
                    # The peak of the stretch: when and how much; every shift running during
                    # the stretch is part of the conflict.
                    seen = stretch["shifts"] if stretch else set()
                    stretch = {"committed": total, "at": at, "shifts": seen | running_ids}
                else:
                    stretch["shifts"] |= running_ids
            if not total > limit and stretch is not None:
                if involved(stretch["shifts"]):
                    conflicts.append(_capacity_conflict(agency_rows[0], limit, stretch, tz, describe))
                stretch = None
        if stretch is not None and involved(stretch["shifts"]):
            conflicts.append(_capacity_conflict(agency_rows[0], limit, stretch, tz, describe))
    return conflicts


def _capacity_conflict(
    row: _Row, limit: int, stretch: dict[str, Any], tz: ZoneInfo, describe: bool = True
) -> dict[str, Any]:
    if not describe:
        return {"kind": "over_capacity", "shifts": sorted(stretch["shifts"])}
    return {
        "kind": "over_capacity",
        "agency": row.agency_id,
        "agency_name": row.agency_name,
        "committed": stretch["committed"],
        "capacity": limit,
        "at": stretch["at"].isoformat(),
        "shifts": sorted(stretch["shifts"]),
        "message": _(
            "%(agency)s commits %(committed)d personnel at %(at)s, more than the %(capacity)d it declared available."
        )
        % {
            "agency": row.agency_name,
            "committed": stretch["committed"],
            "at": _fmt(stretch["at"], tz, label=True),
            "capacity": limit,
        },
    }


def shift_conflicts(*, shift: PatrolShift, user: Any = None) -> list[dict[str, Any]]:
    """The conflicts the shift is part of (described for `user`, see conflicts_compute)."""
    agency_ids = {c.agency_id for c in shift.contributions.all()}
    if not agency_ids:
        return []
    return conflicts_compute(
        start=shift.starts_at,
        end=shift.ends_at,
        agency_ids=agency_ids,
        only_shift_ids={shift.pk},
        tz=zone_of(shift.areas.all()),
        user=user,
    )


def conflicts_by_shift(conflicts: Sequence[dict[str, Any]]) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for conflict in conflicts:
        for shift_id in conflict["shifts"]:
            out[shift_id].append(conflict)
    return out


def conflict_list(
    *, user: Any, start: datetime.datetime, end: datetime.datetime, agency: Agency | None = None
) -> list[dict[str, Any]]:
    """Conflicts in a window that involve at least one shift the user may see."""
    # Described in the zone of the agency's (or the user's) jurisdiction, not the server's.
    areas = (
        agency.jurisdiction.all()
        if agency
        else Area.objects.filter(agencies_with_jurisdiction__in=user_agency_ids(user=user)).order_by("level")[:1]
    )
    conflicts = conflicts_compute(
        start=start, end=end, agency_ids=[agency.pk] if agency else None, user=user, tz=zone_of(areas)
    )
    ids = {sid for c in conflicts for sid in c["shifts"]}
    if not ids:
        return []
    visible = set(shift_list(user=user).filter(pk__in=ids).values_list("pk", flat=True))
    return [c for c in conflicts if visible & set(c["shifts"])]


def _guard_conflicts(
    *, user: Any, shifts: Sequence[PatrolShift], override_reason: str, tz: ZoneInfo
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
    ConflictOverride.objects.bulk_create(
        [
            ConflictOverride(shift_id=sid, user=user, reason=override_reason.strip(), conflicts=per_shift[sid])
            for sid in sorted(ids)
            if per_shift.get(sid)
        ]
    )
    return conflicts


# --- Writes --------------------------------------------------------------------------------


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
    user: Any,
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
        created_by=user if getattr(user, "is_authenticated", False) else None,
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
    user: Any,
    shift: PatrolShift,
    data: dict[str, Any],
    contributions: Sequence[dict[str, Any]] | None = None,
    checkpoints: Sequence[dict[str, Any]] | None = None,
    roster: Sequence[dict[str, Any]] | None = None,
    areas: Sequence[Area] | None = None,
    override_reason: str = "",
) -> PatrolShift:
    """Change a shift's fields; given lists replace its units, route or roster. Conflicts as
    for `shift_create`."""
    _require_plan(user=user, operation=shift.operation)
    for name in ("title", "kind", "starts_at", "ends_at", "notes"):
        if name in data:
            setattr(shift, name, data[name])
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
def shift_delete(*, user: Any, shift: PatrolShift) -> None:
    _require_plan(user=user, operation=shift.operation)
    shift.delete()


@transaction.atomic
def patrol_plan_generate(
    *,
    user: Any,
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
    created_by = user if getattr(user, "is_authenticated", False) else None
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


def coverage_list(
    *, user: Any, city: Area, now: datetime.datetime | None = None, days: int = COVERAGE_DAYS
) -> list[dict[str, Any]]:
    """The city's sub-areas ranked by how far their patrol hours in the next `days` days fall
    short of what their risk and recent incidents call for; under-covered high-risk first.

    Three queries: risks and incidents through the incidents app's selectors (scoped to the
    user), and the shifts overlapping the window through `shift_list`.
    """
    now = now or timezone.now()
    window_end = now + datetime.timedelta(days=days)
    children = list(Area.objects.filter(parent=city).only("id", "name", "path", "level", "timezone"))
    if not children:
        return []
    max_score: dict[int, int] = {}
    by_path = {a.path: a.pk for a in children}
    prefix = len(city.path)

    def owner(path: str) -> int | None:
        # A sub-area's path is the city's plus one segment: a dict lookup, not a scan of 50.
        head, sep, _rest = path[prefix:].partition("/")
        return by_path.get(f"{city.path}{head}/") if sep else None

    for path, score in risk_list(user=user).filter(area_path__startswith=city.path).values_list("area_path", "score"):
        aid = owner(path)
        if aid is not None:
            max_score[aid] = max(max_score.get(aid, 0), score)
    since = now - datetime.timedelta(days=COVERAGE_INCIDENT_DAYS)
    incidents: dict[int, int] = defaultdict(int)
    for (path,) in (
        incident_list(user=user)
        .filter(area_path__startswith=city.path, occurred_at__gte=since)
        .values_list("area_path")
        .order_by()
    ):
        aid = owner(path)
        if aid is not None:
            incidents[aid] += 1
    hours: dict[int, float] = defaultdict(float)
    shift_areas: dict[int, tuple[datetime.datetime, datetime.datetime, set[int]]] = {}
    visible = shift_list(user=user, filters={"from": now, "to": window_end}).values("pk")
    for sid, s, e, path in (
        PatrolShift.areas.through.objects.filter(patrolshift_id__in=visible, area__path__startswith=city.path)
        .values_list("patrolshift_id", "patrolshift__starts_at", "patrolshift__ends_at", "area__path")
        .order_by()
    ):
        aid = owner(path)
        if aid is not None:
            shift_areas.setdefault(sid, (s, e, set()))[2].add(aid)
    for s, e, aids in shift_areas.values():
        h = (min(e, window_end) - max(s, now)).total_seconds() / 3600
        for aid in aids:  # a shift over two villages of one district counts once for it
            hours[aid] += max(h, 0.0)
    out: list[dict[str, Any]] = []
    for area in children:
        score = max_score.get(area.pk, 0)
        recent = incidents.get(area.pk, 0)
        target = score * HOURS_PER_RISK_POINT + recent * HOURS_PER_RECENT_INCIDENT
        got = round(hours.get(area.pk, 0.0), 2)
        out.append(
            {
                "area_id": area.pk,
                "area_name": area.name,
                "timezone": area.timezone,
                "max_risk": score,
                "recent_incidents": recent,
                "patrol_hours": got,
                "target_hours": target,
                "gap_hours": round(max(target - got, 0.0), 2),
                "coverage": round(got / target, 3) if target else 1.0,
                "high_risk": score >= HIGH_RISK_SCORE,
            }
        )
    out.sort(key=lambda r: (r["gap_hours"] <= 0, r["coverage"], -r["max_risk"], -r["recent_incidents"], r["area_name"]))
    for i, row in enumerate(out, start=1):
        row["rank"] = i
    return out


def coverage_gaps(*, user: Any, city: Area, now: datetime.datetime | None = None) -> list[dict[str, Any]]:
    """Only the under-covered areas (a gap in hours), ranked."""
    return [r for r in coverage_list(user=user, city=city, now=now) if r["gap_hours"] > 0]


def jurisdiction_paths(*, user: Any) -> list[str]:
    """Paths of the areas the user's agencies have jurisdiction over (each covers its subtree)."""
    return list(
        Area.objects.filter(agencies_with_jurisdiction__in=user_agency_ids(user=user))
        .order_by("level", "name")
        .values_list("path", flat=True)
        .distinct()
    )


def can_fill_coverage(*, user: Any, area: Area) -> bool:
    """The area lies in the jurisdiction of one of the user's agencies (staff: anywhere), as the
    coverage page's choice of cities; planning the operation is `can_plan`'s question."""
    if _is_staff(user):
        return True
    return any(area.path.startswith(path) for path in jurisdiction_paths(user=user))


@transaction.atomic
def coverage_fill(
    *,
    user: Any,
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
    tz = ZoneInfo(area.timezone or settings.TIME_ZONE)
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


def check_in_agency_ids(*, user: Any, shift: PatrolShift) -> set[int]:
    """The contributing agencies of the shift in which the user may check in (not as a viewer
    or analyst); staff check in for none, being members of none."""
    contributing = set(shift.contributions.values_list("agency_id", flat=True))
    return agencies_with(user=user, capability="patrol.check_in", among=contributing)


def can_check_in(*, user: Any, shift: PatrolShift) -> bool:
    """Whether the check-in page offers its buttons: the rule `checkin_create` applies."""
    return bool(check_in_agency_ids(user=user, shift=shift))


@transaction.atomic
def checkin_create(
    *,
    user: Any,
    shift: PatrolShift,
    checkpoint: Checkpoint | None,
    latitude: Decimal | None,
    longitude: Decimal | None,
    at: datetime.datetime | None = None,
) -> CheckIn:
    """A member (not a viewer or analyst) of a contributing agency checks in at a checkpoint."""
    acting = check_in_agency_ids(user=user, shift=shift)
    if not acting:
        raise PermissionDenied(_("Only members of an agency contributing to this shift check in."))
    if checkpoint is not None and checkpoint.shift_id != shift.pk:
        raise ValidationError({"checkpoint": [_("This checkpoint is not on the shift's route.")]})
    check_in = CheckIn(
        shift=shift,
        checkpoint=checkpoint,
        user=user,
        agency_id=min(acting),
        at=at or timezone.now(),
        latitude=latitude,
        longitude=longitude,
    )
    check_in.full_clean()
    check_in.save()
    return check_in


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


def can_get_feed(*, user: Any, agency: Agency) -> bool:
    """A member of the agency (any role), or staff."""
    return has_capability(user=user, capability="patrol.feed", agency_ids=[agency.pk])


def can_rotate_feed(*, user: Any, agency: Agency) -> bool:
    """A commander or liaison of the agency, or staff: rotating cuts every subscribed phone off."""
    return has_capability(user=user, capability="patrol.feed_rotate", agency_ids=[agency.pk])


def calendar_feeds_of_user(*, user: Any) -> list[tuple[Agency, CalendarFeed | None]]:
    """The user's agencies by name, each with its feed if it has one (their secrets: members
    only), in one query."""
    agencies = Agency.objects.filter(pk__in=user_agency_ids(user=user)).select_related("calendar_feed").order_by("name")
    return [(agency, getattr(agency, "calendar_feed", None)) for agency in agencies]


def calendar_feed_get_or_create(*, user: Any, agency: Agency) -> CalendarFeed:
    """A member of the agency (any role) gets its feed's secret, created on first ask."""
    if not can_get_feed(user=user, agency=agency):
        raise PermissionDenied(_("Only members of the agency get its calendar feed."))
    feed, _created = CalendarFeed.objects.get_or_create(agency=agency, defaults={"token": secrets.token_urlsafe(32)})
    return feed


@transaction.atomic
def calendar_feed_rotate(*, user: Any, agency: Agency) -> CalendarFeed:
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


def calendar_feed_url(feed: CalendarFeed) -> str:
    """The absolute URL a calendar application subscribes to."""
    return f"{settings.SITE_URL.rstrip('/')}{reverse('api-shift-feed')}?token={feed.token}"


def calendar_feed_shifts(*, token: str) -> tuple[Agency, QuerySet[PatrolShift]]:
    """The agency and its shifts (those it contributes to, from 30 days back) for a feed token."""
    if not token:
        raise Http404
    feed = CalendarFeed.objects.select_related("agency").filter(token=token).first()
    if feed is None or not secrets.compare_digest(feed.token, token):
        raise Http404
    since = timezone.now() - datetime.timedelta(days=30)
    shifts = (
        PatrolShift.objects.filter(
            Exists(ShiftContribution.objects.filter(shift_id=OuterRef("pk"), agency_id=feed.agency_id)),
            ends_at__gte=since,
        )
        .select_related("operation")
        .prefetch_related(
            "areas",
            "checkpoints",
            Prefetch("contributions", queryset=ShiftContribution.objects.select_related("agency")),
        )
    )
    return feed.agency, shifts


def shift_hours(shift: PatrolShift) -> float:
    return (shift.ends_at - shift.starts_at).total_seconds() / 3600
