"""REST API of threats, alerts, the in-app inbox and CAP 1.2, mounted under /api/v1/ (see
incidents/threat_api_urls.py).

- `/threats/`: list (filters of `ThreatFilter`, `ordering`), create (`threat_log`), retrieve
  (with fan-out and acknowledgement progress for the issuing agency's members and staff),
  partial update (`threat_update`, a CAP Update), `{id}/cancel/` (POST, `threat_cancel`),
  `{id}/progress/` (GET), `{id}/cap.xml` (the threat as a CAP 1.2 alert) and `import-cap/`
  (POST the CAP XML itself: `cap.threat_import_cap`);
- `/alerts/`: the alerts of the user's agencies, `{id}/acknowledge/` (POST, idempotent);
- `/inbox/`: the user's in-app deliveries, `read/` (POST ids) and `counts/`;
- `/public/cap/feed.atom` and `/public/cap/{identifier}.xml`: current public threats, without
  authentication and rate-limited per client address.

Thin on purpose, as incidents/api.py: validate with a serializer, call one selector or one
service, render. Severity, urgency and certainty are CAP 1.2 names on the wire.

Access (docs/security.md, "Access"; decided by `threat_selectors` and `threat_services`):
- anonymous: 401 everywhere but the public CAP endpoints;
- reads: what `threat_selectors.threat_list` lets the user see; anything else answers 404
  (detail, cap.xml, progress and every action); alerts of another agency answer 404;
- writes: logging needs an acting role (not viewer) in an agency (403 otherwise); updating and
  cancelling a commander, liaison, planner or analyst of the issuing agency, or staff (403);
  importing a commander or liaison, or staff (403); progress is for the members of the
  issuing agency and staff (403 for others who may read the threat).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ParseError, PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import BaseParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from agencies import selectors as agency_selectors
from agencies.models import Agency, Area, Classification
from agencies.serializers import AgencyRefSerializer, AreaRefSerializer
from common.api import ApiPagination
from common.throttling import WindowsThrottle

from . import cap, threat_selectors, threat_services
from .models import Alert, Category, Delivery, QuickResponse, Threat
from .serializers import CapUrgencyField, IncidentSeverityField
from .services import ACTING_ROLES

# --- Schema helpers -------------------------------------------------------------------------

FIELD_ERRORS = OpenApiResponse(
    response={
        "type": "object",
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
        "example": {"areas": ["This list may not be empty."]},
    },
    description=_("Invalid input: messages by field name (non_field_errors for the rest)."),
)
_DETAIL = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}
NOT_FOUND = OpenApiResponse(response=_DETAIL, description=_("No such threat, or not visible to you."))
ALERT_NOT_FOUND = OpenApiResponse(response=_DETAIL, description=_("No such alert among your agencies' alerts."))
FORBIDDEN = OpenApiResponse(response=_DETAIL, description=_("Your role does not allow this."))
THROTTLED = OpenApiResponse(response=_DETAIL, description=_("Too many requests from your address: retry later."))
CAP_XML = OpenApiResponse(
    response=OpenApiTypes.STR,
    description=_("A CAP 1.2 <alert> (urn:oasis:names:tc:emergency:cap:1.2), valid against the OASIS schema."),
)


class _StateField(serializers.ChoiceField):
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

    def to_internal_value(self, data: Any) -> int:
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
    target_class = _StateField

    def get_name(self) -> str:
        return "ThreatState"

    def map_serializer_field(self, auto_schema: AutoSchema, direction: str) -> dict[str, Any]:
        return {"type": "string", "enum": list(_StateField.STATES)}


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


def _require_issuer(user: Any, threat: Threat) -> None:
    """A reader from another agency may not change a threat: 403 here, before the service
    (whose shared `acting_agency` would answer a non-member with a 400 on another field)."""
    if user.is_authenticated and user.is_staff:
        return
    if not threat.issuing_agency_id or not agency_selectors.user_has_role(
        user=user, agency=threat.issuing_agency_id, roles=ACTING_ROLES
    ):
        raise PermissionDenied(_("Only the issuing agency may change this threat."))


def _may_see_progress(user: Any, threat: Threat) -> bool:
    if user.is_authenticated and user.is_staff:
        return True
    return bool(threat.issuing_agency_id) and threat.issuing_agency_id in agency_selectors.user_agency_ids(user=user)


# --- Output ---------------------------------------------------------------------------------


class ThreatCategorySerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text=_("In the request language"))

    class Meta:
        model = Category
        fields = ["code", "name", "cap_category"]
        read_only_fields = fields


class ThreatSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api-threat-detail")
    cap_url = serializers.SerializerMethodField(help_text=_("This threat as a CAP 1.2 alert"))
    status = serializers.SerializerMethodField(help_text=_("active, cancelled (CAP Cancel) or expired"))
    msg_type = MsgTypeField(read_only=True)
    cap_status = CapStatusField(read_only=True)
    source = ThreatSourceField(read_only=True)
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

    @extend_schema_field(_StateField())
    def get_status(self, obj: Threat) -> str:
        return threat_state(obj)


class ProgressAgencySerializer(serializers.Serializer):
    alert_id = serializers.IntegerField()
    agency_id = serializers.IntegerField()
    agency = serializers.CharField()
    reason = AlertReasonField()
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    acknowledged_by = serializers.CharField(allow_null=True)
    quick_response = serializers.CharField(allow_blank=True, help_text=_("Quick response code, or empty"))
    quick_response_label = serializers.CharField(
        allow_blank=True, help_text=_("The quick response in the request's language")
    )
    response = serializers.CharField(allow_blank=True, help_text=_("Free text, as typed"))
    escalation_level = serializers.IntegerField()
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
        if request is None or not _may_see_progress(request.user, obj):
            return None
        return ThreatProgressSerializer(threat_selectors.threat_progress(threat=obj)).data


class ThreatRefSerializer(serializers.ModelSerializer):
    msg_type = MsgTypeField(read_only=True)
    category = ThreatCategorySerializer(read_only=True)
    severity = IncidentSeverityField(read_only=True)

    class Meta:
        model = Threat
        fields = ["id", "headline", "msg_type", "revision", "category", "severity", "classification", "sent_at"]
        read_only_fields = fields


class AlertSerializer(serializers.ModelSerializer):
    threat = ThreatRefSerializer(read_only=True)
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


class InboxItemSerializer(serializers.ModelSerializer):
    alert = serializers.IntegerField(source="alert_id", read_only=True)
    agency = AgencyRefSerializer(source="alert.agency", read_only=True)
    threat = ThreatRefSerializer(source="alert.threat", read_only=True)
    acknowledged_at = serializers.DateTimeField(source="alert.acknowledged_at", read_only=True, allow_null=True)
    unread = serializers.SerializerMethodField()

    class Meta:
        model = Delivery
        fields = [
            "id",
            "alert",
            "agency",
            "threat",
            "revision",
            "escalation_level",
            "created_at",
            "read_at",
            "unread",
            "acknowledged_at",
        ]
        read_only_fields = fields

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
    category = serializers.SlugRelatedField(
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
    effective_at = serializers.DateTimeField(required=False, allow_null=True)
    onset_at = serializers.DateTimeField(required=False, allow_null=True)
    expires_at = serializers.DateTimeField(required=False, allow_null=True)

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
        if not (user.is_staff or agency.pk in agency_selectors.user_agency_ids(user=user)):
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


# The largest id a BigAutoField holds: a bigger one would overflow in PostgreSQL (a 500).
MAX_ID = 2**63 - 1


class InboxReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
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


# --- Filters --------------------------------------------------------------------------------


class ThreatFilter(filters.FilterSet):
    category = filters.ModelChoiceFilter(
        queryset=Category.objects.all(),
        to_field_name="code",
        method="filter_category",
        label=_("Category"),
        help_text=_("Category code; includes its sub-categories."),
    )
    min_severity = filters.ChoiceFilter(
        choices=[(name, name) for name in cap.SEVERITY_VALUES],
        method="filter_min_severity",
        label=_("Minimum severity"),
        help_text=_("CAP severity name: this one and above."),
    )
    status = filters.ChoiceFilter(
        choices=[(s, s) for s in _StateField.STATES],
        method="filter_status",
        label=_("Status"),
        help_text=_("active, cancelled or expired"),
    )
    classification = filters.MultipleChoiceFilter(choices=Classification.choices, label=_("Classification"))
    area = filters.ModelChoiceFilter(
        queryset=Area.objects.all(),
        method="filter_area",
        label=_("Area"),
        help_text=_("Area id; includes its sub-areas."),
    )
    issuing_agency = filters.ModelChoiceFilter(queryset=Agency.objects.all(), label=_("Issuing agency"))
    source = filters.ChoiceFilter(choices=Threat.Source.choices, label=_("Source"))
    sent_after = filters.IsoDateTimeFilter(field_name="sent_at", lookup_expr="gte", label=_("Sent from"))
    sent_before = filters.IsoDateTimeFilter(field_name="sent_at", lookup_expr="lte", label=_("Sent until"))

    class Meta:
        model = Threat
        fields: list[str] = []

    def filter_category(self, qs: QuerySet, name: str, value: Category | None) -> QuerySet:
        return qs.filter(Q(category=value) | Q(category__parent=value)) if value else qs

    def filter_min_severity(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(severity__gte=cap.SEVERITY_VALUES[value]) if value else qs

    def filter_status(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        now = timezone.now()
        cancelled = Q(msg_type=Threat.MsgType.CANCEL)
        if value == "cancelled":
            return qs.filter(cancelled)
        if value == "expired":
            return qs.exclude(cancelled).filter(expires_at__lte=now)
        if value == "active":
            return qs.exclude(cancelled).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        return qs

    def filter_area(self, qs: QuerySet, name: str, value: Area | None) -> QuerySet:
        if not value:
            return qs
        inside = Threat.areas.through.objects.filter(threat_id=OuterRef("pk"), area__path__startswith=value.path)
        return qs.filter(Exists(inside))


class AlertFilter(filters.FilterSet):
    acknowledged = filters.BooleanFilter(
        field_name="acknowledged_at", lookup_expr="isnull", exclude=True, label=_("Acknowledged")
    )
    agency = filters.ModelChoiceFilter(queryset=Agency.objects.all(), label=_("Agency"))
    threat = filters.NumberFilter(field_name="threat_id", min_value=1, max_value=MAX_ID, label=_("Threat id"))

    class Meta:
        model = Alert
        fields: list[str] = []


class InboxFilter(filters.FilterSet):
    unread = filters.BooleanFilter(field_name="read_at", lookup_expr="isnull", label=_("Unread"))

    class Meta:
        model = Delivery
        fields: list[str] = []


# --- Parsers and throttles ------------------------------------------------------------------


class CapXMLParser(BaseParser):
    """Passes the request body through as bytes (the CAP document itself), up to a bound."""

    media_type = "application/cap+xml"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> bytes:
        limit = int(getattr(settings, "SINERGI_CAP_MAX_BYTES", 5 * 1024 * 1024))
        data = stream.read(limit + 1) if stream is not None else b""
        if len(data) > limit:
            raise ParseError(_("A CAP alert may have at most %(n)d bytes.") % {"n": limit})
        return data


class XMLParser(CapXMLParser):
    media_type = "application/xml"


class TextXMLParser(CapXMLParser):
    media_type = "text/xml"


CAP_PARSERS = [CapXMLParser, XMLParser, TextXMLParser]


class PublicCapThrottle(WindowsThrottle):
    """Requests to the public CAP endpoints per client address (scope "public_cap"), counted
    atomically like the intake's limits (DRF's own throttle reads, modifies and writes a
    history: racing requests get past it).

    The rate: SINERGI_PUBLIC_CAP_RATE, else REST_FRAMEWORK's DEFAULT_THROTTLE_RATES["public"],
    else 60/minute; read at each request so that tests and operators can change it.
    """

    scope = "public_cap"
    methods = ("GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE")  # every request counts

    def rates(self) -> list[str]:
        rate = getattr(settings, "SINERGI_PUBLIC_CAP_RATE", None)
        if not rate:
            rate = getattr(settings, "REST_FRAMEWORK", {}).get("DEFAULT_THROTTLE_RATES", {}).get("public")
        return [str(rate or "60/minute")]


# --- Views ----------------------------------------------------------------------------------


_NAMED = Prefetch("named_agencies", queryset=Agency.objects.only("id", "name", "code"))
_AREAS = Prefetch("areas", queryset=Area.objects.only("id", "name", "level", "path", "timezone"))


@extend_schema_view(
    list=extend_schema(
        summary=_("Threats you may see, newest first (filters, ordering)"),
        responses={200: ThreatSerializer(many=True), 400: FIELD_ERRORS},
    ),
)
class ThreatViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Threats: read as the selectors allow, written through the threat services."""

    queryset = Threat.objects.none()
    serializer_class = ThreatSerializer
    filterset_class = ThreatFilter
    pagination_class = ApiPagination
    ordering_fields = ["sent_at", "severity", "effective_at", "expires_at", "id"]
    ordering = ["-sent_at", "-id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Threat]:
        # cap_areas can be large (a foreign alert's polygons): only the detail carries it.
        return threat_selectors.threat_list(user=self.request.user).defer("cap_areas").prefetch_related(_AREAS, _NAMED)

    def get_object(self) -> Threat:
        return threat_selectors.threat_get(user=self.request.user, pk=self.kwargs["pk"])

    def validated(self, serializer_class: type[serializers.Serializer], **kwargs: Any) -> dict[str, Any]:
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context(), **kwargs)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def render(self, threat: Threat, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = threat_selectors.threat_get(user=self.request.user, pk=threat.pk, audit=False)
        return Response(ThreatDetailSerializer(fresh, context=self.get_serializer_context()).data, status=status_code)

    @extend_schema(
        summary=_("A threat (with progress for the issuing agency's members)"),
        responses={200: ThreatDetailSerializer, 404: NOT_FOUND},
    )
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(ThreatDetailSerializer(self.get_object(), context=self.get_serializer_context()).data)

    @extend_schema(
        summary=_("Log a threat for your agency; its alerts go out at once"),
        request=ThreatCreateSerializer,
        responses={201: ThreatDetailSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN},
    )
    def create(self, request: Request) -> Response:
        data = self.validated(ThreatCreateSerializer)
        threat = threat_services.threat_log(actor=request.user, **data)
        return self.render(threat, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Change a threat: a CAP Update that reaches every recipient again"),
        request=ThreatUpdateSerializer,
        responses={200: ThreatDetailSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        threat = self.get_object()
        _require_issuer(request.user, threat)
        data = self.validated(ThreatUpdateSerializer, instance=threat, partial=True)
        areas = data.pop("areas", None)
        named = data.pop("named_agencies", None)
        threat = threat_services.threat_update(
            actor=request.user, threat=threat, areas=areas, named_agencies=named, **data
        )
        return self.render(threat)

    @extend_schema(
        summary=_("Cancel a threat: a CAP Cancel to every recipient (cancelling twice changes nothing)"),
        request=ThreatCancelSerializer,
        responses={200: ThreatDetailSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        threat = self.get_object()
        _require_issuer(request.user, threat)
        data = self.validated(ThreatCancelSerializer)
        return self.render(threat_services.threat_cancel(actor=request.user, threat=threat, **data))

    @extend_schema(
        summary=_("Fan-out and acknowledgement progress per agency (issuing agency's members and staff)"),
        responses={200: ThreatProgressSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def progress(self, request: Request, pk: str | None = None) -> Response:
        threat = self.get_object()
        if not _may_see_progress(request.user, threat):
            raise PermissionDenied(_("Only the issuing agency follows the progress of its alerts."))
        return Response(ThreatProgressSerializer(threat_selectors.threat_progress(threat=threat)).data)

    @extend_schema(
        summary=_("Import another authority's CAP 1.2 alert as a threat (the body is the XML itself)"),
        description=_(
            "Validated against the OASIS CAP 1.2 schema (400 with the schema's messages otherwise); "
            "DOCTYPEs are refused. 201 with the new threat; 200 with the existing one when this "
            "(sender, identifier) was imported before, or when an Update or Cancel applied to the "
            "threat it references (a new revision). Commanders and liaisons of an agency, or staff."
        ),
        parameters=[ImportQuerySerializer],
        request={
            "application/xml": OpenApiTypes.STR,
            "application/cap+xml": OpenApiTypes.STR,
            "text/xml": OpenApiTypes.STR,
        },
        responses={
            201: ThreatDetailSerializer,
            200: ThreatDetailSerializer,
            400: FIELD_ERRORS,
            403: FORBIDDEN,
            409: OpenApiResponse(response=_DETAIL, description=_("Imported before, into a threat you may not see.")),
        },
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import-cap",
        url_name="import-cap",
        parser_classes=CAP_PARSERS,
        filter_backends=[],
        pagination_class=None,
    )
    def import_cap(self, request: Request) -> Response:
        query = ImportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        body = request.data if isinstance(request.data, bytes) else b""
        threat, created = cap.threat_import_cap(actor=request.user, xml=body, agency=query.validated_data.get("agency"))
        try:
            return self.render(threat, status.HTTP_201_CREATED if created else status.HTTP_200_OK)
        except Http404:
            return Response(
                {"detail": _("This CAP alert was imported before, into a threat you may not see.")},
                status=status.HTTP_409_CONFLICT,
            )


class _XMLView(GenericAPIView):
    """Views whose success is an XML document; their errors (401, 404, 429) stay JSON."""

    renderer_classes = [JSONRenderer]
    pagination_class = None
    filter_backends: list[Any] = []

    def perform_content_negotiation(self, request: Request, force: bool = False) -> tuple[BaseRenderer, str]:
        return super().perform_content_negotiation(request, force=True)


def _cap_response(xml: bytes) -> HttpResponse:
    return HttpResponse(xml, content_type=f"{cap.CAP_CONTENT_TYPE}; charset=utf-8")


class ThreatCapView(_XMLView):
    """The threat's current CAP message, with the references of the earlier ones; errors are JSON."""

    queryset = Threat.objects.none()

    @extend_schema(
        operation_id="threats_cap_xml",
        summary=_("A threat as a CAP 1.2 alert (same visibility as the threat)"),
        responses={(200, cap.CAP_CONTENT_TYPE): CAP_XML, 404: NOT_FOUND},
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        threat = threat_selectors.threat_get(user=request.user, pk=pk)
        return _cap_response(cap.threat_to_cap(threat=threat))


# How many entries the public feed carries: current public threats are a handful at a time;
# the bound keeps a flood of imports from making the feed heavy.
FEED_LIMIT = 200


class PublicCapFeedView(_XMLView):
    """Public (no authentication), rate-limited per client address; entries link to the public
    CAP documents. Current means: public, not a draft or test, not expired."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [PublicCapThrottle]

    @extend_schema(
        operation_id="public_cap_feed",
        summary=_("Atom feed of the current public alerts, each linking to its CAP 1.2 document"),
        auth=[],
        responses={
            (200, "application/atom+xml"): OpenApiResponse(response=OpenApiTypes.STR, description=_("An Atom feed.")),
            429: THROTTLED,
        },
    )
    def get(self, request: Request) -> HttpResponse:
        threats = list(threat_selectors.public_threats().order_by("-sent_at", "-id")[:FEED_LIMIT])

        def document_url(threat: Threat) -> str:
            return request.build_absolute_uri(reverse("api-public-cap", kwargs={"identifier": threat.identifier}))

        xml = cap.cap_atom_feed(threats=threats, feed_url=request.build_absolute_uri(), document_url=document_url)
        return HttpResponse(xml, content_type="application/atom+xml; charset=utf-8")


class PublicCapDocumentView(_XMLView):
    """Public (no authentication), rate-limited per client address; only current public threats."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [PublicCapThrottle]

    @extend_schema(
        operation_id="public_cap_document",
        summary=_("A current public alert as a CAP 1.2 document, by its CAP identifier"),
        auth=[],
        parameters=[OpenApiParameter("identifier", str, OpenApiParameter.PATH, description=_("CAP identifier"))],
        responses={
            (200, cap.CAP_CONTENT_TYPE): CAP_XML,
            404: OpenApiResponse(response=_DETAIL, description=_("No current public alert with this identifier.")),
            429: THROTTLED,
        },
    )
    def get(self, request: Request, identifier: str) -> HttpResponse:
        if "\x00" in identifier:  # PostgreSQL refuses NUL in a string: no such identifier anyway
            raise Http404
        threat = threat_selectors.public_threats().filter(identifier=identifier).order_by("-sent_at", "-id").first()
        if threat is None:
            raise Http404
        return _cap_response(cap.threat_to_cap(threat=threat))


@extend_schema_view(
    list=extend_schema(
        summary=_("Alerts of your agencies, newest first"),
        responses={200: AlertSerializer(many=True), 400: FIELD_ERRORS},
    ),
    retrieve=extend_schema(
        summary=_("An alert of one of your agencies"), responses={200: AlertSerializer, 404: ALERT_NOT_FOUND}
    ),
)
class AlertViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Alert.objects.none()
    serializer_class = AlertSerializer
    filterset_class = AlertFilter
    pagination_class = ApiPagination
    ordering_fields = ["created_at", "acknowledged_at", "id"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self) -> QuerySet[Alert]:
        return threat_selectors.alert_list(user=self.request.user)

    def get_object(self) -> Alert:
        return threat_selectors.alert_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(
        summary=_("Acknowledge an alert for your agency (repeating it changes nothing)"),
        request=AcknowledgeSerializer,
        responses={200: AlertSerializer, 400: FIELD_ERRORS, 404: ALERT_NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: str | None = None) -> Response:
        alert = self.get_object()
        serializer = AcknowledgeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        threat_services.alert_acknowledge(actor=request.user, alert=alert, **serializer.validated_data)
        fresh = threat_selectors.alert_get(user=request.user, pk=alert.pk)
        return Response(AlertSerializer(fresh, context=self.get_serializer_context()).data)


@extend_schema_view(
    list=extend_schema(
        summary=_("Your in-app alerts, newest first"),
        responses={200: InboxItemSerializer(many=True), 400: FIELD_ERRORS},
    ),
)
class InboxViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Delivery.objects.none()
    serializer_class = InboxItemSerializer
    filterset_class = InboxFilter
    pagination_class = ApiPagination
    filter_backends = [filters.DjangoFilterBackend]

    def get_queryset(self) -> QuerySet[Delivery]:
        return threat_selectors.inbox(user=self.request.user)

    @extend_schema(
        summary=_("Mark inbox items read"),
        request=InboxReadSerializer,
        responses={200: InboxReadResultSerializer, 400: FIELD_ERRORS},
    )
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def read(self, request: Request) -> Response:
        serializer = InboxReadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        marked = threat_services.inbox_mark_read(user=request.user, delivery_ids=serializer.validated_data["ids"])
        return Response({"marked": marked})

    @extend_schema(summary=_("Badge figures: unread and unacknowledged"), responses={200: InboxCountsSerializer})
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def counts(self, request: Request) -> Response:
        return Response(InboxCountsSerializer(threat_selectors.inbox_counts(user=request.user)).data)
