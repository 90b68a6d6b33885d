"""Serializers of the agencies API (agencies/api.py), and the fields and reference serializers
every app's API shares: CAP severity names, coordinates rounded to 6 decimals, and the short
`{id, name, ...}` form of an area or agency.

Input and output serializers are separate classes; an input serializer is named after its
output's component (`extend_schema_serializer`) so the schema reads `Agency` /
`AgencyRequest` / `PatchedAgencyRequest`.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from common.serializers import ModelSerializer, OptionalURLField

from . import selectors
from .models import (
    Agency,
    Area,
    AuditLog,
    Camera,
    Membership,
    Severity,
    Subscription,
    VitalObject,
)
from .validators import validate_latitude, validate_longitude, validate_stream_url

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


class AreaRefSerializer(ModelSerializer):
    class Meta:
        model = Area
        fields = ["id", "name", "level"]
        read_only_fields = fields


class AgencyRefSerializer(ModelSerializer):
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


# --- The agencies API ------------------------------------------------------------------------

UserModel = get_user_model()

COORDINATE_KWARGS = {"coerce_to_string": False}


def _name_of(source: str) -> serializers.CharField:
    """The name of a related row (`parent.name`), null when there is none."""
    return serializers.CharField(source=source, read_only=True, allow_null=True)


# --- Areas ----------------------------------------------------------------------------------


class AreaSerializer(ModelSerializer):
    parent_name = _name_of("parent.name")
    centroid = serializers.SerializerMethodField()

    class Meta:
        model = Area
        fields = ["id", "name", "level", "code", "parent", "parent_name", "postal_code", "timezone", "centroid"]
        read_only_fields = fields

    @extend_schema_field(CentroidSerializer(allow_null=True))
    def get_centroid(self, obj: Area) -> dict[str, Any] | None:
        if obj.centroid_lat is None or obj.centroid_lon is None:
            return None
        return CentroidSerializer({"lat": obj.centroid_lat, "lon": obj.centroid_lon}).data


class AreaDetailSerializer(AreaSerializer):
    ancestors = AreaRefSerializer(many=True, read_only=True, help_text=_("From the province down, root first"))

    class Meta(AreaSerializer.Meta):
        fields = [*AreaSerializer.Meta.fields, "ancestors"]
        read_only_fields = fields


# --- Agencies -------------------------------------------------------------------------------


class AgencySerializer(ModelSerializer):
    parent_name = _name_of("parent.name")
    jurisdiction = AreaRefSerializer(many=True, read_only=True)
    headquarters_area_name = _name_of("headquarters_area.name")
    member_count = serializers.IntegerField(read_only=True, help_text=_("Active members"))

    class Meta:
        model = Agency
        fields = [
            "id",
            "name",
            "code",
            "kind",
            "parent",
            "parent_name",
            "jurisdiction",
            "headquarters_area",
            "headquarters_area_name",
            "address",
            "latitude",
            "longitude",
            "duty_phone",
            "duty_email",
            "duty_radio",
            "is_active",
            "two_factor_required",
            "capacity_personnel",
            "capacity_vehicles",
            "capacity_boats",
            "capacity_medical_teams",
            "capacity_declared_at",
            "member_count",
        ]
        read_only_fields = fields
        extra_kwargs = {"latitude": COORDINATE_KWARGS, "longitude": COORDINATE_KWARGS}


@extend_schema_serializer(component_name="Agency")
class AgencyWriteSerializer(ModelSerializer):
    """What staff may set; a commander of the agency only its contact fields (address, coordinates, duty_*),
    its declared capacity (capacity_*: dated the day it changes) and `two_factor_required`."""

    latitude = CoordinateField(validate_latitude)
    longitude = CoordinateField(validate_longitude)

    class Meta:
        model = Agency
        fields = [
            "name",
            "code",
            "kind",
            "parent",
            "jurisdiction",
            "headquarters_area",
            "address",
            "latitude",
            "longitude",
            "duty_phone",
            "duty_email",
            "duty_radio",
            "is_active",
            "two_factor_required",
            "capacity_personnel",
            "capacity_vehicles",
            "capacity_boats",
            "capacity_medical_teams",
        ]
        extra_kwargs = {"jurisdiction": {"help_text": _("Area ids")}}


# --- Members --------------------------------------------------------------------------------


class MembershipSerializer(ModelSerializer):
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    full_name = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField(help_text=_("Only shown to the member's own agency and to staff"))

    class Meta:
        model = Membership
        fields = [
            "id",
            "agency",
            "agency_name",
            "user",
            "username",
            "full_name",
            "role",
            "title",
            "phone",
            "is_active",
        ]
        read_only_fields = fields

    def get_full_name(self, obj: Membership) -> str:
        return obj.user.get_full_name()

    def get_phone(self, obj: Membership) -> str | None:
        request = self.context.get("request")
        user = request.user if request is not None else None
        return obj.phone if selectors.membership_can_see_contact(user=user, membership=obj) else None


@extend_schema_serializer(component_name="Membership")
class MembershipCreateSerializer(serializers.Serializer):
    agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all())
    user = serializers.PrimaryKeyRelatedField(
        queryset=UserModel.objects.all(), required=False, help_text=_("User id; or give username")
    )
    username = serializers.CharField(required=False, max_length=150, help_text=_("Username; or give user"))
    role = serializers.ChoiceField(choices=Membership.Role.choices)
    title = serializers.CharField(required=False, allow_blank=True, max_length=120, default="")
    phone = serializers.CharField(required=False, allow_blank=True, max_length=32, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        user = attrs.get("user")
        username = attrs.pop("username", None)
        if user is not None and username is not None:
            raise serializers.ValidationError({"username": _("Give either user or username, not both.")})
        if user is None:
            if username is None:
                raise serializers.ValidationError({"user": _("Give a user id or a username.")})
            try:
                attrs["user"] = UserModel.objects.get(username=username)
            except UserModel.DoesNotExist:
                raise serializers.ValidationError({"username": _("No user has this username.")}) from None
        return attrs


@extend_schema_serializer(component_name="Membership")
class MembershipUpdateSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Membership.Role.choices, required=False)
    title = serializers.CharField(required=False, allow_blank=True, max_length=120)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=32)
    is_active = serializers.BooleanField(required=False)


# --- Subscriptions --------------------------------------------------------------------------


class SubscriptionSerializer(ModelSerializer):
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    areas: serializers.PrimaryKeyRelatedField[Area] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text=_("Area ids; each covers its subtree")
    )
    categories = serializers.SerializerMethodField(help_text=_("Category codes; empty means every category"))
    min_severity = CapSeverityField(read_only=True)
    has_webhook_secret = serializers.SerializerMethodField()

    class Meta:
        model = Subscription
        fields = [
            "id",
            "agency",
            "agency_name",
            "name",
            "areas",
            "categories",
            "min_severity",
            "channel_in_app",
            "channel_email",
            "channel_sms",
            "channel_webhook",
            "webhook_url",
            "has_webhook_secret",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_categories(self, obj: Subscription) -> list[str]:
        return sorted(c.code for c in obj.category_codes.all())

    def get_has_webhook_secret(self, obj: Subscription) -> bool:
        return bool(obj.webhook_secret)


class SubscriptionCreatedSerializer(SubscriptionSerializer):
    """The answer to a creation: the one read that carries the signing secret (write-only after)."""

    webhook_secret = serializers.SerializerMethodField(
        help_text=_(
            "The HMAC signing secret the portal generated, shown this once: store it now; every later "
            "read carries has_webhook_secret only. Null when you gave the secret or there is no webhook."
        ),
    )

    class Meta(SubscriptionSerializer.Meta):
        fields = [*SubscriptionSerializer.Meta.fields, "webhook_secret"]
        read_only_fields = fields

    @extend_schema_field({"type": "string", "nullable": True})
    def get_webhook_secret(self, obj: Subscription) -> str | None:
        # A secret the client chose is never echoed: only one it could not know.
        return obj.webhook_secret or None if self.context.get("secret_generated") else None


class SubscriptionSecretSerializer(serializers.Serializer):
    webhook_secret = serializers.CharField(
        read_only=True, help_text=_("The new HMAC signing secret, shown this once; the old one no longer signs.")
    )


@extend_schema_serializer(component_name="Subscription")
class SubscriptionWriteSerializer(ModelSerializer):
    categories = serializers.ListField(
        child=serializers.SlugField(max_length=60),
        required=False,
        help_text=_("Category codes; empty means every category"),
    )
    min_severity = CapSeverityField(required=False)

    class Meta:
        model = Subscription
        fields = [
            "name",
            "areas",
            "categories",
            "min_severity",
            "channel_in_app",
            "channel_email",
            "channel_sms",
            "channel_webhook",
            "webhook_url",
            "webhook_secret",
            "is_active",
        ]
        extra_kwargs = {
            "areas": {"help_text": _("Area ids; each covers its subtree")},
            "webhook_secret": {
                "write_only": True,
                "help_text": _(
                    "HMAC signing secret; generated when a webhook has none. Returned once, in the answer "
                    "to the creation (or to rotate-secret), never after."
                ),
            },
        }


@extend_schema_serializer(component_name="Subscription")
class SubscriptionCreateSerializer(SubscriptionWriteSerializer):
    agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all())

    class Meta(SubscriptionWriteSerializer.Meta):
        fields = ["agency", *SubscriptionWriteSerializer.Meta.fields]


# --- Vital objects and cameras --------------------------------------------------------------


class VitalObjectSerializer(ModelSerializer):
    area_name = serializers.CharField(source="area.name", read_only=True)
    operator_name = serializers.CharField(source="operator.name", read_only=True)
    guarding_agencies = AgencyRefSerializer(many=True, read_only=True)

    class Meta:
        model = VitalObject
        fields = [
            "id",
            "name",
            "kind",
            "area",
            "area_name",
            "operator",
            "operator_name",
            "guarding_agencies",
            "is_national",
            "latitude",
            "longitude",
            "address",
            "notes",
        ]
        read_only_fields = fields
        extra_kwargs = {"latitude": COORDINATE_KWARGS, "longitude": COORDINATE_KWARGS}


@extend_schema_serializer(component_name="VitalObject")
class VitalObjectWriteSerializer(ModelSerializer):
    latitude = CoordinateField(validate_latitude)
    longitude = CoordinateField(validate_longitude)

    class Meta:
        model = VitalObject
        fields = [
            "name",
            "kind",
            "area",
            "operator",
            "guarding_agencies",
            "is_national",
            "latitude",
            "longitude",
            "address",
            "notes",
        ]
        extra_kwargs = {"guarding_agencies": {"help_text": _("Agency ids")}}


class CameraSerializer(ModelSerializer):
    area_name = serializers.CharField(source="area.name", read_only=True)
    operator_name = serializers.CharField(source="operator.name", read_only=True)
    vital_object_name = _name_of("vital_object.name")
    stream_url = OptionalURLField(
        read_only=True,
        help_text=_(
            "The stream's address (may carry credentials): for members of the operator agency and staff; "
            "null for everyone else."
        ),
    )

    class Meta:
        model = Camera
        fields = [
            "id",
            "code",
            "name",
            "area",
            "area_name",
            "operator",
            "operator_name",
            "vital_object",
            "vital_object_name",
            "status",
            "last_seen_at",
            "latitude",
            "longitude",
            "stream_url",
        ]
        read_only_fields = fields
        extra_kwargs = {"latitude": COORDINATE_KWARGS, "longitude": COORDINATE_KWARGS}

    def to_representation(self, instance: Camera) -> dict[str, Any]:
        data = super().to_representation(instance)
        request = self.context.get("request")
        if not selectors.camera_can_see_stream(user=request.user if request is not None else None, camera=instance):
            data["stream_url"] = None
        return data


class StreamURLField(OptionalURLField):
    """A camera's stream address: RTSP and RTMP as well as HTTP(S) (`validate_stream_url`)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators = [v for v in self.validators if not isinstance(v, URLValidator)] + [validate_stream_url]


@extend_schema_serializer(component_name="Camera")
class CameraWriteSerializer(ModelSerializer):
    """`last_seen_at` is not written here: heartbeats record it (services.camera_heartbeat)."""

    latitude = CoordinateField(validate_latitude)
    longitude = CoordinateField(validate_longitude)
    stream_url = StreamURLField(max_length=500)

    class Meta:
        model = Camera
        fields = ["code", "name", "area", "operator", "vital_object", "status", "latitude", "longitude", "stream_url"]


# --- Audit ----------------------------------------------------------------------------------


class AuditLogSerializer(ModelSerializer):
    """A read of the agency's confidential or secret records (one row per list read)."""

    user = serializers.SerializerMethodField(help_text=_("The reader's username (null once the user is deleted)"))
    reader_agencies = AgencyRefSerializer(many=True, read_only=True)
    object_ids = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text=_("Ids of the records read")
    )

    class Meta:
        model = AuditLog
        fields = [
            "id",
            "at",
            "user",
            "reader_agencies",
            "action",
            "object_type",
            "object_id",
            "object_ids",
            "classification",
            "detail",
        ]
        read_only_fields = fields

    def get_user(self, obj: AuditLog) -> str | None:
        return obj.user.get_username() if obj.user else None
