"""View-side shaping of the risk register: scores as colours and bands, the ranking of the
areas needing attention, the register's rows and the heat map (area x hazard, and its map)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies import selectors as agency_selectors
from agencies.models import Area
from agencies.roles import roles_for
from common.types import User
from incidents.models import RiskAssessment

from . import selectors

ATTENTION_LIMIT = 10
# The heat map is a table: past ~60 rows it stops being read. The register lists the rest.
HEATMAP_MAX_AREAS = 60


@dataclass
class RiskColour:
    """A score 1-25 as a colour from green (1) through amber to red (25), with readable text."""

    background: str
    foreground: str

    @property
    def style(self) -> str:
        return f"background-color:{self.background};color:{self.foreground}"


# The risk matrix's usual colours: green (1), lime, yellow (10), orange (15), red (20), deep red (25).
RISK_STOPS = [
    (1, (47, 158, 68)),
    (6, (148, 216, 45)),
    (10, (250, 204, 21)),
    (15, (253, 126, 20)),
    (20, (224, 49, 49)),
    (25, (158, 20, 20)),
]


def risk_colour(score: int | None) -> RiskColour:
    """Linear between the stops; text white or near-black, whichever contrasts more (WCAG)."""
    if not score:
        return RiskColour("#e9ecef", "#212529")
    score = max(1, min(25, int(score)))
    for (low, low_rgb), (high, high_rgb) in itertools.pairwise(RISK_STOPS):
        if low <= score <= high:
            t = (score - low) / (high - low)
            rgb = [round(a + (b - a) * t) for a, b in zip(low_rgb, high_rgb, strict=True)]
            break

    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * channel(rgb[0]) + 0.7152 * channel(rgb[1]) + 0.0722 * channel(rgb[2])
    background = "#{:02x}{:02x}{:02x}".format(*rgb)
    foreground = "#ffffff" if (1.05 / (luminance + 0.05)) >= ((luminance + 0.05) / 0.0625) else "#212529"
    return RiskColour(background, foreground)


def risk_band(score: int) -> str:
    if score >= 15:
        return _("Extreme")
    if score >= 10:
        return _("High")
    if score >= 5:
        return _("Medium")
    return _("Low")


def attention_rows(*, user: User, within: Area | None) -> list[dict[str, Any]]:
    """The areas needing attention, ranked and coloured (the register's side panel)."""
    rows = selectors.areas_needing_attention(user=user, within=within, limit=ATTENTION_LIMIT)
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
        row["colour"] = risk_colour(row["max_score"])
    return rows


def register_page_rows(*, user: User, page: Page) -> None:
    """Dress the page's assessments for the table: colour, band, overdue review, editable."""
    editable = agency_selectors.managed_agency_ids(user=user, roles=roles_for("risk.write"))
    today = timezone.localdate()
    for risk in page.object_list:
        risk.colour = risk_colour(risk.score)
        risk.band = risk_band(risk.score)
        risk.overdue = risk.review_due < today
        risk.editable = editable is None or risk.assessing_agency_id in editable


@dataclass
class HeatCell:
    score: int
    count: int
    colour: RiskColour


@dataclass
class HeatRow:
    area_id: int
    name: str
    level_label: str
    max_score: int
    cells: list[HeatCell | None]
    lat: float | None
    lon: float | None


def heatmap(*, risks: QuerySet[RiskAssessment]) -> dict[str, Any]:
    """The heat map page's figures for `risks`: hazards, rows (the HEATMAP_MAX_AREAS areas with
    the highest scores), their points on the map, and the legend."""
    areas, cells, hazards = selectors.risk_heatmap_grid(risks=risks)
    levels = dict(Area.Level.choices)
    # Rank every area by its highest score, but build the cells of the rows shown only: a
    # province's 3,000 assessed areas cost 3,000 rows of colours for the 60 drawn.
    total_areas = len(areas)
    top = sorted(areas, key=lambda a: (-max(score for score, _n in cells[a].values()), areas[a]["area__name"]))
    rows = []
    for area_id in top[:HEATMAP_MAX_AREAS]:
        row = areas[area_id]
        by_hazard = cells[area_id]
        rows.append(
            HeatRow(
                area_id=area_id,
                name=row["area__name"],
                level_label=str(levels.get(row["area__level"], "")),
                max_score=max(score for score, _n in by_hazard.values()),
                cells=[
                    HeatCell(score=by_hazard[h.pk][0], count=by_hazard[h.pk][1], colour=risk_colour(by_hazard[h.pk][0]))
                    if h.pk in by_hazard
                    else None
                    for h in hazards
                ],
                lat=float(row["area__centroid_lat"]) if row["area__centroid_lat"] is not None else None,
                lon=float(row["area__centroid_lon"]) if row["area__centroid_lon"] is not None else None,
            )
        )
    points = [
        {
            "name": r.name,
            "lat": r.lat,
            "lon": r.lon,
            "score": r.max_score,
            "colour": risk_colour(r.max_score).background,
            "hazards": [
                {"name": h.name, "score": c.score} for h, c in zip(hazards, r.cells, strict=True) if c is not None
            ],
            "url": f"{reverse('risk-list')}?area={r.area_id}",
        }
        for r in rows
        if r.lat is not None and r.lon is not None
    ]
    legend = [(score, risk_colour(score)) for score in (1, 4, 5, 9, 10, 14, 15, 20, 25)]
    return {
        "hazards": hazards,
        "rows": rows,
        "total_areas": total_areas,
        "max_rows": HEATMAP_MAX_AREAS,
        "points": points,
        "without_centroid": sum(1 for r in rows if r.lat is None or r.lon is None),
        "legend": legend,
    }
