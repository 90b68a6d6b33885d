"""Helpers every app's dashboard views share (agencies is the bottom of the dependency chain)."""

from django.http import HttpRequest


def wants_partial(request: HttpRequest) -> bool:
    """True for an htmx request that swaps a results fragment into the page it came from
    (not a history restore, which needs the whole page, nor a boosted navigation)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request and not htmx.boosted
