"""REST API of threats, alerts, the in-app inbox and CAP 1.2, mounted under /api/v1/ (see
incidents/threats/api_urls.py).

- `/threats/`: list (filters of `ThreatFilter`, `ordering`), create (`threat_log`), retrieve
  (with fan-out and acknowledgement progress for the issuing agency's members and staff),
  partial update (`threat_update`, a CAP Update), `{id}/cancel/` (POST, `threat_cancel`),
  `{id}/progress/` (GET), `{id}/cap.xml` (the threat as a CAP 1.2 alert) and `import-cap/`
  (POST the CAP XML itself: `cap.threat_import_cap`);
- `/cap-senders/`: the CAP senders (and certificates) an agency trusts for signed relays of
  Updates and Cancels of the alerts it imported: list, create, retrieve, partial update,
  delete, by the agency's commanders and liaisons ("threat.cap_senders") and staff;
- `/alerts/`: the alerts of the user's agencies, `{id}/acknowledge/` (POST, idempotent); an
  alert whose agency may no longer read its threat is `withdrawn` (`threat` null, nothing to
  acknowledge: 400), read at request time (`selectors.alert_live_q`);
- `/inbox/`: the user's in-app deliveries, `read/` (POST ids) and `counts/`;
- `/public/cap/feed.atom` and `/public/cap/{identifier}.xml`: current public threats, without
  authentication and rate-limited per client address.

Thin on purpose, as incidents/api.py: validate with a serializer (serializers.py), call one selector or one
service, render. Severity, urgency and certainty are CAP 1.2 names on the wire.

Access (docs/security.md, "Access"; decided by the threat selectors' accessors and predicates):
- anonymous: 401 everywhere but the public CAP endpoints;
- reads: what `selectors.threat_list` lets the user see; anything else answers 404
  (detail, cap.xml, progress and every action); alerts of another agency answer 404;
- writes: logging needs an acting role (not viewer) in an agency (403 otherwise); updating and
  cancelling a commander, liaison, planner or analyst of the issuing agency, or staff (403);
  importing a commander or liaison, or staff (403); an imported Update or Cancel of a threat
  of another agency without a registered sender's signature is refused (400, `xml`); progress is for the members of the
  issuing agency and staff (403 for others who may read the threat).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ParseError, PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import BaseParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from agencies import selectors as agency_selectors
from agencies.audit import AuditedListMixin
from agencies.models import Agency, Area, Subscription
from common.api import ScopedViewSet
from common.throttling import WindowsThrottle
from incidents.models import Alert, CapSender, Delivery, Threat

from . import cap, test_alert
from . import selectors as threat_selectors
from . import services as threat_services
from .filters import AlertFilter, InboxFilter, ThreatFilter
from .serializers import (
    AcknowledgeSerializer,
    AlertSerializer,
    CapSenderCreateSerializer,
    CapSenderSerializer,
    CapSenderUpdateSerializer,
    ImportQuerySerializer,
    InboxCountsSerializer,
    InboxItemSerializer,
    InboxReadResultSerializer,
    InboxReadSerializer,
    TestAlertSerializer,
    ThreatCancelSerializer,
    ThreatCreateSerializer,
    ThreatDetailSerializer,
    ThreatProgressSerializer,
    ThreatSerializer,
    ThreatUpdateSerializer,
)

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


# --- Parsers and throttles ------------------------------------------------------------------


class CapXMLParser(BaseParser):
    """Passes the request body through as bytes (the CAP document itself), up to a bound."""

    media_type = "application/cap+xml"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> bytes:  # type: ignore[override]
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
class ThreatViewSet(AuditedListMixin, mixins.ListModelMixin, ScopedViewSet):
    """Threats: read as the selectors allow, written through the threat services."""

    audit_object_type = "threat"

    queryset = Threat.objects.none()
    serializer_class = ThreatSerializer
    filterset_class = ThreatFilter
    ordering_fields = ["sent_at", "severity", "effective_at", "expires_at", "id"]
    ordering = ["-sent_at", "-id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Threat]:
        # cap_areas can be large (a foreign alert's polygons): only the detail carries it.
        return threat_selectors.threat_list(user=self.request.user).defer("cap_areas").prefetch_related(_AREAS, _NAMED)

    def get_scoped_object(self, pk: Any) -> Threat:
        return threat_selectors.threat_get(user=self.request.user, pk=pk)

    def get_object_for_change(self) -> Threat:
        """404 for a threat the user may not read; 403 for one they may read but not change
        (checked here, before the service, whose `acting_agency` would answer a non-member
        with a 400 on another field)."""
        try:
            return threat_selectors.threat_get_for_change(user=self.request.user, pk=self.kwargs["pk"])
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None

    def render(self, threat: Threat, status_code: int = status.HTTP_200_OK) -> Response:  # type: ignore[override]
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
        threat = self.get_object_for_change()
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
        threat = self.get_object_for_change()
        data = self.validated(ThreatCancelSerializer)
        return self.render(threat_services.threat_cancel(actor=request.user, threat=threat, **data))

    @extend_schema(
        summary=_("Fan-out and acknowledgement progress per agency (issuing agency's members and staff)"),
        responses={200: ThreatProgressSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def progress(self, request: Request, pk: str | None = None) -> Response:
        threat = self.get_object()
        if not threat_selectors.can_follow_progress(user=request.user, threat=threat):
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
class AlertViewSet(AuditedListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    audit_object_type = "threat"

    def audit_record(self, row: Any) -> Any:
        # A withdrawn alert shows nothing of its threat: nothing of it was read.
        return None if getattr(row, "withdrawn", False) else row.threat

    queryset = Alert.objects.none()
    serializer_class = AlertSerializer
    filterset_class = AlertFilter
    ordering_fields = ["created_at", "acknowledged_at", "id"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self) -> QuerySet[Alert]:
        return threat_selectors.alert_list(user=self.request.user)

    def get_scoped_object(self, pk: Any) -> Alert:
        return threat_selectors.alert_get(user=self.request.user, pk=pk)

    @extend_schema(
        summary=_("Acknowledge an alert for your agency (repeating it changes nothing)"),
        request=AcknowledgeSerializer,
        responses={200: AlertSerializer, 400: FIELD_ERRORS, 404: ALERT_NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: str | None = None) -> Response:
        alert = threat_selectors.alert_get_for_acknowledge(user=request.user, pk=self.kwargs["pk"])
        data = self.validated(AcknowledgeSerializer)
        threat_services.alert_acknowledge(actor=request.user, alert=alert, **data)
        return self.render(threat_selectors.alert_get(user=request.user, pk=alert.pk, audit=False))


@extend_schema_view(
    list=extend_schema(
        summary=_("Your in-app alerts, newest first"),
        responses={200: InboxItemSerializer(many=True), 400: FIELD_ERRORS},
    ),
)
class InboxViewSet(AuditedListMixin, mixins.ListModelMixin, ScopedViewSet):
    audit_object_type = "threat"

    def audit_record(self, row: Any) -> Any:
        return None if getattr(row, "withdrawn", False) else row.alert.threat

    queryset = Delivery.objects.none()
    serializer_class = InboxItemSerializer
    filterset_class = InboxFilter
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
        ids = self.validated(InboxReadSerializer)["ids"]
        marked = threat_services.inbox_mark_read(user=request.user, delivery_ids=ids)
        return Response({"marked": marked})

    @extend_schema(summary=_("Badge figures: unread and unacknowledged"), responses={200: InboxCountsSerializer})
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def counts(self, request: Request) -> Response:
        return Response(InboxCountsSerializer(threat_selectors.inbox_counts(user=request.user)).data)


SUBSCRIPTION_NOT_FOUND = OpenApiResponse(response=_DETAIL, description=_("No such subscription of your agencies."))
CAP_SENDER_NOT_FOUND = OpenApiResponse(
    response=_DETAIL, description=_("No such CAP sender among the agencies whose senders you manage.")
)


@extend_schema_view(
    list=extend_schema(
        summary=_("The CAP senders your agencies registered (commanders, liaisons and staff)"),
        responses={200: CapSenderSerializer(many=True)},
    ),
    retrieve=extend_schema(
        summary=_("A registered CAP sender"), responses={200: CapSenderSerializer, 404: CAP_SENDER_NOT_FOUND}
    ),
)
class CapSenderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """The CAP senders an agency trusts: a relay of an Update or Cancel of an alert the agency
    imported applies when it carries the XML signature of one of them (cap/signature.py).
    Read and written by the agency's commanders and liaisons ("threat.cap_senders") and staff."""

    queryset = CapSender.objects.none()
    serializer_class = CapSenderSerializer
    ordering_fields = ["sender", "registered_at", "id"]
    ordering = ["sender", "id"]

    def get_queryset(self) -> QuerySet[CapSender]:
        return threat_selectors.cap_sender_list(user=self.request.user)

    def get_scoped_object(self, pk: Any) -> CapSender:
        return threat_selectors.cap_sender_get(user=self.request.user, pk=pk)

    def _for_change(self) -> CapSender:
        try:
            return threat_selectors.cap_sender_get_for_change(user=self.request.user, pk=self.kwargs["pk"])
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None

    @extend_schema(
        summary=_("Register a CAP sender and its certificate for your agency"),
        request=CapSenderCreateSerializer,
        responses={201: CapSenderSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN},
    )
    def create(self, request: Request) -> Response:
        data = self.validated(CapSenderCreateSerializer)
        registered = cap.cap_sender_register(actor=request.user, **data)
        return self.render(registered, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Change a registered CAP sender (sender, certificate, active)"),
        request=CapSenderUpdateSerializer,
        responses={200: CapSenderSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: CAP_SENDER_NOT_FOUND},
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        registered = self._for_change()
        data = self.validated(CapSenderUpdateSerializer)
        return self.render(cap.cap_sender_update(actor=request.user, cap_sender=registered, **data))

    @extend_schema(
        summary=_("Remove a registered CAP sender"),
        responses={204: None, 403: FORBIDDEN, 404: CAP_SENDER_NOT_FOUND},
    )
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        cap.cap_sender_delete(actor=request.user, cap_sender=self._for_change())
        return Response(status=status.HTTP_204_NO_CONTENT)


class SubscriptionTestAlertView(GenericAPIView):
    """Send a test through every channel of a subscription, now, and answer each outcome."""

    queryset = Subscription.objects.none()
    serializer_class = TestAlertSerializer
    pagination_class = None
    filter_backends: list[Any] = []

    @extend_schema(
        operation_id="subscriptions_test_alert",
        summary=_(
            "Send a test alert through the subscription's channels (a commander or liaison of its agency, "
            "or staff); each channel's outcome, failures included"
        ),
        request=None,
        responses={200: TestAlertSerializer, 403: FORBIDDEN, 404: SUBSCRIPTION_NOT_FOUND},
    )
    def post(self, request: Request, pk: int) -> Response:
        subscription = agency_selectors.subscription_get_for_change(user=request.user, pk=pk)
        results = test_alert.subscription_test_alert(actor=request.user, subscription=subscription)
        return Response(TestAlertSerializer({"results": [vars(r) for r in results]}).data)
