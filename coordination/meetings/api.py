"""REST API of coordination meetings, mounted under /api/v1/ (see api_urls.py).

- `/meetings/`: list (filters of `MeetingFilter`), create, retrieve, PATCH;
- `/meetings/{id}/cancel/`, `rsvp/`, `attendance/`, `minutes/` (POST);
- `/meetings/{id}/decisions/` and `action-items/` (GET, POST). An item's status is changed
  through `/action-items/{id}/` (the one action-item API, shared with exercises).

Access (decided by `coordination.meetings.selectors` and `.services`): anonymous 401; a meeting
the user may not read is absent from lists and answers 404 on detail and actions; a reader who
may not act gets 403 and nothing changes.
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
from coordination.models import Meeting

from . import selectors, services
from .filters import MeetingFilter
from .serializers import (
    AttendanceSerializer,
    DecisionCreateSerializer,
    DecisionSerializer,
    InviteeSerializer,
    MeetingActionItemCreateSerializer,
    MeetingActionItemSerializer,
    MeetingCreateSerializer,
    MeetingDetailSerializer,
    MeetingSerializer,
    MeetingUpdateSerializer,
    MinutesSerializer,
    RsvpSerializer,
)

WRITE_ERRORS = {400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND}


@extend_schema_view(
    list=extend_schema(summary=_("Meetings you may read"), responses={200: MeetingSerializer(many=True)}),
)
class MeetingViewSet(mixins.ListModelMixin, ScopedViewSet):
    queryset = Meeting.objects.none()
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter
    ordering_fields = ["starts_at", "title", "id"]

    def get_queryset(self) -> QuerySet[Meeting]:
        return selectors.meeting_list(user=self.request.user).order_by("-starts_at", "-id")

    def get_scoped_object(self, pk: Any) -> Meeting:
        return selectors.meeting_get(user=self.request.user, pk=pk)

    def render(self, meeting: Any, status_code: int = status.HTTP_200_OK) -> Response:
        """The meeting as it is now, after a write (read again)."""
        fresh = selectors.meeting_get(user=self.request.user, pk=meeting.pk)
        return Response(MeetingDetailSerializer(fresh).data, status=status_code)

    @extend_schema(
        summary=_("A meeting with its invitees, decisions and action items"),
        responses={200: MeetingDetailSerializer, 404: NOT_FOUND},
    )
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(MeetingDetailSerializer(self.get_object()).data)

    @extend_schema(
        summary=_("Schedule a meeting organised by your agency and invite agencies and persons"),
        request=MeetingCreateSerializer,
        responses={201: MeetingDetailSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN},
    )
    def create(self, request: Request) -> Response:
        meeting = services.meeting_create(actor=request.user, **self.validated(MeetingCreateSerializer))
        return self.render(meeting, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Change a scheduled meeting (fields left out stay as they are)"),
        request=MeetingUpdateSerializer,
        responses={200: MeetingDetailSerializer, **WRITE_ERRORS},
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        meeting = self.get_object()
        data = self.validated(MeetingUpdateSerializer, instance=meeting, partial=True)
        return self.render(services.meeting_update(actor=request.user, meeting=meeting, **data))

    @extend_schema(
        summary=_("Cancel a scheduled meeting (invitees are told)"),
        request=None,
        responses={200: MeetingDetailSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        return self.render(services.meeting_cancel(actor=request.user, meeting=self.get_object()))

    @extend_schema(
        summary=_("Answer the invitation for your agency (or yourself, when invited by name)"),
        request=RsvpSerializer,
        responses={200: InviteeSerializer(many=True), **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def rsvp(self, request: Request, pk: str | None = None) -> Response:
        meeting = self.get_object()
        data = self.validated(RsvpSerializer)
        rows = services.meeting_rsvp(actor=request.user, meeting=meeting, **data)
        return Response(InviteeSerializer(rows, many=True).data)

    @extend_schema(
        summary=_("Record who was present (per invited agency and person)"),
        request=AttendanceSerializer,
        responses={200: MeetingDetailSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def attendance(self, request: Request, pk: str | None = None) -> Response:
        meeting = self.get_object()
        data = self.validated(AttendanceSerializer)
        present = {row["invitee"]: row["present"] for row in data["present"]}
        return self.render(services.meeting_attendance(actor=request.user, meeting=meeting, present=present))

    @extend_schema(
        summary=_("Write the minutes (Markdown)"),
        request=MinutesSerializer,
        responses={200: MeetingDetailSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def minutes(self, request: Request, pk: str | None = None) -> Response:
        meeting = self.get_object()
        data = self.validated(MinutesSerializer)
        return self.render(services.meeting_minutes(actor=request.user, meeting=meeting, **data))

    @extend_schema(
        methods=["GET"],
        summary=_("The meeting's decisions"),
        request=None,
        responses={200: DecisionSerializer(many=True), 404: NOT_FOUND},
    )
    @extend_schema(
        methods=["POST"],
        summary=_("Record a decision"),
        request=DecisionCreateSerializer,
        responses={201: DecisionSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def decisions(self, request: Request, pk: str | None = None) -> Response:
        meeting = self.get_object()
        if request.method == "POST":
            data = self.validated(DecisionCreateSerializer)
            decision = services.meeting_decision_add(actor=request.user, meeting=meeting, **data)
            return Response(DecisionSerializer(decision).data, status=status.HTTP_201_CREATED)
        page = self.paginate_queryset(list(meeting.decisions.all()))
        return self.get_paginated_response(DecisionSerializer(page, many=True).data)

    @extend_schema(
        methods=["GET"],
        summary=_("The meeting's action items, by due date"),
        request=None,
        responses={200: MeetingActionItemSerializer(many=True), 404: NOT_FOUND},
    )
    @extend_schema(
        methods=["POST"],
        summary=_("Add an action item owned by an agency (and a person of it)"),
        request=MeetingActionItemCreateSerializer,
        responses={201: MeetingActionItemSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["get", "post"], url_path="action-items", url_name="action-items", filter_backends=[])
    def action_items(self, request: Request, pk: str | None = None) -> Response:
        meeting = self.get_object()
        if request.method == "POST":
            data = self.validated(MeetingActionItemCreateSerializer)
            item = services.meeting_action_item_create(actor=request.user, meeting=meeting, **data)
            return Response(MeetingActionItemSerializer(item).data, status=status.HTTP_201_CREATED)
        page = self.paginate_queryset(list(meeting.action_items.all()))
        return self.get_paginated_response(MeetingActionItemSerializer(page, many=True).data)
