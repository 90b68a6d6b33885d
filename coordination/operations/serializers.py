"""Serializers of the joint operations API: what it answers (an operation with its
participations, its timeline, sitreps) and what it takes (a plan, a move, a participation,
links, a sitrep)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User as AuthUser
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agencies.models import Classification
from agencies.serializers import AgencyRefSerializer, AreaRefSerializer, CoordinateField
from agencies.validators import validate_latitude, validate_longitude
from common.serializers import DateTimeField, IdField, ModelSerializer
from coordination.api_fields import agency_field, areas_field, check_window
from coordination.models import JointOperation, OperationEvent, Participation, SitRep

User = get_user_model()


# --- Output ---------------------------------------------------------------------------------


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.SerializerMethodField()

    def get_name(self, user: AuthUser) -> str:
        return user.get_full_name() or user.get_username()


class ParticipationSerializer(ModelSerializer):
    agency = AgencyRefSerializer(read_only=True)
    liaison = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Participation
        fields = ["id", "agency", "role", "personnel", "vehicles", "liaison"]
        read_only_fields = fields


class OperationSerializer(ModelSerializer):
    lead_agency = AgencyRefSerializer(read_only=True)
    areas = AreaRefSerializer(many=True, read_only=True)
    participations = ParticipationSerializer(many=True, read_only=True)
    command_post_lat = serializers.DecimalField(max_digits=9, decimal_places=6, coerce_to_string=False, read_only=True)
    command_post_lon = serializers.DecimalField(max_digits=9, decimal_places=6, coerce_to_string=False, read_only=True)
    approved_by = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = JointOperation
        fields = [
            "id",
            "name",
            "kind",
            "status",
            "classification",
            "lead_agency",
            "areas",
            "objectives",
            "command_post",
            "command_post_lat",
            "command_post_lon",
            "starts_at",
            "ends_at",
            "participations",
            "approved_by",
            "approved_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class LinkedIncidentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField()


class LinkedThreatSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField(source="__str__")


class OperationDetailSerializer(OperationSerializer):
    incidents = serializers.SerializerMethodField()
    threats = serializers.SerializerMethodField()

    class Meta(OperationSerializer.Meta):
        fields = [*OperationSerializer.Meta.fields, "incidents", "threats"]
        read_only_fields = fields

    @extend_schema_field(LinkedIncidentSerializer(many=True))
    def get_incidents(self, operation: JointOperation) -> Any:
        return LinkedIncidentSerializer(self.context["linked"]["incidents"], many=True).data

    @extend_schema_field(LinkedThreatSerializer(many=True))
    def get_threats(self, operation: JointOperation) -> Any:
        return LinkedThreatSerializer(self.context["linked"]["threats"], many=True).data


class OperationEventSerializer(ModelSerializer):
    actor = UserRefSerializer(read_only=True, allow_null=True)
    actor_agency = AgencyRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = OperationEvent
        fields = ["id", "at", "kind", "message", "data", "actor", "actor_agency"]
        read_only_fields = fields


class SitRepSerializer(ModelSerializer):
    agency = AgencyRefSerializer(read_only=True)
    author = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = SitRep
        fields = [
            "id",
            "agency",
            "author",
            "period_start",
            "period_end",
            "summary",
            "resources_committed",
            "casualties_dead",
            "casualties_injured",
            "casualties_missing",
            "needs",
            "created_at",
        ]
        read_only_fields = fields


# --- Input ----------------------------------------------------------------------------------


class OperationUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    kind = serializers.ChoiceField(choices=JointOperation.Kind.choices, required=False)
    classification = serializers.ChoiceField(choices=Classification.choices, required=False)
    objectives = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    command_post = serializers.CharField(required=False, allow_blank=True, max_length=200)
    command_post_lat = CoordinateField(validate_latitude)
    command_post_lon = CoordinateField(validate_longitude)
    starts_at = DateTimeField(required=False, allow_null=True)
    ends_at = DateTimeField(required=False, allow_null=True)
    areas = areas_field()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        check_window(attrs, self.instance, "starts_at", "ends_at")
        lat = attrs.get("command_post_lat", getattr(self.instance, "command_post_lat", None))
        lon = attrs.get("command_post_lon", getattr(self.instance, "command_post_lon", None))
        if (lat is None) != (lon is None):
            missing = "command_post_lon" if lon is None else "command_post_lat"
            raise serializers.ValidationError({missing: [_("Give both latitude and longitude, or neither.")]})
        return attrs


class OperationCreateSerializer(OperationUpdateSerializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=JointOperation.Kind.choices)
    lead_agency = agency_field(required=False, allow_null=True)


class OperationStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=JointOperation.Status.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


class ParticipationUpdateSerializer(serializers.Serializer):
    role = serializers.CharField(required=False, allow_blank=True, max_length=120)
    personnel = serializers.IntegerField(required=False, min_value=0, max_value=100000)
    vehicles = serializers.IntegerField(required=False, min_value=0, max_value=10000)
    liaison = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True, help_text=_("User id of the liaison")
    )


class ParticipationCreateSerializer(ParticipationUpdateSerializer):
    agency = agency_field()


class OperationLinkSerializer(serializers.Serializer):
    incidents = serializers.ListField(child=IdField(), required=False, max_length=200)
    threats = serializers.ListField(child=IdField(), required=False, max_length=200)


class SitRepCreateSerializer(serializers.Serializer):
    agency = agency_field(required=False, allow_null=True)
    period_start = DateTimeField()
    period_end = DateTimeField()
    summary = serializers.CharField(max_length=20000)
    resources_committed = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    casualties_dead = serializers.IntegerField(required=False, min_value=0, max_value=1000000)
    casualties_injured = serializers.IntegerField(required=False, min_value=0, max_value=1000000)
    casualties_missing = serializers.IntegerField(required=False, min_value=0, max_value=1000000)
    needs = serializers.CharField(required=False, allow_blank=True, max_length=10000)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        check_window(attrs, None, "period_start", "period_end")
        return attrs
