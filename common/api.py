"""API plumbing every app shares: errors as 400 with field messages (never a 500), the page
size rules, and the base of every viewset (selector-scoped reads, service writes, PATCH not PUT)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model
from rest_framework import serializers, status, viewsets
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Turn a Django ValidationError raised by a service into DRF's 400 with field messages."""
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail: Any = {
                ("non_field_errors" if field == "__all__" else field): [str(m) for e in errors for m in e.messages]
                for field, errors in exc.error_dict.items()
            }
        else:
            detail = {"non_field_errors": [str(m) for m in exc.messages]}
        exc = serializers.ValidationError(detail)
    return drf_exception_handler(exc, context)


class ApiPagination(PageNumberPagination):
    """Every list is paginated (areas alone are 90k rows); a client may ask for up to 200 a page."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class ScopedViewSet(viewsets.GenericViewSet):
    """Base of every API viewset: selector-scoped reads, service writes, PATCH not PUT.

    `queryset` on subclasses is `Model.objects.none()`: it only names the model for the router
    and the schema; rows always come from `get_queryset()`, i.e. from a selector.
    """

    pagination_class = ApiPagination
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_scoped_object(self, pk: Any) -> Model:
        raise NotImplementedError

    def paginate_queryset(self, queryset: Any) -> list[Any] | None:
        page = super().paginate_queryset(queryset)
        if page is not None and self.action == "list":
            page = list(page)
            self.page_read(page)
        return page

    def page_read(self, rows: list[Any]) -> None:
        """Called once per list request with the rows of the page about to be rendered (the
        list-read audit hook: agencies.audit.AuditedListMixin); nothing by default."""

    def get_object(self) -> Any:
        obj = self.get_scoped_object(self.kwargs[self.lookup_url_kwarg or self.lookup_field])
        self.check_object_permissions(self.request, obj)
        return obj

    def render(self, instance: Any, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(instance).data, status=status_code)

    def validated(self, serializer_class: type[serializers.Serializer], **kwargs: Any) -> dict[str, Any]:
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context(), **kwargs)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)
