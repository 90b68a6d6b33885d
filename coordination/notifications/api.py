"""REST API of the one inbox, mounted under /api/v1/ (see coordination/notifications/api_urls.py).

- `/my-inbox/`: the user's alerts and entries (the one inbox; `/inbox/` is the alerts-only
  inbox of incidents/threats, kept), newest first, filtered by kind, unread and
  needs_ack; `/my-inbox/counts/`: the bell's figures; `/my-inbox/read/` (POST) marks entries read.
- `/notifications/`: the operations' entries alone (the API before the one inbox, kept);
  `/notifications/read/` (POST) marks them read.

Anonymous 401; a user reads and marks only their own.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from common.api import ScopedViewSet
from coordination.api_fields import FIELD_ERRORS
from coordination.models import InboxItem

from . import selectors, services
from .serializers import (
    InboxPageSerializer,
    InboxQuerySerializer,
    MarkedSerializer,
    MyInboxCountsSerializer,
    MyInboxReadSerializer,
    NotificationReadSerializer,
    NotificationSerializer,
)

PAGE_SIZE = 50


class InboxViewSet(ScopedViewSet):
    queryset = InboxItem.objects.none()
    serializer_class = InboxPageSerializer
    http_method_names = ["get", "post", "head", "options"]

    @extend_schema(
        summary=_("Your inbox: alerts and entries, newest first"),
        parameters=[InboxQuerySerializer],
        responses={200: InboxPageSerializer, 400: FIELD_ERRORS},
    )
    def list(self, request: Request) -> Response:
        query = InboxQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        page = selectors.inbox_page(
            user=request.user,
            group=params.get("kind"),
            unread=params.get("unread"),
            needs_ack=params.get("needs_ack"),
            number=params["page"],
            size=PAGE_SIZE,
        )
        services.inbox_audit(user=request.user, entries=page.entries, detail=request.path)  # type: ignore[arg-type]
        data = {
            "count": page.count,
            "more": page.more,
            "page": page.number,
            "has_next": page.has_next,
            "results": page.entries,
        }
        return Response(InboxPageSerializer(data).data)

    @extend_schema(summary=_("Your inbox's figures (the bell)"), responses={200: MyInboxCountsSerializer})
    @action(detail=False, methods=["get"])
    def counts(self, request: Request) -> Response:
        return Response(selectors.inbox_counts(user=request.user))

    @extend_schema(
        summary=_("Mark inbox entries read (the given keys, or all)"),
        request=MyInboxReadSerializer,
        responses={200: MarkedSerializer, 400: FIELD_ERRORS},
    )
    @action(detail=False, methods=["post"])
    def read(self, request: Request) -> Response:
        data = self.validated(MyInboxReadSerializer)
        return Response({"marked": services.inbox_mark_read(user=request.user, entries=data.get("entries"))})


@extend_schema_view(
    list=extend_schema(
        summary=_("Your operations' notifications, newest first (the inbox's operation entries)"),
        parameters=[OpenApiParameter("unread", OpenApiTypes.BOOL, description=_("Only unread ones"))],
    ),
)
class NotificationViewSet(mixins.ListModelMixin, ScopedViewSet):
    queryset = InboxItem.objects.none()
    serializer_class = NotificationSerializer
    filter_backends: list[Any] = []
    http_method_names = ["get", "post", "head", "options"]

    def paginate_queryset(self, queryset: Any) -> Any:
        page = super().paginate_queryset(queryset)
        selectors.notification_texts(user=self.request.user, notifications=page if page is not None else [])
        return page

    def get_queryset(self) -> QuerySet[InboxItem]:
        unread = self.request.query_params.get("unread")
        flag = {"true": True, "1": True, "false": False, "0": False}.get((unread or "").lower())
        return selectors.notification_list(user=self.request.user, unread=flag, group="operation")

    @extend_schema(
        summary=_("Mark your notifications read (the given ids, or all)"),
        request=NotificationReadSerializer,
        responses={200: MarkedSerializer, 400: FIELD_ERRORS},
    )
    @action(detail=False, methods=["post"])
    def read(self, request: Request) -> Response:
        data = self.validated(NotificationReadSerializer)
        marked = services.notification_mark_read(user=request.user, ids=data.get("ids"))
        return Response({"marked": marked})
