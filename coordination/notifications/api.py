"""REST API of coordination's notifications, mounted under /api/v1/ (see
coordination/notifications/api_urls.py).

- `/notifications/`: the user's own; `/notifications/read/` (POST) marks them read.

Anonymous 401; a user reads and marks only their own.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.serializers import AgencyRefSerializer
from common.api import ScopedViewSet
from common.serializers import IdField, ModelSerializer
from coordination.api_fields import FIELD_ERRORS
from coordination.models import Notification

from . import selectors, services


class NotificationOperationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class NotificationSerializer(ModelSerializer):
    """Written when read (`selectors.notification_texts`): the operation is null and the
    message neutral once the reader may no longer read the operation."""

    agency = AgencyRefSerializer(read_only=True)
    operation = serializers.SerializerMethodField()
    message = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "agency", "operation", "kind", "message", "created_at", "read_at"]
        read_only_fields = fields

    @extend_schema_field(NotificationOperationSerializer(allow_null=True))
    def get_operation(self, obj: Notification) -> dict[str, Any] | None:
        if not getattr(obj, "operation_readable", False) or obj.operation is None:
            return None
        return {"id": obj.operation.pk, "name": obj.operation.name}

    @extend_schema_field(serializers.CharField())
    def get_message(self, obj: Notification) -> str:
        return str(getattr(obj, "text", ""))


class NotificationReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=IdField(),
        required=False,
        max_length=500,
        help_text=_("Notification ids; left out: all of them"),
    )


class NotificationReadResultSerializer(serializers.Serializer):
    marked = serializers.IntegerField()


@extend_schema_view(
    list=extend_schema(
        summary=_("Your coordination notifications, newest first"),
        parameters=[OpenApiParameter("unread", OpenApiTypes.BOOL, description=_("Only unread ones"))],
    ),
)
class NotificationViewSet(mixins.ListModelMixin, ScopedViewSet):
    queryset = Notification.objects.none()
    serializer_class = NotificationSerializer

    def paginate_queryset(self, queryset: Any) -> Any:
        page = super().paginate_queryset(queryset)
        selectors.notification_texts(user=self.request.user, notifications=page if page is not None else [])
        return page

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
