"""Validators shared by every app (agencies is the bottom of the dependency chain)."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Indonesia's extent with a margin for its outer islands and territorial sea:
# Sabang (5.9 N, 95.3 E) to Merauke (8.5 S, 141.0 E), Rote (11.0 S) and Miangas (5.6 N).
INDONESIA_LAT = (Decimal("-11.5"), Decimal("6.5"))
INDONESIA_LON = (Decimal("94.5"), Decimal("141.5"))


def validate_latitude(value) -> None:
    if value is None:
        return
    lo, hi = INDONESIA_LAT
    if not (lo <= Decimal(str(value)) <= hi):
        raise ValidationError(
            _("Latitude %(value)s is outside Indonesia (%(lo)s to %(hi)s)."),
            code="outside_indonesia",
            params={"value": value, "lo": lo, "hi": hi},
        )


def validate_longitude(value) -> None:
    if value is None:
        return
    lo, hi = INDONESIA_LON
    if not (lo <= Decimal(str(value)) <= hi):
        raise ValidationError(
            _("Longitude %(value)s is outside Indonesia (%(lo)s to %(hi)s)."),
            code="outside_indonesia",
            params={"value": value, "lo": lo, "hi": hi},
        )
