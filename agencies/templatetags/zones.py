"""Date-times in the area's zone with its label: `{{ value|in_zone:area }}` ("5 Des 2026 14:05 WITA").

The argument is an Area, a threat (its `tz_name`), an IANA name or nothing (the site's zone).
`{{ value|in_zone_time:area }}` gives the same wrapped in <time datetime="...">.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import template
from django.utils.html import format_html

from agencies import localtime
from agencies.models import zone_label as _zone_label

register = template.Library()


@register.filter
def in_zone(value: datetime.datetime | None, zone: Any = None) -> str:
    return localtime.in_zone(value, zone)


@register.filter
def in_zone_time(value: datetime.datetime | None, zone: Any = None) -> str:
    if not value:
        return "—"
    return format_html('<time datetime="{}">{}</time>', value.isoformat(), localtime.in_zone(value, zone))


@register.filter
def zone_label(zone: Any) -> str:
    """WIB, WITA or WIT for an area, a threat or a zone name."""
    return _zone_label(localtime.zone_name(zone))
