"""Serializer fields and reference serializers every app's API shares: CAP severity names,
coordinates rounded to 6 decimals, and the short `{id, name, ...}` form of an area or agency."""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .models import Agency, Area, Severity

# --- Shared fields --------------------------------------------------------------------------

# CAP 1.2 <severity> values. The API speaks CAP names, never the integers stored in the
# database, so that a partner system can copy them from a CAP alert unchanged.
CAP_SEVERITY: dict[str, int] = {
    "Unknown": Severity.UNKNOWN,
    "Minor": Severity.MINOR,
    "Moderate": Severity.MODERATE,
    "Severe": Severity.SEVERE,
    "Extreme": Severity.EXTREME,
}
CAP_SEVERITY_NAMES: dict[int, str] = {value: name for name, value in CAP_SEVERITY.items()}


class CapSeverityField(serializers.ChoiceField):
    """A CAP severity name ("Minor", "Moderate", "Severe", "Extreme", "Unknown"), stored as its integer."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "help_text", _('CAP 1.2 severity name: "Unknown", "Minor", "Moderate", "Severe" or "Extreme".')
        )
        super().__init__(choices=[(name, name) for name in CAP_SEVERITY], **kwargs)

    def to_internal_value(self, data: Any) -> int:  # type: ignore[override]
        if isinstance(data, str):
            data = data.strip().capitalize()
        return CAP_SEVERITY[super().to_internal_value(data)]

    def to_representation(self, value: Any) -> str:
        return CAP_SEVERITY_NAMES.get(int(value), str(value))


class AreaRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Area
        fields = ["id", "name", "level"]
        read_only_fields = fields


class AgencyRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "name", "code"]
        read_only_fields = fields


class CentroidSerializer(serializers.Serializer):
    lat = serializers.DecimalField(max_digits=9, decimal_places=6, coerce_to_string=False)
    lon = serializers.DecimalField(max_digits=9, decimal_places=6, coerce_to_string=False)


class CoordinateField(serializers.DecimalField):
    """Degrees, rounded to 6 decimals (about 11 cm) instead of refused: GPS readings carry more."""

    STEP = Decimal("0.000001")

    def __init__(self, validator: Callable[[Any], None], **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        super().__init__(max_digits=9, decimal_places=6, coerce_to_string=False, validators=[validator], **kwargs)

    def validate_precision(self, value: Decimal) -> Decimal:
        try:
            value = value.quantize(self.STEP, rounding=ROUND_HALF_EVEN)
        except InvalidOperation:  # far too many digits to round, e.g. 1e300
            self.fail("max_digits", max_digits=self.max_digits)
        return super().validate_precision(value)
