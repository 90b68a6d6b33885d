"""The audit of list reads, in one place for the API and the pages.

A list that may return confidential or secret records (incidents, threats, risk assessments,
operations, exercises, and what shows them: maps, calendars, the inbox, the desk) writes one
audit row per request naming the ids of those it returned, collected from the rows being
rendered (`agencies.services.audit_list_read`): no query per row, three INSERTs per request
at most, none when the page holds no such record.

- an API viewset: `AuditedListMixin` with `audit_object_type` (it hooks the page that
  `common.api.ScopedViewSet.paginate_queryset` hands to the serializer);
- a page: `audit_page(user=..., page=..., object_type=...)` on the page about to be rendered;
- anything else (a GeoJSON, a calendar): `audit_rows(user=..., rows=..., object_type=...)`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from common.types import User

from .services import audit_list_read, audit_list_reads


def audit_rows(
    *,
    user: User | None,
    rows: Iterable[Any],
    object_type: str,
    record: Callable[[Any], Any] | None = None,
    detail: str = "",
    reader_ids: Iterable[int] | None = None,
) -> None:
    """Audit the rows read (each row, or `record(row)` for a row that carries the record, such
    as an alert its threat). Rows without a record (None) are skipped."""
    records = [record(r) for r in rows] if record is not None else list(rows)
    audit_list_read(
        user=user,
        objects=[r for r in records if r is not None],
        object_type=object_type,
        detail=detail,
        reader_ids=reader_ids,
    )


def audit_kinds(*, user: User | None, kinds: Iterable[tuple[str, Iterable[Any]]], detail: str = "") -> None:
    """`audit_rows` for a page showing several kinds of records (object type, records): one row
    per kind, all in the same three INSERTs."""
    audit_list_reads(user=user, reads=[(object_type, list(records)) for object_type, records in kinds], detail=detail)


def audit_page(
    *, user: User | None, page: Any, object_type: str, record: Callable[[Any], Any] | None = None, detail: str = ""
) -> Any:
    """Read the page's rows once (the template iterates the same list) and audit them."""
    page.object_list = list(page.object_list)
    audit_rows(user=user, rows=page.object_list, object_type=object_type, record=record, detail=detail)
    return page


class AuditedListMixin:
    """For a ScopedViewSet whose list may return confidential or secret records."""

    audit_object_type: str = ""
    request: Any

    def audit_record(self, row: Any) -> Any:
        """The audited record a row stands for (the row itself, by default)."""
        return row

    def page_read(self, rows: list[Any]) -> None:
        audit_rows(
            user=self.request.user,
            rows=rows,
            object_type=self.audit_object_type,
            record=self.audit_record,
            detail=self.request.path[:200],
        )
