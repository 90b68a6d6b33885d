"""The snapshot of an evaluation: every KPI of its scope (`definitions.kpis_for`) for the period,
the previous period and the same period a year before, with its target and traffic light, and
the breakdowns the report's tables and plots draw. The shape is the one EVAL_CONTRACT.md and
`Evaluation.snapshot` describe.

Computed, never typed in: each section (`incidents`, `reports`, `alerts`, `operations` with the
patrols, `risks`, `programmes` with the action items, `voice`, `partnership`) reads the three
ranges in the same few aggregate queries (`base.bucket`); what each KPI counts, which timestamp
puts a record in a period and how each scope selects records is written in each section's
docstring. A pure read: nothing is written.

Security (docs/security.md, "Evaluations"): secret records never count anywhere, so an
evaluation never reveals that one exists; every other classification counts, as figures only.
The snapshot holds numbers and the names of areas, agencies and categories, never a record's
title, text or link.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from agencies.models import Agency, Area, Partnership
from coordination.evaluations.periods import Period

from . import alerts, incidents, operations, programmes, reports, risks, voice
from . import partnership as partnership_section
from .base import Ctx, Scope, make_ctx, num
from .definitions import BREAKDOWNS, kpis_for, light

__all__ = ["Scope", "compute_snapshot"]

VERSION = 1
# PostgreSQL's memory per sort for the computation: a city's year sorts ~400k values per
# percentile; with the default 4 MB they spilled to disk (bench/evaluation.py: the incidents'
# scan 3.9 s -> 2.9 s on a loaded machine). SET LOCAL: for this transaction only (inside a
# caller's transaction, until that one ends).
WORK_MEM = "64MB"
SECTIONS = (incidents, reports, alerts, operations, risks, programmes, voice, partnership_section)


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
    queries whatever the amount of data."""
    if connection.vendor != "postgresql":
        return _compute(scope=scope, period=period, targets=targets)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
        return _compute(scope=scope, period=period, targets=targets)


def _compute(*, scope: Scope, period: Period, targets: Mapping[str, Decimal]) -> dict[str, Any]:
    now = timezone.now()
    ctx = make_ctx(scope=scope, period=period, now=now)
    scope_entry = _resolve(ctx)
    values: dict[str, dict[str, Any]] = {}
    breakdowns: dict[str, Any] = {}
    for section in SECTIONS:
        kpis, tables = section.compute(ctx)
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
