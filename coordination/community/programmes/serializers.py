"""Serializers of the programmes API (api.py): the programme as its readers see it, and the
inputs of each write."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from agencies.models import Area
from agencies.serializers import AgencyRefSerializer, AreaRefSerializer
from common.serializers import DateTimeField, ModelSerializer
from coordination.api_fields import agency_field
from coordination.models import (
    ActionItem,
    DistributedGoods,
    Programme,
    ProgrammeMaterial,
    ProgrammePhoto,
    ProgrammeSession,
    TargetGroup,
)

User = get_user_model()


class SessionSerializer(ModelSerializer):
    class Meta:
        model = ProgrammeSession
        fields = ["id", "starts_at", "ends_at"]
        read_only_fields = fields


class TargetGroupSerializer(ModelSerializer):
    class Meta:
        model = TargetGroup
        fields = ["id", "group", "age_band", "sex", "planned", "actual"]
        read_only_fields = fields


class GoodsSerializer(ModelSerializer):
    class Meta:
        model = DistributedGoods
        fields = ["item", "quantity"]
        read_only_fields = fields


class MaterialSerializer(ModelSerializer):
    url = serializers.SerializerMethodField(help_text=_("Served to the programme's readers only."))

    class Meta:
        model = ProgrammeMaterial
        fields = ["name", "content_type", "size", "uploaded_at", "url"]
        read_only_fields = fields

    def get_url(self, material: ProgrammeMaterial) -> str:
        return reverse("programme-material", args=[material.token])


class PhotoSerializer(ModelSerializer):
    url = serializers.SerializerMethodField(help_text=_("Served to the programme's readers only."))

    class Meta:
        model = ProgrammePhoto
        fields = ["content_type", "width", "height", "uploaded_at", "url"]
        read_only_fields = fields

    def get_url(self, photo: ProgrammePhoto) -> str:
        return reverse("programme-photo", args=[photo.token])


class ProgrammeActionItemSerializer(ModelSerializer):
    owner_agency = AgencyRefSerializer(read_only=True)
    owner_person: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(
        read_only=True, help_text=_("User id")
    )

    class Meta:
        model = ActionItem
        fields = ["id", "description", "owner_agency", "owner_person", "due_date", "status", "updated_at"]
        read_only_fields = fields


class ProgrammeSerializer(ModelSerializer):
    organiser = AgencyRefSerializer(read_only=True)
    area = AreaRefSerializer(read_only=True)

    class Meta:
        model = Programme
        fields = [
            "id",
            "kind",
            "title",
            "status",
            "is_public",
            "organiser",
            "area",
            "venue",
            "latitude",
            "longitude",
            "starts_at",
            "ends_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ProgrammeDetailSerializer(ProgrammeSerializer):
    partners = AgencyRefSerializer(many=True, read_only=True)
    sessions = SessionSerializer(many=True, read_only=True)
    target_groups = TargetGroupSerializer(many=True, read_only=True)
    goods = GoodsSerializer(many=True, read_only=True)
    materials = MaterialSerializer(many=True, read_only=True)
    photos = PhotoSerializer(many=True, read_only=True)
    action_items = ProgrammeActionItemSerializer(many=True, read_only=True)

    class Meta(ProgrammeSerializer.Meta):
        fields = [
            *ProgrammeSerializer.Meta.fields,
            "description",
            "partners",
            "sessions",
            "target_groups",
            "goods",
            "materials",
            "photos",
            "approved_at",
            "cancel_reason",
            "objectives",
            "activities",
            "results",
            "lessons",
            "reported_at",
            "action_items",
        ]
        read_only_fields = fields


# --- Input ---------------------------------------------------------------------------------


class SessionInputSerializer(serializers.Serializer):
    starts_at = DateTimeField()
    ends_at = DateTimeField()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "starts_at" not in attrs or "ends_at" not in attrs:
            raise serializers.ValidationError(_("Give the start and the end."))
        if attrs["ends_at"] <= attrs["starts_at"]:
            raise serializers.ValidationError({"ends_at": _("The end must come after the start.")})
        return attrs


class TargetGroupInputSerializer(serializers.Serializer):
    group = serializers.ChoiceField(choices=TargetGroup.Group.choices)
    age_band = serializers.ChoiceField(choices=TargetGroup.AgeBand.choices, default=TargetGroup.AgeBand.ANY)
    sex = serializers.ChoiceField(choices=TargetGroup.Sex.choices, default=TargetGroup.Sex.ANY)
    planned = serializers.IntegerField(min_value=1, max_value=1_000_000)


class GoodsInputSerializer(serializers.Serializer):
    item = serializers.CharField(max_length=200)
    quantity = serializers.IntegerField(min_value=1, max_value=10_000_000)


class ProgrammeUpdateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Programme.Kind.choices, required=False)
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    area = serializers.PrimaryKeyRelatedField(queryset=Area.objects.all(), required=False, help_text=_("Area id"))
    venue = serializers.CharField(max_length=300, required=False, allow_blank=True)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)
    is_public = serializers.BooleanField(required=False)
    partners = agency_field(many=True, required=False)
    sessions = serializers.ListField(child=SessionInputSerializer(), required=False, max_length=30)
    target_groups = serializers.ListField(child=TargetGroupInputSerializer(), required=False, max_length=20)
    goods = serializers.ListField(child=GoodsInputSerializer(), required=False, max_length=20)


class ProgrammeCreateSerializer(ProgrammeUpdateSerializer):
    kind = serializers.ChoiceField(choices=Programme.Kind.choices)
    title = serializers.CharField(max_length=200)
    area = serializers.PrimaryKeyRelatedField(queryset=Area.objects.all(), help_text=_("Area id"))
    sessions = serializers.ListField(child=SessionInputSerializer(), min_length=1, max_length=30)
    target_groups = serializers.ListField(child=TargetGroupInputSerializer(), min_length=1, max_length=20)
    organiser = agency_field(required=False, allow_null=True)


class AttendanceRowSerializer(serializers.Serializer):
    target_group = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text=_("Target group id"))
    actual = serializers.IntegerField(min_value=0, max_value=1_000_000)


class ProgrammeAttendanceSerializer(serializers.Serializer):
    attendance = serializers.ListField(child=AttendanceRowSerializer(), max_length=20)


class ReportSerializer(serializers.Serializer):
    objectives = serializers.CharField(max_length=10000, required=False, allow_blank=True, default="")
    activities = serializers.CharField(max_length=10000)
    results = serializers.CharField(max_length=10000, required=False, allow_blank=True, default="")
    lessons = serializers.CharField(max_length=10000, required=False, allow_blank=True, default="")


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ProgrammeActionItemCreateSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=5000)
    owner_agency = agency_field()
    owner_person = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True, help_text=_("User id")
    )
    due_date = serializers.DateField()
