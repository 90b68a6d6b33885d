"""`/api/v1/cap-sources/`: the CAP sources, staff only (list, create, retrieve, partial update,
delete; `{id}/poll/` queues a poll now; `{id}/fetches/` lists the latest fetches). Anyone
else sees an empty list and 404s, and their writes are refused (403)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.models import Agency
from agencies.serializers import CapSeverityField
from common.api import ScopedViewSet
from common.serializers import ModelSerializer
from incidents.models import CapCategory, CapFetch, CapSource

from . import selectors, services

_DETAIL = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}
FIELD_ERRORS = OpenApiResponse(
    response={"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    description=_("Invalid input: the messages of each field."),
)
NOT_FOUND = OpenApiResponse(response=_DETAIL, description=_("No such CAP source (staff only)."))
FORBIDDEN = OpenApiResponse(response=_DETAIL, description=_("Only platform administrators manage the CAP sources."))


class CapSourceSerializer(ModelSerializer):
    """A CAP source and its poll state (read only: only a poll writes it)."""

    agency_name = serializers.CharField(source="agency.name", read_only=True)
    min_severity = CapSeverityField(read_only=True)

    class Meta:
        model = CapSource
        fields = [
            "id",
            "name",
            "authority",
            "url",
            "kind",
            "poll_every_minutes",
            "categories",
            "min_severity",
            "agency",
            "agency_name",
            "require_signature",
            "certificate",
            "is_active",
            "created_at",
            "last_polled_at",
            "last_success_at",
            "last_error",
            "last_error_at",
            "failing_since",
            "consecutive_failures",
            "next_poll_at",
        ]
        read_only_fields = fields


class CapSourceWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    authority = serializers.CharField(max_length=200)
    url = serializers.URLField(max_length=500)
    kind = serializers.ChoiceField(choices=CapSource.Kind.choices, default=CapSource.Kind.INDEX)
    poll_every_minutes = serializers.IntegerField(min_value=1, max_value=1440, default=5)
    categories = serializers.ListField(child=serializers.ChoiceField(choices=CapCategory.choices), default=list)
    min_severity = CapSeverityField(required=False)
    agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.filter(is_active=True))
    require_signature = serializers.BooleanField(default=False)
    certificate = serializers.CharField(allow_blank=True, default="", help_text=_("X.509 certificate, PEM"))
    is_active = serializers.BooleanField(default=True)


class CapSourceUpdateSerializer(CapSourceWriteSerializer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["partial"] = True
        super().__init__(*args, **kwargs)


class CapFetchSerializer(ModelSerializer):
    class Meta:
        model = CapFetch
        fields = [
            "id",
            "url",
            "identifier",
            "sender",
            "sent_at",
            "outcome",
            "error",
            "threat",
            "attempts",
            "fetched_at",
        ]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(
        summary=_("The CAP sources the portal polls (staff)"), responses={200: CapSourceSerializer(many=True)}
    ),
    retrieve=extend_schema(
        summary=_("A CAP source and its poll state"), responses={200: CapSourceSerializer, 404: NOT_FOUND}
    ),
)
class CapSourceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    queryset = CapSource.objects.none()
    serializer_class = CapSourceSerializer
    ordering_fields = ["name", "id"]
    ordering = ["name", "id"]

    def get_queryset(self) -> QuerySet[CapSource]:
        return selectors.cap_source_list(user=self.request.user)

    def get_scoped_object(self, pk: Any) -> CapSource:
        return selectors.cap_source_get(user=self.request.user, pk=pk)

    def _for_change(self) -> CapSource:
        return selectors.cap_source_get_for_change(user=self.request.user, pk=self.kwargs["pk"])

    def _require_staff(self) -> None:
        if not selectors.can_manage_cap_sources(user=self.request.user):
            raise PermissionDenied(str(FORBIDDEN.description))

    @extend_schema(
        summary=_("Add a CAP source"),
        request=CapSourceWriteSerializer,
        responses={201: CapSourceSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN},
    )
    def create(self, request: Request) -> Response:
        self._require_staff()
        data = self.validated(CapSourceWriteSerializer)
        return self.render(services.cap_source_create(actor=request.user, **data), status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Change a CAP source"),
        request=CapSourceUpdateSerializer,
        responses={200: CapSourceSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        source = self._for_change()
        data = self.validated(CapSourceUpdateSerializer)
        return self.render(services.cap_source_update(actor=request.user, source=source, **data))

    @extend_schema(summary=_("Delete a CAP source"), responses={204: None, 404: NOT_FOUND})
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        services.cap_source_delete(actor=request.user, source=self._for_change())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary=_("Poll a CAP source now"), request=None, responses={202: None, 404: NOT_FOUND})
    @action(detail=True, methods=["post"])
    def poll(self, request: Request, pk: str | None = None) -> Response:
        services.cap_source_poll_now(actor=request.user, source=self._for_change())
        return Response(status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary=_("The latest fetches of a CAP source"), responses={200: CapFetchSerializer(many=True), 404: NOT_FOUND}
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def fetches(self, request: Request, pk: str | None = None) -> Response:
        source = self.get_object()
        rows = selectors.cap_fetch_list(user=request.user, source=source)
        return Response(CapFetchSerializer(rows, many=True).data)
