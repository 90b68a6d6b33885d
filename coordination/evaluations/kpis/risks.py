"""The risk register.

The register keeps one row per assessment; a re-assessment of an area and hazard is a new row
(an edit in place rewrites the row and leaves no history to compare). Never a secret one.
Scopes: an area, assessments under it; an agency, those in its jurisdiction or assessed by it;
a partnership, those in a party's jurisdiction or assessed by a party; the city, all.

- Reviews overdue: at the range's end, the assessments that were then the latest of their area
  and hazard (assessed before the end, none newer before it) and whose review date had passed
  (`review_due` before the range's end).
- Scores that rose / fell: assessments made (`assessed_on`) in the range whose score is higher /
  lower than the previous assessment of the same area and hazard.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery

from incidents.models import RiskAssessment

from .base import SECRET, Ctx, bucket, in_ranges
from .operations import risk_scope_q


def compute(ctx: Ctx) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    scoped = RiskAssessment.objects.filter(risk_scope_q(ctx)).order_by()
    aggregates = {}
    for b, (_start, end) in enumerate(ctx.days):
        newer = RiskAssessment.objects.filter(
            ~Q(classification=SECRET),
            area_id=OuterRef("area_id"),
            hazard_id=OuterRef("hazard_id"),
            assessed_on__lt=end,
        ).filter(
            Q(assessed_on__gt=OuterRef("assessed_on")) | Q(assessed_on=OuterRef("assessed_on"), pk__gt=OuterRef("pk"))
        )
        aggregates[f"overdue_{b}"] = Count("id", filter=Q(assessed_on__lt=end, review_due__lt=end) & ~Q(Exists(newer)))
    overdue = scoped.aggregate(**aggregates)
    previous = (
        RiskAssessment.objects.filter(
            ~Q(classification=SECRET), area_id=OuterRef("area_id"), hazard_id=OuterRef("hazard_id")
        )
        .filter(
            Q(assessed_on__lt=OuterRef("assessed_on")) | Q(assessed_on=OuterRef("assessed_on"), pk__lt=OuterRef("pk"))
        )
        .order_by("-assessed_on", "-pk")
        .values("score")[:1]
    )
    moves = {
        r["b"]: r
        for r in scoped.filter(in_ranges(ctx, "assessed_on", dates=True))
        .annotate(b=bucket(ctx, "assessed_on", dates=True), before=Subquery(previous))
        .values("b")
        .annotate(
            up=Count("id", filter=Q(before__isnull=False, score__gt=F("before"))),
            down=Count("id", filter=Q(before__isnull=False, score__lt=F("before"))),
        )
    }

    def zero(values: dict[str, Any]) -> dict[str, Any]:
        return {**{k: v or 0 for k, v in values.items()}, "n": None}

    return {
        "risks.reviews_overdue": zero(ctx.tri({b: overdue[f"overdue_{b}"] for b in range(len(ctx.days))})),
        "risks.scores_up": zero(ctx.tri({b: r["up"] for b, r in moves.items()})),
        "risks.scores_down": zero(ctx.tri({b: r["down"] for b, r in moves.items()})),
    }, {}
