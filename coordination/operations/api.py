"""REST API of joint operations, mounted under /api/v1/ (see coordination/operations/api_urls.py).

- `/operations/`: list (filters of `OperationFilter`), create, retrieve (participations, linked
  incidents and threats the reader may see), PATCH; `/operations/{id}/status/` (POST),
  `/operations/{id}/participations/` (POST adds), `/operations/{id}/participations/{pid}/`
  (PATCH, DELETE), `/operations/{id}/sitreps/` (GET in period order, POST),
  `/operations/{id}/link/` (POST incidents/threats), `/operations/{id}/timeline/` (GET).

Access (decided by `coordination.operations.selectors` and `.services`): anonymous 401; what a
user may not read is absent from lists and answers 404 on detail and actions; a reader who may
not act gets 403 and nothing changes.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.audit import AuditedListMixin
from common.api import ScopedViewSet
from coordination.api_fields import AREAS, FIELD_ERRORS, FORBIDDEN, NOT_FOUND
from coordination.models import JointOperation, Participation

from . import selectors, services
from .filters import OperationFilter
from .serializers import (
    OperationCreateSerializer,
    OperationDetailSerializer,
    OperationEventSerializer,
    OperationLinkSerializer,
    OperationSerializer,
    OperationStatusSerializer,
    OperationUpdateSerializer,
    ParticipationCreateSerializer,
    ParticipationSerializer,
    ParticipationUpdateSerializer,
    SitRepCreateSerializer,
    SitRepSerializer,
)

_PARTICIPATIONS = Prefetch("participations", queryset=Participation.objects.select_related("agency", "liaison"))
PARTICIPATION_ID = OpenApiParameter("participation_id", OpenApiTypes.INT, OpenApiParameter.PATH)


@extend_schema_view(
    list=extend_schema(summary=_("Joint operations you may read"), responses={200: OperationSerializer(many=True)}),
)
class OperationViewSet(AuditedListMixin, mixins.ListModelMixin, ScopedViewSet):
    audit_object_type = "operation"
    queryset = JointOperation.objects.none()
    serializer_class = OperationSerializer
    filterset_class = OperationFilter
    ordering_fields = ["starts_at", "name", "id"]

    def get_queryset(self) -> QuerySet[JointOperation]:
        return selectors.operation_list(user=self.request.user).prefetch_related(_PARTICIPATIONS, AREAS)

    def get_scoped_object(self, pk: Any) -> JointOperation:
        return selectors.operation_get(user=self.request.user, pk=pk)

    def _detail(self, operation: JointOperation, status_code: int = status.HTTP_200_OK) -> Response:
        """The operation with the linked incidents and threats the reader may see."""
        context = {
            **self.get_serializer_context(),
            "linked": selectors.operation_linked(user=self.request.user, operation=operation),
        }
        return Response(OperationDetailSerializer(operation, context=context).data, status=status_code)

    def render(self, operation: Any, status_code: int = status.HTTP_200_OK) -> Response:
        """The operation as it is now, after a write (read again, unaudited)."""
        return self._detail(selectors.operation_get(user=self.request.user, pk=operation.pk, audit=False), status_code)

    @extend_schema(summary=_("A joint operation"), responses={200: OperationDetailSerializer, 404: NOT_FOUND})
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return self._detail(self.get_object())

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
            if not services.can_report_operation(user=request.user, operation=operation):
                raise PermissionDenied(_("Only members of the agencies taking part may report on this operation."))
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
