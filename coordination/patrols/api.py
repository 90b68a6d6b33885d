"""REST API of patrol shifts, coverage and check-ins, mounted under /api/v1/ (api_urls.py).

- `GET /shifts/` (filters operation, agency, area incl. sub-areas, kind, from, to) and
  `GET /shifts/{id}/`: `selectors.shift_list/shift_get`, visible as the operation is (404 else);
- `POST /shifts/`, `PATCH /shifts/{id}/`, `DELETE /shifts/{id}/`: `services.shift_create/update/
  delete`; planners (commander, liaison, planner) of the operation's agencies, 403 for the
  others who see it (`selectors.shift_get_for_change`); a clash answers 400
  `{"conflicts": [...], "detail": ...}` unless `override_reason` is given;
- `POST /shifts/generate/`: a recurring plan; `GET /shifts/conflicts/?from&to&agency`;
- `GET /coverage/?area=<city>`: ranked coverage; `POST /coverage/fill/`: a gap into shifts;
- `GET|POST /shifts/{id}/check-ins/`: checkpoint statuses; a check-in by a contributing member;
- `GET /shifts.ics?token=...`: an agency's iCalendar feed (no login; a wrong token is 404);
  `POST /calendar-feed/`: a member gets its agency's feed URL.
"""

from __future__ import annotations

import datetime
from typing import Any, cast

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import Throttled
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.audit import AuditedListMixin, audit_rows
from agencies.models import Agency, Area
from agencies.selectors import user_agency_ids
from agencies.serializers import AgencyRefSerializer, AreaRefSerializer
from agencies.validators import validate_latitude, validate_longitude
from common.api import ScopedViewSet
from common.authentication import token_failure_record, token_failures_wait
from common.dates import CalendarDateTimeSerializerField
from common.serializers import DateTimeField, ModelSerializer
from coordination.models import Checkpoint, JointOperation, PatrolShift, ShiftContribution

from . import selectors, services
from .conflicts import ShiftConflictError, conflict_list, conflicts_describe, shift_conflicts
from .coverage import coverage_list
from .filters import ShiftFilter
from .ical import shifts_ical

# --- Serializers ---------------------------------------------------------------------------


class ContributionSerializer(ModelSerializer):
    agency = AgencyRefSerializer(read_only=True)

    class Meta:
        model = ShiftContribution
        fields = ["agency", "unit_name", "headcount", "vehicles"]
        read_only_fields = fields


class ContributionInSerializer(serializers.Serializer):
    agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.filter(is_active=True))
    unit_name = serializers.CharField(max_length=120)
    headcount = serializers.IntegerField(min_value=1, max_value=10_000)
    vehicles = serializers.IntegerField(min_value=0, max_value=1_000, default=0)


class CheckpointInSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, validators=[validate_latitude])
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, validators=[validate_longitude])
    planned_at = DateTimeField(required=False, allow_null=True)


class RosterInSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")


class OperationRefSerializer(ModelSerializer):
    class Meta:
        model = JointOperation
        fields = ["id", "name", "classification"]
        read_only_fields = fields


class ShiftSerializer(ModelSerializer):
    operation = OperationRefSerializer(read_only=True)
    areas = AreaRefSerializer(many=True, read_only=True)
    contributions = ContributionSerializer(many=True, read_only=True)

    class Meta:
        model = PatrolShift
        fields = ["id", "operation", "kind", "title", "starts_at", "ends_at", "areas", "series", "contributions"]
        read_only_fields = fields


class ShiftWriteSerializer(serializers.Serializer):
    operation = serializers.IntegerField(help_text=_("Id of an operation you may see"))
    kind = serializers.ChoiceField(choices=PatrolShift.Kind.choices, default=PatrolShift.Kind.JOINT_PATROL)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    starts_at = DateTimeField()
    ends_at = DateTimeField()
    areas = serializers.PrimaryKeyRelatedField(queryset=Area.objects.all(), many=True, required=False, default=list)
    contributions = ContributionInSerializer(many=True, required=False, default=list)
    checkpoints = CheckpointInSerializer(many=True, required=False, default=list)
    roster = RosterInSerializer(many=True, required=False, default=list)
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=10_000)
    override_reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2_000)

    def validate_operation(self, value: int) -> JointOperation:
        try:
            return selectors.operation_get_for_shifts(user=self.context["request"].user, pk=value)
        except Http404:
            raise serializers.ValidationError(_("No such operation.")) from None

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["ends_at"] <= attrs["starts_at"]:
            raise serializers.ValidationError({"ends_at": [_("The shift ends before it starts.")]})
        return attrs


class ShiftUpdateSerializer(ShiftWriteSerializer):
    operation = None  # type: ignore[assignment]
    starts_at = DateTimeField(required=False)
    ends_at = DateTimeField(required=False)
    kind = serializers.ChoiceField(choices=PatrolShift.Kind.choices, required=False)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    areas = serializers.PrimaryKeyRelatedField(queryset=Area.objects.all(), many=True, required=False)
    contributions = ContributionInSerializer(many=True, required=False)
    checkpoints = CheckpointInSerializer(many=True, required=False)
    roster = RosterInSerializer(many=True, required=False)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=10_000)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        shift = cast(PatrolShift, self.instance)
        start = attrs.get("starts_at", shift.starts_at)
        end = attrs.get("ends_at", shift.ends_at)
        if end <= start:
            raise serializers.ValidationError({"ends_at": [_("The shift ends before it starts.")]})
        return attrs


class GenerateSerializer(serializers.Serializer):
    operation = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=PatrolShift.Kind.choices, default=PatrolShift.Kind.JOINT_PATROL)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    first_date = serializers.DateField()
    days = serializers.IntegerField(min_value=1, max_value=366)
    start_time = serializers.TimeField(help_text=_("Local time in the zone of the first area"))
    end_time = serializers.TimeField(help_text=_("At or before the start: the next morning"))
    areas = serializers.PrimaryKeyRelatedField(queryset=Area.objects.all(), many=True, required=False, default=list)
    contributions = ContributionInSerializer(many=True, required=False, default=list)
    override_reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2_000)

    validate_operation = ShiftWriteSerializer.validate_operation

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["start_time"] == attrs["end_time"]:
            raise serializers.ValidationError({"end_time": [_("The shift ends when it starts.")]})
        return attrs


class CheckInInSerializer(serializers.Serializer):
    checkpoint = serializers.IntegerField(required=False, allow_null=True)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, validators=[validate_latitude])
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, validators=[validate_longitude])
    at = DateTimeField(required=False)


class WindowSerializer(serializers.Serializer):
    from_ = CalendarDateTimeSerializerField(required=False)
    to = CalendarDateTimeSerializerField(required=False)
    agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all(), required=False)

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        data = {("from_" if k == "from" else k): v for k, v in data.items()}
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            # Name the parameter the client sent ("from"), not the Python name of its field.
            detail = exc.detail
            if isinstance(detail, dict) and "from_" in detail:
                detail = {("from" if k == "from_" else k): v for k, v in detail.items()}
            raise serializers.ValidationError(detail) from None


def _created_shifts(request: Request, shifts: list[PatrolShift]) -> Any:
    """The shifts just created, as the list shows them (read back in one query)."""
    qs = selectors.shift_list(user=request.user).filter(pk__in=[s.pk for s in shifts])
    return ShiftSerializer(qs, many=True).data


def _conflict_response(exc: ShiftConflictError) -> Response:
    return Response({"conflicts": exc.conflicts, "detail": str(exc.messages[0])}, status=status.HTTP_400_BAD_REQUEST)


def _children(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in ("contributions", "checkpoints", "roster"):
        if key in data:
            out[key] = [dict(item) for item in data[key]]
    return out


def _checkpoint_rows(shift: PatrolShift, *, position: bool) -> list[dict[str, Any]]:
    """The route's checkpoints with their statuses (`selectors.checkpoint_statuses`); with
    `position`, their coordinates too (the shift's detail)."""
    rows = []
    for s in selectors.checkpoint_statuses(shift=shift):
        cp = s["checkpoint"]
        row: dict[str, Any] = {"id": cp.pk, "order": cp.order, "name": cp.name}
        if position:
            row |= {"latitude": str(cp.latitude), "longitude": str(cp.longitude)}
        row |= {
            "planned_at": cp.planned_at,
            "status": s["status"],
            "checked_in_at": s["check_in"].at if s["check_in"] else None,
        }
        rows.append(row)
    return rows


def _shift_detail(request: Request, shift: PatrolShift) -> dict[str, Any]:
    data = ShiftSerializer(shift).data
    data["checkpoints"] = _checkpoint_rows(shift, position=True)
    if selectors.roster_visible(user=request.user, shift=shift):
        data["roster"] = [{"name": r.name, "phone": r.phone} for r in shift.roster.all()]
    else:
        data["roster"] = None
    data["conflicts"] = shift_conflicts(shift=shift, user=request.user)
    tz = selectors.zone_of(shift.areas.all())
    data["overrides"] = [
        {
            "user": o.user.get_username() if o.user else None,
            "at": o.at,
            "reason": o.reason,
            "conflicts": conflicts_describe(conflicts=o.conflicts, user=request.user, tz=tz),
        }
        for o in shift.overrides.all()
    ]
    return data


# --- Views ---------------------------------------------------------------------------------


class ShiftViewSet(AuditedListMixin, mixins.ListModelMixin, ScopedViewSet):
    audit_object_type = "operation"

    def audit_record(self, row: Any) -> Any:
        return row.operation

    serializer_class = ShiftSerializer
    filterset_class = ShiftFilter
    ordering_fields = ["starts_at", "id"]
    ordering = ["starts_at", "id"]

    def get_queryset(self) -> Any:
        return selectors.shift_list(user=self.request.user)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(_shift_detail(request, selectors.shift_get(user=request.user, pk=pk)))

    @extend_schema(request=ShiftWriteSerializer, responses={201: ShiftSerializer})
    def create(self, request: Request) -> Response:
        data = self.validated(ShiftWriteSerializer)
        try:
            shift = services.shift_create(
                user=request.user,
                operation=data["operation"],
                kind=data["kind"],
                title=data["title"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                areas=data["areas"],
                notes=data["notes"],
                override_reason=data["override_reason"],
                **_children(data),
            )
        except ShiftConflictError as exc:
            return _conflict_response(exc)
        return Response(_shift_detail(request, selectors.shift_get(user=request.user, pk=shift.pk)), status=201)

    @extend_schema(request=ShiftUpdateSerializer, responses={200: ShiftSerializer})
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        shift = selectors.shift_get_for_change(user=request.user, pk=pk)
        data = self.validated(ShiftUpdateSerializer, instance=shift, partial=True)
        fields = {k: data[k] for k in services.SHIFT_FIELDS if k in data}
        try:
            services.shift_update(
                user=request.user,
                shift=shift,
                data=fields,
                areas=data.get("areas"),
                override_reason=data.get("override_reason", ""),
                **_children(data),
            )
        except ShiftConflictError as exc:
            return _conflict_response(exc)
        return Response(_shift_detail(request, selectors.shift_get(user=request.user, pk=shift.pk)))

    def destroy(self, request: Request, pk: str | None = None) -> Response:
        shift = selectors.shift_get_for_change(user=request.user, pk=pk)
        services.shift_delete(user=request.user, shift=shift)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=GenerateSerializer, responses={201: ShiftSerializer(many=True)})
    @action(detail=False, methods=["post"])
    def generate(self, request: Request) -> Response:
        data = self.validated(GenerateSerializer)
        try:
            shifts = services.patrol_plan_generate(
                user=request.user,
                operation=data["operation"],
                first_date=data["first_date"],
                days=data["days"],
                start_time=data["start_time"],
                end_time=data["end_time"],
                areas=data["areas"],
                kind=data["kind"],
                title=data["title"],
                contributions=[dict(c) for c in data["contributions"]],
                override_reason=data["override_reason"],
            )
        except ShiftConflictError as exc:
            return _conflict_response(exc)
        return Response(
            {"series": shifts[0].series if shifts else "", "results": _created_shifts(request, shifts)}, status=201
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATETIME),
            OpenApiParameter("to", OpenApiTypes.DATETIME),
            OpenApiParameter("agency", OpenApiTypes.INT),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None)
    def conflicts(self, request: Request) -> Response:
        ser = WindowSerializer(data=request.query_params)
        ser.is_valid(raise_exception=True)
        start = ser.validated_data.get("from_") or timezone.now()
        end = ser.validated_data.get("to") or start + datetime.timedelta(days=7)
        if end <= start:
            raise serializers.ValidationError({"to": [_("The window ends before it starts.")]})
        if end - start > datetime.timedelta(days=62):
            raise serializers.ValidationError({"to": [_("At most 62 days at a time.")]})
        conflicts = conflict_list(user=request.user, start=start, end=end, agency=ser.validated_data.get("agency"))
        return Response({"count": len(conflicts), "results": conflicts})

    @extend_schema(request=CheckInInSerializer, responses={200: OpenApiTypes.OBJECT, 201: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get", "post"], url_path="check-ins", filterset_class=None)
    def check_ins(self, request: Request, pk: str | None = None) -> Response:
        shift = selectors.shift_get(user=request.user, pk=pk, audit=request.method == "GET")
        if request.method == "POST":
            services.require_check_in(user=request.user, shift=shift)
            data = self.validated(CheckInInSerializer)
            checkpoint = None
            if data.get("checkpoint") is not None:
                checkpoint = Checkpoint.objects.filter(pk=data["checkpoint"], shift=shift).first()
                if checkpoint is None:
                    raise serializers.ValidationError(
                        {"checkpoint": [_("This checkpoint is not on the shift's route.")]}
                    )
            check_in = services.checkin_create(
                user=request.user,
                shift=shift,
                checkpoint=checkpoint,
                latitude=data["latitude"],
                longitude=data["longitude"],
                at=data.get("at"),
            )
            return Response(
                {
                    "id": check_in.pk,
                    "checkpoint": check_in.checkpoint_id,
                    "agency": check_in.agency_id,
                    "at": check_in.at,
                },
                status=201,
            )
        return Response(
            {
                "tolerance_minutes": int(selectors.tolerance().total_seconds() // 60),
                "checkpoints": _checkpoint_rows(shift, position=False),
            }
        )


class CoverageQuerySerializer(serializers.Serializer):
    area = serializers.PrimaryKeyRelatedField(queryset=Area.objects.all(), help_text=_("A city, regency or province"))


class CoverageView(APIView):
    @extend_schema(parameters=[CoverageQuerySerializer], responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        ser = CoverageQuerySerializer(data=request.query_params)
        ser.is_valid(raise_exception=True)
        rows = coverage_list(user=request.user, city=ser.validated_data["area"])
        return Response({"count": len(rows), "results": rows})


class CoverageFillSerializer(serializers.Serializer):
    area = serializers.PrimaryKeyRelatedField(queryset=Area.objects.all())
    operation = serializers.IntegerField()
    start_time = serializers.TimeField(required=False, default=datetime.time(22, 0))
    shift_hours = serializers.IntegerField(min_value=1, max_value=12, default=6)
    contributions = ContributionInSerializer(many=True, required=False, default=list)
    override_reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2_000)

    validate_operation = ShiftWriteSerializer.validate_operation


class CoverageFillView(APIView):
    @extend_schema(request=CoverageFillSerializer, responses={201: ShiftSerializer(many=True)})
    def post(self, request: Request) -> Response:
        ser = CoverageFillSerializer(data=request.data, context={"request": request})
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        try:
            shifts = services.coverage_fill(
                user=request.user,
                area=data["area"],
                operation=data["operation"],
                start_time=data["start_time"],
                shift_hours=data["shift_hours"],
                contributions=[dict(c) for c in data["contributions"]],
                override_reason=data["override_reason"],
            )
        except ShiftConflictError as exc:
            return _conflict_response(exc)
        return Response({"count": len(shifts), "results": _created_shifts(request, shifts)}, status=201)


class ShiftFeedView(APIView):
    """The iCalendar feed: no login, the token is the secret (a wrong one is 404)."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter("token", OpenApiTypes.STR, required=True)],
        responses={(200, "text/calendar"): OpenApiTypes.BINARY},
    )
    def get(self, request: Request) -> HttpResponse:
        # Guessing feed tokens costs: past the failures allowed, 429 even for the right token.
        wait = token_failures_wait(request, scope="calendar_feed")
        if wait is not None:
            raise Throttled(wait=wait)
        try:
            agency, shifts = selectors.calendar_feed_shifts(token=request.query_params.get("token", ""))
        except Http404:
            token_failure_record(request, scope="calendar_feed")
            raise
        rows = list(shifts)
        # No user behind a feed: the read is the agency's.
        audit_rows(
            user=None,
            rows=rows,
            object_type="operation",
            record=lambda s: s.operation,
            detail="calendar feed",
            reader_ids=[agency.pk],
        )
        response = HttpResponse(shifts_ical(agency=agency, shifts=rows), content_type="text/calendar; charset=utf-8")
        response["Cache-Control"] = "private, max-age=300"
        return response


class CalendarFeedSerializer(serializers.Serializer):
    agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.all(), required=False, help_text=_("One of yours; needed when you belong to several")
    )


class CalendarFeedView(APIView):
    @extend_schema(request=CalendarFeedSerializer, responses={200: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        ser = CalendarFeedSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        agency = ser.validated_data.get("agency")
        if agency is None:
            own = sorted(user_agency_ids(user=request.user))
            if len(own) != 1:
                raise serializers.ValidationError({"agency": [_("Choose one of your agencies.")]})
            agency = Agency.objects.get(pk=own[0])
        feed = services.calendar_feed_get_or_create(user=request.user, agency=agency)
        return Response({"agency": agency.pk, "url": selectors.calendar_feed_url(feed), "token": feed.token})
