# PLACEHOLDER (evalflow): replaced by evalkpi's file at merge
"""KPI targets as an evaluation uses them (EVAL_CONTRACT.md): the agency's, else the city's,
else the KPI's default; one query."""

from __future__ import annotations

from decimal import Decimal

from coordination.models import KpiTarget

from .definitions import KPIS


def targets_for(*, agency_id: int | None) -> dict[str, Decimal]:
    result = {key: k.default_target for key, k in KPIS.items() if k.default_target is not None}
    rows = KpiTarget.objects.filter(agency_id__isnull=True)
    if agency_id is not None:
        rows = rows | KpiTarget.objects.filter(agency_id=agency_id)
    for row in sorted(rows, key=lambda r: r.agency_id is not None):
        result[row.kpi] = row.value
    return result
