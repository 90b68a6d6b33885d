"""Serializers of the bulletins API (coordination/bulletins/api.py).

Output serializers show each reader the text they may read: the full text, or the releasable
title, text and classification to an agency on the wider list (with no attachments)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agencies.models import Agency, Classification
from agencies.serializers import AgencyRefSerializer, AreaRefSerializer
from common.serializers import DateTimeField, ModelSerializer, SlugRelatedField
from coordination.api_fields import agency_field, areas_field
from coordination.models import Bulletin, BulletinAttachment, BulletinReceipt, BulletinRecipient, BulletinReply
from incidents.models import Category

from .distribution import SCOPES
from .presenters import render_markdown


class DistributionSerializer(serializers.Serializer):
    agencies = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1), required=False, max_length=2000
    )
    kinds = serializers.ListField(child=serializers.ChoiceField(choices=Agency.Kind.choices), required=False)
    areas = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1), required=False, max_length=200
    )
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=list(SCOPES)), required=False)


class AttachmentSerializer(ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = BulletinAttachment
        fields = ["name", "content_type", "size", "url"]
        read_only_fields = fields

    def get_url(self, attachment: BulletinAttachment) -> str:
        return reverse("bulletin-attachment", args=[attachment.token])


class BulletinSerializer(ModelSerializer):
    issuing_agency = AgencyRefSerializer(read_only=True)
    category: serializers.SlugRelatedField[Category] = SlugRelatedField(slug_field="code", read_only=True)
    areas = AreaRefSerializer(many=True, read_only=True)
    text = serializers.SerializerMethodField(help_text=_("Which text you read: full or releasable."))
    body_html = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()

    class Meta:
        model = Bulletin
        fields = [
            "id",
            "title",
            "body",
            "body_html",
            "classification",
            "text",
            "issuing_agency",
            "category",
            "areas",
            "status",
            "version",
            "ack_required",
            "ack_deadline",
            "attachments",
            "created_at",
            "withdrawn_at",
            "withdraw_reason",
        ]
        read_only_fields = fields

    def _full(self, bulletin: Bulletin) -> bool:
        return bool(getattr(bulletin, "reads_full", False))

    def get_text(self, bulletin: Bulletin) -> str:
        return "full" if self._full(bulletin) else "releasable"

    def get_body_html(self, bulletin: Bulletin) -> str:
        return str(render_markdown(bulletin.body if self._full(bulletin) else bulletin.releasable_body))

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, bulletin: Bulletin) -> list[dict[str, Any]]:
        if not self._full(bulletin):
            return []
        return list(AttachmentSerializer(bulletin.attachments.all(), many=True).data)

    def to_representation(self, bulletin: Bulletin) -> dict[str, Any]:
        data = super().to_representation(bulletin)
        if not self._full(bulletin):
            data["title"] = bulletin.releasable_title or bulletin.title
            data["body"] = bulletin.releasable_body
            data["classification"] = bulletin.releasable_classification
        return data


class BulletinCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=50000)
    classification = serializers.ChoiceField(choices=Classification.choices)
    issuing_agency = agency_field(required=False, allow_null=True)
    category = SlugRelatedField(slug_field="code", queryset=Category.objects.all(), required=False, allow_null=True)
    areas = areas_field()
    distribution = DistributionSerializer()
    releasable_title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    releasable_body = serializers.CharField(max_length=20000, required=False, allow_blank=True, default="")
    releasable_classification = serializers.ChoiceField(
        choices=Classification.choices, required=False, allow_blank=True, default=""
    )
    releasable_distribution = DistributionSerializer(required=False)
    ack_required = serializers.BooleanField(required=False, default=False)
    ack_deadline = DateTimeField(required=False, allow_null=True, default=None)


class BulletinPreviewSerializer(serializers.Serializer):
    classification = serializers.ChoiceField(choices=Classification.choices)
    issuing_agency = agency_field(required=False, allow_null=True)
    distribution = DistributionSerializer()
    releasable_classification = serializers.ChoiceField(
        choices=Classification.choices, required=False, allow_blank=True, default=""
    )
    releasable_distribution = DistributionSerializer(required=False)


class PreviewRowSerializer(serializers.Serializer):
    agency = AgencyRefSerializer()
    reason = serializers.CharField()


class PreviewSerializer(serializers.Serializer):
    full = PreviewRowSerializer(many=True)
    releasable = PreviewRowSerializer(many=True)
    excluded = PreviewRowSerializer(many=True)


class BulletinAmendSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    body = serializers.CharField(max_length=50000, required=False)
    releasable_title = serializers.CharField(max_length=200, required=False)
    releasable_body = serializers.CharField(max_length=20000, required=False)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class BulletinAcknowledgeSerializer(serializers.Serializer):
    agency = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text=_("The agency you acknowledge for, when you are a member of several recipients"),
    )


class BulletinWithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class ReplySerializer(ModelSerializer):
    author: serializers.SlugRelatedField[Any] = SlugRelatedField(slug_field="username", read_only=True)
    agency = AgencyRefSerializer(read_only=True)

    class Meta:
        model = BulletinReply
        fields = ["id", "author", "agency", "body", "created_at"]
        read_only_fields = ["id", "author", "agency", "created_at"]


class RecipientSerializer(ModelSerializer):
    agency = AgencyRefSerializer(read_only=True)
    acknowledged_by: serializers.SlugRelatedField[Any] = SlugRelatedField(slug_field="username", read_only=True)
    read = serializers.SerializerMethodField()

    class Meta:
        model = BulletinRecipient
        fields = [
            "agency",
            "tier",
            "reason",
            "read",
            "acknowledged_at",
            "acknowledged_by",
            "reminded_at",
            "escalated_at",
        ]
        read_only_fields = fields

    def get_read(self, row: BulletinRecipient) -> bool:
        return bool(getattr(row, "has_readers", False) or row.acknowledged_at)


class ReceiptSerializer(ModelSerializer):
    user: serializers.SlugRelatedField[Any] = SlugRelatedField(slug_field="username", read_only=True)
    agency = AgencyRefSerializer(read_only=True)

    class Meta:
        model = BulletinReceipt
        fields = ["user", "agency", "read_at", "read_version"]
        read_only_fields = fields


class ProgressSerializer(serializers.Serializer):
    recipients = RecipientSerializer(many=True)
    receipts = ReceiptSerializer(many=True)
    total = serializers.IntegerField()
    read = serializers.IntegerField()
    acknowledged = serializers.IntegerField()


class CountsSerializer(serializers.Serializer):
    unread = serializers.IntegerField()
    awaiting_acknowledgement = serializers.IntegerField()
