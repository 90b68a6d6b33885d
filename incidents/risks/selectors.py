"""Reads of the risk register, scoped to the user: assessments follow the classification rules
of incidents, with the assessing agency as the one involved (docs/security.md, "Access").
`risk_get` reads one (404 unseen, audited when confidential or secret), `risk_get_for_change`
also requires a role that may write in the assessing agency (403).
"""

from __future__ import annotations

import bisect
import datetime
import itertools
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Area
from agencies.roles import roles_for
from agencies.selectors import classification_q, user_has_role
from agencies.services import audit_reads
from common.selectors import get_or_404
from common.types import User
from incidents.models import Category, RiskAssessment
from incidents.selectors import incident_list


def risk_list(*, user: User) -> QuerySet[RiskAssessment]:
    """Risk assessments the user may read (same classification rules, by assessing agency)."""
    qs = RiskAssessment.objects.select_related("area", "hazard", "assessing_agency")
    q = classification_q(user=user, involved=lambda agency_ids: Q(assessing_agency_id__in=agency_ids))
    return qs if q is None else qs.filter(q)


def risk_get(*, user: User, pk: int | str) -> RiskAssessment:
    """One assessment the user may read, or 404; confidential and secret reads are audited."""
    risk = get_or_404(risk_list(user=user), pk=pk)
    audit_reads(user=user, objects=[risk], object_type="risk")
    return risk


def can_change_risk(*, user: User, risk: RiskAssessment) -> bool:
    """Staff, or a member whose role may write risks in the assessing agency."""
    return user_has_role(user=user, agency=risk.assessing_agency_id, roles=roles_for("risk.write"))


def risk_get_for_change(*, user: User, pk: int | str) -> RiskAssessment:
    """An assessment the user may change: 404 when they may not read it (`risk_get`), 403 when
    they read it but do not write for the assessing agency (a member of another agency)."""
    risk = risk_get(user=user, pk=pk)
    if not can_change_risk(user=user, risk=risk):
        raise PermissionDenied(_("Only the assessing agency's members may change this assessment."))
    return risk


def areas_needing_attention(
    *, user: User, within: Area | None = None, days: int = 90, limit: int = 50
) -> list[dict[str, Any]]:
    """Areas ranked by their highest risk score and the incidents of the last `days` days.

    Rank = max risk score x 2 + recent incidents the user may see; overdue reviews are flagged.
    Two grouped queries, whatever the number of rows.
    """
    today = timezone.localdate()
    risks = risk_list(user=user)
    if within is not None:
        risks = risks.filter(area_path__startswith=within.path)
    # Grouped per area in the database: a thousand rows out instead of every assessment.
    grouped = (
        risks.order_by()
        .values("area_id", "area__name", "area__level", "area__path")
        .annotate(
            max_score=Max("score"),
            assessments=Count("id"),
            overdue_reviews=Count("id", filter=Q(review_due__lt=today)),
        )
    )
    by_area: dict[int, dict[str, Any]] = {
        row["area_id"]: {
            "area_id": row["area_id"],
            "area_name": row["area__name"],
            "area_level": row["area__level"],
            "area_path": row["area__path"],
            "max_score": row["max_score"],
            "assessments": row["assessments"],
            "overdue_reviews": row["overdue_reviews"],
            "recent_incidents": 0,
        }
        for row in grouped
    }
    if not by_area:
        return []
    since = timezone.now() - datetime.timedelta(days=days)
    # Recent incidents per area path, once, then summed under each assessed area in Python:
    # an OR of one LIKE per assessed area (3,000 of them) made PostgreSQL test every recent
    # incident against each (12 s over a million incidents). The paths come sorted, so the
    # ones under an area are a contiguous run found by bisection.
    recent = incident_list(user=user).filter(occurred_at__gte=since)
    if within is not None:
        recent = recent.filter(area_path__startswith=within.path)
    rows = sorted(recent.order_by().values_list("area_path").annotate(n=Count("id")))
    paths = [path for path, _n in rows]
    running = list(itertools.accumulate((n for _path, n in rows), initial=0))
    for entry in by_area.values():
        prefix = entry["area_path"]
        lo = bisect.bisect_left(paths, prefix)
        hi = bisect.bisect_left(paths, prefix + "\uffff")
        entry["recent_incidents"] = running[hi] - running[lo]
        entry["rank_score"] = entry["max_score"] * 2 + entry["recent_incidents"]
    ranked = sorted(by_area.values(), key=lambda e: (-e["rank_score"], -e["max_score"], e["area_name"]))
    return ranked[:limit]


def risk_heatmap_grid(
    *, risks: QuerySet[RiskAssessment]
) -> tuple[dict[int, dict[str, Any]], dict[int, dict[int, tuple[int, int]]], list[Category]]:
    """The heat map's figures for `risks` (already scoped and filtered), in one grouped query:
    each assessed area's row {area_id: {area__name, area__level, area__centroid_lat/lon...}},
    its cells {area_id: {hazard_id: (highest score, assessments)}} and the hazards present."""
    grouped = (
        risks.order_by()
        .values(
            "area_id",
            "area__name",
            "area__level",
            "area__centroid_lat",
            "area__centroid_lon",
            "hazard_id",
        )
        .annotate(top=Max("score"), count=Count("id"))
    )
    cells: dict[int, dict[int, tuple[int, int]]] = {}
    areas: dict[int, dict[str, Any]] = {}
    for row in grouped:
        areas.setdefault(row["area_id"], row)
        cells.setdefault(row["area_id"], {})[row["hazard_id"]] = (row["top"], row["count"])
    hazards = list(Category.objects.filter(pk__in={h for by in cells.values() for h in by}).order_by("sort_order"))
    return areas, cells, hazards
