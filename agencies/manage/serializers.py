"""Serializers of the invitations API."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from common.serializers import ModelSerializer

from ..models import Agency, Invitation, Membership


class InvitationSerializer(ModelSerializer):
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    state = serializers.SerializerMethodField(help_text=_("open, accepted, revoked or expired"))

    class Meta:
        model = Invitation
        fields = [
            "id",
            "agency",
            "agency_name",
            "email",
            "role",
            "state",
            "created_at",
            "expires_at",
            "accepted_at",
            "revoked_at",
        ]
        read_only_fields = fields

    def get_state(self, obj: Invitation) -> str:
        if obj.accepted_at:
            return "accepted"
        if obj.revoked_at:
            return "revoked"
        return "open" if obj.is_open else "expired"


class InvitationCreateSerializer(serializers.Serializer):
    agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all())
    email = serializers.EmailField(max_length=254)
    role = serializers.ChoiceField(choices=Membership.Role.choices)
