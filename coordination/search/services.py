"""What reading search results writes: the list-read audit of the classified records they show."""

from __future__ import annotations

from django.db import transaction

from agencies.audit import audit_rows
from common.types import User

from .kinds import KINDS
from .selectors import SearchResult


def search_audit(*, user: User, result: SearchResult, detail: str) -> None:
    """One audit row per kind of classified record among the hits (docs/security.md: lists of
    confidential and secret records are audited), in one transaction; nothing when none."""
    with transaction.atomic():
        for kind in KINDS:
            if kind.audit_type:
                rows = [h.record for h in result.hits if h.kind == kind.slug]
                if rows:
                    audit_rows(user=user, rows=rows, object_type=kind.audit_type, detail=detail)
