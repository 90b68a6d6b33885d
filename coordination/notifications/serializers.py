"""Serializers of the one inbox's API (coordination/notifications/api.py)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agencies.serializers import AgencyRefSerializer
from common.serializers import DateTimeField, IdField, ModelSerializer
from coordination.models import InboxItem

from .kinds import GROUPS


class InboxQuerySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=list(GROUPS), required=False, help_text=_("Only entries of this kind"))
    unread = serializers.BooleanField(required=False, allow_null=True, default=None)
    needs_ack = serializers.BooleanField(required=False, allow_null=True, default=None)
    page = serializers.IntegerField(required=False, min_value=1, max_value=10_000, default=1)


class InboxEntrySerializer(serializers.Serializer):
    """An entry written now for the reader: a withdrawn one names nothing and links nowhere."""

    key = serializers.CharField(help_text=_('What marking read takes: "alert-ALERT_ID" or "item-ENTRY_ID"'))
    kind = serializers.CharField()
    group = serializers.CharField()
    created_at = DateTimeField()
    unread = serializers.BooleanField()
    needs_ack = serializers.BooleanField()
    withdrawn = serializers.BooleanField()
    text = serializers.CharField()
    url = serializers.CharField(allow_null=True)
    severity = serializers.IntegerField(allow_null=True, help_text=_("An alert's severity, 1 (Minor) to 4 (Extreme)"))
    agency = AgencyRefSerializer(allow_null=True)
    alert = serializers.SerializerMethodField()

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_alert(self, entry: Any) -> int | None:
        return entry.alert.pk if entry.alert is not None else None


class InboxPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    more = serializers.BooleanField(help_text=_("More entries than the count says (counts stop at 1,000)"))
    page = serializers.IntegerField()
    has_next = serializers.BooleanField()
    results = InboxEntrySerializer(many=True)


class MyInboxReadSerializer(serializers.Serializer):
    entries = serializers.ListField(
        child=serializers.RegexField(r"^(alert|item)-[1-9][0-9]{0,17}$"),
        required=False,
        max_length=500,
        help_text=_("Entry keys; left out: all of them"),
    )


class MyInboxCountsSerializer(serializers.Serializer):
    unread = serializers.IntegerField()
    alerts = serializers.IntegerField()
    items = serializers.IntegerField()
    unacknowledged = serializers.IntegerField()


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField()


# --- The operations' notifications (the API before the one inbox, kept) -------------------


class NotificationOperationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class NotificationSerializer(ModelSerializer):
    """Written when read (`selectors.notification_texts`): the operation is null and the
    message neutral once the reader may no longer read the operation."""

    agency = AgencyRefSerializer(read_only=True)
    operation = serializers.SerializerMethodField()
    message = serializers.SerializerMethodField()
    kind = serializers.SerializerMethodField()

    class Meta:
        model = InboxItem
        fields = ["id", "agency", "operation", "kind", "message", "created_at", "read_at"]
        read_only_fields = fields

    @extend_schema_field(NotificationOperationSerializer(allow_null=True))
    def get_operation(self, obj: InboxItem) -> dict[str, Any] | None:
        if not getattr(obj, "operation_readable", False) or obj.operation is None:
            return None
        return {"id": obj.operation.pk, "name": obj.operation.name}

    @extend_schema_field(serializers.CharField())
    def get_message(self, obj: InboxItem) -> str:
        return str(getattr(obj, "text", ""))

    @extend_schema_field(serializers.CharField())
    def get_kind(self, obj: InboxItem) -> str:
        return obj.kind.split(".", 1)[-1]


class NotificationReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=IdField(),
        required=False,
        max_length=500,
        help_text=_("Notification ids; left out: all of them"),
    )
