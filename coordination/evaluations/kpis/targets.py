"""The targets an evaluation judges its KPIs against: the agency's own (`KpiTarget` with the
agency), else the city's (`KpiTarget` without one, set by staff), else the KPI's shipped
default (`definitions.KPIS[...].default_target`, which may be None: no target, no light)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q

from coordination.models import KpiTarget

from .definitions import KPIS


def targets_for(*, agency_id: int | None) -> dict[str, Decimal]:
    """{kpi: target} for every KPI with a target, the agency's before the city's before the
    default. One query."""
    out: dict[str, Decimal] = {k: kpi.default_target for k, kpi in KPIS.items() if kpi.default_target is not None}
    q = Q(agency__isnull=True)
    if agency_id is not None:
        q |= Q(agency_id=agency_id)
    rows = list(KpiTarget.objects.filter(q, kpi__in=list(KPIS)).values_list("kpi", "value", "agency_id"))
    for kpi, value, agency in rows:  # the city's first, then the agency's over them
        if agency is None:
            out[kpi] = value
    for kpi, value, agency in rows:
        if agency is not None:
            out[kpi] = value
    return out
