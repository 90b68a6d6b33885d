"""API plumbing every app shares: errors as 400 with field messages (never a 500), the page
size rules, and the base of every viewset (selector-scoped reads, service writes, PATCH not PUT)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import ParseError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every 400 in the one documented shape, `{field: [messages]}` (`non_field_errors` for the
    rest): a Django ValidationError raised by a service, a body that is not JSON (or not the
    object a serializer expects), and a serializer's nested errors alike."""
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail: Any = {
                ("non_field_errors" if field == "__all__" else field): [str(m) for e in errors for m in e.messages]
                for field, errors in exc.error_dict.items()
            }
        else:
            detail = {"non_field_errors": [str(m) for m in exc.messages]}
        exc = serializers.ValidationError(detail)
    elif isinstance(exc, ParseError):
        exc = serializers.ValidationError({"non_field_errors": [exc.detail]})
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, serializers.ValidationError):
        response.data = field_errors(response.data)
    return response


def field_errors(detail: Any) -> dict[str, list[str]]:
    """`{field: [messages]}` from any DRF error detail: a nested serializer's or a list's
    errors stay under the top-level field, each message prefixed with where it is (`0.agency: ...`)."""
    if isinstance(detail, dict):
        return {str(field): _messages(errors) for field, errors in detail.items()}
    return {"non_field_errors": _messages(detail)}


def _messages(detail: Any, path: str = "") -> list[str]:
    prefix = f"{path}: " if path else ""
    if isinstance(detail, dict):
        return [m for key, errors in detail.items() for m in _messages(errors, f"{path}.{key}" if path else str(key))]
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return [prefix + str(item) for item in detail]
        # A list serializer's errors: one entry per item, empty for the valid ones.
        return [m for i, item in enumerate(detail) for m in _messages(item, f"{path}.{i}" if path else str(i))]
    return [prefix + str(detail)]


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
