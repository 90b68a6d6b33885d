"""What every section of the KPI engine shares: the scope, resolved once (`Ctx`); the three
ranges (the period, the previous one, the same period a year before) that one query reads
together, a record's range being its `bucket`; the percentile aggregate and the minutes between
two instants on PostgreSQL and SQLite alike; and how cells and long tables are written.

One query reads the three ranges: `in_ranges(field)` keeps the rows of any of them, and
`bucket(field)` numbers the range a row falls in (0 the period, then the previous one, then the
year before), so `values("b").annotate(...)` gives each range's aggregates in one scan. A year's
previous period is the year before: then there are two ranges, not three.

Medians and 90th percentiles are `percentile_cont` (linear interpolation between the two
nearest values) on PostgreSQL; SQLite has no such aggregate, so `kpi_percentile`, the same
formula in Python, is registered on the connection when a query needs it: both give the same
numbers.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Aggregate, Case, F, Field, FloatField, Func, IntegerField, Q, Value, When
from django.utils import translation

from agencies.models import Classification
from coordination.evaluations.periods import Period, add_months

# A breakdown shows its 30 largest rows; the others are summed into one "Others" row.
MAX_ROWS = 30
OTHERS = {"id": "Lainnya", "en": "Others"}
SECRET = Classification.SECRET


@dataclass(frozen=True)
class Scope:
    """What an evaluation covers: the city (everything), an agency, an area (and its
    descendants), or a partnership (what two or more of its parties did together)."""

    kind: str
    agency_id: int | None = None
    area_id: int | None = None
    partnership_id: int | None = None

    @classmethod
    def from_evaluation(cls, ev: Any) -> Scope:
        return cls(
            kind=ev.scope_kind,
            agency_id=ev.scope_agency_id,
            area_id=ev.scope_area_id,
            partnership_id=ev.scope_partnership_id,
        )


@dataclass
class Ctx:
    """The scope resolved (names, paths, parties) and the ranges of one computation."""

    scope: Scope
    period: Period
    now: dt.datetime
    zone: ZoneInfo
    # [start, end) of each distinct range; `index` maps "value"/"previous"/"year_before" to one.
    ranges: list[tuple[dt.datetime, dt.datetime]]
    days: list[tuple[dt.date, dt.date]]  # first day, day after the last, of each range
    index: dict[str, int]
    name: str | None = None
    area_path: str = ""
    area_level: int = 0
    agency_paths: list[str] = field(default_factory=list)  # the agency's jurisdiction
    parties: list[int] = field(default_factory=list)
    party_names: dict[int, str] = field(default_factory=dict)
    party_paths: list[str] = field(default_factory=list)  # every party's jurisdiction
    # Figures one section leaves for another (the partnership section reads the alerts').
    shared: dict[str, Any] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return self.scope.kind

    def tri(self, per_bucket: Mapping[int, Any]) -> dict[str, Any]:
        """{"value", "previous", "year_before"} from {bucket: figure}."""
        return {key: per_bucket.get(i) for key, i in self.index.items()}

    @property
    def current(self) -> int:
        return self.index["value"]


def make_ctx(*, scope: Scope, period: Period, now: dt.datetime) -> Ctx:
    """The ranges of the period, the previous one and the year before (deduplicated)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    periods = {"value": period, "previous": period.previous(), "year_before": period.year_before()}
    ranges: list[tuple[dt.datetime, dt.datetime]] = []
    days: list[tuple[dt.date, dt.date]] = []
    index: dict[str, int] = {}
    for key, p in periods.items():
        bounds = p.bounds()
        if bounds not in ranges:
            ranges.append(bounds)
            days.append((p.start, p.end + dt.timedelta(days=1)))
        index[key] = ranges.index(bounds)
    return Ctx(scope=scope, period=period, now=now, zone=zone, ranges=ranges, days=days, index=index)


def in_ranges(ctx: Ctx, name: str, *, dates: bool = False) -> Q:
    """Rows whose `name` (a date-time, or a date with dates=True) lies in one of the ranges."""
    q = Q()
    for start, end in ctx.days if dates else ctx.ranges:
        q |= Q(**{f"{name}__gte": start, f"{name}__lt": end})
    return q


def bucket(ctx: Ctx, name: str, *, dates: bool = False) -> Case:
    """The number of the range `name` falls in (use with `in_ranges`)."""
    whens = [
        When(Q(**{f"{name}__gte": start, f"{name}__lt": end}), then=Value(i))
        for i, (start, end) in enumerate(ctx.days if dates else ctx.ranges)
    ]
    return Case(*whens, default=Value(-1), output_field=IntegerField())


# --- Percentiles and durations on both databases ---------------------------------------------


def percentile_cont(values: Sequence[float], fraction: float) -> float | None:
    """PostgreSQL's percentile_cont: linear interpolation between the two nearest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    k = (len(ordered) - 1) * fraction
    lo = math.floor(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


class _SqlitePercentile:
    """kpi_percentile(value, fraction) for SQLite: collects the values, then percentile_cont."""

    def __init__(self) -> None:
        self.values: list[float] = []
        self.fraction = 0.5

    def step(self, value: float | None, fraction: float) -> None:
        self.fraction = fraction
        if value is not None:
            self.values.append(float(value))

    def finalize(self) -> float | None:
        return percentile_cont(self.values, self.fraction)


class Percentile(Aggregate):
    """percentile_cont(fraction) WITHIN GROUP (ORDER BY expression); None over no rows."""

    function = "percentile_cont"
    name = "Percentile"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression: Any, fraction: float, **extra: Any) -> None:
        super().__init__(expression, fraction=float(fraction), **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        connection.ensure_connection()
        connection.connection.create_aggregate("kpi_percentile", 2, _SqlitePercentile)
        # On a copy: Aggregate.as_sql cannot take a template and a FILTER at once.
        clone = self.copy()
        clone.function = "kpi_percentile"
        clone.template = "%(function)s(%(expressions)s, %(fraction)s)"
        return super(Percentile, clone).as_sql(compiler, connection, **extra)


class _SqlitePercentiles(_SqlitePercentile):
    """kpi_percentiles(value, "0.5,0.9") for SQLite: the percentiles as a JSON list."""

    def step(self, value: float | None, fractions: str) -> None:  # type: ignore[override]
        self.fractions = fractions
        if value is not None:
            self.values.append(float(value))

    def finalize(self) -> str:  # type: ignore[override]
        fractions = [float(f) for f in getattr(self, "fractions", "0.5").split(",")]
        return json.dumps([percentile_cont(self.values, f) for f in fractions])


def float_list(value: Any) -> list[float | None] | None:
    """Percentiles as read: a list of floats (or Nones) from PostgreSQL's array or SQLite's JSON
    text."""
    if value is None:
        return None
    if isinstance(value, str):
        return json.loads(value)
    return [None if v is None else float(v) for v in value]


class _FloatList(Field):
    def from_db_value(self, value: Any, expression: Any, connection: Any) -> list[float | None] | None:
        return float_list(value)


# Several percentiles from one sort, as SQL of each database (`Percentiles`, `percentiles_where`):
# %(function)s, %(fractions)s ("0.5,0.9") and %(expressions)s (the column) filled in.
PERCENTILES_SQL = {
    "postgresql": "percentile_cont(ARRAY[%(fractions)s]::float8[]) WITHIN GROUP (ORDER BY %(expressions)s)",
    "sqlite": "kpi_percentiles(%(expressions)s, '%(fractions)s')",
}


def _percentiles_on(connection: Any) -> str:
    """The template of PERCENTILES_SQL for `connection`, SQLite's aggregate registered on it."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        connection.connection.create_aggregate("kpi_percentiles", 2, _SqlitePercentiles)
    return PERCENTILES_SQL[connection.vendor]


def _fractions(fractions: Sequence[float]) -> str:
    return ",".join(str(float(f)) for f in fractions)


class Percentiles(Aggregate):
    """Several percentiles of one expression from ONE sort: percentile_cont(ARRAY[...]) on
    PostgreSQL (two percentile_cont calls would each sort the rows), a list; all None over no
    rows."""

    function = "percentile_cont"
    name = "Percentiles"
    template = PERCENTILES_SQL["postgresql"]
    output_field = _FloatList()

    def __init__(self, expression: Any, fractions: Sequence[float], **extra: Any) -> None:
        super().__init__(expression, fractions=_fractions(fractions), **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        clone = self.copy()
        clone.template = _percentiles_on(connection)
        return super(Percentiles, clone).as_sql(compiler, connection, **extra)


class Minutes(Func):
    """Minutes from `start` to `end` (two date-times), a float; NULL when either is."""

    output_field = FloatField()
    arity = 2

    def __init__(self, end: Any, start: Any, *, per: int = 1) -> None:
        # per=60: hours.
        self.per = per
        super().__init__(end, start)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # date_part, a float8: EXTRACT returns numeric since PostgreSQL 14, whose sorts made the
        # incidents' percentiles twice as slow (bench/evaluation.py: 3.4 s -> 1.6 s).
        return self.as_sql(
            compiler,
            connection,
            template=f"(date_part('epoch', %(expressions)s) / {60.0 * self.per})",
            arg_joiner=" - ",
        )

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # Django stores SQLite date-times as UTC text, which julianday reads; rounded to the
        # millisecond (a double's julian day is exact to 0.05 ms), so 30 minutes is 30.0.
        return self.as_sql(
            compiler,
            connection,
            template=f"(ROUND((julianday(%(expressions)s)) * 86400.0, 3) / {60.0 * self.per})",
            arg_joiner=") - julianday(",
        )


class Slot(Func):
    """The slot of `bounds` (ascending instants) the date-time column `name` falls in: 0 before
    the first, i in [bounds[i - 1], bounds[i]), len(bounds) from the last on. PostgreSQL's
    width_bucket (a binary search; date_trunc at a time zone cost a month's count 60 % more,
    bench/evaluation.py), a CASE on SQLite."""

    output_field = IntegerField()

    def __init__(self, name: str, bounds: Sequence[dt.datetime]) -> None:
        self.bounds = list(bounds)
        super().__init__(F(name))

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"width_bucket({sql}, %s::timestamptz[])", (*params, self.bounds)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        whens = " ".join(f"WHEN {sql} < %s THEN {i}" for i in range(len(self.bounds)))
        values = [connection.ops.adapt_datetimefield_value(b) for b in self.bounds]
        return f"CASE {whens} ELSE {len(self.bounds)} END", tuple(p for v in values for p in (*params, v))


def month_starts(ctx: Ctx) -> list[dt.datetime]:
    """The first instant of every month from the earliest range's first day to the day after
    the latest's last, in the city's time zone: the bounds of `Slot` for counts per month (the
    ranges start on the first of a month)."""
    first = min(start for start, _end in ctx.days)
    last = max(end for _start, end in ctx.days)
    months = [first]
    while months[-1] < last:
        months.append(add_months(months[-1], 1))
    return [dt.datetime.combine(month, dt.time.min, tzinfo=ctx.zone) for month in months]


# --- Aggregates over computed columns -------------------------------------------------------
# Conditional aggregation written with the ORM repeats each FILTER's expression (the range of a
# date, the target time of a severity) in every aggregate, evaluated per row each time. Over a
# million incidents that cost more than the percentiles' sorts: `over_rows` computes the columns
# once, in the inner query (the ORM's, with the scope's rules), and aggregates them outside.


def count_where(where: str = "", column: str = "*") -> str:
    """COUNT(column) of the rows where `where` holds, of every row without one (SQL over
    `over_rows`' columns)."""
    return f"COUNT({column}) FILTER (WHERE {where})" if where else f"COUNT({column})"


def percentiles_where(column: str, fractions: Sequence[float], where: str = "") -> str:
    """The `fractions` percentiles of `column` over the rows where `where` holds (every row
    without one), from one sort (as `Percentiles`): PostgreSQL's percentile_cont, SQLite's
    kpi_percentiles."""
    from django.db import connection

    sql = _percentiles_on(connection) % {"fractions": _fractions(fractions), "expressions": column}
    return f"{sql} FILTER (WHERE {where})" if where else sql


def _fenced(rows: Any) -> tuple[str, Any]:
    """The SQL of the queryset `rows` as a subquery PostgreSQL will not pull up (OFFSET 0): it
    would otherwise evaluate a column's expression again in each aggregate that reads it
    (1.4 s -> 0.9 s, bench/evaluation.py). SQLite takes an OFFSET only after a LIMIT."""
    from django.db import connection

    inner, params = rows.query.sql_with_params()
    fence = "OFFSET 0" if connection.vendor == "postgresql" else "LIMIT -1 OFFSET 0"
    return f"({inner} {fence})", params


def over_rows(rows: Any, aggregates: Mapping[str, str]) -> dict[str, Any]:
    """`aggregates` ({name: SQL from count_where / percentiles_where}) over the rows of `rows` (a
    `values()` queryset whose names are the columns the SQL reads), in one query; each
    percentiles' value a list (None over no rows)."""
    from django.db import connection

    inner, params = _fenced(rows)
    names = list(aggregates)
    selects = ", ".join(aggregates[name] for name in names)
    with connection.cursor() as cursor:
        # The aggregates are SQL the sections write from their own column names and integers,
        # never from input; every value is a parameter of the inner query.
        cursor.execute(f"SELECT {selects} FROM {inner} AS r", params)  # noqa: S608
        values = cursor.fetchone()
    # Counts are ints; percentiles a list (PostgreSQL) or its JSON text (SQLite).
    return {
        name: float_list(value) if isinstance(value, str | list) else value
        for name, value in zip(names, values, strict=True)
    }


def count_by_sets(rows: Any, sets: Sequence[Sequence[str]]) -> list[list[dict[str, Any]]]:
    """The rows of `rows` (a `values()` queryset) counted per group of each of `sets` (tuples of
    its column names): for each set, its groups as dicts of those columns and "c". PostgreSQL
    reads the rows once for every set (GROUPING SETS); SQLite, which has none, once per set (a
    UNION ALL)."""
    from django.db import connection

    inner, params = _fenced(rows)
    columns = sorted({c for group in sets for c in group})
    out: list[list[dict[str, Any]]] = [[] for _ in sets]
    with connection.cursor() as cursor:
        # Column names are the sections' own; every value is a parameter of the inner query.
        if connection.vendor == "postgresql":
            listed = ", ".join(f"({', '.join(group)})" for group in sets)
            cursor.execute(
                f"SELECT GROUPING({', '.join(columns)}), {', '.join(columns)}, COUNT(*) "  # noqa: S608
                f"FROM {inner} AS r GROUP BY GROUPING SETS ({listed})",
                params,
            )
            # GROUPING's bit of a column (the first one the highest) is 0 where it is grouped.
            masks = {
                sum(1 << (len(columns) - 1 - columns.index(c)) for c in columns if c not in group): i
                for i, group in enumerate(sets)
            }
            for mask, *values, count in cursor.fetchall():
                group = sets[masks[mask]]
                out[masks[mask]].append({c: values[columns.index(c)] for c in group} | {"c": count})
        else:
            selects = [
                f"SELECT {i}, {', '.join(c if c in group else 'NULL' for c in columns)}, COUNT(*) "  # noqa: S608
                f"FROM {inner} AS r GROUP BY {', '.join(group)}"
                for i, group in enumerate(sets)
            ]
            cursor.execute(" UNION ALL ".join(selects), tuple(params) * len(sets))  # noqa: S608
            for i, *values, count in cursor.fetchall():
                out[i].append({c: values[columns.index(c)] for c in sets[i]} | {"c": count})
    return out


def raw_rows(rows: Any) -> list[tuple[Any, ...]]:
    """The rows of a `values_list()` queryset as the driver gives them, without the ORM's
    converters per value (36k patrol shift rows: 0.11 s of converters for nothing on
    PostgreSQL). Dates come back as dates on PostgreSQL and as ISO text on SQLite."""
    from django.db import connection

    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# --- Numbers and cells ------------------------------------------------------------------------


def num(value: Any) -> int | float | None:
    """A JSON number: ints stay ints, the rest are floats rounded to two decimals."""
    if value is None:
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal):
        value = float(value)
    return round(float(value), 2)


def share(part: int | None, whole: int | None) -> float | None:
    """part / whole in percent (0-100), None when there is nothing to divide by."""
    if not whole:
        return None
    return round(100.0 * (part or 0) / whole, 2)


def label_cell(label: Any) -> dict[str, str]:
    """A translatable name as {"id": Indonesian, "en": English}."""
    with translation.override("id"):
        text_id = str(label)
    with translation.override("en"):
        text_en = str(label)
    return {"id": text_id, "en": text_en}


def fold(
    rows: list[list[Any]],
    *,
    size: Callable[[list[Any]], float],
    combine: Callable[[list[list[Any]]], list[Any]],
    limit: int = MAX_ROWS,
) -> list[list[Any]]:
    """The largest `limit` rows (by `size`, ties in the given order), the rest as one "Others" row
    made by `combine` (which writes every cell but the first)."""
    ordered = sorted(rows, key=lambda r: -(size(r) or 0))
    if len(ordered) <= limit:
        return ordered
    kept, rest = ordered[: limit - 1], ordered[limit - 1 :]
    return [*kept, [dict(OTHERS), *combine(rest)[1:]]]


def sum_columns(rows: list[list[Any]], columns: Iterable[int], width: int) -> list[Any]:
    """A row of `width` cells with the sums of `columns` over rows (None elsewhere)."""
    out: list[Any] = [None] * width
    for c in columns:
        out[c] = sum((r[c] or 0) for r in rows)
    return out


def pairs_q(parties: Sequence[int], touch: Callable[[int], Q]) -> Q:
    """Records two or more parties took part in: for some pair (a, b), both touch it. With no
    second party, nothing."""
    q = Q(pk__in=[])
    for i, a in enumerate(parties):
        for b in parties[i + 1 :]:
            q |= touch(a) & touch(b)
    return q


def paths_q(name: str, paths: Iterable[str]) -> Q:
    """`name` starts with one of the paths (an area and its descendants); none: nothing."""
    q = Q(pk__in=[])
    for p in paths:
        q |= Q(**{f"{name}__startswith": p})
    return q
