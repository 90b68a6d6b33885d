"""The search API: `GET /api/v1/search/?q=&kind=`, what the user may read, best first."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from common.api import ScopedViewSet
from coordination.api_fields import FIELD_ERRORS

from . import selectors, services
from .serializers import SearchAnswerSerializer, SearchQuerySerializer


class _OneAnswer(AutoSchema):
    """The `list` action answers one object (the query and its ranked hits), not an array."""

    def _is_list_view(self, serializer: object = None) -> bool:
        return False


class SearchViewSet(ScopedViewSet):
    """What the user may read that matches `q` (incidents, citizens' reports, threats,
    bulletins, operations, agencies, areas, members; one of them with `kind`), best first,
    each hit with its kind, title, a snippet and the link of its page. 400 with field messages
    for a missing, too short or too long `q` or an unknown `kind`."""

    schema = _OneAnswer()
    serializer_class = SearchAnswerSerializer
    pagination_class = None  # type: ignore[assignment]  # one ranked list, bounded (selectors.LIMIT)
    http_method_names = ["get", "head", "options"]

    @extend_schema(
        summary=_("Search incidents, reports, threats, bulletins, operations, agencies, areas and members"),
        parameters=[SearchQuerySerializer],
        responses={200: SearchAnswerSerializer, 400: FIELD_ERRORS},
    )
    def list(self, request: Request) -> Response:
        query = SearchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        result = selectors.search(user=request.user, q=params["q"], kind=params.get("kind"))  # type: ignore[arg-type]
        services.search_audit(user=request.user, result=result, detail=request.path)  # type: ignore[arg-type]
        return Response(SearchAnswerSerializer(result).data)
