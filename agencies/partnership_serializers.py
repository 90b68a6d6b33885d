"""Serializers of the partnerships API: a partnership with each party's answer, the proposal
and the answer requests (agencies/api.py)."""

from __future__ import annotations

from django.contrib.auth.models import User as AuthUser
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from common.serializers import ModelSerializer

from .manage.services import can_read_document
from .models import (
    Agency,
    Partnership,
    PartnershipAnswer,
)
from .serializers import AgencyRefSerializer

# --- Partnerships ---------------------------------------------------------------------------

SCOPES_HELP = _("Any of: information_sharing, joint_patrol, disaster_response, training")


class PartnershipAnswerSerializer(ModelSerializer):
    agency = AgencyRefSerializer(read_only=True)
    answered_by: serializers.SlugRelatedField[AuthUser] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True, help_text=_("Username of who answered")
    )

    class Meta:
        model = PartnershipAnswer
        fields = ["agency", "answer", "answered_by", "answered_at"]
        read_only_fields = fields


class PartnershipSerializer(ModelSerializer):
    agencies = AgencyRefSerializer(many=True, read_only=True)
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=Partnership.Scope.choices), read_only=True, help_text=SCOPES_HELP
    )
    is_current = serializers.SerializerMethodField(
        help_text=_("In force today: accepted by every party, not ended, between its dates")
    )
    answers = PartnershipAnswerSerializer(
        many=True, read_only=True, help_text=_("Each party's answer (the proposing agency's is its proposal)")
    )
    proposed_by: serializers.SlugRelatedField[AuthUser] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    proposed_by_agency = AgencyRefSerializer(read_only=True, allow_null=True)
    ended_by: serializers.SlugRelatedField[AuthUser] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    ended_by_agency = AgencyRefSerializer(read_only=True, allow_null=True)
    document = serializers.SerializerMethodField(
        help_text=_("Where the parties' members download the MoU (null: none, or not a party)")
    )

    class Meta:
        model = Partnership
        fields = [
            "id",
            "title",
            "reference",
            "agencies",
            "scopes",
            "valid_from",
            "valid_until",
            "is_current",
            "status",
            "answers",
            "proposed_by",
            "proposed_by_agency",
            "proposed_at",
            "in_force_since",
            "ended_by",
            "ended_by_agency",
            "ended_at",
            "supersedes",
            "notes",
            "document",
        ]
        read_only_fields = fields

    def get_is_current(self, obj: Partnership) -> bool:
        return obj.is_in_force()

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_document(self, obj: Partnership) -> str | None:
        request = self.context.get("request")
        if not obj.document or request is None or not can_read_document(user=request.user, partnership=obj):
            return None
        return request.build_absolute_uri(reverse("partnership-document", args=[obj.pk]))


@extend_schema_serializer(component_name="Partnership")
class PartnershipWriteSerializer(ModelSerializer):
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=Partnership.Scope.choices), allow_empty=False, help_text=SCOPES_HELP
    )
    proposing_agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.filter(is_active=True),
        required=False,
        help_text=_("The party on whose behalf you propose (needed only if you command several of them)"),
    )
    supersedes = serializers.PrimaryKeyRelatedField(
        queryset=Partnership.objects.filter(status=Partnership.Status.IN_FORCE),
        required=False,
        help_text=_("A partnership in force that this proposal replaces once every party accepts it"),
    )

    class Meta:
        model = Partnership
        fields = [
            "title",
            "reference",
            "agencies",
            "scopes",
            "valid_from",
            "valid_until",
            "notes",
            "proposing_agency",
            "supersedes",
        ]
        extra_kwargs = {"agencies": {"help_text": _("Ids of the agencies bound, at least two")}}


class PartnershipAnswerRequestSerializer(serializers.Serializer):
    agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.all(),
        required=False,
        help_text=_("The party on whose behalf you act (needed only if you could act for several)"),
    )
