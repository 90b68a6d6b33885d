"""What the programme pages show, shaped for the templates: the month's calendar, the map's
points, attendance against the plan, the action items with what the user may do."""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from coordination.models import Programme

# Programmes drawn in one day of the month; the rest fold into "+N more" (the day's list).
PER_DAY = 4


def programme_zone(programme: Programme) -> str:
    return programme.area.timezone or settings.TIME_ZONE


def parse_month(value: str | None) -> datetime.date:
    """The first day of the month asked for ("2026-12"), else of this month; years 1900-2999."""
    today = timezone.localdate()
    try:
        year, month = (int(part) for part in (value or "").split("-", 1))
        if 1900 <= year <= 2999 and 1 <= month <= 12:
            return datetime.date(year, month, 1)
    except ValueError:
        pass
    return today.replace(day=1)


def month_bounds(first: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The month's start and end as aware date-times, widened by a day on each side so a
    programme in any of the country's zones is on the grid."""
    zone = ZoneInfo(settings.TIME_ZONE)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    start = datetime.datetime.combine(first - datetime.timedelta(days=1), datetime.time.min, zone)
    end = datetime.datetime.combine(last + datetime.timedelta(days=2), datetime.time.min, zone)
    return start, end


def month_grid(first: datetime.date, programmes: Iterable[Programme]) -> dict[str, Any]:
    """Weeks (Monday first) of days, each with the programmes whose sessions fall on it in the
    programme's own zone (a series shows on each of its days)."""
    by_day: dict[datetime.date, list[Programme]] = {}
    for programme in programmes:
        zone = ZoneInfo(programme_zone(programme))
        seen: set[datetime.date] = set()
        for session in programme.sessions.all():
            day = session.starts_at.astimezone(zone).date()
            if day not in seen:
                seen.add(day)
                by_day.setdefault(day, []).append(programme)
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month):
        days = []
        for day in week:
            rows = by_day.get(day, [])
            days.append(
                {
                    "date": day,
                    "in_month": day.month == first.month,
                    "today": day == timezone.localdate(),
                    "programmes": rows[:PER_DAY],
                    "more": max(0, len(rows) - PER_DAY),
                }
            )
        weeks.append(days)
    previous = (first - datetime.timedelta(days=1)).replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return {
        "weeks": weeks,
        "month": first,
        "previous": previous.strftime("%Y-%m"),
        "next": following.strftime("%Y-%m"),
    }


def map_points(programmes: Iterable[Programme]) -> list[dict[str, Any]]:
    """Plain data for the map script: each programme at its point, else its area's centre."""
    points = []
    for p in programmes:
        lat = p.latitude if p.latitude is not None else p.area.centroid_lat
        lon = p.longitude if p.longitude is not None else p.area.centroid_lon
        if lat is None or lon is None:
            continue
        points.append(
            {
                "lat": float(lat),
                "lon": float(lon),
                "name": p.title,
                "status": p.status,
                "label": str(p.get_status_display()),
                "url": reverse("programme-detail", args=[p.pk]),
            }
        )
    return points


def attendance_rows(programme: Programme) -> dict[str, Any]:
    """Each target group with planned and attended (and the share), and the totals."""
    rows = []
    planned = actual = 0
    recorded = False
    for group in programme.target_groups.all():
        planned += group.planned
        if group.actual is not None:
            recorded = True
            actual += group.actual
        share = round(100 * group.actual / group.planned) if group.actual is not None and group.planned else None
        rows.append({"group": group, "share": share})
    return {
        "rows": rows,
        "planned": planned,
        "actual": actual if recorded else None,
        "share": round(100 * actual / planned) if recorded and planned else None,
    }
