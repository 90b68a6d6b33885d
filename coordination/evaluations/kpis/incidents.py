"""Incidents and response times.

What counts: incidents that occurred (`occurred_at`) in the range, except those rejected or
merged as duplicates, and never a secret one. Scopes: the city, every incident; an agency, those
it reports, leads or is involved in; an area, those whose area is it or lies under it
(`area_path` prefix); a partnership, those two or more of its parties took part in (as
reporting, lead or involved agency).

Response times run from `reported_at` to the first time the incident was verified
(`verified_at`), responding (`responding_at`: responding, or straight on to contained or
resolved) and resolved (`resolved_at`); medians and 90th percentiles over the incidents that
reached the stage. "Within the target time": reached responding no later than the target of its
severity (RESPOND_TARGET_MINUTES) after it was reported, of every incident counted (one never
responded to is not within). "Resolved or closed": the status is resolved or closed now.

Breakdowns: per month (with the same month a year before), per category and per area (with the
previous period), area x category (the heat map), response by severity. Areas are grouped at the
level below the scope's area (an area scope), else at the district level.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Case, Exists, OuterRef, Q, Value, When

from agencies.models import Area, Severity
from incidents.models import Category, Incident

from .base import (
    MAX_ROWS,
    OTHERS,
    SECRET,
    Ctx,
    Minutes,
    Slot,
    bucket,
    count_by_sets,
    count_where,
    fold,
    in_ranges,
    label_cell,
    month_starts,
    num,
    over_rows,
    pairs_q,
    percentiles_where,
    share,
    sum_columns,
)

S = Incident.Status
EXCLUDED = (S.REJECTED, S.DUPLICATE)
# Minutes from report to response an incident of each severity should take.
RESPOND_TARGET_MINUTES: dict[int, int] = {
    Severity.EXTREME: 15,
    Severity.SEVERE: 30,
    Severity.MODERATE: 60,
    Severity.MINOR: 120,
    Severity.UNKNOWN: 120,
}
DISTRICT = Area.Level.DISTRICT


def _touch(agency_id: int) -> Q:
    involved = Incident.involved_agencies.through.objects.filter(incident_id=OuterRef("pk"), agency_id=agency_id)
    return Q(reporting_agency_id=agency_id) | Q(lead_agency_id=agency_id) | Q(Exists(involved))


def incident_q(ctx: Ctx) -> Q:
    """The incidents of the scope (any time), secret ones and rejected/duplicates left out."""
    q = ~Q(classification=SECRET) & ~Q(status__in=EXCLUDED)
    if ctx.kind == "agency":
        q &= _touch(ctx.scope.agency_id)  # type: ignore[arg-type]
    elif ctx.kind == "area":
        q &= Q(area_path__startswith=ctx.area_path)
    elif ctx.kind == "partnership":
        q &= pairs_q(ctx.parties, _touch)
    return q


# stage -> (the time it was reached, minutes per unit: 1 for minutes, 60 for hours)
STAGES = {"verify": ("verified_at", 1), "respond": ("responding_at", 1), "resolve": ("resolved_at", 60)}


def _range(start: dt.datetime, end: dt.datetime) -> Q:
    return Q(occurred_at__gte=start, occurred_at__lt=end)


def _rows(ctx: Ctx, b: int) -> Any:
    """The scope's incidents of range `b`, each with the columns the aggregates read, computed
    once: `severity` and the target time to respond of its severity (`target`), whether it is
    resolved or closed (`done`), and the three stages' durations."""
    return (
        Incident.objects.filter(incident_q(ctx), _range(*ctx.ranges[b]))
        .order_by()
        .values(
            "severity",
            target=Case(*(When(severity=k, then=Value(m)) for k, m in RESPOND_TARGET_MINUTES.items()), default=None),
            done=Case(When(status__in=(S.RESOLVED, S.CLOSED), then=Value(1)), default=Value(0)),
            **{stage: Minutes(field, "reported_at", per=per) for stage, (field, per) in STAGES.items()},
        )
    )


def read_range(ctx: Ctx, b: int) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Range `b`'s aggregates in one scan, left in `ctx.shared` for `compute`: the counts, each
    stage's median and 90th percentile and, for the period, the response times by severity.
    A query per range, which `compute.lanes` runs side by side: conditional aggregation of the
    ranges in one query FILTERed every aggregate by range, and PostgreSQL evaluates each FILTER
    on every row (a million incidents x 33 aggregates cost more than the sorts). Within the
    target: responded no later than the target minutes after the report."""
    aggs: dict[str, str] = {
        "n": count_where(),
        "resolved": count_where("done = 1"),
        "within": count_where("respond <= target"),
    }
    for stage in STAGES:
        aggs[f"{stage}_n"] = count_where(column=stage)
        aggs[f"{stage}_pct"] = percentiles_where(stage, (0.5, 0.9))
    if b == ctx.current:
        for severity in Severity.values:
            where = f"severity = {int(severity)}"
            aggs[f"sev{severity}_n"] = count_where(where)
            aggs[f"sev{severity}_pct"] = percentiles_where("respond", (0.5, 0.9), where)
            aggs[f"sev{severity}_within"] = count_where(f"{where} AND respond <= target")
    row = over_rows(_rows(ctx, b), aggs)
    for key in [k for k in row if k.endswith("_pct")]:
        row[key.replace("pct", "median")], row[key.replace("pct", "p90")] = row.pop(key) or (None, None)
    ctx.shared[f"incidents_{b}"] = row
    return {}, {}


def compute(ctx: Ctx) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """The counts, the three stages' times and the period's response times by severity, from
    each range's `read_range` (run before this one)."""
    rows = {b: ctx.shared[f"incidents_{b}"] for b in range(len(ctx.ranges))}
    cur = rows[ctx.current]

    def kpi(fn: Any, n: Any) -> dict[str, Any]:
        return {**ctx.tri({b: fn(row) for b, row in rows.items()}), "n": n}

    kpis: dict[str, dict[str, Any]] = {
        "incidents.total": kpi(lambda row: row["n"] or 0, None),
        "incidents.within_target": kpi(lambda row: share(row["within"], row["n"]), cur["n"] or None),
        "incidents.resolved_share": kpi(lambda row: share(row["resolved"], row["n"]), cur["n"] or None),
    }
    for stage in STAGES:
        for measure in ("median", "p90"):
            key = f"{stage}_{measure}"
            kpis[f"incidents.{key}"] = kpi(lambda row, k=key: num(row[k]), cur[f"{stage}_n"] or None)
    severity_rows = []
    for severity in sorted(Severity.values, reverse=True):
        if cur[f"sev{severity}_n"]:
            severity_rows.append(
                [
                    label_cell(Severity(severity).label),
                    cur[f"sev{severity}_n"],
                    num(cur[f"sev{severity}_median"]),
                    num(cur[f"sev{severity}_p90"]),
                    RESPOND_TARGET_MINUTES.get(severity),
                    share(cur[f"sev{severity}_within"], cur[f"sev{severity}_n"]),
                ]
            )
    return kpis, {"response_by_severity": {"rows": severity_rows}}


def compute_breakdowns(ctx: Ctx) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """The per-month counts and the area and category breakdowns, from one scan (`count_by_sets`)
    which `compute.lanes` runs beside the aggregates of `read_range`: a month's count is that of
    its `Slot` among the months' starts."""
    starts = month_starts(ctx)
    rows = (
        Incident.objects.filter(incident_q(ctx), in_ranges(ctx, "occurred_at"))
        .order_by()
        .values("area_path", "category_id", b=bucket(ctx, "occurred_at"), m=Slot("occurred_at", starts))
    )
    cells, by_month = count_by_sets(rows, [("b", "area_path", "category_id"), ("m",)])
    months = {f"{starts[r['m'] - 1]:%Y-%m}": r["c"] for r in by_month if 0 < r["m"] < len(starts)}
    month_rows = [
        [m.strftime("%Y-%m"), months.get(f"{m:%Y-%m}", 0), months.get(f"{m.year - 1}-{m.month:02d}", 0)]
        for m in ctx.period.months()
    ]
    breakdowns: dict[str, Any] = {"incidents_by_month": {"rows": month_rows}}
    breakdowns.update(_by_area_and_category(ctx, cells))
    return {}, breakdowns


def _row_path(path: str, level: int) -> str:
    """The ancestor of `path` at `level` (itself when it is higher up)."""
    parts = [p for p in path.split("/") if p]
    return "/" + "/".join(parts[:level]) + "/" if len(parts) > level else path


def _by_area_and_category(ctx: Ctx, groups: list[dict[str, Any]]) -> dict[str, Any]:
    """The breakdowns by category and area (the period and the previous one) and the heat map
    (the period), from the counts per (range, area path, category)."""
    current, previous = ctx.index["value"], ctx.index["previous"]
    level = ctx.area_level + 1 if ctx.kind == "area" else DISTRICT
    cells: dict[tuple[int, str, int], int] = defaultdict(int)  # (bucket, row path, category) -> count
    for row in groups:
        if row["b"] in (current, previous):
            cells[(row["b"], _row_path(row["area_path"], level), row["category_id"])] += row["c"]
    paths = {p for _b, p, _c in cells}
    names = dict(Area.objects.filter(path__in=paths).values_list("path", "name")) if paths else {}
    category_ids = {c for _b, _p, c in cells}
    categories = {
        pk: {"id": name_id, "en": name_en}
        for pk, name_id, name_en in Category.objects.filter(pk__in=category_ids).values_list("pk", "name_id", "name_en")
    }
    by_cat: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    by_area: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    heat: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for (b, path, cat), c in cells.items():
        column = 0 if b == current else 1
        if b == current or (b == previous and previous != current):
            by_cat[cat][column] += c
            by_area[path][column] += c
        if b == current:
            heat[path][cat] += c

    def combine(rows: list[list[Any]]) -> list[Any]:
        return sum_columns(rows, (1, 2), 3)

    cat_rows: list[list[Any]] = sorted(
        ([categories.get(cat, dict(OTHERS)), n, p] for cat, (n, p) in by_cat.items()), key=lambda r: str(r[0]["en"])
    )
    area_rows: list[list[Any]] = sorted(
        ([names.get(path, path), n, p] for path, (n, p) in by_area.items()), key=lambda r: str(r[0])
    )
    out: dict[str, Any] = {
        "incidents_by_category": {"rows": fold(cat_rows, size=lambda r: r[1], combine=combine)},
        "incidents_by_area": {"rows": fold(area_rows, size=lambda r: r[1], combine=combine)},
    }
    # The heat map: the 30 busiest areas x the 30 commonest categories of the period.
    cat_totals: dict[int, int] = defaultdict(int)
    for counts in heat.values():
        for cat, c in counts.items():
            cat_totals[cat] += c
    cats = sorted(cat_totals, key=lambda k: (-cat_totals[k], k))
    shown_cats = cats[:MAX_ROWS] if len(cats) <= MAX_ROWS else cats[: MAX_ROWS - 1]
    others_cats = set(cats) - set(shown_cats)
    area_order = sorted(heat, key=lambda p: (-sum(heat[p].values()), names.get(p, p)))
    shown_areas = area_order if len(area_order) <= MAX_ROWS else area_order[: MAX_ROWS - 1]
    heat_rows: list[list[Any]] = []
    values: list[list[int]] = []
    for path in shown_areas:
        heat_rows.append([names.get(path, path)])
        values.append(
            [heat[path].get(c, 0) for c in shown_cats]
            + ([sum(heat[path].get(c, 0) for c in others_cats)] if others_cats else [])
        )
    rest = area_order[len(shown_areas) :]
    if rest:
        heat_rows.append([dict(OTHERS)])
        values.append(
            [sum(heat[p].get(c, 0) for p in rest) for c in shown_cats]
            + ([sum(heat[p].get(c, 0) for p in rest for c in others_cats)] if others_cats else [])
        )
    columns = [categories.get(c, dict(OTHERS)) for c in shown_cats] + ([dict(OTHERS)] if others_cats else [])
    out["incidents_heat"] = {"rows": heat_rows, "categories": columns, "values": values}
    return out
