"""REST API of incidents, mounted under /api/v1/ (see incidents/api_urls.py).

- `/incidents/`: list (filters of `IncidentFilter`, `ordering`, keyset pagination), create,
  retrieve (by id or reference), update and partial update;
- `/incidents/{id}/verify/`, `assign/`, `status/`, `notes/`, `link/`, `merge/` (POST) and
  `/incidents/{id}/timeline/` (GET, paginated, oldest first);
- `/incidents/export.csv` and `/incidents.geojson`: streaming exports with the same filters.

Thin on purpose, as in agencies/api.py: validate the input with a serializer, call one
selector (reads, scoped to the user) or one service (writes, which check the actor's role),
render with the output serializer. Severity and urgency are CAP 1.2 names on the wire.

Access (docs/security.md, "Access"; decided by `incidents.selectors` and `incidents.services`):
- anonymous: 401 everywhere, exports included;
- reads: what `selectors.incident_list` lets the user see (public for everyone signed in,
  restricted for members, confidential for the agencies concerned and their
  information-sharing partners, secret for the agencies concerned only, everything for staff);
  anything else is absent from lists and exports and answers 404 on detail, timeline and actions;
- writes: creating needs an acting role (not viewer) in the reporting agency; changing needs a
  commander or liaison of the reporting, lead or an involved agency; notes any acting member of
  an agency that can read the incident; the services answer 403 otherwise.
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
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
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
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import BasePagination
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from agencies import selectors as agency_selectors
from agencies.models import Agency, Area, Classification
from agencies.serializers import AgencyRefSerializer, AreaRefSerializer, CapSeverityField, CoordinateField
from agencies.validators import validate_latitude, validate_longitude

from . import exports, selectors, services
from .filters import IncidentFilter
from .models import Category, Incident, IncidentEvent

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


# --- Shared fields --------------------------------------------------------------------------

CAP_URGENCY: dict[str, int] = {name: value for value, name in exports.URGENCY_NAMES.items()}


class IncidentStatusField(serializers.ChoiceField):
    """An incident status code ("reported", "verified", ...)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=Incident.Status.choices, **kwargs)


class IncidentSeverityField(CapSeverityField):
    """CAP severity on incidents; its own class only to name its schema component."""


# drf-spectacular names an enum after the field that carries it. The incident status set is
# carried by `status` and `allowed_transitions`, and other apps have `status` fields with other
# sets; the CAP severity set is also the subscriptions' `min_severity`. Left alone that gives
# hashed names ("Status497Enum") and warnings; these extensions name the components once.
class IncidentStatusFieldExtension(OpenApiSerializerFieldExtension):
    target_class = IncidentStatusField

    def get_name(self) -> str:
        return "IncidentStatus"

    def map_serializer_field(self, auto_schema: AutoSchema, direction: str) -> dict[str, Any]:
        return {"type": "string", "enum": list(Incident.Status.values)}


class IncidentSeverityFieldExtension(OpenApiSerializerFieldExtension):
    target_class = IncidentSeverityField

    def get_name(self) -> str:
        return "CapSeverity"

    def map_serializer_field(self, auto_schema: AutoSchema, direction: str) -> dict[str, Any]:
        return {"type": "string", "enum": list(exports.SEVERITY_NAMES.values())}


class CapUrgencyField(serializers.ChoiceField):
    """A CAP urgency name ("Immediate", "Expected", "Future", "Past", "Unknown"), stored as its integer."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "help_text", _('CAP 1.2 urgency name: "Unknown", "Past", "Future", "Expected" or "Immediate".')
        )
        super().__init__(choices=[(name, name) for name in CAP_URGENCY], **kwargs)

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, str):
            data = data.strip().capitalize()
        return CAP_URGENCY[super().to_internal_value(data)]

    def to_representation(self, value: Any) -> str:
        return exports.URGENCY_NAMES.get(int(value), str(value))


@extend_schema_field(OpenApiTypes.INT)
class UserScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A related id looked up among the rows that the requesting user may see (a selector)."""

    def __init__(self, selector: Any, **kwargs: Any) -> None:
        self.selector = selector
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet:
        request = self.context.get("request")
        return self.selector(user=request.user if request is not None else None)


def _camera_field() -> UserScopedPrimaryKeyField:
    return UserScopedPrimaryKeyField(
        agency_selectors.camera_list,
        required=False,
        allow_null=True,
        help_text=_("CCTV camera id"),
    )


def _vital_object_field() -> UserScopedPrimaryKeyField:
    return UserScopedPrimaryKeyField(
        agency_selectors.vital_object_list,
        required=False,
        allow_null=True,
        help_text=_("Vital object id"),
    )


# --- Output ---------------------------------------------------------------------------------


class IncidentCategorySerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text=_("In the request language"))

    class Meta:
        model = Category
        fields = ["code", "name"]
        read_only_fields = fields


class IncidentSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api-incident-detail")
    category = IncidentCategorySerializer(read_only=True)
    status = IncidentStatusField(read_only=True)
    severity = IncidentSeverityField(read_only=True)
    urgency = CapUrgencyField(read_only=True)
    reporting_agency = AgencyRefSerializer(read_only=True, allow_null=True)
    lead_agency = AgencyRefSerializer(read_only=True, allow_null=True)
    involved_agencies = AgencyRefSerializer(many=True, read_only=True)
    area = AreaRefSerializer(read_only=True)
    allowed_transitions = serializers.SerializerMethodField(
        help_text=_("The statuses this incident may move to next (POST status/).")
    )

    class Meta:
        model = Incident
        fields = [
            "id",
            "url",
            "reference",
            "title",
            "description",
            "category",
            "severity",
            "urgency",
            "status",
            "source",
            "classification",
            "reporting_agency",
            "lead_agency",
            "involved_agencies",
            "area",
            "latitude",
            "longitude",
            "occurred_at",
            "reported_at",
            "resolved_at",
            "updated_at",
            "camera",
            "vital_object",
            "duplicate_of",
            "allowed_transitions",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "latitude": {"coerce_to_string": False},
            "longitude": {"coerce_to_string": False},
        }

    @extend_schema_field(serializers.ListField(child=IncidentStatusField()))
    def get_allowed_transitions(self, obj: Incident) -> list[str]:
        return list(services.allowed_transitions(obj))


class IncidentEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", read_only=True, allow_null=True, default=None)
    actor_agency = AgencyRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = IncidentEvent
        fields = ["id", "at", "kind", "actor", "actor_agency", "message", "data"]
        read_only_fields = fields


# --- Input ----------------------------------------------------------------------------------


class IncidentUpdateSerializer(serializers.Serializer):
    """The description of an incident; agencies change through assign/, status through status/."""

    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    category = serializers.SlugRelatedField(
        slug_field="code", queryset=Category.objects.all(), help_text=_("Category code, e.g. crime-theft")
    )
    severity = IncidentSeverityField(required=False)
    urgency = CapUrgencyField(required=False)
    classification = serializers.ChoiceField(choices=Classification.choices, required=False)
    area = serializers.PrimaryKeyRelatedField(queryset=Area.objects.all(), help_text=_("Area id"))
    latitude = CoordinateField(validate_latitude)
    longitude = CoordinateField(validate_longitude)
    occurred_at = serializers.DateTimeField(required=False)
    camera = _camera_field()
    vital_object = _vital_object_field()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        latitude = attrs["latitude"] if "latitude" in attrs else getattr(self.instance, "latitude", None)
        longitude = attrs["longitude"] if "longitude" in attrs else getattr(self.instance, "longitude", None)
        if (latitude is None) != (longitude is None):
            missing = "longitude" if longitude is None else "latitude"
            raise serializers.ValidationError({missing: [_("Give both latitude and longitude, or neither.")]})
        return attrs


class IncidentCreateSerializer(IncidentUpdateSerializer):
    source = serializers.ChoiceField(choices=Incident.Source.choices, required=False)
    reporting_agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.all(),
        required=False,
        help_text=_("Agency id; may be left out by a member of a single agency"),
    )
    lead_agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.all(), required=False, allow_null=True, help_text=_("Agency id")
    )
    involved_agencies = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.all(), many=True, required=False, help_text=_("Agency ids")
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        if attrs.get("source") == Incident.Source.CCTV and not attrs.get("camera"):
            raise serializers.ValidationError({"camera": [_("An incident from CCTV names its camera.")]})
        return attrs


class IncidentVerifySerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


class IncidentAssignSerializer(serializers.Serializer):
    lead_agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.all(), required=False, help_text=_("Agency id")
    )
    involved_agencies = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.all(),
        many=True,
        required=False,
        help_text=_("Agency ids: the complete new list (an empty list clears it)"),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "lead_agency" not in attrs and "involved_agencies" not in attrs:
            raise serializers.ValidationError({"lead_agency": [_("Give a lead agency, involved agencies or both.")]})
        return attrs


class IncidentStatusChangeSerializer(serializers.Serializer):
    status = IncidentStatusField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


class IncidentNoteSerializer(serializers.Serializer):
    message = serializers.CharField(max_length=5000)


class IncidentLinkSerializer(serializers.Serializer):
    camera = _camera_field()
    vital_object = _vital_object_field()


class IncidentMergeSerializer(serializers.Serializer):
    into = serializers.CharField(max_length=24, help_text=_("Id or reference of the original incident"))


# --- Views ----------------------------------------------------------------------------------

_INVOLVED = Prefetch("involved_agencies", queryset=Agency.objects.only("id", "name", "code"))


@extend_schema_view(
    list=extend_schema(
        summary=_("Incidents you may see, newest first (filters, ordering, keyset pagination)"),
        responses={200: IncidentSerializer(many=True), 400: FIELD_ERRORS},
    ),
)
class IncidentViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Incidents: read as the selectors allow, written through the workflow services."""

    queryset = Incident.objects.none()
    serializer_class = IncidentSerializer
    filterset_class = IncidentFilter
    # Ordering is the paginator's business: a keyset cursor must know the sort key.
    filter_backends = [DjangoFilterBackend]
    pagination_class = IncidentPagination
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Incident]:
        return selectors.incident_list(user=self.request.user).prefetch_related(_INVOLVED)

    def get_object(self) -> Incident:
        return selectors.incident_get(user=self.request.user, pk=self.kwargs["pk"])

    def validated(self, serializer_class: type[serializers.Serializer], **kwargs: Any) -> dict[str, Any]:
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context(), **kwargs)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def render(self, incident: Incident, status_code: int = status.HTTP_200_OK) -> Response:
        """The incident as it is now: read again, since services may return a partial instance."""
        fresh = selectors.incident_get(user=self.request.user, pk=incident.pk, audit=False)
        return Response(self.get_serializer(fresh).data, status=status_code)

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
        incident = self.get_object()
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
        incident = self.get_object()
        data = self.validated(IncidentVerifySerializer)
        return self.render(services.incident_verify(actor=request.user, incident=incident, **data))

    @extend_schema(
        summary=_("Set the lead agency and/or the involved agencies"),
        request=IncidentAssignSerializer,
        responses={200: IncidentSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str | None = None) -> Response:
        incident = self.get_object()
        data = self.validated(IncidentAssignSerializer)
        return self.render(services.incident_assign(actor=request.user, incident=incident, **data))

    @extend_schema(
        summary=_("Move an incident along its workflow (a 400 lists the allowed moves)"),
        request=IncidentStatusChangeSerializer,
        responses={200: IncidentSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], url_path="status", url_name="status")
    def change_status(self, request: Request, pk: str | None = None) -> Response:
        incident = self.get_object()
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
        incident = self.get_object()
        data = self.validated(IncidentLinkSerializer)
        return self.render(services.incident_link(actor=request.user, incident=incident, **data))

    @extend_schema(
        summary=_("Mark this incident a duplicate of another (its agencies and reports move over)"),
        request=IncidentMergeSerializer,
        responses={200: IncidentSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def merge(self, request: Request, pk: str | None = None) -> Response:
        duplicate = self.get_object()
        into_ref = self.validated(IncidentMergeSerializer)["into"]
        try:
            into = selectors.incident_get(user=request.user, pk=into_ref.strip())
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
MAX_LIMIT = 100_000


class GeoJSONQuerySerializer(serializers.Serializer):
    limit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_LIMIT)


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
        chunks = exports.incident_geojson_chunks(incidents, detail_url_prefix=prefix, limit=limit)
        return StreamingHttpResponse(chunks, content_type="application/geo+json")
