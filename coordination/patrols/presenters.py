"""View-side shaping of the patrol pages: the calendar's grid (week, month or day, busy days
folded into "+N more"), the zone it reads in, and the calendar-feed boxes.

The grid's queries are bounded whatever the number of shifts: one light query over the window
(ids, local days), the conflicts of the window counted (2), the drawn shifts alone, and (but in
a month) their units.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connections
from django.db.models.functions import TruncDate
from django.http import QueryDict
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from agencies.localtime import date_range, in_zone
from agencies.models import Area, zone_label
from agencies.selectors import user_agency_ids
from common.types import User
from coordination.models import PatrolShift, ShiftContribution

from . import selectors
from .conflicts import conflicts_by_shift, conflicts_compute, raw_tuples

# Shift blocks drawn in one day's cell: the rest fold into "+N more", a link to the day view,
# which pages through the day by the same number. The page's size and rendering time stay
# bounded however many shifts a day holds (a city plans hundreds).
CALENDAR_DAY_LIMIT = {"month": 4, "week": 8, "day": 50}


def display_zone(*, user: User, area: Area | None) -> ZoneInfo:
    """The zone the calendar reads in: the area's, else the user's first jurisdiction's."""
    if area is not None:
        return ZoneInfo(area.timezone)
    first = (
        Area.objects.filter(agencies_with_jurisdiction__in=user_agency_ids(user=user))
        .order_by("level")
        .values_list("timezone", flat=True)
        .first()
    )
    if first is None:
        # No jurisdiction (platform staff): the zone of the areas being patrolled next, not
        # the server's, so that a calendar of WITA shifts reads in WITA.
        first = (
            Area.objects.filter(patrol_shifts__ends_at__gte=timezone.now())
            .order_by("patrol_shifts__starts_at")
            .values_list("timezone", flat=True)
            .first()
        )
    return ZoneInfo(first or settings.TIME_ZONE)


def page_number(raw: str | None) -> int:
    try:
        return max(1, min(int(raw or 1), 10_000))
    except ValueError:
        return 1


@dataclass
class _Window:
    grid_start: datetime.date
    grid_days: int
    prev_date: datetime.date
    next_date: datetime.date
    heading: str


def _window(view: str, day: datetime.date) -> _Window:
    """The days a view draws around `day`, the dates its arrows lead to, and its heading."""
    if view == "month":
        first = day.replace(day=1)
        grid_start = first - datetime.timedelta(days=first.weekday())
        next_month = (first + datetime.timedelta(days=32)).replace(day=1)
        weeks = ((next_month - grid_start).days + 6) // 7
        prev_date = (first - datetime.timedelta(days=1)).replace(day=1)
        return _Window(grid_start, weeks * 7, prev_date, next_month, formats.date_format(first, "F Y"))
    if view == "day":
        return _Window(
            day,
            1,
            day - datetime.timedelta(days=1),
            day + datetime.timedelta(days=1),
            formats.date_format(day, "l j F Y"),
        )
    grid_start = day - datetime.timedelta(days=day.weekday())
    # "Pekan 30 Nov – 6 Des 2026": "Minggu" would read as Sunday beside the day columns.
    heading = _("Week %(dates)s") % {"dates": date_range(grid_start, grid_start + datetime.timedelta(days=6))}
    return _Window(
        grid_start, 7, grid_start - datetime.timedelta(days=7), grid_start + datetime.timedelta(days=7), heading
    )


def calendar_grid(
    *,
    user: User,
    view: str,
    day: datetime.date | None,
    tz: ZoneInfo,
    filters: dict[str, Any],
    query: QueryDict,
    page: int = 1,
) -> dict[str, Any]:
    """The calendar's context but its form and actions: `view` ("week", "month" or "day") of
    the shifts the user sees around `day` (today if None) through `filters` (agency, area,
    kind), drawn in `tz`; `query` is the page's query string (the arrows keep its filters),
    `page` the day view's page of blocks."""
    today = timezone.now().astimezone(tz).date()
    day = day or today
    window = _window(view, day)
    grid_start = window.grid_start
    start = datetime.datetime.combine(grid_start, datetime.time(0), tzinfo=tz)
    end = start + datetime.timedelta(days=window.grid_days)
    limit = CALENDAR_DAY_LIMIT[view]
    shifts = selectors.shift_list(user=user, filters={**filters, "from": start, "to": end})
    # Every shift of the window counts (the heading and the conflict figures), but only the
    # first `limit` of a day are drawn: a busy day folds into "+N more", linked to that day.
    # One light query for the whole window (id, local day, start): the count, the conflicts'
    # scope and which blocks each day draws; then the drawn shifts alone, with their relations.
    # Sorted by the database, and no timestamps fetched: parsing 10,000 of them costs more
    # than the query.
    keys: Any = shifts.order_by("starts_at", "pk").values_list("pk", TruncDate("starts_at", tzinfo=tz))
    if connections[keys.db].vendor == "postgresql":
        keys = raw_tuples(keys)
    ids: set[int] = set()
    per_day: dict[datetime.date, int] = defaultdict(int)
    shown_ids: list[int] = []
    offset = (page - 1) * limit
    for pk, day_of in keys:
        ids.add(pk)
        d = max(day_of, grid_start)
        per_day[d] += 1
        if offset < per_day[d] <= offset + limit:
            shown_ids.append(pk)
    # Only the number of conflicts of each shift is drawn (the shift's page names them), so
    # no `user`: it would check the visibility of every clashing shift of the window.
    # Counted, not described: the grid draws a number per shift.
    badges = conflicts_by_shift(conflicts_compute(start=start, end=end, only_shift_ids=ids, tz=tz, describe=False))
    by_day = _blocks(shown_ids=shown_ids, view=view, tz=tz, grid_start=grid_start, badges=badges)
    days = [grid_start + datetime.timedelta(days=i) for i in range(window.grid_days)]
    base = query.copy()
    base.pop("date", None)
    base.pop("page", None)
    day_base = base.copy()
    day_base["view"] = "day"
    weekday_names = {d.weekday(): formats.date_format(d, "l") for d in days[:7]}
    cells = []
    for d in days:
        blocks = by_day.get(d, [])
        hidden = max(0, per_day.get(d, 0) - offset - len(blocks))
        cells.append(
            {
                "date": d,
                "iso": d.isoformat(),
                "weekday_name": weekday_names[d.weekday()],
                "blocks": blocks,
                "more": hidden,
                "more_query": _day_query(day_base, d, page + 1 if view == "day" else 1),
                "today": d == today,
                "other_month": view == "month" and d.month != day.month,
            }
        )
    return {
        "view": view,
        "rows": [cells[i : i + 7] for i in range(0, len(cells), 7)],
        "weekdays": [formats.date_format(d, "D") for d in days[:7]],
        "heading": window.heading,
        "tz_label": zone_label(str(tz)),
        "prev_query": _day_query(base, window.prev_date),
        "next_query": _day_query(base, window.next_date),
        "today_query": _day_query(base, today),
        "shift_count": len(ids),
        "conflict_count": sum(1 for pk in ids if badges.get(pk)),
        "page_number": page,
        "earlier_query": _day_query(day_base, grid_start, page - 1) if page > 1 else "",
    }


def _blocks(
    *,
    shown_ids: list[int],
    view: str,
    tz: ZoneInfo,
    grid_start: datetime.date,
    badges: dict[int, list[dict[str, Any]]],
) -> dict[datetime.date, list[dict[str, Any]]]:
    """The drawn shifts' blocks by local day (a shift begun before the grid on its first day)."""
    # The drawn shifts come from the visible window; the grid reads their operation's name
    # and (but in a month) their units, so no areas nor the prefetch's per-shift querysets.
    shown = (
        PatrolShift.objects.filter(pk__in=shown_ids)
        .select_related("operation")
        .only(
            "pk",
            "kind",
            "title",
            "starts_at",
            "ends_at",
            "operation__name",
            # What the audit of the calendar's read needs (the view audits the drawn shifts).
            "operation__classification",
            "operation__lead_agency_id",
        )
        .order_by("starts_at", "id")
    )
    units: dict[int, list[ShiftContribution]] = defaultdict(list)
    if view != "month" and shown_ids:
        for contribution in ShiftContribution.objects.filter(shift_id__in=shown_ids).select_related("agency"):
            units[contribution.shift_id].append(contribution)
    # Strings the grid would otherwise build with a tag or filter per block and per cell (a
    # month draws 140 blocks in 42 cells): the shift's URL from one reverse(), the times and
    # dates formatted here, in the active language as the filters would.
    url_head, _sentinel, url_tail = reverse("patrol-shift-detail", args=[987654321]).partition("987654321")
    by_day: dict[datetime.date, list[dict[str, Any]]] = defaultdict(list)
    for shift in shown:
        local_start = shift.starts_at.astimezone(tz)
        local_end = shift.ends_at.astimezone(tz)
        by_day[max(local_start.date(), grid_start)].append(
            {
                "shift": shift,
                "url": f"{url_head}{shift.pk}{url_tail}",
                # In the calendar's zone: the template's time filter would convert to the
                # site's zone (WIB) and a WITA shift would show an hour early.
                "times": f"{local_start:%H:%M}–{local_end:%H:%M}",
                "overnight": local_end.date() > local_start.date(),
                "conflicts": badges.get(shift.pk, []),
                "units": units.get(shift.pk, []),
            }
        )
    return by_day


def _day_query(base: QueryDict, day: datetime.date, page: int = 1) -> str:
    q = base.copy()
    q["date"] = day.isoformat()
    if page > 1:
        q["page"] = str(page)
    return q.urlencode()


def route_statuses(*, shift: PatrolShift, tz: ZoneInfo, checked_at: bool = False) -> tuple[list[dict[str, Any]], int]:
    """The route's checkpoint statuses (`selectors.checkpoint_statuses`) with the planned time in
    `tz` (and, for the phone page, the check-in's), and how many checkpoints were missed."""
    rows = []
    statuses = selectors.checkpoint_statuses(shift=shift)
    for s in statuses:
        row = {**s, "planned": in_zone(s["checkpoint"].planned_at, tz) if s["checkpoint"].planned_at else None}
        if checked_at:
            row["checked_at"] = in_zone(s["check_in"].at, tz) if s["check_in"] else None
        rows.append(row)
    return rows, sum(1 for s in statuses if s["status"] == "missed")


def feed_boxes(*, user: User) -> list[dict[str, Any]]:
    """One box per agency of the user: its feed's URL if it has one, and what the user may do."""
    boxes = []
    for agency, feed in selectors.calendar_feeds_of_user(user=user):
        url = selectors.calendar_feed_url(feed) if feed else ""
        boxes.append(
            {
                "agency": agency,
                "url": url,
                # The scheme calendar applications open as a subscription (webcal://host/...).
                "webcal_url": "webcal" + url[url.index(":") :] if url else "",
                "can_get": selectors.can_get_feed(user=user, agency=agency),
                "can_rotate": feed is not None and selectors.can_rotate_feed(user=user, agency=agency),
            }
        )
    return boxes
