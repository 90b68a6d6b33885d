"""Patrol coverage: how far each sub-area's patrol hours fall short of what its risk and
recent incidents call for (`coverage_list`); `services.coverage_fill` turns a gap into shifts."""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.utils import timezone

from agencies.models import Area
from common.types import User
from coordination.models import PatrolShift
from incidents.risks.selectors import risk_list
from incidents.selectors import incident_list

from .selectors import shift_list

COVERAGE_DAYS = 7
COVERAGE_INCIDENT_DAYS = 30
# Hours of patrol a week an area "needs": 2 per risk point (a 5x4 = 20 risk wants 40 h, about a
# nightly 6-hour patrol) plus 1 per incident of the last 30 days. Crude, explicit, tunable.
HOURS_PER_RISK_POINT = 2
HOURS_PER_RECENT_INCIDENT = 1
HIGH_RISK_SCORE = 10


def coverage_list(
    *, user: User, city: Area, now: datetime.datetime | None = None, days: int = COVERAGE_DAYS
) -> list[dict[str, Any]]:
    """The city's sub-areas ranked by how far their patrol hours in the next `days` days fall
    short of what their risk and recent incidents call for; under-covered high-risk first.

    Three queries: risks and incidents through the incidents app's selectors (scoped to the
    user), and the shifts overlapping the window through `shift_list`.
    """
    now = now or timezone.now()
    window_end = now + datetime.timedelta(days=days)
    children = list(Area.objects.filter(parent=city).only("id", "name", "path", "level", "timezone"))
    if not children:
        return []
    max_score: dict[int, int] = {}
    by_path = {a.path: a.pk for a in children}
    prefix = len(city.path)

    def owner(path: str) -> int | None:
        # A sub-area's path is the city's plus one segment: a dict lookup, not a scan of 50.
        head, sep, _rest = path[prefix:].partition("/")
        return by_path.get(f"{city.path}{head}/") if sep else None

    for path, score in risk_list(user=user).filter(area_path__startswith=city.path).values_list("area_path", "score"):
        aid = owner(path)
        if aid is not None:
            max_score[aid] = max(max_score.get(aid, 0), score)
    since = now - datetime.timedelta(days=COVERAGE_INCIDENT_DAYS)
    incidents: dict[int, int] = defaultdict(int)
    for (path,) in (
        incident_list(user=user)
        .filter(area_path__startswith=city.path, occurred_at__gte=since)
        .values_list("area_path")
        .order_by()
    ):
        aid = owner(path)
        if aid is not None:
            incidents[aid] += 1
    hours: dict[int, float] = defaultdict(float)
    shift_areas: dict[int, tuple[datetime.datetime, datetime.datetime, set[int]]] = {}
    visible = shift_list(user=user, filters={"from": now, "to": window_end}).values("pk")
    for sid, s, e, path in (
        PatrolShift.areas.through.objects.filter(patrolshift_id__in=visible, area__path__startswith=city.path)
        .values_list("patrolshift_id", "patrolshift__starts_at", "patrolshift__ends_at", "area__path")
        .order_by()
    ):
        aid = owner(path)
        if aid is not None:
            shift_areas.setdefault(sid, (s, e, set()))[2].add(aid)
    for s, e, aids in shift_areas.values():
        h = (min(e, window_end) - max(s, now)).total_seconds() / 3600
        for aid in aids:  # a shift over two villages of one district counts once for it
            hours[aid] += max(h, 0.0)
    out: list[dict[str, Any]] = []
    for area in children:
        score = max_score.get(area.pk, 0)
        recent = incidents.get(area.pk, 0)
        target = score * HOURS_PER_RISK_POINT + recent * HOURS_PER_RECENT_INCIDENT
        got = round(hours.get(area.pk, 0.0), 2)
        out.append(
            {
                "area_id": area.pk,
                "area_name": area.name,
                "timezone": area.timezone,
                "max_risk": score,
                "recent_incidents": recent,
                "patrol_hours": got,
                "target_hours": target,
                "gap_hours": round(max(target - got, 0.0), 2),
                "coverage": round(got / target, 3) if target else 1.0,
                "high_risk": score >= HIGH_RISK_SCORE,
            }
        )
    out.sort(key=lambda r: (r["gap_hours"] <= 0, r["coverage"], -r["max_risk"], -r["recent_incidents"], r["area_name"]))
    for i, row in enumerate(out, start=1):
        row["rank"] = i
    return out


def coverage_gaps(*, user: User, city: Area, now: datetime.datetime | None = None) -> list[dict[str, Any]]:
    """Only the under-covered areas (a gap in hours), ranked."""
    return [r for r in coverage_list(user=user, city=city, now=now) if r["gap_hours"] > 0]
