# PLACEHOLDER (evalflow): replaced by evalkpi's file at merge
"""The KPI engine's interface (EVAL_CONTRACT.md): a placeholder returning the contract's shape
with every number None, so that the workflow and pages run before the engine is merged."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from ..periods import Period
from .definitions import BREAKDOWNS, kpis_for


@dataclass(frozen=True)
class Scope:
    kind: str
    agency_id: int | None = None
    area_id: int | None = None
    partnership_id: int | None = None

    @classmethod
    def from_evaluation(cls, ev: Any) -> Scope:
        return cls(ev.scope_kind, ev.scope_agency_id, ev.scope_area_id, ev.scope_partnership_id)


def compute_snapshot(*, scope: Scope, period: Period, targets: Mapping[str, Decimal]) -> dict[str, Any]:
    kpis = {
        k.key: {
            "value": None,
            "previous": None,
            "year_before": None,
            "target": float(targets[k.key]) if targets.get(k.key) is not None else None,
            "light": None,
            "n": None,
        }
        for k in kpis_for(scope.kind)
    }
    breakdowns: dict[str, Any] = {key: {"rows": []} for key, b in BREAKDOWNS.items() if b.scope in (None, scope.kind)}
    breakdowns["incidents_heat"] = {"rows": [], "categories": [], "values": []}
    scope_id = scope.agency_id or scope.area_id or scope.partnership_id
    return {
        "version": 1,
        "period": period.as_dict(),
        "previous": period.previous().as_dict(),
        "year_before": period.year_before().as_dict(),
        "scope": {"kind": scope.kind, "id": scope_id, "name": None, "agencies": []},
        "computed_at": timezone.now().isoformat(),
        "kpis": kpis,
        "breakdowns": breakdowns,
    }
