"""A cache that lives for one request: what a page asks again and again (the partners of the
reader's agencies) is read once per request, never across requests.

`RequestCacheMiddleware` opens an empty cache when a request starts and drops it when the
response is made; outside a request (a task, a shell, a test calling a selector directly)
there is no cache and every call reads the database. A write that changes what is cached
calls `request_cache_clear()` (the partnerships' signals do), so a page that writes, then
reads, reads what it wrote.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.http import HttpRequest, HttpResponse

T = TypeVar("T")

_CACHE: ContextVar[dict[Any, Any] | None] = ContextVar("sinergi_request_cache", default=None)


def request_cached(key: Any, compute: Callable[[], T]) -> T:
    """`compute()` once per request and key (every time outside a request)."""
    cache = _CACHE.get()
    if cache is None:
        return compute()
    if key not in cache:
        cache[key] = compute()
    return cache[key]  # type: ignore[no-any-return]


def request_cache_clear() -> None:
    cache = _CACHE.get()
    if cache is not None:
        cache.clear()


@contextmanager
def request_cache_scope() -> Iterator[None]:
    """A cache for what runs inside (a selector called outside a request, e.g. the search by a
    benchmark or a task): the request's own when one is open, else one of its own, dropped at
    the end."""
    if _CACHE.get() is not None:
        yield
        return
    token = _CACHE.set({})
    try:
        yield
    finally:
        _CACHE.reset(token)


class RequestCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _CACHE.set({})
        try:
            return self.get_response(request)
        finally:
            _CACHE.reset(token)
