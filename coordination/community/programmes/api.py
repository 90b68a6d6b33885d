"""REST API of community programmes, mounted under /api/v1/ (see api_urls.py).

- `/programmes/`: list (filters of `ProgrammeFilter`), create, retrieve, PATCH;
- `/programmes/{id}/approve/`, `hold/` (attendance per target group), `report/`, `cancel/` (POST);
- `/programmes/{id}/action-items/` (GET, POST). An item's status is changed through
  `/action-items/{id}/` (the one action-item API). Materials and photos are uploaded on the pages.

Access (decided by `selectors` and `services`): anonymous 401; a programme the user may not read
is absent from lists and answers 404 on detail and actions; a reader who may not act gets 403
and nothing changes; a step the status does not allow, 400.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from common.api import ScopedViewSet
from coordination.api_fields import FIELD_ERRORS, FORBIDDEN, NOT_FOUND
from coordination.models import Programme

from . import selectors, services
from .filters import ProgrammeFilter
from .serializers import (
    CancelSerializer,
    ProgrammeActionItemCreateSerializer,
    ProgrammeActionItemSerializer,
    ProgrammeAttendanceSerializer,
    ProgrammeCreateSerializer,
    ProgrammeDetailSerializer,
    ProgrammeSerializer,
    ProgrammeUpdateSerializer,
    ReportSerializer,
)

WRITE_ERRORS = {400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND}


@extend_schema_view(
    list=extend_schema(summary=_("Programmes you may read"), responses={200: ProgrammeSerializer(many=True)}),
)
class ProgrammeViewSet(mixins.ListModelMixin, ScopedViewSet):
    queryset = Programme.objects.none()
    serializer_class = ProgrammeSerializer
    filterset_class = ProgrammeFilter
    ordering_fields = ["starts_at", "title", "id"]

    def get_queryset(self) -> QuerySet[Programme]:
        return selectors.programme_list(user=self.request.user).order_by("-starts_at", "-id")

    def get_scoped_object(self, pk: Any) -> Programme:
        return selectors.programme_get(user=self.request.user, pk=pk)

    def render(self, programme: Any, status_code: int = status.HTTP_200_OK) -> Response:
        """The programme as it is now, after a write (read again)."""
        fresh = selectors.programme_get(user=self.request.user, pk=programme.pk)
        return Response(ProgrammeDetailSerializer(fresh).data, status=status_code)

    @extend_schema(
        summary=_("A programme with its sessions, target groups, goods, materials and report"),
        responses={200: ProgrammeDetailSerializer, 404: NOT_FOUND},
    )
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(ProgrammeDetailSerializer(self.get_object()).data)

    @extend_schema(
        summary=_("Plan a programme organised by your agency"),
        request=ProgrammeCreateSerializer,
        responses={201: ProgrammeDetailSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN},
    )
    def create(self, request: Request) -> Response:
        programme = services.programme_create(actor=request.user, **self.validated(ProgrammeCreateSerializer))
        return self.render(programme, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Change a planned or approved programme (fields left out stay as they are)"),
        request=ProgrammeUpdateSerializer,
        responses={200: ProgrammeDetailSerializer, **WRITE_ERRORS},
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        programme = self.get_object()
        # Not `partial`: it would reach the rows of sessions and groups, which are whole or refused.
        data = self.validated(ProgrammeUpdateSerializer)
        return self.render(services.programme_update(actor=request.user, programme=programme, **data))

    @extend_schema(
        summary=_("Approve a planned programme (the organiser's commander; partners are told)"),
        request=None,
        responses={200: ProgrammeDetailSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        return self.render(services.programme_approve(actor=request.user, programme=self.get_object()))

    @extend_schema(
        summary=_("Record the attendance per target group: the programme is then held"),
        request=ProgrammeAttendanceSerializer,
        responses={200: ProgrammeDetailSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def hold(self, request: Request, pk: str | None = None) -> Response:
        programme = self.get_object()
        data = self.validated(ProgrammeAttendanceSerializer)
        attendance = {row["target_group"]: row["actual"] for row in data["attendance"]}
        return self.render(services.programme_hold(actor=request.user, programme=programme, attendance=attendance))

    @extend_schema(
        summary=_("Write the report of a held programme"),
        request=ReportSerializer,
        responses={200: ProgrammeDetailSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def report(self, request: Request, pk: str | None = None) -> Response:
        programme = self.get_object()
        data = self.validated(ReportSerializer)
        return self.render(services.programme_report(actor=request.user, programme=programme, **data))

    @extend_schema(
        summary=_("Cancel a planned or approved programme (partners are told)"),
        request=CancelSerializer,
        responses={200: ProgrammeDetailSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        programme = self.get_object()
        data = self.validated(CancelSerializer)
        return self.render(services.programme_cancel(actor=request.user, programme=programme, **data))

    @extend_schema(
        methods=["GET"],
        summary=_("The programme's action items, by due date"),
        request=None,
        responses={200: ProgrammeActionItemSerializer(many=True), 404: NOT_FOUND},
    )
    @extend_schema(
        methods=["POST"],
        summary=_("Add a follow-up action item owned by an agency (and a person of it)"),
        request=ProgrammeActionItemCreateSerializer,
        responses={201: ProgrammeActionItemSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["get", "post"], url_path="action-items", url_name="action-items", filter_backends=[])
    def action_items(self, request: Request, pk: str | None = None) -> Response:
        programme = self.get_object()
        if request.method == "POST":
            data = self.validated(ProgrammeActionItemCreateSerializer)
            item = services.programme_action_item_create(actor=request.user, programme=programme, **data)
            return Response(ProgrammeActionItemSerializer(item).data, status=status.HTTP_201_CREATED)
        page = self.paginate_queryset(list(programme.action_items.all()))
        return self.get_paginated_response(ProgrammeActionItemSerializer(page, many=True).data)
