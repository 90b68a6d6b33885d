"""Serializers of the incidents API (incidents/api.py): the incident as it goes out, the bodies
of its writes, and the fields other APIs share with it (CAP severity and urgency names, the
incident status set, ids looked up among what the requesting user may see).

Severity and urgency are CAP 1.2 names on the wire; the database keeps their integers.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agencies import selectors as agency_selectors
from agencies.models import Agency, Area, Classification
from agencies.serializers import AgencyRefSerializer, AreaRefSerializer, CapSeverityField, CoordinateField
from agencies.validators import validate_latitude, validate_longitude
from common.serializers import DateTimeField, ModelSerializer, SlugRelatedField

from . import exports, services
from .models import Category, Incident, IncidentEvent

# --- Shared fields --------------------------------------------------------------------------

CAP_URGENCY: dict[str, int] = {name: value for value, name in exports.URGENCY_NAMES.items()}


class IncidentStatusField(serializers.ChoiceField):
    """An incident status code ("reported", "verified", ...)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=Incident.Status.choices, **kwargs)


class IncidentSeverityField(CapSeverityField):
    """CAP severity on incidents; its own class only to name its schema component."""


# drf-spectacular names an enum after the field that carries it. The incident status set is
# carried by `status` and `allowed_transitions`, and other apps have `status` fields with other
# sets; the CAP severity set is also the subscriptions' `min_severity`. Left alone that gives
# hashed names ("Status497Enum") and warnings; these extensions name the components once.
class IncidentStatusFieldExtension(OpenApiSerializerFieldExtension):
    target_class = IncidentStatusField

    def get_name(self) -> str:
        return "IncidentStatus"

    def map_serializer_field(self, auto_schema: AutoSchema, direction: str) -> dict[str, Any]:
        return {"type": "string", "enum": list(Incident.Status.values)}


class IncidentSeverityFieldExtension(OpenApiSerializerFieldExtension):
    target_class = IncidentSeverityField

    def get_name(self) -> str:
        return "CapSeverity"

    def map_serializer_field(self, auto_schema: AutoSchema, direction: str) -> dict[str, Any]:
        return {"type": "string", "enum": list(exports.SEVERITY_NAMES.values())}


class CapUrgencyField(serializers.ChoiceField):
    """A CAP urgency name ("Immediate", "Expected", "Future", "Past", "Unknown"), stored as its integer."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "help_text", _('CAP 1.2 urgency name: "Unknown", "Past", "Future", "Expected" or "Immediate".')
        )
        super().__init__(choices=[(name, name) for name in CAP_URGENCY], **kwargs)

    def to_internal_value(self, data: Any) -> int:  # type: ignore[override]
        if isinstance(data, str):
            data = data.strip().capitalize()
        return CAP_URGENCY[super().to_internal_value(data)]

    def to_representation(self, value: Any) -> str:
        return exports.URGENCY_NAMES.get(int(value), str(value))


@extend_schema_field(OpenApiTypes.INT)
class UserScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A related id looked up among the rows that the requesting user may see (a selector)."""

    def __init__(self, selector: Any, **kwargs: Any) -> None:
        self.selector = selector
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet:
        request = self.context.get("request")
        return self.selector(user=request.user if request is not None else None)


def _camera_field() -> UserScopedPrimaryKeyField:
    return UserScopedPrimaryKeyField(
        agency_selectors.camera_list,
        required=False,
        allow_null=True,
        help_text=_("CCTV camera id"),
    )


def _vital_object_field() -> UserScopedPrimaryKeyField:
    return UserScopedPrimaryKeyField(
        agency_selectors.vital_object_list,
        required=False,
        allow_null=True,
        help_text=_("Vital object id"),
    )


# --- Output ---------------------------------------------------------------------------------


class IncidentCategorySerializer(ModelSerializer):
    name = serializers.CharField(read_only=True, help_text=_("In the request language"))

    class Meta:
        model = Category
        fields = ["code", "name"]
        read_only_fields = fields


class IncidentSerializer(ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api-incident-detail")
    category = IncidentCategorySerializer(read_only=True)
    status = IncidentStatusField(read_only=True)
    severity = IncidentSeverityField(read_only=True)
    urgency = CapUrgencyField(read_only=True)
    reporting_agency = AgencyRefSerializer(read_only=True, allow_null=True)
    lead_agency = AgencyRefSerializer(read_only=True, allow_null=True)
    involved_agencies = AgencyRefSerializer(many=True, read_only=True)
    area = AreaRefSerializer(read_only=True)
    allowed_transitions = serializers.SerializerMethodField(
        help_text=_("The statuses this incident may move to next (POST status/).")
    )

    class Meta:
        model = Incident
        fields = [
            "id",
            "url",
            "reference",
            "title",
            "description",
            "category",
            "severity",
            "urgency",
            "status",
            "source",
            "classification",
            "reporting_agency",
            "lead_agency",
            "involved_agencies",
            "area",
            "latitude",
            "longitude",
            "occurred_at",
            "reported_at",
            "resolved_at",
            "updated_at",
            "camera",
            "vital_object",
            "duplicate_of",
            "allowed_transitions",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "latitude": {"coerce_to_string": False},
            "longitude": {"coerce_to_string": False},
        }

    @extend_schema_field(serializers.ListField(child=IncidentStatusField()))
    def get_allowed_transitions(self, obj: Incident) -> list[str]:
        return list(services.allowed_transitions(obj))


class IncidentEventSerializer(ModelSerializer):
    actor = serializers.CharField(source="actor.username", read_only=True, allow_null=True, default=None)
    actor_agency = AgencyRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = IncidentEvent
        fields = ["id", "at", "kind", "actor", "actor_agency", "message", "data"]
        read_only_fields = fields


# --- Input ----------------------------------------------------------------------------------


class IncidentUpdateSerializer(serializers.Serializer):
    """The description of an incident; agencies change through assign/, status through status/."""

    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    category = SlugRelatedField(
        slug_field="code", queryset=Category.objects.all(), help_text=_("Category code, e.g. crime-theft")
    )
    severity = IncidentSeverityField(required=False)
    urgency = CapUrgencyField(required=False)
    classification = serializers.ChoiceField(choices=Classification.choices, required=False)
    area = serializers.PrimaryKeyRelatedField(queryset=Area.objects.all(), help_text=_("Area id"))
    latitude = CoordinateField(validate_latitude)
    longitude = CoordinateField(validate_longitude)
    occurred_at = DateTimeField(required=False)
    camera = _camera_field()
    vital_object = _vital_object_field()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        latitude = attrs["latitude"] if "latitude" in attrs else getattr(self.instance, "latitude", None)
        longitude = attrs["longitude"] if "longitude" in attrs else getattr(self.instance, "longitude", None)
        if (latitude is None) != (longitude is None):
            missing = "longitude" if longitude is None else "latitude"
            raise serializers.ValidationError({missing: [_("Give both latitude and longitude, or neither.")]})
        return attrs


class IncidentCreateSerializer(IncidentUpdateSerializer):
    # The API field `source`, which shadows Field.source (the attribute a field reads) in the stubs.
    source = serializers.ChoiceField(choices=Incident.Source.choices, required=False)  # type: ignore[assignment]
    reporting_agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.all(),
        required=False,
        help_text=_("Agency id; may be left out by a member of a single agency"),
    )
    lead_agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.all(), required=False, allow_null=True, help_text=_("Agency id")
    )
    involved_agencies = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.all(), many=True, required=False, help_text=_("Agency ids")
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        if attrs.get("source") == Incident.Source.CCTV and not attrs.get("camera"):
            raise serializers.ValidationError({"camera": [_("An incident from CCTV names its camera.")]})
        return attrs


class IncidentVerifySerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


class IncidentAssignSerializer(serializers.Serializer):
    lead_agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.all(), required=False, help_text=_("Agency id")
    )
    involved_agencies = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.all(),
        many=True,
        required=False,
        help_text=_("Agency ids: the complete new list (an empty list clears it)"),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "lead_agency" not in attrs and "involved_agencies" not in attrs:
            raise serializers.ValidationError({"lead_agency": [_("Give a lead agency, involved agencies or both.")]})
        return attrs


class IncidentStatusChangeSerializer(serializers.Serializer):
    status = IncidentStatusField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


class IncidentNoteSerializer(serializers.Serializer):
    message = serializers.CharField(max_length=5000)


class IncidentLinkSerializer(serializers.Serializer):
    camera = _camera_field()
    vital_object = _vital_object_field()


class IncidentMergeSerializer(serializers.Serializer):
    into = serializers.CharField(max_length=24, help_text=_("Id or reference of the original incident"))


# --- Exports --------------------------------------------------------------------------------

# The most features one GeoJSON response carries when the client sets `limit`.
MAX_LIMIT = 100_000


class GeoJSONQuerySerializer(serializers.Serializer):
    limit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_LIMIT)
