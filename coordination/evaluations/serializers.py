"""Serializers of the evaluations API (api.py): the evaluation as its readers see it, and the
inputs of each write."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from agencies.models import Area, Partnership
from agencies.serializers import AgencyRefSerializer
from common.serializers import ModelSerializer
from coordination.api_fields import agency_field
from coordination.models import ActionItem, Evaluation, EvaluationFinding, KpiTarget

from .kpis.definitions import KPIS

User = get_user_model()


class EvaluationSerializer(ModelSerializer):
    owner_agency = AgencyRefSerializer(read_only=True)
    scope_id = serializers.SerializerMethodField(
        help_text=_("The agency, area or partnership evaluated (null: the city).")
    )

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "title",
            "owner_agency",
            "period_kind",
            "period_start",
            "period_end",
            "scope_kind",
            "scope_id",
            "status",
            "origin",
            "recurring",
            "public",
            "computed_at",
            "reviewed_at",
            "published_at",
        ]
        read_only_fields = fields

    def get_scope_id(self, evaluation: Evaluation) -> int | None:
        return evaluation.scope_agency_id or evaluation.scope_area_id or evaluation.scope_partnership_id


class FindingSerializer(ModelSerializer):
    class Meta:
        model = EvaluationFinding
        fields = ["id", "kpi", "text", "position"]
        read_only_fields = fields


class EvaluationActionItemSerializer(ModelSerializer):
    owner_agency = AgencyRefSerializer(read_only=True)
    owner_person: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(
        read_only=True, help_text=_("User id")
    )
    finding: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(
        read_only=True, help_text=_("Finding id")
    )

    class Meta:
        model = ActionItem
        fields = ["id", "description", "owner_agency", "owner_person", "finding", "due_date", "status", "closed_at"]
        read_only_fields = fields


class EvaluationDetailSerializer(EvaluationSerializer):
    snapshot = serializers.JSONField(
        read_only=True,
        help_text=_("The computed figures: every KPI and breakdown of the period."),
    )
    findings = FindingSerializer(many=True, read_only=True)
    action_items = EvaluationActionItemSerializer(many=True, read_only=True)
    shared_with = AgencyRefSerializer(many=True, read_only=True)

    class Meta(EvaluationSerializer.Meta):
        fields = [*EvaluationSerializer.Meta.fields, "summary", "snapshot", "findings", "action_items", "shared_with"]
        read_only_fields = fields


class EvaluationCreateSerializer(serializers.Serializer):
    period_kind = serializers.ChoiceField(choices=Evaluation.PeriodKind.choices)
    period_start = serializers.DateField(help_text=_("Any day of the period."))
    scope_kind = serializers.ChoiceField(choices=Evaluation.ScopeKind.choices)
    owner_agency = agency_field(required=False, allow_null=True)
    scope_agency = agency_field(required=False, allow_null=True)
    scope_area = serializers.PrimaryKeyRelatedField(
        queryset=Area.objects.all(), required=False, allow_null=True, help_text=_("Area id")
    )
    scope_partnership = serializers.PrimaryKeyRelatedField(
        queryset=Partnership.objects.all(), required=False, allow_null=True, help_text=_("Partnership id")
    )
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    recurring = serializers.BooleanField(required=False, default=False)


class EvaluationUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    summary = serializers.CharField(max_length=10000, required=False, allow_blank=True)
    recurring = serializers.BooleanField(required=False)


class EvaluationPublishSerializer(serializers.Serializer):
    shared_with = agency_field(many=True, required=False)


class EvaluationPublicSerializer(serializers.Serializer):
    public = serializers.BooleanField(help_text=_("True shows the public summary on the portal, false withdraws it."))


class FindingWriteSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=5000)
    kpi = serializers.ChoiceField(choices=[("", "")] + [(k, k) for k in KPIS], required=False, allow_blank=True)


class FindingChangeSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text=_("Finding id"))
    text = serializers.CharField(max_length=5000, required=False)
    kpi = serializers.ChoiceField(choices=[("", "")] + [(k, k) for k in KPIS], required=False, allow_blank=True)


class FindingOrderSerializer(serializers.Serializer):
    order = serializers.ListField(child=serializers.IntegerField(), max_length=200, help_text=_("Finding ids"))


class EvaluationActionItemCreateSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=5000)
    owner_agency = agency_field()
    owner_person = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True, help_text=_("User id")
    )
    due_date = serializers.DateField()
    finding = serializers.PrimaryKeyRelatedField(
        queryset=EvaluationFinding.objects.all(), required=False, allow_null=True, help_text=_("Finding id")
    )


class KpiTargetSerializer(ModelSerializer):
    class Meta:
        model = KpiTarget
        fields = ["id", "kpi", "agency", "value", "updated_at"]
        read_only_fields = fields


class KpiTargetWriteSerializer(serializers.Serializer):
    kpi = serializers.ChoiceField(choices=[(k, k) for k in KPIS])
    agency = agency_field(required=False, allow_null=True)
    value = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True, help_text=_("The target; null removes it.")
    )
