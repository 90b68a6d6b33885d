"""Reads of the CAP sources: staff only (platform administrators decide which warning services
the portal follows and which agency relays them); anyone else gets 404, as for what they may
not see. A threat's source is read on the threat's own page, under the threat's rules."""

from __future__ import annotations

from django.db.models import QuerySet

from common.selectors import get_or_404
from common.types import User
from incidents.models import CapFetch, CapSource

from ..selectors import can_manage_cap_sources, cap_sources_failing_count

__all__ = [
    "can_manage_cap_sources",
    "cap_fetch_list",
    "cap_source_get",
    "cap_source_get_for_change",
    "cap_source_list",
    "cap_sources_failing_count",
]

RECENT_FETCHES = 50


def cap_source_list(*, user: User) -> QuerySet[CapSource]:
    if not can_manage_cap_sources(user=user):
        return CapSource.objects.none()
    return CapSource.objects.select_related("agency").order_by("name", "pk")


def cap_source_get(*, user: User, pk: int | str) -> CapSource:
    """The source, or Http404 for anyone but staff (and for an id that is not one)."""
    return get_or_404(cap_source_list(user=user), pk=pk)


def cap_source_get_for_change(*, user: User, pk: int | str) -> CapSource:
    """The same rule: whoever may read a source may change it (staff)."""
    return cap_source_get(user=user, pk=pk)


def cap_fetch_list(*, user: User, source: CapSource, limit: int = RECENT_FETCHES) -> QuerySet[CapFetch]:
    """The source's latest fetches, newest first, with their threats' headlines."""
    if not can_manage_cap_sources(user=user):
        return CapFetch.objects.none()
    return CapFetch.objects.filter(source=source).select_related("threat").order_by("-fetched_at", "-pk")[:limit]
