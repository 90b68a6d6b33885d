"""Serializers of the meetings API (coordination/meetings/api.py): the meeting as its readers
see it (agenda and minutes also as sanitised HTML), and the inputs of each write."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from agencies.models import Area
from agencies.serializers import AgencyRefSerializer, AreaRefSerializer
from common.markdown import render_markdown
from common.serializers import DateTimeField, ModelSerializer
from coordination.api_fields import agency_field, check_window
from coordination.models import ActionItem, Meeting, MeetingDecision, MeetingInvitee

User = get_user_model()


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()

    def to_representation(self, user: Any) -> dict[str, Any]:
        return {"id": user.pk, "name": user.get_full_name() or user.get_username()}


class InviteeSerializer(ModelSerializer):
    agency = AgencyRefSerializer(read_only=True)
    person = PersonSerializer(source="user", read_only=True, allow_null=True)

    class Meta:
        model = MeetingInvitee
        fields = ["id", "agency", "person", "rsvp", "rsvp_at", "present"]
        read_only_fields = fields


class DecisionSerializer(ModelSerializer):
    class Meta:
        model = MeetingDecision
        fields = ["id", "text", "created_at"]
        read_only_fields = fields


class MeetingActionItemSerializer(ModelSerializer):
    owner_agency = AgencyRefSerializer(read_only=True)
    owner_person = PersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = ActionItem
        fields = ["id", "description", "owner_agency", "owner_person", "due_date", "status", "updated_at"]
        read_only_fields = fields


class MeetingSerializer(ModelSerializer):
    organiser = AgencyRefSerializer(read_only=True)
    area = AreaRefSerializer(read_only=True)
    agenda_html = serializers.SerializerMethodField(help_text=_("The agenda rendered and sanitised."))
    ics_url = serializers.SerializerMethodField(help_text=_("The iCalendar invitation."))

    class Meta:
        model = Meeting
        fields = [
            "id",
            "title",
            "status",
            "organiser",
            "area",
            "place",
            "online_url",
            "starts_at",
            "ends_at",
            "agenda",
            "agenda_html",
            "sequence",
            "ics_url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_agenda_html(self, meeting: Meeting) -> str:
        return str(render_markdown(meeting.agenda))

    def get_ics_url(self, meeting: Meeting) -> str:
        return reverse("meeting-ics", args=[meeting.pk])


class MeetingDetailSerializer(MeetingSerializer):
    minutes_html = serializers.SerializerMethodField(help_text=_("The minutes rendered and sanitised."))
    invitees = InviteeSerializer(many=True, read_only=True)
    decisions = DecisionSerializer(many=True, read_only=True)
    action_items = MeetingActionItemSerializer(many=True, read_only=True)

    class Meta(MeetingSerializer.Meta):
        fields = [*MeetingSerializer.Meta.fields, "minutes", "minutes_html", "invitees", "decisions", "action_items"]
        read_only_fields = fields

    def get_minutes_html(self, meeting: Meeting) -> str:
        return str(render_markdown(meeting.minutes))


# --- Input ---------------------------------------------------------------------------------


def _persons() -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        many=True,
        required=False,
        help_text=_("User ids of invited persons, each a member of an invited agency"),
    )


class MeetingUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    agenda = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    place = serializers.CharField(max_length=300, required=False, allow_blank=True)
    online_url = serializers.URLField(max_length=500, required=False, allow_blank=True)
    area = serializers.PrimaryKeyRelatedField(queryset=Area.objects.all(), required=False, help_text=_("Area id"))
    starts_at = DateTimeField(required=False)
    ends_at = DateTimeField(required=False)
    invited_agencies = agency_field(many=True, required=False)
    invited_persons = _persons()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        check_window(attrs, self.instance, "starts_at", "ends_at")
        return attrs


class MeetingCreateSerializer(MeetingUpdateSerializer):
    title = serializers.CharField(max_length=200)
    area = serializers.PrimaryKeyRelatedField(queryset=Area.objects.all(), help_text=_("Area id"))
    starts_at = DateTimeField()
    ends_at = DateTimeField()
    organiser = agency_field(required=False, allow_null=True)


class RsvpSerializer(serializers.Serializer):
    response = serializers.ChoiceField(
        choices=[MeetingInvitee.Rsvp.ACCEPTED, MeetingInvitee.Rsvp.TENTATIVE, MeetingInvitee.Rsvp.DECLINED]
    )
    agency = agency_field(required=False, allow_null=True)


class PresenceSerializer(serializers.Serializer):
    invitee = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text=_("Invitee id"))
    present = serializers.BooleanField()


class AttendanceSerializer(serializers.Serializer):
    present = serializers.ListField(child=PresenceSerializer(), max_length=2000)


class MinutesSerializer(serializers.Serializer):
    minutes = serializers.CharField(max_length=50000, allow_blank=True)


class DecisionCreateSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=5000)


class MeetingActionItemCreateSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=5000)
    owner_agency = agency_field()
    owner_person = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True, help_text=_("User id")
    )
    due_date = serializers.DateField()
