"""One way to show a moment: in the zone of the area it happened in, with that zone's label.

Every page shows date-times as the people of the area read them ("5 Des 2026 14:05 WITA"),
never in the server's zone and never without the label; see the `in_zone` template filter
(agencies/templatetags/zones.py), which calls `in_zone` here. Views that format a time in
Python call it too.
"""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import formats, timezone

from .models import zone_label

DEFAULT_FORMAT = "j M Y H:i"


def zone_name(zone: Any) -> str:
    """The IANA name of `zone`: an Area (or anything with a `timezone` or `tz_name`), a
    ZoneInfo, a name, or None for the site's default zone."""
    if zone is None or zone == "":
        return settings.TIME_ZONE
    if isinstance(zone, str):
        return zone
    if isinstance(zone, ZoneInfo):
        return zone.key
    for attr in ("tz_name", "timezone"):
        value = getattr(zone, attr, None)
        if isinstance(value, str) and value:
            return value
    return settings.TIME_ZONE


def in_zone(value: datetime.datetime | None, zone: Any = None, fmt: str = DEFAULT_FORMAT) -> str:
    """ "5 Des 2026 14:05 WITA" (month names in the active language); "—" for no value."""
    if value is None or value == "":
        return "—"
    name = zone_name(zone)
    if isinstance(value, datetime.datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value, ZoneInfo(name))
        value = timezone.localtime(value, ZoneInfo(name))
    return f"{formats.date_format(value, fmt)} {zone_label(name)}"


def date_range(start: datetime.date, end: datetime.date) -> str:
    """ "30 Nov – 6 Des 2026", "1 – 7 Des 2026", "29 Des 2026 – 4 Jan 2027" (active language)."""
    if start.year != end.year:
        return f"{formats.date_format(start, 'j M Y')} – {formats.date_format(end, 'j M Y')}"
    if start.month != end.month:
        return f"{formats.date_format(start, 'j M')} – {formats.date_format(end, 'j M Y')}"
    return f"{formats.date_format(start, 'j')} – {formats.date_format(end, 'j M Y')}"
