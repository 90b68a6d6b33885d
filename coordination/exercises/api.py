"""REST API of exercises and action items (of exercises and meetings alike), mounted under /api/v1/ (see
coordination/exercises/api_urls.py).

- `/exercises/`: list (filters of `ExerciseFilter`), create, retrieve, PATCH; `review/` (POST)
  and `action-items/` (GET, POST);
- `/action-items/`: the user's agencies' items (`overdue=true`), PATCH.

Access (decided by `coordination.exercises.selectors` and `.services`): anonymous 401; what a
user may not read is absent from lists and answers 404 on detail and actions; a reader who may
not act gets 403 and nothing changes.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.audit import AuditedListMixin
from agencies.models import Agency, Classification
from agencies.serializers import AgencyRefSerializer, AreaRefSerializer
from common.api import ScopedViewSet
from common.serializers import DateTimeField, ModelSerializer
from coordination.api_fields import AREAS, FIELD_ERRORS, FORBIDDEN, NOT_FOUND, agency_field, areas_field, check_window
from coordination.models import ActionItem, Exercise

from . import selectors, services
from .filters import ActionItemFilter, ExerciseFilter

# --- Serializers: output --------------------------------------------------------------------


class ActionItemSerializer(ModelSerializer):
    owner_agency = AgencyRefSerializer(read_only=True)
    exercise: serializers.PrimaryKeyRelatedField[Exercise] = serializers.PrimaryKeyRelatedField(read_only=True)
    meeting: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(read_only=True)
    programme: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(read_only=True)
    evaluation: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(read_only=True)
    owner_person: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(
        read_only=True, help_text=_("User id")
    )
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = ActionItem
        fields = [
            "id",
            "exercise",
            "meeting",
            "programme",
            "evaluation",
            "description",
            "owner_agency",
            "owner_person",
            "due_date",
            "status",
            "overdue",
            "updated_at",
        ]
        read_only_fields = fields

    def get_overdue(self, item: ActionItem) -> bool:
        return selectors.action_item_is_overdue(item)


class ExerciseSerializer(ModelSerializer):
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


# --- Serializers: input ---------------------------------------------------------------------


class ExerciseUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    kind = serializers.ChoiceField(choices=Exercise.Kind.choices, required=False)
    classification = serializers.ChoiceField(choices=Classification.choices, required=False)
    scenario = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    starts_at = DateTimeField(required=False)
    ends_at = DateTimeField(required=False)
    participants = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.all(), many=True, required=False, help_text=_("Agency ids")
    )
    areas = areas_field()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        check_window(attrs, self.instance, "starts_at", "ends_at")
        return attrs


class ExerciseCreateSerializer(ExerciseUpdateSerializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=Exercise.Kind.choices)
    starts_at = DateTimeField()
    ends_at = DateTimeField()
    lead_agency = agency_field(required=False, allow_null=True)


class ExerciseReviewSerializer(serializers.Serializer):
    observations = serializers.CharField(required=False, allow_blank=True, max_length=20000, default="")
    strengths = serializers.CharField(required=False, allow_blank=True, max_length=20000, default="")
    gaps = serializers.CharField(required=False, allow_blank=True, max_length=20000, default="")


class ActionItemCreateSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=5000)
    owner_agency = agency_field()
    due_date = serializers.DateField()
    status = serializers.ChoiceField(choices=ActionItem.Status.choices, required=False)


class ActionItemUpdateSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=5000, required=False)
    owner_agency = agency_field(required=False)
    due_date = serializers.DateField(required=False)
    status = serializers.ChoiceField(choices=ActionItem.Status.choices, required=False)


# --- Views ----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary=_("Exercises you may read"), responses={200: ExerciseSerializer(many=True)}),
)
class ExerciseViewSet(AuditedListMixin, mixins.ListModelMixin, ScopedViewSet):
    audit_object_type = "exercise"
    queryset = Exercise.objects.none()
    serializer_class = ExerciseSerializer
    filterset_class = ExerciseFilter
    ordering_fields = ["starts_at", "name", "id"]

    def get_queryset(self) -> QuerySet[Exercise]:
        return selectors.exercise_list(user=self.request.user).prefetch_related(
            Prefetch("participants", queryset=Agency.objects.only("id", "name", "code").order_by("name")), AREAS
        )

    def get_scoped_object(self, pk: Any) -> Exercise:
        return selectors.exercise_get(user=self.request.user, pk=pk)

    def render(self, exercise: Any, status_code: int = status.HTTP_200_OK) -> Response:
        """The exercise as it is now, after a write (read again, unaudited)."""
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
        page = self.paginate_queryset(selectors.exercise_action_items(exercise=exercise))
        return self.get_paginated_response(ActionItemSerializer(page, many=True).data)


@extend_schema_view(
    list=extend_schema(summary=_("Action items of your agencies (overdue=true for the late ones)")),
)
class ActionItemViewSet(mixins.ListModelMixin, ScopedViewSet):
    queryset = ActionItem.objects.none()
    serializer_class = ActionItemSerializer
    filterset_class = ActionItemFilter
    ordering_fields = ["due_date", "id"]
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[ActionItem]:
        return selectors.action_item_list(user=self.request.user)

    def get_scoped_object(self, pk: Any) -> ActionItem:
        return selectors.action_item_get(user=self.request.user, pk=pk)

    @extend_schema(summary=_("An action item"), responses={200: ActionItemSerializer, 404: NOT_FOUND})
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return self.render(self.get_object())

    @extend_schema(
        summary=_(
            "Change an action item (its status: the owner agency, or the exercise's lead or meeting's organiser)"
        ),
        request=ActionItemUpdateSerializer,
        responses={200: ActionItemSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        item = self.get_object()
        data = self.validated(ActionItemUpdateSerializer)
        return self.render(services.action_item_update(actor=request.user, item=item, **data))
