"""Numbers shown to people follow their language; numbers read by machines never do.

`{% coordinates lat lon %}` shows a point as the reader writes numbers: "0,137000; 117,494000"
in Bahasa Indonesia (a comma is its decimal mark, so the pair is split by a semicolon),
"0.137000, 117.494000" in English. Inputs, data attributes and scripts take
`|unlocalize` (ISO, a dot) instead; Django's widgets already render ISO numbers.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils import formats

register = template.Library()

COORDINATE_PLACES = 6


def _number(value: Any) -> str:
    return formats.number_format(Decimal(str(value)), COORDINATE_PLACES, use_l10n=True)


@register.simple_tag
def coordinates(latitude: Any, longitude: Any) -> str:
    """A point in the reader's number format; empty when either half is missing."""
    if latitude in (None, "") or longitude in (None, ""):
        return ""
    separator = "; " if formats.get_format("DECIMAL_SEPARATOR") == "," else ", "
    return f"{_number(latitude)}{separator}{_number(longitude)}"
