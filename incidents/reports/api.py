"""REST API of citizen reports, mounted under /api/v1/ (see incidents/reports/api_urls.py).

Two audiences:

- the public, with no account: `POST public/reports/` files a report (JSON, or multipart
  with up to 3 `photos`) and answers its tracking code; `GET public/reports/{code}/` shows
  what the reporter may follow: category, status, received time and the public updates, never
  the description, contact, coordinates, moderator or incident. No authentication at all
  (so no session and no CSRF check) and rate limits per client address (common/throttling.py);
- agencies' moderators: `reports/` is the moderation queue of the areas under their
  agencies' jurisdiction (`selectors.citizen_report_list`), with the reporter's contact and
  the photos' URLs in the detail, and the actions verify, reject, duplicate and spam.

Access: anonymous 401 on `reports/`; a user outside the report's jurisdiction 404 (the report
is not in their queue); a member whose role may not moderate (viewer) 403; staff everything.
Bad input answers 400 with field messages (the services' ValidationErrors go through
common.api.exception_handler); a refused report saves nothing (the service is atomic).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.http import Http404
from django.urls import get_script_prefix, reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.fields import empty
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.models import Area, Classification
from agencies.serializers import AreaRefSerializer, CapSeverityField, CoordinateField
from agencies.validators import validate_latitude, validate_longitude
from common.api import ScopedViewSet
from common.serializers import DateTimeField, ModelSerializer
from incidents import selectors as incident_selectors
from incidents.models import Category, CitizenReport, CitizenReportPhoto, Incident, PublicProgress

from . import selectors, services
from .api_questions import AskInputSerializer, ReportQuestionSerializer
from .filters import CitizenReportFilter
from .throttles import SUBMIT_THROTTLES, TRACK_THROTTLES

MAX_DESCRIPTION = 5000
MAX_CONTACT = 200

# Statuses are documented in words rather than as an OpenAPI enum: drf-spectacular names
# enums after the field ("status") and several models have a differently-valued one, which
# its system check reports as a warning (and `check --deploy --fail-level WARNING` fails).
STATUS_HELP = _("new, verified, rejected, duplicate or spam")
PUBLIC_STATUS_HELP = _("new, verified, rejected or duplicate")


def _status_field() -> serializers.CharField:
    return serializers.CharField(read_only=True, help_text=STATUS_HELP)


# --- Public: file a report and follow it ----------------------------------------------------

_CODE_PLACEHOLDER = "-tracking-code-"
_tracking_url_templates: dict[str, str] = {}  # per script prefix


def tracking_url(code: str) -> str:
    """The public URL of a report: reverse("api-public-report-detail"), resolved once per
    script prefix rather than for every report filed."""
    prefix = get_script_prefix()
    template = _tracking_url_templates.get(prefix)
    if template is None:
        template = reverse("api-public-report-detail", args=[_CODE_PLACEHOLDER])
        _tracking_url_templates[prefix] = template
    return template.replace(_CODE_PLACEHOLDER, code)


@extend_schema_field(OpenApiTypes.STR)
class CategoryCodeField(serializers.Field):
    """A category by its code, read from the per-process category cache (no query per report)."""

    default_error_messages = {
        "does_not_exist": _('Unknown category "{value}".'),
        "invalid": _("Give a category code."),
    }

    def to_internal_value(self, data: Any) -> Category:
        if not isinstance(data, str) or not data.strip():
            self.fail("invalid")
        category = incident_selectors.category_by_code(data.strip())
        if category is None:
            self.fail("does_not_exist", value=data.strip()[:60])
        return category

    def to_representation(self, value: Category) -> str:
        return value.code


class PublicReportInputSerializer(serializers.Serializer):
    """What a citizen sends. The same field names as the /lapor/ form."""

    # Set on the class once per process by `fields`, `_writable_fields`, `_read_only_defaults`.
    _shared_fields: ClassVar[Any]
    _shared_writable: ClassVar[tuple[Any, ...]]
    _has_read_only_defaults: ClassVar[bool]

    category = CategoryCodeField(help_text=_("Category code, e.g. suspicious-activity."))
    # Stored as given: the templates escape it when it is shown.
    description = serializers.CharField(max_length=MAX_DESCRIPTION, trim_whitespace=False)
    latitude = CoordinateField(validate_latitude, required=True, allow_null=False)
    longitude = CoordinateField(validate_longitude, required=True, allow_null=False)
    occurred_at = DateTimeField(
        required=False, allow_null=True, help_text=_("ISO 8601; without an offset, the portal's time zone.")
    )
    area = serializers.PrimaryKeyRelatedField(
        queryset=Area.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("Area id, if known; otherwise the nearest area to the coordinates."),
    )
    contact = serializers.CharField(
        max_length=MAX_CONTACT,
        required=False,
        allow_blank=True,
        help_text=_("Phone or e-mail, optional. Visible to moderators only."),
    )
    photos = serializers.ListField(
        child=serializers.FileField(allow_empty_file=False, use_url=False),
        required=False,
        max_length=services.MAX_PHOTOS,
        help_text=_("Up to 3 JPEG, PNG or WebP photos of at most 10 MB each (multipart only)."),
        error_messages={"max_length": _("At most {max_length} photos.")},
    )

    @property
    def fields(self) -> Any:
        """The declared fields, copied and bound once per process rather than per report.

        DRF deep-copies and binds every declared field for each serializer instance: on the
        public intake that was a third of the time the portal adds to the INSERT
        (bench/report_intake.py). These fields keep nothing of a request on themselves and read
        no context (no request-dependent defaults, no hyperlinks), so one bound set, on a
        serializer with no data, serves every instance. A field that needs the request's
        context must not be added here.
        """
        shared = type(self).__dict__.get("_shared_fields")
        if shared is None:
            shared = serializers.Serializer.fields.func(type(self)())  # type: ignore[attr-defined]
            type(self)._shared_fields = shared
        return shared

    @property
    def _writable_fields(self) -> Any:
        """DRF's writable fields, less those a JSON body leaves out and that would be skipped.

        An optional field without a default that is absent from the body is skipped by DRF
        after a detour through its validation (a SkipField raised and caught per field: four of
        the eight fields of a typical report). A JSON body is a dict, so absence is a key
        lookup; a form body (QueryDict, HTML input rules) goes DRF's way.
        """
        fields = type(self).__dict__.get("_shared_writable")
        if fields is None:  # once per process, like the fields themselves
            fields = type(self)._shared_writable = tuple(super()._writable_fields)
        data = getattr(self, "initial_data", None)
        if type(data) is not dict:
            return fields
        return [f for f in fields if f.required or f.default is not empty or f.field_name in data]

    def _read_only_defaults(self) -> dict[str, Any]:
        """DRF's read-only defaults (handed to the serializer's validators), without walking the
        fields for each report when no read-only field has a default (none has today)."""
        has_defaults = type(self).__dict__.get("_has_read_only_defaults")
        if has_defaults is None:
            has_defaults = any(f.read_only and f.default is not empty for f in self.fields.values())
            type(self)._has_read_only_defaults = has_defaults
        return super()._read_only_defaults() if has_defaults else {}


class ReportCategorySerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class PublicReportCreatedSerializer(serializers.Serializer):
    tracking_code = serializers.CharField(read_only=True)
    status = _status_field()
    url = serializers.SerializerMethodField(help_text=_("Where to follow the report."))

    def get_url(self, obj: CitizenReport) -> str:
        return tracking_url(obj.tracking_code)


class PublicUpdateSerializer(serializers.Serializer):
    status = serializers.CharField(source="public_status", read_only=True, help_text=PUBLIC_STATUS_HELP)
    status_label = serializers.CharField(source="get_public_status_display", read_only=True)
    at = DateTimeField(read_only=True)
    message = serializers.CharField(read_only=True)


class PublicReportSerializer(serializers.Serializer):
    """A report as its reporter follows it. Deliberately an explicit, short list of fields."""

    tracking_code = serializers.CharField(read_only=True)
    category = ReportCategorySerializer(read_only=True)
    status = serializers.CharField(source="public_status", read_only=True, help_text=PUBLIC_STATUS_HELP)
    status_label = serializers.CharField(source="get_public_status_display", read_only=True)
    received_at = DateTimeField(source="created_at", read_only=True)
    progress = serializers.ChoiceField(
        source="public_progress",
        choices=PublicProgress.choices,
        read_only=True,
        allow_null=True,
        help_text=_("How the incident made of the report is going; null before there is one."),
    )
    progress_label = serializers.CharField(source="get_public_progress_display", read_only=True)
    updates = PublicUpdateSerializer(source="public_updates", many=True, read_only=True)
    questions = ReportQuestionSerializer(
        many=True, read_only=True, help_text=_("The moderators' questions and the answers, oldest first.")
    )


class _PublicView(APIView):
    # No authentication: no session, so no CSRF check, and no token to leak. JSON only.
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]


class PublicReportCreateView(_PublicView):
    throttle_classes = list(SUBMIT_THROTTLES)
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        operation_id="public_reports_create",
        summary=_("File a citizen report"),
        description=_(
            "No account needed. JSON, or multipart/form-data with up to 3 `photos`. "
            "Rate-limited per client address (429 with Retry-After); refused requests count too."
        ),
        request={
            "application/json": PublicReportInputSerializer,
            "multipart/form-data": PublicReportInputSerializer,
        },
        responses={
            201: PublicReportCreatedSerializer,
            400: OpenApiResponse(description=_("Field errors")),
            429: OpenApiResponse(description=_("Too many reports from this address; see Retry-After")),
        },
        auth=[],
        tags=["public"],
    )
    def post(self, request: Request) -> Response:
        serializer = PublicReportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = services.citizen_report_submit(**serializer.validated_data)
        # PublicReportCreatedSerializer's fields, without a serializer on the hot path.
        data = {
            "tracking_code": report.tracking_code,
            "status": report.status,
            "url": tracking_url(report.tracking_code),
        }
        return Response(data, status=status.HTTP_201_CREATED, headers={"Location": data["url"]})


class PublicReportDetailView(_PublicView):
    throttle_classes = list(TRACK_THROTTLES)

    @extend_schema(
        operation_id="public_reports_retrieve",
        summary=_("Follow a citizen report by its tracking code"),
        responses={
            200: PublicReportSerializer,
            404: OpenApiResponse(description=_("No report with this code")),
            429: OpenApiResponse(description=_("Too many look-ups from this address")),
        },
        auth=[],
        tags=["public"],
    )
    def get(self, request: Request, tracking_code: str) -> Response:
        report = selectors.citizen_report_public_get(tracking_code=tracking_code)
        return Response(PublicReportSerializer(report).data)


# --- Moderation ---------------------------------------------------------------------------


class ReportIncidentSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    reference = serializers.CharField(read_only=True)


class ReportPhotoSerializer(serializers.Serializer):
    url = serializers.SerializerMethodField(help_text=_("Served to authorised users only"))
    content_type = serializers.CharField(read_only=True)
    width = serializers.IntegerField(read_only=True)
    height = serializers.IntegerField(read_only=True)
    size = serializers.IntegerField(read_only=True)

    def get_url(self, obj: CitizenReportPhoto) -> str:
        path = reverse("report-photo", args=[obj.token])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


@extend_schema_field(
    {"type": "string", "description": 'CAP 1.2 severity name: "Unknown", "Minor", "Moderate", "Severe" or "Extreme".'}
)
class ReportSeverityField(CapSeverityField):
    """CapSeverityField, documented without an enum component (see _status_field)."""


class CitizenReportSerializer(ModelSerializer):
    """A line of the moderation queue. No contact: that is on the detail only."""

    category = ReportCategorySerializer(read_only=True)
    status = _status_field()
    area = AreaRefSerializer(read_only=True, allow_null=True)
    incident = ReportIncidentSerializer(read_only=True, allow_null=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    photo_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = CitizenReport
        fields = [
            "id",
            "tracking_code",
            "category",
            "description",
            "latitude",
            "longitude",
            "occurred_at",
            "area",
            "status",
            "status_label",
            "incident",
            "photo_count",
            "created_at",
        ]
        read_only_fields = fields
        extra_kwargs = {"latitude": {"coerce_to_string": False}, "longitude": {"coerce_to_string": False}}


class CitizenReportDetailSerializer(CitizenReportSerializer):
    """A report as its moderators see it: with the reporter's contact, photos and updates."""

    photos = ReportPhotoSerializer(many=True, read_only=True)
    updates = PublicUpdateSerializer(source="public_updates", many=True, read_only=True)
    moderated_by = serializers.SerializerMethodField()
    contact = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text=_(
            "The reporter's phone or e-mail (empty when anonymous); null when your role may not moderate this report."
        ),
    )
    photo_count = None  # type: ignore[assignment]

    class Meta(CitizenReportSerializer.Meta):
        fields = [
            *(f for f in CitizenReportSerializer.Meta.fields if f != "photo_count"),
            "contact",
            "moderation_reason",
            "moderated_by",
            "moderated_at",
            "photos",
            "updates",
        ]
        read_only_fields = fields

    def to_representation(self, instance: CitizenReport) -> dict[str, Any]:
        data = super().to_representation(instance)
        request = self.context.get("request")
        user = request.user if request is not None else None
        # One rule for the contact, the same as the moderation's (selectors).
        if user is None or not selectors.citizen_report_can_see_contact(user=user, report=instance):
            data["contact"] = None
        return data

    @extend_schema_field(OpenApiTypes.STR)
    def get_moderated_by(self, obj: CitizenReport) -> str | None:
        user = obj.moderated_by
        return (user.get_full_name() or user.get_username()) if user else None


class VerifyInputSerializer(serializers.Serializer):
    title = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text=_("Defaults to the start of the description.")
    )
    severity = ReportSeverityField(required=False)
    classification = serializers.ChoiceField(choices=Classification.choices, default=Classification.RESTRICTED)


class RejectInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text=_("Shown to the reporter."))


class DuplicateInputSerializer(serializers.Serializer):
    incident = serializers.CharField(
        max_length=24, help_text=_("The id or reference (e.g. BON-2026-000123) of the incident already reported.")
    )

    def validate_incident(self, value: str) -> Incident:
        try:
            return incident_selectors.incident_get(user=self.context["request"].user, pk=value.strip())
        except Http404:
            raise serializers.ValidationError(_("No incident with this id or reference.")) from None


class VerifyResultSerializer(CitizenReportDetailSerializer):
    incident_reference = serializers.CharField(source="incident.reference", read_only=True)

    class Meta(CitizenReportDetailSerializer.Meta):
        fields = [*CitizenReportDetailSerializer.Meta.fields, "incident_reference"]
        read_only_fields = fields


MODERATION_ACTIONS = ("verify", "reject", "duplicate", "spam")

_ACTION_ERRORS = {
    400: OpenApiResponse(description=_("Field errors, or the report was already moderated")),
    403: OpenApiResponse(description=_("Your role may not moderate")),
    404: OpenApiResponse(description=_("Not in your moderation queue")),
}


@extend_schema_view(
    list=extend_schema(summary=_("The moderation queue"), tags=["reports"]),
    retrieve=extend_schema(summary=_("A citizen report, with contact and photos"), tags=["reports"]),
)
class CitizenReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Citizen reports from the areas under the jurisdiction of the user's agencies."""

    filterset_class = CitizenReportFilter
    ordering_fields = ["created_at", "occurred_at"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self) -> Any:
        return selectors.citizen_report_list(user=self.request.user)

    def get_scoped_object(self, pk: Any) -> CitizenReport:
        if self.action in MODERATION_ACTIONS or (self.action == "questions" and self.request.method == "POST"):
            return selectors.citizen_report_get_for_change(user=self.request.user, pk=pk)
        return selectors.citizen_report_get(user=self.request.user, pk=pk)

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.action == "list":
            return CitizenReportSerializer
        if self.action == "verify":
            return VerifyResultSerializer
        if self.action == "questions":
            return ReportQuestionSerializer
        return CitizenReportDetailSerializer

    def _answer(self, report: CitizenReport) -> Response:
        fresh = selectors.citizen_report_get(user=self.request.user, pk=report.pk)
        return Response(self.get_serializer(fresh).data)

    @extend_schema(
        request=VerifyInputSerializer,
        responses={200: VerifyResultSerializer, **_ACTION_ERRORS},
        summary=_("Verify: create an incident from the report"),
        tags=["reports"],
    )
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, pk: str | None = None) -> Response:
        report = self.get_object()
        services.citizen_report_verify(actor=request.user, report=report, **self.validated(VerifyInputSerializer))
        return self._answer(report)

    @extend_schema(
        request=RejectInputSerializer,
        responses={200: CitizenReportDetailSerializer, **_ACTION_ERRORS},
        summary=_("Reject, with a reason shown to the reporter"),
        tags=["reports"],
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        report = self.get_object()
        services.citizen_report_reject(actor=request.user, report=report, **self.validated(RejectInputSerializer))
        return self._answer(report)

    @extend_schema(
        request=DuplicateInputSerializer,
        responses={200: CitizenReportDetailSerializer, **_ACTION_ERRORS},
        summary=_("Mark as a duplicate of an incident already reported"),
        tags=["reports"],
    )
    @action(detail=True, methods=["post"])
    def duplicate(self, request: Request, pk: str | None = None) -> Response:
        report = self.get_object()
        data = self.validated(DuplicateInputSerializer)
        services.citizen_report_mark_duplicate(actor=request.user, report=report, incident=data["incident"])
        return self._answer(report)

    @extend_schema(
        request=None,
        responses={200: CitizenReportDetailSerializer, **_ACTION_ERRORS},
        summary=_("Mark as spam"),
        tags=["reports"],
    )
    @action(detail=True, methods=["post"])
    def spam(self, request: Request, pk: str | None = None) -> Response:
        report = self.get_object()
        services.citizen_report_mark_spam(actor=request.user, report=report)
        return self._answer(report)

    @extend_schema(
        methods=["GET"],
        responses={200: ReportQuestionSerializer(many=True), 404: _ACTION_ERRORS[404]},
        summary=_("The questions to the reporter and their answers, oldest first"),
        tags=["reports"],
    )
    @extend_schema(
        methods=["POST"],
        request=AskInputSerializer,
        responses={201: ReportQuestionSerializer, **_ACTION_ERRORS},
        summary=_("Ask the reporter a question (shown on the tracking page, signed as your agency)"),
        tags=["reports"],
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filterset_class=None)
    def questions(self, request: Request, pk: str | None = None) -> Response:
        report = self.get_object()
        if request.method == "POST":
            question = services.report_question_ask(
                actor=request.user, report=report, **self.validated(AskInputSerializer)
            )
            return Response(ReportQuestionSerializer(question).data, status=status.HTTP_201_CREATED)
        return Response(ReportQuestionSerializer(report.questions.all(), many=True).data)
