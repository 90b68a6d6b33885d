"""What the APIs of coordination's features share: the documented error answers, the id
fields of agencies and areas, the window check of a plan's times, and the areas' prefetch."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from agencies.models import Agency, Area

_DETAIL = {"type": "object", "properties": {"detail": {"type": "string"}}}
FIELD_ERRORS = OpenApiResponse(
    response={"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    description=_("Invalid input: messages by field name (non_field_errors for the rest)."),
)
NOT_FOUND = OpenApiResponse(response=_DETAIL, description=_("No such record, or not visible to you."))
FORBIDDEN = OpenApiResponse(response=_DETAIL, description=_("Your role does not allow this."))

# A plan's areas as a list shows them.
AREAS = Prefetch("areas", queryset=Area.objects.only("id", "name", "level").order_by("name"))


def agency_field(**kwargs: Any) -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all(), help_text=_("Agency id"), **kwargs)


def areas_field() -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(
        queryset=Area.objects.all(), many=True, required=False, help_text=_("Area ids")
    )


def check_window(attrs: dict[str, Any], instance: Any, start: str, end: str) -> None:
    """A 400 on `end` when it does not come after `start` (either given, else the instance's)."""
    begin = attrs.get(start, getattr(instance, start, None))
    finish = attrs.get(end, getattr(instance, end, None))
    if begin and finish and finish <= begin:
        raise serializers.ValidationError({end: [_("The end must come after the start.")]})
