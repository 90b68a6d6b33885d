"""Read plumbing every selector shares."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Manager, Model, QuerySet
from django.http import Http404

M = TypeVar("M", bound=Model)


def get_or_404(queryset: QuerySet[M] | Manager[M], **lookup: Any) -> M:
    """The one row of `queryset` (already scoped to the user) that matches `lookup`, or 404:
    for a row that does not exist or that the user may not read alike, and for an id that is
    not one (`pk="abc"`)."""
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):  # type: ignore[attr-defined]
        raise Http404 from None
