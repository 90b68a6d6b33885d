"""REST API of joint operations, exercises, action items and coordination notifications,
mounted under /api/v1/ (see coordination/api_urls.py).

- `/operations/`: list (filters of `OperationFilter`), create, retrieve (participations, linked
  incidents and threats the reader may see), PATCH; `/operations/{id}/status/` (POST),
  `/operations/{id}/participations/` (POST adds), `/operations/{id}/participations/{pid}/`
  (PATCH, DELETE), `/operations/{id}/sitreps/` (GET in period order, POST),
  `/operations/{id}/link/` (POST incidents/threats), `/operations/{id}/timeline/` (GET);
- `/exercises/`: list (filters of `ExerciseFilter`), create, retrieve, PATCH; `review/` (POST)
  and `action-items/` (GET, POST);
- `/action-items/`: the user's agencies' items (`overdue=true`), PATCH;
- `/notifications/`: the user's own; `/notifications/read/` (POST) marks them read.

Access (decided by `coordination.selectors` and `coordination.services`): anonymous 401;
what a user may not read is absent from lists and answers 404 on detail and actions; a reader
who may not act gets 403 and nothing changes.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _
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
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.models import Agency, Area
from agencies.serializers import AgencyRefSerializer, AreaRefSerializer, CoordinateField
from agencies.validators import validate_latitude, validate_longitude
from common.api import ApiPagination

from . import selectors, services
from .filters import ActionItemFilter, ExerciseFilter, OperationFilter
from .models import (
    ActionItem,
    Exercise,
    JointOperation,
    Notification,
    OperationEvent,
    Participation,
    SitRep,
)

User = get_user_model()

_DETAIL = {"type": "object", "properties": {"detail": {"type": "string"}}}
FIELD_ERRORS = OpenApiResponse(
    response={"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    description=_("Invalid input: messages by field name (non_field_errors for the rest)."),
)
NOT_FOUND = OpenApiResponse(response=_DETAIL, description=_("No such record, or not visible to you."))
FORBIDDEN = OpenApiResponse(response=_DETAIL, description=_("Your role does not allow this."))


# --- Serializers: output --------------------------------------------------------------------


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.SerializerMethodField()

    def get_name(self, user: Any) -> str:
        return user.get_full_name() or user.get_username()


class ParticipationSerializer(serializers.ModelSerializer):
    agency = AgencyRefSerializer(read_only=True)
    liaison = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Participation
        fields = ["id", "agency", "role", "personnel", "vehicles", "liaison"]
        read_only_fields = fields


class OperationSerializer(serializers.ModelSerializer):
    lead_agency = AgencyRefSerializer(read_only=True)
    areas = AreaRefSerializer(many=True, read_only=True)
    participations = ParticipationSerializer(many=True, read_only=True)
    command_post_lat = serializers.DecimalField(max_digits=9, decimal_places=6, coerce_to_string=False, read_only=True)
    command_post_lon = serializers.DecimalField(max_digits=9, decimal_places=6, coerce_to_string=False, read_only=True)
    approved_by = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = JointOperation
        fields = [
            "id",
            "name",
            "kind",
            "status",
            "classification",
            "lead_agency",
            "areas",
            "objectives",
            "command_post",
            "command_post_lat",
            "command_post_lon",
            "starts_at",
            "ends_at",
            "participations",
            "approved_by",
            "approved_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class LinkedIncidentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField()


class LinkedThreatSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField(source="__str__")


class OperationDetailSerializer(OperationSerializer):
    incidents = serializers.SerializerMethodField()
    threats = serializers.SerializerMethodField()

    class Meta(OperationSerializer.Meta):
        fields = [*OperationSerializer.Meta.fields, "incidents", "threats"]
        read_only_fields = fields

    @extend_schema_field(LinkedIncidentSerializer(many=True))
    def get_incidents(self, operation: JointOperation) -> list[dict[str, Any]]:
        return LinkedIncidentSerializer(self.context["linked"]["incidents"], many=True).data

    @extend_schema_field(LinkedThreatSerializer(many=True))
    def get_threats(self, operation: JointOperation) -> list[dict[str, Any]]:
        return LinkedThreatSerializer(self.context["linked"]["threats"], many=True).data


class OperationEventSerializer(serializers.ModelSerializer):
    actor = UserRefSerializer(read_only=True, allow_null=True)
    actor_agency = AgencyRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = OperationEvent
        fields = ["id", "at", "kind", "message", "data", "actor", "actor_agency"]
        read_only_fields = fields


class SitRepSerializer(serializers.ModelSerializer):
    agency = AgencyRefSerializer(read_only=True)
    author = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = SitRep
        fields = [
            "id",
            "agency",
            "author",
            "period_start",
            "period_end",
            "summary",
            "resources_committed",
            "casualties_dead",
            "casualties_injured",
            "casualties_missing",
            "needs",
            "created_at",
        ]
        read_only_fields = fields


class ActionItemSerializer(serializers.ModelSerializer):
    owner_agency = AgencyRefSerializer(read_only=True)
    exercise = serializers.PrimaryKeyRelatedField(read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = ActionItem
        fields = ["id", "exercise", "description", "owner_agency", "due_date", "status", "overdue", "updated_at"]
        read_only_fields = fields

    def get_overdue(self, item: ActionItem) -> bool:
        from django.utils import timezone

        return item.status != ActionItem.Status.DONE and item.due_date < timezone.localdate()


class ExerciseSerializer(serializers.ModelSerializer):
    lead_agency = AgencyRefSerializer(read_only=True)
    participants = AgencyRefSerializer(many=True, read_only=True)
    areas = AreaRefSerializer(many=True, read_only=True)

    class Meta:
        model = Exercise
        fields = [
            "id",
            "name",
            "kind",
            "classification",
            "lead_agency",
            "participants",
            "areas",
            "scenario",
            "starts_at",
            "ends_at",
            "observations",
            "strengths",
            "gaps",
            "reviewed_at",
            "created_at",
        ]
        read_only_fields = fields


class ExerciseDetailSerializer(ExerciseSerializer):
    action_items = ActionItemSerializer(many=True, read_only=True)

    class Meta(ExerciseSerializer.Meta):
        fields = [*ExerciseSerializer.Meta.fields, "action_items"]
        read_only_fields = fields


class NotificationOperationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class NotificationSerializer(serializers.ModelSerializer):
    agency = AgencyRefSerializer(read_only=True)
    operation = NotificationOperationSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Notification
        fields = ["id", "agency", "operation", "kind", "message", "created_at", "read_at"]
        read_only_fields = fields


# --- Serializers: input ---------------------------------------------------------------------


def _agency_field(**kwargs: Any) -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all(), help_text=_("Agency id"), **kwargs)


def _areas_field() -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(
        queryset=Area.objects.all(), many=True, required=False, help_text=_("Area ids")
    )


def _check_window(attrs: dict[str, Any], instance: Any, start: str, end: str) -> None:
    begin = attrs.get(start, getattr(instance, start, None))
    finish = attrs.get(end, getattr(instance, end, None))
    if begin and finish and finish <= begin:
        raise serializers.ValidationError({end: [_("The end must come after the start.")]})


class OperationUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    kind = serializers.ChoiceField(choices=JointOperation.Kind.choices, required=False)
    classification = serializers.ChoiceField(
        choices=JointOperation._meta.get_field("classification").choices, required=False
    )
    objectives = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    command_post = serializers.CharField(required=False, allow_blank=True, max_length=200)
    command_post_lat = CoordinateField(validate_latitude)
    command_post_lon = CoordinateField(validate_longitude)
    starts_at = serializers.DateTimeField(required=False, allow_null=True)
    ends_at = serializers.DateTimeField(required=False, allow_null=True)
    areas = _areas_field()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        _check_window(attrs, self.instance, "starts_at", "ends_at")
        lat = attrs.get("command_post_lat", getattr(self.instance, "command_post_lat", None))
        lon = attrs.get("command_post_lon", getattr(self.instance, "command_post_lon", None))
        if (lat is None) != (lon is None):
            missing = "command_post_lon" if lon is None else "command_post_lat"
            raise serializers.ValidationError({missing: [_("Give both latitude and longitude, or neither.")]})
        return attrs


class OperationCreateSerializer(OperationUpdateSerializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=JointOperation.Kind.choices)
    lead_agency = _agency_field(required=False, allow_null=True)


class OperationStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=JointOperation.Status.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


class ParticipationUpdateSerializer(serializers.Serializer):
    role = serializers.CharField(required=False, allow_blank=True, max_length=120)
    personnel = serializers.IntegerField(required=False, min_value=0, max_value=100000)
    vehicles = serializers.IntegerField(required=False, min_value=0, max_value=10000)
    liaison = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True, help_text=_("User id of the liaison")
    )


class ParticipationCreateSerializer(ParticipationUpdateSerializer):
    agency = _agency_field()


class OperationLinkSerializer(serializers.Serializer):
    incidents = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, max_length=200)
    threats = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, max_length=200)


class SitRepCreateSerializer(serializers.Serializer):
    agency = _agency_field(required=False, allow_null=True)
    period_start = serializers.DateTimeField()
    period_end = serializers.DateTimeField()
    summary = serializers.CharField(max_length=20000)
    resources_committed = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    casualties_dead = serializers.IntegerField(required=False, min_value=0, max_value=1000000)
    casualties_injured = serializers.IntegerField(required=False, min_value=0, max_value=1000000)
    casualties_missing = serializers.IntegerField(required=False, min_value=0, max_value=1000000)
    needs = serializers.CharField(required=False, allow_blank=True, max_length=10000)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        _check_window(attrs, None, "period_start", "period_end")
        return attrs


class ExerciseUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    kind = serializers.ChoiceField(choices=Exercise.Kind.choices, required=False)
    classification = serializers.ChoiceField(choices=Exercise._meta.get_field("classification").choices, required=False)
    scenario = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    starts_at = serializers.DateTimeField(required=False)
    ends_at = serializers.DateTimeField(required=False)
    participants = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.all(), many=True, required=False, help_text=_("Agency ids")
    )
    areas = _areas_field()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        _check_window(attrs, self.instance, "starts_at", "ends_at")
        return attrs


class ExerciseCreateSerializer(ExerciseUpdateSerializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=Exercise.Kind.choices)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    lead_agency = _agency_field(required=False, allow_null=True)


class ExerciseReviewSerializer(serializers.Serializer):
    observations = serializers.CharField(required=False, allow_blank=True, max_length=20000, default="")
    strengths = serializers.CharField(required=False, allow_blank=True, max_length=20000, default="")
    gaps = serializers.CharField(required=False, allow_blank=True, max_length=20000, default="")


class ActionItemCreateSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=5000)
    owner_agency = _agency_field()
    due_date = serializers.DateField()
    status = serializers.ChoiceField(choices=ActionItem.Status.choices, required=False)


class ActionItemUpdateSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=5000, required=False)
    owner_agency = _agency_field(required=False)
    due_date = serializers.DateField(required=False)
    status = serializers.ChoiceField(choices=ActionItem.Status.choices, required=False)


class NotificationReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=500,
        help_text=_("Notification ids; left out: all of them"),
    )


class NotificationReadResultSerializer(serializers.Serializer):
    marked = serializers.IntegerField()


# --- Views ----------------------------------------------------------------------------------


class _Base(viewsets.GenericViewSet):
    pagination_class = ApiPagination
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def validated(self, serializer_class: type[serializers.Serializer], **kwargs: Any) -> dict[str, Any]:
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context(), **kwargs)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


_PARTICIPATIONS = Prefetch("participations", queryset=Participation.objects.select_related("agency", "liaison"))
_AREAS = Prefetch("areas", queryset=Area.objects.only("id", "name", "level").order_by("name"))
PARTICIPATION_ID = OpenApiParameter("participation_id", OpenApiTypes.INT, OpenApiParameter.PATH)


@extend_schema_view(
    list=extend_schema(summary=_("Joint operations you may read"), responses={200: OperationSerializer(many=True)}),
)
class OperationViewSet(mixins.ListModelMixin, _Base):
    queryset = JointOperation.objects.none()
    serializer_class = OperationSerializer
    filterset_class = OperationFilter
    ordering_fields = ["starts_at", "name", "id"]

    def get_queryset(self) -> QuerySet[JointOperation]:
        return selectors.operation_list(user=self.request.user).prefetch_related(_PARTICIPATIONS, _AREAS)

    def get_object(self) -> JointOperation:
        return selectors.operation_get(user=self.request.user, pk=self.kwargs["pk"])

    def render(self, operation: JointOperation, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.operation_get(user=self.request.user, pk=operation.pk, audit=False)
        context = {
            **self.get_serializer_context(),
            "linked": selectors.operation_linked(user=self.request.user, operation=fresh),
        }
        return Response(OperationDetailSerializer(fresh, context=context).data, status=status_code)

    @extend_schema(summary=_("A joint operation"), responses={200: OperationDetailSerializer, 404: NOT_FOUND})
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        operation = self.get_object()
        context = {
            **self.get_serializer_context(),
            "linked": selectors.operation_linked(user=request.user, operation=operation),
        }
        return Response(OperationDetailSerializer(operation, context=context).data)

    @extend_schema(
        summary=_("Plan an operation led by your agency"),
        request=OperationCreateSerializer,
        responses={201: OperationDetailSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN},
    )
    def create(self, request: Request) -> Response:
        operation = services.operation_create(actor=request.user, **self.validated(OperationCreateSerializer))
        return self.render(operation, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Change the plan (fields left out stay as they are)"),
        request=OperationUpdateSerializer,
        responses={200: OperationDetailSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        operation = self.get_object()
        data = self.validated(OperationUpdateSerializer, instance=operation, partial=True)
        return self.render(services.operation_update(actor=request.user, operation=operation, **data))

    @extend_schema(
        summary=_("Move an operation along its workflow (a 400 lists the allowed moves)"),
        request=OperationStatusSerializer,
        responses={200: OperationDetailSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], url_path="status", url_name="status")
    def change_status(self, request: Request, pk: str | None = None) -> Response:
        operation = self.get_object()
        data = self.validated(OperationStatusSerializer)
        return self.render(services.operation_change_status(actor=request.user, operation=operation, **data))

    @extend_schema(
        summary=_("Add an agency to the operation (its members are told)"),
        request=ParticipationCreateSerializer,
        responses={201: ParticipationSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def participations(self, request: Request, pk: str | None = None) -> Response:
        operation = self.get_object()
        data = self.validated(ParticipationCreateSerializer)
        participation = services.participation_add(actor=request.user, operation=operation, **data)
        return Response(ParticipationSerializer(participation).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["PATCH"],
        summary=_("Change an agency's part in the operation"),
        parameters=[PARTICIPATION_ID],
        request=ParticipationUpdateSerializer,
        responses={200: ParticipationSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @extend_schema(
        methods=["DELETE"],
        summary=_("Take an agency off the operation"),
        parameters=[PARTICIPATION_ID],
        request=None,
        responses={204: None, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(
        detail=True,
        methods=["patch", "delete"],
        url_path=r"participations/(?P<participation_id>[0-9]+)",
        url_name="participation",
    )
    def participation(self, request: Request, pk: str | None = None, participation_id: str | None = None) -> Response:
        operation = self.get_object()
        participation = selectors.operation_participation_get(operation=operation, pk=participation_id or "")
        if request.method == "DELETE":
            services.participation_remove(actor=request.user, participation=participation)
            return Response(status=status.HTTP_204_NO_CONTENT)
        data = self.validated(ParticipationUpdateSerializer)
        participation = services.participation_update(actor=request.user, participation=participation, **data)
        return Response(ParticipationSerializer(participation).data)

    @extend_schema(
        methods=["GET"],
        summary=_("Situation reports, in the order of their periods"),
        request=None,
        responses={200: SitRepSerializer(many=True), 404: NOT_FOUND},
    )
    @extend_schema(
        methods=["POST"],
        summary=_("Report on the situation (members of the lead or a participating agency)"),
        request=SitRepCreateSerializer,
        responses={201: SitRepSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def sitreps(self, request: Request, pk: str | None = None) -> Response:
        operation = self.get_object()
        if request.method == "POST":
            sitrep = services.sitrep_create(
                actor=request.user, operation=operation, **self.validated(SitRepCreateSerializer)
            )
            return Response(SitRepSerializer(sitrep).data, status=status.HTTP_201_CREATED)
        page = self.paginate_queryset(selectors.operation_sitreps(operation=operation))
        return self.get_paginated_response(SitRepSerializer(page, many=True).data)

    @extend_schema(
        summary=_("The timeline of an operation, oldest first"),
        responses={200: OperationEventSerializer(many=True), 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def timeline(self, request: Request, pk: str | None = None) -> Response:
        page = self.paginate_queryset(selectors.operation_timeline(operation=self.get_object()))
        return self.get_paginated_response(OperationEventSerializer(page, many=True).data)

    @extend_schema(
        summary=_("Link incidents and threats you can read"),
        request=OperationLinkSerializer,
        responses={200: OperationDetailSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def link(self, request: Request, pk: str | None = None) -> Response:
        operation = self.get_object()
        data = self.validated(OperationLinkSerializer)
        services.operation_link(
            actor=request.user,
            operation=operation,
            incident_ids=data.get("incidents") or (),
            threat_ids=data.get("threats") or (),
        )
        return self.render(operation)


@extend_schema_view(
    list=extend_schema(summary=_("Exercises you may read"), responses={200: ExerciseSerializer(many=True)}),
)
class ExerciseViewSet(mixins.ListModelMixin, _Base):
    queryset = Exercise.objects.none()
    serializer_class = ExerciseSerializer
    filterset_class = ExerciseFilter
    ordering_fields = ["starts_at", "name", "id"]

    def get_queryset(self) -> QuerySet[Exercise]:
        return selectors.exercise_list(user=self.request.user).prefetch_related(
            Prefetch("participants", queryset=Agency.objects.only("id", "name", "code").order_by("name")), _AREAS
        )

    def get_object(self) -> Exercise:
        return selectors.exercise_get(user=self.request.user, pk=self.kwargs["pk"])

    def render(self, exercise: Exercise, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.exercise_get(user=self.request.user, pk=exercise.pk, audit=False)
        return Response(ExerciseDetailSerializer(fresh).data, status=status_code)

    @extend_schema(
        summary=_("An exercise with its action items"), responses={200: ExerciseDetailSerializer, 404: NOT_FOUND}
    )
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(ExerciseDetailSerializer(self.get_object()).data)

    @extend_schema(
        summary=_("Plan an exercise led by your agency"),
        request=ExerciseCreateSerializer,
        responses={201: ExerciseDetailSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN},
    )
    def create(self, request: Request) -> Response:
        exercise = services.exercise_create(actor=request.user, **self.validated(ExerciseCreateSerializer))
        return self.render(exercise, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Change an exercise (fields left out stay as they are)"),
        request=ExerciseUpdateSerializer,
        responses={200: ExerciseDetailSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        exercise = self.get_object()
        data = self.validated(ExerciseUpdateSerializer, instance=exercise, partial=True)
        return self.render(services.exercise_update(actor=request.user, exercise=exercise, **data))

    @extend_schema(
        summary=_("Record the after-action review"),
        request=ExerciseReviewSerializer,
        responses={200: ExerciseDetailSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: str | None = None) -> Response:
        exercise = self.get_object()
        data = self.validated(ExerciseReviewSerializer)
        return self.render(services.exercise_review(actor=request.user, exercise=exercise, **data))

    @extend_schema(
        methods=["GET"],
        summary=_("The exercise's action items, by due date"),
        request=None,
        responses={200: ActionItemSerializer(many=True), 404: NOT_FOUND},
    )
    @extend_schema(
        methods=["POST"],
        summary=_("Add an action item owned by an agency"),
        request=ActionItemCreateSerializer,
        responses={201: ActionItemSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get", "post"], url_path="action-items", url_name="action-items", filter_backends=[])
    def action_items(self, request: Request, pk: str | None = None) -> Response:
        exercise = self.get_object()
        if request.method == "POST":
            data = self.validated(ActionItemCreateSerializer)
            item = services.action_item_create(actor=request.user, exercise=exercise, **data)
            return Response(ActionItemSerializer(item).data, status=status.HTTP_201_CREATED)
        page = self.paginate_queryset(exercise.action_items.select_related("owner_agency").order_by("due_date", "id"))
        return self.get_paginated_response(ActionItemSerializer(page, many=True).data)


@extend_schema_view(
    list=extend_schema(summary=_("Action items of your agencies (overdue=true for the late ones)")),
)
class ActionItemViewSet(mixins.ListModelMixin, _Base):
    queryset = ActionItem.objects.none()
    serializer_class = ActionItemSerializer
    filterset_class = ActionItemFilter
    ordering_fields = ["due_date", "id"]
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[ActionItem]:
        return selectors.action_item_list(user=self.request.user)

    @extend_schema(summary=_("An action item"), responses={200: ActionItemSerializer, 404: NOT_FOUND})
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(ActionItemSerializer(selectors.action_item_get(user=request.user, pk=pk or "")).data)

    @extend_schema(
        summary=_("Change an action item (its status: the owner agency or the exercise's lead)"),
        request=ActionItemUpdateSerializer,
        responses={200: ActionItemSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        item = selectors.action_item_get(user=request.user, pk=pk or "")
        data = self.validated(ActionItemUpdateSerializer)
        return Response(ActionItemSerializer(services.action_item_update(actor=request.user, item=item, **data)).data)


@extend_schema_view(
    list=extend_schema(
        summary=_("Your coordination notifications, newest first"),
        parameters=[OpenApiParameter("unread", OpenApiTypes.BOOL, description=_("Only unread ones"))],
    ),
)
class NotificationViewSet(mixins.ListModelMixin, _Base):
    queryset = Notification.objects.none()
    serializer_class = NotificationSerializer
    filter_backends: list[Any] = []
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[Notification]:
        unread = self.request.query_params.get("unread")
        flag = {"true": True, "1": True, "false": False, "0": False}.get((unread or "").lower())
        return selectors.notification_list(user=self.request.user, unread=flag)

    @extend_schema(
        summary=_("Mark your notifications read (the given ids, or all)"),
        request=NotificationReadSerializer,
        responses={200: NotificationReadResultSerializer, 400: FIELD_ERRORS},
    )
    @action(detail=False, methods=["post"])
    def read(self, request: Request) -> Response:
        data = self.validated(NotificationReadSerializer)
        marked = services.notification_mark_read(user=request.user, ids=data.get("ids"))
        return Response({"marked": marked})
