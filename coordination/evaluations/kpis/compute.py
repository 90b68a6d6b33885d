"""The snapshot of an evaluation: every KPI of its scope (`definitions.kpis_for`) for the period,
the previous period and the same period a year before, with its target and traffic light, and
the breakdowns the report's tables and plots draw. The shape is the one `Evaluation.snapshot`
describes.

Computed, never typed in: each section (`incidents`, `reports`, `alerts`, `operations` with the
patrols, `risks`, `programmes` with the action items, `voice`, `partnership`) reads the three
ranges in the same few aggregate queries (`base.bucket`); what each KPI counts, which timestamp
puts a record in a period and how each scope selects records is written in each section's
docstring. The sections run in `lanes`, side by side on PostgreSQL outside a transaction
(`compute_snapshot`). A pure read: nothing is written.

Security (docs/security.md, "Evaluations"): secret records never count anywhere, so an
evaluation never reveals that one exists; every other classification counts, as figures only.
The snapshot holds numbers and the names of areas, agencies and categories, never a record's
title, text or link.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from functools import partial
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from agencies.models import Agency, Area, Partnership
from coordination.evaluations.periods import Period

from . import alerts, incidents, operations, programmes, reports, risks, voice
from . import partnership as partnership_section
from .base import Ctx, Scope, make_ctx, num
from .definitions import BREAKDOWNS, kpis_for, light

__all__ = ["Scope", "compute_snapshot"]

logger = logging.getLogger(__name__)

VERSION = 1
# PostgreSQL settings of the computation's transactions (SET LOCAL: for that transaction only;
# inside a caller's transaction, until that one ends). Measured with bench/evaluation.py:
# - work_mem: a city's year sorts ~400k values per percentile; with the default 4 MB they
#   spilled to disk (the incidents' scan 3.9 s -> 2.9 s on a loaded machine);
# - no parallel workers when the lanes run side by side: they are the parallelism, and workers
#   of their own fought them for the cores.
# (JIT is off on the project's connections already, config/settings.py: it did not pay back
# here either, the period's incidents 440 ms without, 510 ms with.)
WORK_MEM = "64MB"
SETTINGS = (f"work_mem = '{WORK_MEM}'",)
SIDE_BY_SIDE_SETTINGS = ("max_parallel_workers_per_gather = 0",)
Section = Callable[[Ctx], tuple[dict[str, dict[str, Any]], dict[str, Any]]]


def lanes(ctx: Ctx) -> list[list[Section]]:
    """The sections in lanes of about equal cost (bench/evaluation.py), which run side by side on
    PostgreSQL, each on a connection of its own reading one snapshot; then LAST, which reads
    the figures the others left in `Ctx.shared`. The incidents' aggregates are a query per
    range. Measured on a city's year over a million incidents (bench/evaluation.py), the lanes
    cost 0.65 to 0.9 s each alone, 2.3 s in turn, 1.3 s side by side on two cores."""
    per_range: list[Section] = [partial(incidents.read_range, b=b) for b in range(len(ctx.ranges))]
    return [
        [per_range[ctx.current], operations.compute, risks.compute],
        [*(section for b, section in enumerate(per_range) if b != ctx.current), reports.compute, alerts.compute],
        [incidents.compute_breakdowns, programmes.compute, voice.compute],
    ]


LAST: tuple[Section, ...] = (incidents.compute, partnership_section.compute)
_SNAPSHOT_ID = re.compile(r"^[0-9A-F-]+$")


def _resolve(ctx: Ctx) -> dict[str, Any]:
    """Names, paths and parties of the scope; the snapshot's "scope" entry."""
    scope = ctx.scope
    out: dict[str, Any] = {"kind": scope.kind, "id": None, "name": None}
    if scope.kind == "agency":
        agency = Agency.objects.get(pk=scope.agency_id or 0)
        ctx.agency_paths = sorted(set(agency.jurisdiction.values_list("path", flat=True)))
        out.update(id=agency.pk, name=agency.name)
    elif scope.kind == "area":
        area = Area.objects.get(pk=scope.area_id or 0)
        ctx.area_path, ctx.area_level = area.path, area.level
        out.update(id=area.pk, name=area.name)
    elif scope.kind == "partnership":
        partnership = Partnership.objects.get(pk=scope.partnership_id or 0)
        parties = list(partnership.agencies.order_by("name", "pk").values_list("pk", "name"))
        ctx.parties = [pk for pk, _name in parties]
        ctx.party_names = dict(parties)
        ctx.party_paths = sorted(
            set(Area.objects.filter(agencies_with_jurisdiction__in=ctx.parties).values_list("path", flat=True))
        )
        out.update(id=partnership.pk, name=partnership.title, agencies=[{"id": pk, "name": n} for pk, n in parties])
    elif scope.kind != "city":
        raise ValueError(f"unknown scope kind {scope.kind!r}")
    ctx.name = out["name"]
    return out


def compute_snapshot(*, scope: Scope, period: Period, targets: Mapping[str, Decimal]) -> dict[str, Any]:
    """Every KPI and breakdown of `scope` for `period` (see the module's docstring). About 35
    queries whatever the amount of data.

    On PostgreSQL outside a transaction, the lanes run side by side: this connection opens a
    REPEATABLE READ transaction and exports its snapshot, and each other lane's connection reads
    that same snapshot, so the figures are those of one instant as if one connection had read
    them all. Inside a caller's transaction (whose own writes other connections cannot see),
    and on SQLite, one after the other on this connection."""
    if connection.vendor != "postgresql":
        return _compute(scope=scope, period=period, targets=targets, snapshot=None)
    side_by_side = not connection.in_atomic_block
    with transaction.atomic():
        with connection.cursor() as cursor:
            if side_by_side:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            _set(cursor, SETTINGS + (SIDE_BY_SIDE_SETTINGS if side_by_side else ()))
            snapshot = None
            if side_by_side:
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
        return _compute(scope=scope, period=period, targets=targets, snapshot=snapshot)


def _set(cursor: Any, settings: Sequence[str]) -> None:
    for setting in settings:
        cursor.execute(f"SET LOCAL {setting}")


def _lane(sections: Sequence[Section], ctx: Ctx, snapshot: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """`sections` on this thread's own connection, in a transaction that reads `snapshot`; the
    connection is closed at the end (a thread of the pool is not a request that would)."""
    if not _SNAPSHOT_ID.match(snapshot):
        raise ValueError(f"not a snapshot id: {snapshot!r}")
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cursor.execute(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
                _set(cursor, SETTINGS + SIDE_BY_SIDE_SETTINGS)
            return [section(ctx) for section in sections]
    finally:
        connection.close()


def _sections(ctx: Ctx, snapshot: str | None) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Every section's (kpis, breakdowns): the lanes side by side when there is a snapshot to
    share, else in turn; LAST after them."""
    first, *others = lanes(ctx)
    if snapshot is None:
        results = [section(ctx) for lane in (first, *others) for section in lane]
    else:
        with ThreadPoolExecutor(max_workers=len(others), thread_name_prefix="kpi-lane") as pool:
            futures = [pool.submit(_lane, lane, ctx, snapshot) for lane in others]
            results = [section(ctx) for section in first]
            for lane, future in zip(others, futures, strict=True):
                try:
                    results.extend(future.result())
                except DatabaseError:
                    # No connection to spare (max_connections reached, say): the lane in turn on
                    # this connection, which reads the same snapshot. Slower, never wrong.
                    logger.warning("an evaluation lane could not read side by side", exc_info=True)
                    results.extend(section(ctx) for section in lane)
    return results + [section(ctx) for section in LAST]


def _compute(*, scope: Scope, period: Period, targets: Mapping[str, Decimal], snapshot: str | None) -> dict[str, Any]:
    now = timezone.now()
    ctx = make_ctx(scope=scope, period=period, now=now)
    scope_entry = _resolve(ctx)
    values: dict[str, dict[str, Any]] = {}
    breakdowns: dict[str, Any] = {}
    for kpis, tables in _sections(ctx, snapshot):
        values.update(kpis)
        breakdowns.update(tables)
    out_kpis: dict[str, dict[str, Any]] = {}
    for kpi in kpis_for(scope.kind):
        v = values.get(kpi.key, {})
        target = targets.get(kpi.key, kpi.default_target)
        value = num(v.get("value"))
        out_kpis[kpi.key] = {
            "value": value,
            "previous": num(v.get("previous")),
            "year_before": num(v.get("year_before")),
            "target": num(target),
            "light": light(kpi, value, target),
            "n": v.get("n"),
        }
    out_breakdowns = {
        key: breakdowns.get(key, {"rows": []}) for key, b in BREAKDOWNS.items() if b.scope in (None, scope.kind)
    }
    if "categories" not in out_breakdowns["incidents_heat"]:
        out_breakdowns["incidents_heat"] = {"rows": [], "categories": [], "values": []}
    return {
        "version": VERSION,
        "period": period.as_dict(),
        "previous": period.previous().as_dict(),
        "year_before": period.year_before().as_dict(),
        "scope": scope_entry,
        "computed_at": now.isoformat(),
        "kpis": out_kpis,
        "breakdowns": out_breakdowns,
    }
