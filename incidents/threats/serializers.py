"""Serializers of the threats API (api.py): CAP 1.2 names on the wire for severity, urgency
and certainty, the output of threats, alerts and the inbox, and the input of every write."""

from __future__ import annotations

from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import (
    extend_schema_field,
)
from rest_framework import serializers

from agencies.models import Agency, Area, Classification
from agencies.selectors import user_agency_ids, user_is_staff
from agencies.serializers import AgencyRefSerializer, AreaRefSerializer
from common.serializers import DateTimeField, IdField, ModelSerializer, SlugRelatedField
from incidents.models import Alert, CapSender, Category, Delivery, QuickResponse, Threat
from incidents.serializers import CapUrgencyField, IncidentSeverityField

from . import cap
from . import selectors as threat_selectors


class StateField(serializers.ChoiceField):
    """Where a threat stands: active, cancelled (a CAP Cancel) or expired (past its expiry)."""

    STATES = ("active", "cancelled", "expired")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=[(s, s) for s in self.STATES], **kwargs)


class CapCertaintyField(serializers.ChoiceField):
    """A CAP certainty name ("Observed", "Likely", "Possible", "Unlikely", "Unknown"), stored as its integer."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "help_text", _('CAP 1.2 certainty name: "Unknown", "Unlikely", "Possible", "Likely" or "Observed".')
        )
        super().__init__(choices=[(name, name) for name in cap.CERTAINTY_VALUES], **kwargs)

    def to_internal_value(self, data: Any) -> int:  # type: ignore[override]  # a CAP name in, the model's int out
        if isinstance(data, str):
            data = data.strip().capitalize()
        return cap.CERTAINTY_VALUES[super().to_internal_value(data)]

    def to_representation(self, value: Any) -> str:
        return cap.CERTAINTY_NAMES.get(int(value), str(value))


class _NamedChoiceField(serializers.ChoiceField):
    """A ChoiceField whose schema component has a fixed name (see the extension below)."""

    component = ""


class MsgTypeField(_NamedChoiceField):
    component = "CapMsgType"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=Threat.MsgType.choices, **kwargs)


class CapStatusField(_NamedChoiceField):
    component = "CapStatus"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=Threat.CapStatus.choices, **kwargs)


class ThreatSourceField(_NamedChoiceField):
    component = "ThreatSource"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=Threat.Source.choices, **kwargs)


class AlertReasonField(_NamedChoiceField):
    component = "AlertReason"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=Alert.Reason.choices, **kwargs)


# drf-spectacular names an enum after the field carrying it; `status`, `source` and `reason`
# carry other sets elsewhere in the API. These extensions name the components once.
class _StateFieldExtension(OpenApiSerializerFieldExtension):
    target_class = StateField

    def get_name(self) -> str:
        return "ThreatState"

    def map_serializer_field(self, auto_schema: AutoSchema, direction: str) -> dict[str, Any]:
        return {"type": "string", "enum": list(StateField.STATES)}


class _CertaintyFieldExtension(OpenApiSerializerFieldExtension):
    target_class = CapCertaintyField

    def get_name(self) -> str:
        return "CapCertainty"

    def map_serializer_field(self, auto_schema: AutoSchema, direction: str) -> dict[str, Any]:
        return {"type": "string", "enum": list(cap.CERTAINTY_VALUES)}


class _NamedChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = _NamedChoiceField
    match_subclasses = True

    def get_name(self) -> str:
        return self.target.component

    def map_serializer_field(self, auto_schema: AutoSchema, direction: str) -> dict[str, Any]:
        return {"type": "string", "enum": [str(key) for key in self.target.choices]}


def threat_state(threat: Threat, now: Any = None) -> str:
    if threat.is_cancelled:
        return "cancelled"
    if threat.expires_at and threat.expires_at <= (now or timezone.now()):
        return "expired"
    return "active"


# --- Output ---------------------------------------------------------------------------------


class ThreatCategorySerializer(ModelSerializer):
    name = serializers.CharField(read_only=True, help_text=_("In the request language"))

    class Meta:
        model = Category
        fields = ["code", "name", "cap_category"]
        read_only_fields = fields


class ThreatSerializer(ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api-threat-detail")
    cap_url = serializers.SerializerMethodField(help_text=_("This threat as a CAP 1.2 alert"))
    status = serializers.SerializerMethodField(help_text=_("active, cancelled (CAP Cancel) or expired"))
    msg_type = MsgTypeField(read_only=True)
    cap_status = CapStatusField(read_only=True)
    source = ThreatSourceField(read_only=True)  # type: ignore[assignment]  # the API's field, not Field.source
    category = ThreatCategorySerializer(read_only=True)
    severity = IncidentSeverityField(read_only=True)
    urgency = CapUrgencyField(read_only=True)
    certainty = CapCertaintyField(read_only=True)
    areas = AreaRefSerializer(many=True, read_only=True)
    issuing_agency = AgencyRefSerializer(read_only=True, allow_null=True)
    named_agencies = AgencyRefSerializer(many=True, read_only=True)

    class Meta:
        model = Threat
        fields = [
            "id",
            "url",
            "cap_url",
            "identifier",
            "sender",
            "sent_at",
            "msg_type",
            "cap_status",
            "revision",
            "source",
            "status",
            "headline",
            "description",
            "instruction",
            "headline_en",
            "description_en",
            "instruction_en",
            "category",
            "severity",
            "urgency",
            "certainty",
            "classification",
            "areas",
            "effective_at",
            "onset_at",
            "expires_at",
            "issuing_agency",
            "named_agencies",
            "incident",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField())
    def get_cap_url(self, obj: Threat) -> str:
        path = reverse("api-threat-cap", args=[obj.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    @extend_schema_field(StateField())
    def get_status(self, obj: Threat) -> str:
        return threat_state(obj)


class ProgressAgencySerializer(serializers.Serializer):
    alert_id = serializers.IntegerField()
    agency_id = serializers.IntegerField()
    agency = serializers.CharField()
    reason = AlertReasonField()
    acknowledged_at = DateTimeField(allow_null=True)
    acknowledged_by = serializers.CharField(allow_null=True)
    quick_response = serializers.CharField(allow_blank=True, help_text=_("Quick response code, or empty"))
    quick_response_label = serializers.CharField(
        allow_blank=True, help_text=_("The quick response in the request's language")
    )
    response = serializers.CharField(allow_blank=True, help_text=_("Free text, as typed"))
    escalation_level = serializers.IntegerField()
    withdrawn = serializers.BooleanField(
        help_text=_("The agency may no longer read the threat: its alert waits for nothing and gets nothing more")
    )
    deliveries = serializers.DictField(
        child=serializers.IntegerField(), help_text=_("Deliveries of the current revision by status")
    )


class ThreatProgressSerializer(serializers.Serializer):
    revision = serializers.IntegerField()
    fanned_out = serializers.BooleanField(help_text=_("The current revision's alerts and deliveries exist"))
    alerts = serializers.IntegerField(help_text=_("Agencies alerted"))
    acknowledged = serializers.IntegerField(help_text=_("Agencies that acknowledged"))
    deliveries = serializers.DictField(child=serializers.IntegerField(), help_text=_("All deliveries by status"))
    agencies = ProgressAgencySerializer(many=True)


class ThreatDetailSerializer(ThreatSerializer):
    cap_areas = serializers.JSONField(
        read_only=True,
        help_text=_("CAP <area> blocks as received (areaDesc, polygons, circles, geocodes) for imported threats"),
    )
    progress = serializers.SerializerMethodField(
        help_text=_("Fan-out and acknowledgement progress: for the issuing agency's members and staff, else null")
    )

    class Meta(ThreatSerializer.Meta):
        fields = [*ThreatSerializer.Meta.fields, "cap_areas", "progress"]
        read_only_fields = fields

    @extend_schema_field(ThreatProgressSerializer(allow_null=True))
    def get_progress(self, obj: Threat) -> dict[str, Any] | None:
        request = self.context.get("request")
        if request is None or not threat_selectors.can_follow_progress(user=request.user, threat=obj):
            return None
        return ThreatProgressSerializer(threat_selectors.threat_progress(threat=obj)).data


class ThreatRefSerializer(ModelSerializer):
    msg_type = MsgTypeField(read_only=True)
    category = ThreatCategorySerializer(read_only=True)
    severity = IncidentSeverityField(read_only=True)

    class Meta:
        model = Threat
        fields = ["id", "headline", "msg_type", "revision", "category", "severity", "classification", "sent_at"]
        read_only_fields = fields


ALERT_STATUSES = [
    ("open", _("Waiting for an acknowledgement")),
    ("acknowledged", _("Acknowledged")),
    ("cancelled", _("The issuer cancelled the threat")),
    ("withdrawn", _("Withdrawn: the agency may no longer read the threat")),
]
WITHDRAWN_HELP = _("The threat, as the agency may read it now; null once the alert is withdrawn")


class AlertStatusField(_NamedChoiceField):
    component = "AlertStatus"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=ALERT_STATUSES, **kwargs)


def withdrawable_threat(alert: Alert, withdrawn: bool, context: dict[str, Any]) -> dict[str, Any] | None:
    """The alert's threat by reference, read now: None when the alert is withdrawn (its agency
    may no longer read the threat), so that no headline nor detail outlives the rule."""
    return None if withdrawn else ThreatRefSerializer(alert.threat, context=context).data


class AlertSerializer(ModelSerializer):
    threat = serializers.SerializerMethodField(help_text=WITHDRAWN_HELP)
    status = serializers.SerializerMethodField()
    agency = AgencyRefSerializer(read_only=True)
    reason = AlertReasonField(read_only=True)
    acknowledged_by = serializers.CharField(
        source="acknowledged_by.username", read_only=True, allow_null=True, default=None
    )
    quick_response_label = serializers.CharField(
        source="get_quick_response_display", read_only=True, help_text=_("The quick response in the request's language")
    )

    class Meta:
        model = Alert
        fields = [
            "id",
            "threat",
            "status",
            "agency",
            "reason",
            "revision",
            "created_at",
            "acknowledged_at",
            "acknowledged_by",
            "quick_response",
            "quick_response_label",
            "response",
            "escalation_level",
            "escalated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(ThreatRefSerializer(allow_null=True))
    def get_threat(self, obj: Alert) -> dict[str, Any] | None:
        return withdrawable_threat(obj, getattr(obj, "withdrawn", False), self.context)

    @extend_schema_field(AlertStatusField())
    def get_status(self, obj: Alert) -> str:
        return threat_selectors.alert_status(obj)


class InboxItemSerializer(ModelSerializer):
    alert = serializers.IntegerField(source="alert_id", read_only=True)
    agency = AgencyRefSerializer(source="alert.agency", read_only=True)
    threat = serializers.SerializerMethodField(help_text=WITHDRAWN_HELP)
    status = serializers.SerializerMethodField()
    acknowledged_at = DateTimeField(source="alert.acknowledged_at", read_only=True, allow_null=True)
    unread = serializers.SerializerMethodField()

    class Meta:
        model = Delivery
        fields = [
            "id",
            "alert",
            "agency",
            "threat",
            "status",
            "revision",
            "escalation_level",
            "created_at",
            "read_at",
            "unread",
            "acknowledged_at",
        ]
        read_only_fields = fields

    @extend_schema_field(ThreatRefSerializer(allow_null=True))
    def get_threat(self, obj: Delivery) -> dict[str, Any] | None:
        return withdrawable_threat(obj.alert, getattr(obj, "withdrawn", False), self.context)

    @extend_schema_field(AlertStatusField())
    def get_status(self, obj: Delivery) -> str:
        obj.alert.withdrawn = getattr(obj, "withdrawn", False)  # type: ignore[attr-defined]
        return threat_selectors.alert_status(obj.alert)

    @extend_schema_field(serializers.BooleanField())
    def get_unread(self, obj: Delivery) -> bool:
        return obj.read_at is None


class InboxCountsSerializer(serializers.Serializer):
    unread = serializers.IntegerField(help_text=_("In-app alerts not read yet"))
    unacknowledged = serializers.IntegerField(help_text=_("Your agencies' alerts nobody acknowledged yet"))


class InboxReadResultSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text=_("Deliveries newly marked read"))


# --- Input ----------------------------------------------------------------------------------


def _areas_field(**kwargs: Any) -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(
        queryset=Area.objects.all(), many=True, allow_empty=False, help_text=_("Area ids"), **kwargs
    )


def _named_agencies_field() -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.all(),
        many=True,
        required=False,
        help_text=_("Agency ids alerted whatever their subscriptions; the only readers of a secret threat"),
    )


class ThreatUpdateSerializer(serializers.Serializer):
    """A threat's description; every field optional on PATCH. Saving it is a CAP Update."""

    headline = serializers.CharField(max_length=200, help_text=_("In Bahasa Indonesia"))
    description = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    instruction = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    headline_en = serializers.CharField(required=False, allow_blank=True, max_length=200)
    description_en = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    instruction_en = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    category = SlugRelatedField(
        slug_field="code",
        queryset=Category.objects.filter(is_active=True),
        help_text=_("Category code, e.g. terrorism-threat"),
    )
    severity = IncidentSeverityField(required=False)
    urgency = CapUrgencyField(required=False)
    certainty = CapCertaintyField(required=False)
    classification = serializers.ChoiceField(choices=Classification.choices, required=False)
    cap_status = CapStatusField(required=False, help_text=_("CAP status; Exercise or Test for drills"))
    areas = _areas_field()
    named_agencies = _named_agencies_field()
    effective_at = DateTimeField(required=False, allow_null=True)
    onset_at = DateTimeField(required=False, allow_null=True)
    expires_at = DateTimeField(required=False, allow_null=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        effective = attrs["effective_at"] if "effective_at" in attrs else getattr(self.instance, "effective_at", None)
        expires = attrs["expires_at"] if "expires_at" in attrs else getattr(self.instance, "expires_at", None)
        if effective and expires and expires <= effective:
            raise serializers.ValidationError({"expires_at": [_("The threat must expire after it takes effect.")]})
        return attrs


class ThreatCreateSerializer(ThreatUpdateSerializer):
    issuing_agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.all(),
        required=False,
        help_text=_("Agency id, one of yours; needed when you act for several"),
    )

    def validate_issuing_agency(self, agency: Agency) -> Agency:
        user = self.context["request"].user
        if not (user_is_staff(user) or agency.pk in user_agency_ids(user=user)):
            raise serializers.ValidationError(_("You are not a member of this agency."))
        return agency


class ThreatCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, default="", help_text=_("Why; sent to every recipient")
    )


class AcknowledgeSerializer(serializers.Serializer):
    quick_response = serializers.ChoiceField(
        choices=QuickResponse.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("A one-click answer, stored as its code and shown in each reader's language"),
    )
    response = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        default="",
        help_text=_("What your agency does, in your own words (kept as typed)"),
    )


class InboxReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=IdField(),
        allow_empty=False,
        max_length=1000,
        help_text=_("Inbox item ids to mark read; others' ids are ignored"),
    )


class ImportQuerySerializer(serializers.Serializer):
    agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.all(),
        required=False,
        help_text=_("The importing agency (it becomes the issuing agency), needed when you act for several"),
    )


# --- Registered CAP senders -------------------------------------------------------------------


class CapSenderSerializer(ModelSerializer):
    """A CAP sender an agency registered: its signed relays may update or cancel the alerts the
    agency imported from it."""

    agency = AgencyRefSerializer(read_only=True)
    fingerprint = serializers.SerializerMethodField(help_text=_("SHA-256 fingerprint of the certificate (hex)"))
    registered_by = serializers.CharField(source="registered_by.username", read_only=True, allow_null=True)

    class Meta:
        model = CapSender
        fields = [
            "id",
            "agency",
            "sender",
            "certificate",
            "fingerprint",
            "is_active",
            "registered_by",
            "registered_at",
        ]
        read_only_fields = fields

    def get_fingerprint(self, obj: CapSender) -> str:
        try:
            certificate = x509.load_pem_x509_certificate(obj.certificate.strip().encode())
        except ValueError:
            return ""
        return certificate.fingerprint(hashes.SHA256()).hex()


class CapSenderCreateSerializer(serializers.Serializer):
    agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.all(),
        required=False,
        help_text=_("The agency that trusts this sender, needed when you act for several (and for staff)"),
    )
    sender = serializers.CharField(max_length=200, help_text=_("The sender as the alerts write it in <sender>"))
    certificate = serializers.CharField(help_text=_("The sender's X.509 certificate, PEM"))
    is_active = serializers.BooleanField(required=False, default=True)


class CapSenderUpdateSerializer(serializers.Serializer):
    sender = serializers.CharField(max_length=200, required=False)
    certificate = serializers.CharField(required=False)
    is_active = serializers.BooleanField(required=False)


class TestAlertResultSerializer(serializers.Serializer):
    """One channel's outcome of a subscription's test alert."""

    channel = serializers.ChoiceField(choices=["in_app", "email", "sms", "webhook"])
    ok = serializers.BooleanField(help_text=_("Sent and accepted by the receiver"))
    target = serializers.CharField(help_text=_("The address, phone number or URL it went to"))
    detail = serializers.CharField(help_text=_("What happened: the HTTP status, or the error"))
    answer = serializers.CharField(help_text=_("The start of the receiver's answer (webhook, SMS gateway)"))


class TestAlertSerializer(serializers.Serializer):
    results = TestAlertResultSerializer(many=True)
