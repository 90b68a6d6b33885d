"""htmx helpers every dashboard view shares."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

# htmx stops polling an element when its request answers 286 (the poll of a threat's or a
# bulletin's progress once settled, the bell of a session that has ended).
STOP_POLLING = 286


def wants_partial(request: HttpRequest) -> bool:
    """True for an htmx request that swaps a results fragment into the page it came from
    (not a history restore, which needs the whole page, nor a boosted navigation)."""
    htmx: Any = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request and not htmx.boosted


def render_list(request: HttpRequest, template: str, partial: str, context: dict[str, Any]) -> HttpResponse:
    """A list page, or only its results partial when htmx swaps them in (the view is wrapped in
    `vary_on_headers("HX-Request")` so that no cache mixes the two)."""
    return render(request, partial if wants_partial(request) else template, context)
