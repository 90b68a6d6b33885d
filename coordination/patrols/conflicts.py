"""Conflicts among patrol shifts: computed, never stored.

A unit (agency + unit name) on two overlapping shifts, and an agency committing more personnel
at one moment than its `AgencyCapacity`. Saving a shift that clashes raises
`ShiftConflictError` unless an override reason is given, in which case a `ConflictOverride`
records who, why and what clashed (`services._guard_conflicts`).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import F, FloatField, Func, QuerySet
from django.utils import formats
from django.utils.translation import gettext as _

from agencies.localtime import DEFAULT_FORMAT, in_zone
from agencies.models import Agency, Area
from agencies.selectors import user_agency_ids
from common.types import User
from coordination.models import AgencyCapacity, PatrolShift, ShiftContribution

from .selectors import MAX_SHIFT_LENGTH, shift_list, zone_of


def _fmt(dt: datetime.datetime, tz: ZoneInfo, *, label: bool = False) -> str:
    """ "30 Jan 2026 22:00" in the area's zone, month in the active language; with label=True
    "30 Jan 2026 22:00 WITA" (a message shows the label after each range's end)."""
    if label:
        return in_zone(dt, tz)
    return formats.date_format(dt.astimezone(tz), DEFAULT_FORMAT)


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


def conflicts_compute(
    *,
    start: datetime.datetime,
    end: datetime.datetime,
    agency_ids: Iterable[int] | None = None,
    only_shift_ids: set[int] | None = None,
    tz: ZoneInfo | None = None,
    user: User | None = None,
    describe: bool = True,
) -> list[dict[str, Any]]:
    """Conflicts among the shifts overlapping [start, end) (two queries, then a sweep in Python).

    `describe=False` finds the same conflicts but gives each only its "kind" and "shifts" (what a
    count or a badge needs): no message, no title, and a lighter query.

    With `user`, a clashing shift the user may not see is described without its title (its
    operation may be confidential): only that a unit is busy elsewhere, and when
    (`conflicts_describe`, which also describes the references an override stored).

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
                        "unit": row.unit_name,
                        "shifts": [first.shift_id, second.shift_id],
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
    return conflicts_describe(conflicts=conflicts, user=user, tz=tz) if describe else conflicts


def _capacity_conflict(
    row: _Row, limit: int, stretch: dict[str, Any], tz: ZoneInfo, describe: bool = True
) -> dict[str, Any]:
    if not describe:
        return {"kind": "over_capacity", "shifts": sorted(stretch["shifts"])}
    return {
        "kind": "over_capacity",
        "agency": row.agency_id,
        "committed": stretch["committed"],
        "capacity": limit,
        "at": stretch["at"].isoformat(),
        "shifts": sorted(stretch["shifts"]),
    }


# What a conflict holds: references (ids) and figures, never another record's text. The
# messages are written when the conflict is read (`conflicts_describe`), for the reader: a
# stored copy (a `ConflictOverride`) then never outlives the rule of the shifts it names.
REFERENCE_KEYS = ("kind", "agency", "unit", "shifts", "committed", "capacity", "at")


def conflict_reference(conflict: dict[str, Any]) -> dict[str, Any]:
    """The conflict as stored: its references and figures, without names nor messages."""
    return {key: conflict[key] for key in REFERENCE_KEYS if key in conflict}


def conflicts_describe(
    *, conflicts: Sequence[dict[str, Any]], user: User | None, tz: ZoneInfo | None = None
) -> list[dict[str, Any]]:
    """Each conflict with its agency's name and a message, written now from the records as
    they are and for `user`: a shift the user may not see (`shift_list`) is named "another
    shift you may not see", never by its title (its operation may be confidential or secret).
    `user=None` describes for the system (every title). Two small queries."""
    tz = tz or ZoneInfo(settings.TIME_ZONE)
    shift_ids = {sid for c in conflicts for sid in c.get("shifts", [])}
    shifts: dict[int, tuple[str, datetime.datetime, datetime.datetime]] = {
        pk: (title, starts, ends)
        for pk, title, starts, ends in PatrolShift.objects.filter(pk__in=shift_ids).values_list(
            "pk", "title", "starts_at", "ends_at"
        )
    }
    visible = (
        set(shifts)
        if user is None
        else set(shift_list(user=user).filter(pk__in=shift_ids).values_list("pk", flat=True))
    )
    agency_ids = {c["agency"] for c in conflicts if c.get("agency")}
    agency_names = dict(Agency.objects.filter(pk__in=agency_ids).values_list("pk", "name"))

    def title(shift_id: int) -> str:
        if shift_id in visible and shift_id in shifts:
            return shifts[shift_id][0] or _("shift #%(id)d") % {"id": shift_id}
        return str(_("another shift you may not see"))

    def when(shift_id: int, index: int, *, label: bool = False) -> str:
        if shift_id not in shifts:
            return "—"
        moment = shifts[shift_id][2] if index == 2 else shifts[shift_id][1]
        return _fmt(moment, tz, label=label)

    described = []
    for conflict in conflicts:
        ref = conflict_reference(conflict)
        agency = agency_names.get(ref.get("agency") or 0, "—")
        if ref["kind"] == "unit_double_booked":
            first, second = ref["shifts"][:2]
            message = _(
                'Unit "%(unit)s" of %(agency)s is on "%(first)s" (%(fs)s to %(fe)s) and on '
                '"%(second)s" (%(ss)s to %(se)s) at the same time.'
            ) % {
                "unit": ref.get("unit", ""),
                "agency": agency,
                "first": title(first),
                "fs": when(first, 1),
                "fe": when(first, 2, label=True),
                "second": title(second),
                "ss": when(second, 1),
                "se": when(second, 2, label=True),
            }
        else:
            message = _(
                "%(agency)s commits %(committed)d personnel at %(at)s, "
                "more than the %(capacity)d it declared available."
            ) % {
                "agency": agency,
                "committed": ref.get("committed", 0),
                "at": _fmt(datetime.datetime.fromisoformat(ref["at"]), tz, label=True) if ref.get("at") else "—",
                "capacity": ref.get("capacity", 0),
            }
        described.append({**ref, "agency_name": agency, "message": message})
    return described


def shift_conflicts(*, shift: PatrolShift, user: User | None = None) -> list[dict[str, Any]]:
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
    *, user: User, start: datetime.datetime, end: datetime.datetime, agency: Agency | None = None
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
