"""REST API of incidents, mounted under /api/v1/ (see incidents/api_urls.py).

- `/incidents/`: list (filters of `IncidentFilter`, `ordering`, keyset pagination), create,
  retrieve (by id or reference), update and partial update;
- `/incidents/{id}/verify/`, `assign/`, `status/`, `notes/`, `link/`, `merge/` (POST) and
  `/incidents/{id}/timeline/` (GET, paginated, oldest first);
- `/incidents/export.csv` and `/incidents.geojson`: streaming exports with the same filters.

Thin on purpose, as in agencies/api.py: validate the input with a serializer (serializers.py),
call one selector (reads, scoped to the user) or one service (writes, which check the actor's
role), render with the output serializer. Severity and urgency are CAP 1.2 names on the wire.

Access (docs/security.md, "Access"; decided by `incidents.selectors` and `incidents.services`):
- anonymous: 401 everywhere, exports included;
- reads: what `selectors.incident_list` lets the user see (public for everyone signed in,
  restricted for members, confidential for the agencies concerned and their
  information-sharing partners, secret for the agencies concerned only, everything for staff);
  anything else is absent from lists and exports and answers 404 on detail, timeline and actions;
- writes: creating needs an acting role (not viewer) in the reporting agency; changing needs a
  commander or liaison of the reporting, lead or an involved agency (asked before a change by
  `selectors.incident_get_for_change`, again by the services as they write); changing the lead
  and involved agencies (assign, or naming them at creation) needs a commander or liaison of the
  lead agency (the reporting one while there is no lead); a merge needs the right to change both
  incidents and adds no agency; notes any acting member of an agency that can read the
  incident; 403 otherwise.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import BasePagination
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from agencies.audit import AuditedListMixin
from agencies.models import Agency
from common.api import ScopedViewSet
from common.dates import validate_in_calendar

from . import exports, selectors, services
from .filters import IncidentFilter
from .models import Incident
from .serializers import (
    GeoJSONQuerySerializer,
    IncidentAssignSerializer,
    IncidentCreateSerializer,
    IncidentEventSerializer,
    IncidentLinkSerializer,
    IncidentMergeSerializer,
    IncidentNoteSerializer,
    IncidentSerializer,
    IncidentStatusChangeSerializer,
    IncidentUpdateSerializer,
    IncidentVerifySerializer,
)

# --- Pagination -----------------------------------------------------------------------------


class KeysetPagination(BasePagination):
    """Cursor (keyset) pagination on a composite, unique sort key.

    Why not page numbers: `?page=N` costs a COUNT(*) over every visible row on each request
    and an OFFSET that reads and throws away all earlier rows; over a million incidents both
    grow with the table. Why not DRF's CursorPagination: it positions on the first ordering
    field only and skips rows with an equal value by OFFSET (capped at 1,000), which breaks on
    coarse keys such as severity (five values over a million rows). Here the cursor holds the
    whole key of the last row, e.g. (occurred_at, id), and the next page is
    `WHERE occurred_at <= v AND (occurred_at < v OR id < i) ORDER BY -occurred_at, -id LIMIT n+1`:
    an index range scan (`incident_occurred_idx`), as fast on page 10,000 as on page 1. The
    price: no total count and no jumping to page N, which neither the map nor an integration
    needs; `next` and `previous` links walk both ways.
    """

    page_size = 50
    max_page_size = 200
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    # Subclasses: {value of ?ordering=: ((field, descending), ...)}; the last field is unique.
    orderings: dict[str, tuple[tuple[str, bool], ...]] = {}
    default_ordering = ""
    ordering_query_param: str | None = "ordering"

    def paginate_queryset(self, queryset: QuerySet, request: Request, view: Any = None) -> list[Any]:
        self.request = request
        self.ordering = self._get_ordering(request)
        keys = self.orderings[self.ordering]
        size = self._get_page_size(request)
        cursor = self._decode_cursor(request, queryset.model, keys)
        reverse = bool(cursor and cursor[0])
        if cursor is None:
            qs = queryset.order_by(*self._order_by(keys, forward=True))
        else:
            qs = queryset.filter(self._beyond(keys, cursor[1], forward=not reverse)).order_by(
                *self._order_by(keys, forward=not reverse)
            )
        rows = list(qs[: size + 1])
        more = len(rows) > size
        rows = rows[:size]
        if reverse:
            rows.reverse()
            has_next, has_previous = True, more
        else:
            has_next, has_previous = more, cursor is not None
        self.next_cursor = self._encode(rows[-1], keys, reverse=False) if has_next and rows else None
        self.previous_cursor = self._encode(rows[0], keys, reverse=True) if has_previous and rows else None
        if not rows and cursor is not None:
            # Walked off an end: offer the way back from the same position.
            position = self._pack(cursor[1])
            if reverse:
                self.next_cursor = self._pack_cursor(position, reverse=False)
            else:
                self.previous_cursor = self._pack_cursor(position, reverse=True)
        return rows

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            {"next": self._link(self.next_cursor), "previous": self._link(self.previous_cursor), "results": data}
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        link = {"type": "string", "nullable": True, "format": "uri"}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {"next": link, "previous": link, "results": schema},
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": force_str(_("The position to continue from: take it from the next or previous link.")),
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": force_str(_("Results per page (at most %(max)d).") % {"max": self.max_page_size}),
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]
        if self.ordering_query_param:
            parameters.append(
                {
                    "name": self.ordering_query_param,
                    "required": False,
                    "in": "query",
                    "description": force_str(
                        _("Sort order; a leading minus sorts descending (default %(default)s).")
                        % {"default": self.default_ordering}
                    ),
                    "schema": {"type": "string", "enum": list(self.orderings)},
                }
            )
        return parameters

    # -- internals

    def _get_ordering(self, request: Request) -> str:
        if not self.ordering_query_param:
            return self.default_ordering
        value = request.query_params.get(self.ordering_query_param, "").strip() or self.default_ordering
        if value not in self.orderings:
            raise serializers.ValidationError(
                {
                    self.ordering_query_param: [
                        gettext("Unknown ordering. Use one of: %(names)s.") % {"names": ", ".join(self.orderings)}
                    ]
                }
            )
        return value

    def _get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw in (None, ""):
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise serializers.ValidationError(
                {
                    self.page_size_query_param: [
                        gettext("A page holds 1 to %(max)d results.") % {"max": self.max_page_size}
                    ]
                }
            )
        return size

    @staticmethod
    def _order_by(keys: tuple[tuple[str, bool], ...], *, forward: bool) -> list[str]:
        return [("-" if descending == forward else "") + field for field, descending in keys]

    @staticmethod
    def _beyond(keys: tuple[tuple[str, bool], ...], values: list[Any], *, forward: bool) -> Q:
        """Rows strictly after (forward) or before the position `values` in the key order."""
        q = Q()
        for i, (field, descending) in enumerate(keys):
            step = Q(**{f"{field}__{'lt' if descending == forward else 'gt'}": values[i]})
            for j in range(i):
                step &= Q(**{keys[j][0]: values[j]})
            q |= step
        # The same condition once more on the leading key alone, which the database can turn
        # into an index range (the OR above hides it from some planners).
        first, descending = keys[0]
        return Q(**{f"{first}__{'lte' if descending == forward else 'gte'}": values[0]}) & q

    @staticmethod
    def _pack(values: list[Any]) -> list[Any]:
        return [v.isoformat() if isinstance(v, (datetime, date)) else v for v in values]

    def _pack_cursor(self, packed: list[Any], *, reverse: bool) -> str:
        payload = {"o": self.ordering, "r": int(reverse), "v": packed}
        return base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode().rstrip("=")

    def _encode(self, row: Any, keys: tuple[tuple[str, bool], ...], *, reverse: bool) -> str:
        return self._pack_cursor(self._pack([getattr(row, field) for field, _d in keys]), reverse=reverse)

    def _decode_cursor(
        self, request: Request, model: Any, keys: tuple[tuple[str, bool], ...]
    ) -> tuple[bool, list[Any]] | None:
        raw = request.query_params.get(self.cursor_query_param)
        if not raw:
            return None
        try:
            payload = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
            if payload["o"] != self.ordering or len(payload["v"]) != len(keys):
                raise ValueError("cursor of another ordering")
            # clean(), not to_python(): it also runs the field's validators, so an id beyond
            # the column's range is refused here rather than overflowing in the database.
            values = [
                model._meta.get_field(field).clean(value, None)
                for (field, _d), value in zip(keys, payload["v"], strict=True)
            ]
            if any(v is None for v in values):
                raise ValueError("incomplete cursor")
            for value in values:
                if isinstance(value, (datetime, date)):
                    validate_in_calendar(value)  # a forged cursor at year 1 or 9999
            return bool(payload["r"]), values
        except (ValueError, TypeError, KeyError, binascii.Error, DjangoValidationError):
            raise serializers.ValidationError(
                {self.cursor_query_param: [gettext("Invalid cursor: follow the next or previous link.")]}
            ) from None

    def _link(self, cursor: str | None) -> str | None:
        if cursor is None:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, cursor)


class IncidentPagination(KeysetPagination):
    # Every key ends with id, so the order is total and a cursor names exactly one position.
    # Only (-)occurred_at has an index; the other orders sort the filtered set first.
    orderings = {
        "-occurred_at": (("occurred_at", True), ("id", True)),
        "occurred_at": (("occurred_at", False), ("id", False)),
        "-reported_at": (("reported_at", True), ("id", True)),
        "reported_at": (("reported_at", False), ("id", False)),
        "-severity": (("severity", True), ("occurred_at", True), ("id", True)),
        "severity": (("severity", False), ("occurred_at", True), ("id", True)),
        "reference": (("reference", False),),
        "-reference": (("reference", True),),
    }
    default_ordering = "-occurred_at"


class TimelinePagination(KeysetPagination):
    page_size = 100
    orderings = {"at": (("at", False), ("id", False))}
    default_ordering = "at"
    ordering_query_param = None


# --- Schema helpers -------------------------------------------------------------------------

FIELD_ERRORS = OpenApiResponse(
    response={
        "type": "object",
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
        "example": {"latitude": ["Latitude 48 is outside Indonesia (-11.5 to 6.5)."]},
    },
    description=_("Invalid input: messages by field name (non_field_errors for the rest)."),
)
_DETAIL = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}
NOT_FOUND = OpenApiResponse(response=_DETAIL, description=_("No such incident, or not visible to you."))
FORBIDDEN = OpenApiResponse(response=_DETAIL, description=_("Your role does not allow this."))


# --- Views ----------------------------------------------------------------------------------

_INVOLVED = Prefetch("involved_agencies", queryset=Agency.objects.only("id", "name", "code"))


@extend_schema_view(
    list=extend_schema(
        summary=_("Incidents you may see, newest first (filters, ordering, keyset pagination)"),
        responses={200: IncidentSerializer(many=True), 400: FIELD_ERRORS},
    ),
)
class IncidentViewSet(AuditedListMixin, mixins.ListModelMixin, ScopedViewSet):
    """Incidents: read as the selectors allow, written through the workflow services."""

    audit_object_type = "incident"

    queryset = Incident.objects.none()
    serializer_class = IncidentSerializer
    filterset_class = IncidentFilter
    # Ordering is the paginator's business: a keyset cursor must know the sort key.
    filter_backends = [DjangoFilterBackend]
    pagination_class = IncidentPagination  # type: ignore[assignment]  # keyset, not ScopedViewSet's page numbers
    # PUT as well as PATCH, and no DELETE (an incident is closed, never deleted).
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Incident]:
        return selectors.incident_list(user=self.request.user).prefetch_related(_INVOLVED)

    def get_scoped_object(self, pk: Any) -> Incident:
        return selectors.incident_get(user=self.request.user, pk=pk)

    def get_object_for_change(self) -> Incident:
        """The incident of the URL if the user may change it: 404 unseen, 403 seen but not theirs to change."""
        return selectors.incident_get_for_change(user=self.request.user, pk=self.kwargs["pk"])

    def render(self, instance: Incident, status_code: int = status.HTTP_200_OK) -> Response:
        """The incident as it is now: read again, since services may return a partial instance."""
        fresh = selectors.incident_get(user=self.request.user, pk=instance.pk, audit=False)
        return super().render(fresh, status_code)

    @extend_schema(
        summary=_("An incident, by id or reference"),
        responses={200: IncidentSerializer, 404: NOT_FOUND},
    )
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(
        summary=_("Log an incident for your agency (source=cctv with a camera for CCTV operators)"),
        request=IncidentCreateSerializer,
        responses={201: IncidentSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN},
    )
    def create(self, request: Request) -> Response:
        incident = services.incident_create(actor=request.user, **self.validated(IncidentCreateSerializer))
        return self.render(incident, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Change an incident's description (fields left out stay as they are)"),
        request=IncidentUpdateSerializer,
        responses={200: IncidentSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def update(self, request: Request, pk: str | None = None, partial: bool = False) -> Response:
        incident = self.get_object_for_change()
        data = self.validated(IncidentUpdateSerializer, instance=incident, partial=partial)
        return self.render(services.incident_update(actor=request.user, incident=incident, **data))

    @extend_schema(
        summary=_("Change some fields of an incident's description"),
        request=IncidentUpdateSerializer,
        responses={200: IncidentSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        return self.update(request, pk, partial=True)

    @extend_schema(
        summary=_("Verify a reported incident"),
        request=IncidentVerifySerializer,
        responses={200: IncidentSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, pk: str | None = None) -> Response:
        incident = self.get_object_for_change()
        data = self.validated(IncidentVerifySerializer)
        return self.render(services.incident_verify(actor=request.user, incident=incident, **data))

    @extend_schema(
        summary=_("Set the lead agency and/or the involved agencies"),
        request=IncidentAssignSerializer,
        responses={200: IncidentSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str | None = None) -> Response:
        incident = selectors.incident_get_for_assign(user=request.user, pk=self.kwargs["pk"])
        data = self.validated(IncidentAssignSerializer)
        return self.render(services.incident_assign(actor=request.user, incident=incident, **data))

    @extend_schema(
        summary=_("Move an incident along its workflow (a 400 lists the allowed moves)"),
        request=IncidentStatusChangeSerializer,
        responses={200: IncidentSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], url_path="status", url_name="status")
    def change_status(self, request: Request, pk: str | None = None) -> Response:
        incident = self.get_object_for_change()
        data = self.validated(IncidentStatusChangeSerializer)
        return self.render(services.incident_change_status(actor=request.user, incident=incident, **data))

    @extend_schema(
        summary=_("Add a note to the timeline"),
        request=IncidentNoteSerializer,
        responses={201: IncidentEventSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def notes(self, request: Request, pk: str | None = None) -> Response:
        incident = self.get_object()
        data = self.validated(IncidentNoteSerializer)
        event = services.incident_add_note(actor=request.user, incident=incident, **data)
        return Response(IncidentEventSerializer(event).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("The timeline of an incident, oldest first"),
        responses={200: IncidentEventSerializer(many=True), 400: FIELD_ERRORS, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"], pagination_class=TimelinePagination, filter_backends=[])
    def timeline(self, request: Request, pk: str | None = None) -> Response:
        events = selectors.incident_timeline(incident=self.get_object())
        page = self.paginate_queryset(events)
        return self.get_paginated_response(IncidentEventSerializer(page, many=True).data)

    @extend_schema(
        summary=_("Link a CCTV camera or a vital object"),
        request=IncidentLinkSerializer,
        responses={200: IncidentSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def link(self, request: Request, pk: str | None = None) -> Response:
        incident = self.get_object_for_change()
        data = self.validated(IncidentLinkSerializer)
        return self.render(services.incident_link(actor=request.user, incident=incident, **data))

    @extend_schema(
        summary=_("Mark this incident a duplicate of another you may also change (its citizen reports move over)"),
        request=IncidentMergeSerializer,
        responses={200: IncidentSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def merge(self, request: Request, pk: str | None = None) -> Response:
        duplicate = self.get_object_for_change()
        into_ref = self.validated(IncidentMergeSerializer)["into"]
        try:
            # Merging writes to both: the original must be one the user may change too (403).
            into = selectors.incident_get_for_change(user=request.user, pk=into_ref.strip())
        except Http404:
            # The same answer whether it does not exist or is hidden from the user.
            raise serializers.ValidationError({"into": [_("No incident with this id or reference.")]}) from None
        return self.render(services.incident_merge(actor=request.user, duplicate=duplicate, into=into))


# --- Exports --------------------------------------------------------------------------------


class _ExportSchema(AutoSchema):
    """Document the filters on the exports, which drf-spectacular only does for list views."""

    def get_filter_backends(self) -> list[Any]:
        return list(getattr(self.view, "filter_backends", []))


class _IncidentExportView(GenericAPIView):
    """Shared by the exports: the list's filters and visibility, validated before streaming."""

    queryset = Incident.objects.none()
    filterset_class = IncidentFilter
    filter_backends = [DjangoFilterBackend]
    pagination_class = None
    renderer_classes = [JSONRenderer]
    schema = _ExportSchema()

    def perform_content_negotiation(self, request: Request, force: bool = False) -> tuple[BaseRenderer, str]:
        # The body is not rendered by DRF; errors (400, 401) are JSON whatever the client accepts.
        return super().perform_content_negotiation(request, force=True)

    def get_queryset(self) -> QuerySet[Incident]:
        return selectors.incident_list(user=self.request.user)

    def filtered(self) -> QuerySet[Incident]:
        """The visible incidents matching the filters; a ValidationError (400) on bad input."""
        return self.filter_queryset(self.get_queryset())


class IncidentCSVExportView(_IncidentExportView):
    @extend_schema(
        operation_id="incidents_export_csv",
        summary=_("Incidents you may see as CSV, streamed (same filters as the list)"),
        responses={
            (200, "text/csv"): OpenApiResponse(
                response=OpenApiTypes.STR, description=_("A header row, then one row per incident, newest first.")
            ),
            400: FIELD_ERRORS,
        },
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        incidents = self.filtered()
        exports.audit_export(user=request.user, queryset=incidents, name="export.csv")
        response = StreamingHttpResponse(exports.incident_csv_chunks(incidents), content_type="text/csv; charset=utf-8")
        filename = f"incidents-{timezone.localdate():%Y%m%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


# The map asks for a bbox at every pan and zoom; unbounded, a city-wide box over years of data
# would be hundreds of thousands of markers that no browser clusters smoothly. 5,000 is what
# the benchmark holds under 300 ms and Leaflet.markercluster draws without stutter.
MAP_DEFAULT_LIMIT = 5_000


class IncidentGeoJSONView(_IncidentExportView):
    @extend_schema(
        operation_id="incidents_geojson",
        summary=_("Incidents you may see as a GeoJSON FeatureCollection (RFC 7946), streamed"),
        description=_(
            "Same filters as the list. Without limit: every matching incident, except with bbox, "
            "where at most 5,000 (the map's budget) are sent. Features come newest first; a "
            'collection cut short by the limit ends with "truncated": true. Incidents without a '
            "position have a null geometry."
        ),
        parameters=[
            OpenApiParameter(
                "limit",
                int,
                description=_("At most this many features (1 to 100,000)."),
            )
        ],
        responses={
            (200, "application/geo+json"): OpenApiResponse(
                response=OpenApiTypes.OBJECT, description=_("A FeatureCollection.")
            ),
            400: FIELD_ERRORS,
        },
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        incidents = self.filtered()
        params = GeoJSONQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        limit = params.validated_data.get("limit")
        if limit is None and request.query_params.get("bbox"):
            limit = MAP_DEFAULT_LIMIT
        prefix = request.build_absolute_uri(reverse("api-incident-list"))
        chunks = exports.incident_geojson_chunks(incidents, detail_url_prefix=prefix, limit=limit, user=request.user)
        return StreamingHttpResponse(chunks, content_type="application/geo+json")
