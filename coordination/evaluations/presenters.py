# PLACEHOLDER (evalflow): replaced by evalreport's file at merge
"""How an evaluation's figures look (EVAL_CONTRACT.md): a placeholder listing each section's KPI
rows with their raw values, so that the pages render before the presenters are merged."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils import translation

from .kpis.definitions import KPIS, SECTIONS


@dataclass
class Figures:
    sections: list[dict[str, Any]] = field(default_factory=list)


def figures(snapshot: dict[str, Any], *, language: str, public_only: bool = False) -> Figures:
    rows: dict[str, list[dict[str, Any]]] = {}
    with translation.override(language):
        for key, data in (snapshot.get("kpis") or {}).items():
            kpi = KPIS.get(key)
            if kpi is None or (public_only and not kpi.public):
                continue
            rows.setdefault(kpi.section, []).append(
                {"key": key, "label": str(kpi.label), "value": data.get("value"), "target": data.get("target")}
            )
        sections = [{"key": s, "title": str(SECTIONS[s]), "kpis": rows[s]} for s in SECTIONS if s in rows]
    return Figures(sections=sections)
