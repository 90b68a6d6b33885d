"""Guessing a secret costs: failed token authentications are counted per client address.

An API token (`Authorization: Token <key>`) and a calendar-feed token (`?token=` of the
iCalendar feed) are secrets a client could try to guess. Each failure is counted in a fixed
window per client address (`common.throttling.client_ident`: REMOTE_ADDR, or what the trusted
proxy saw, IPv6 per /64) in Django's cache (Redis in production, so every worker shares the
count). Once a client has failed `SINERGI_TOKEN_FAILURE_LIMIT` times (default 10) in a window
of `SINERGI_TOKEN_FAILURE_WINDOW` seconds (default 900), every token request of that client in
the same scope answers 429 with Retry-After until the window ends, even with the right token:
otherwise a guesser would learn from the 429s which guess was right. A successful
authentication counts for nothing, so a client using its own token never gets here.

The scopes ("api_token", "calendar_feed") count apart.
"""

from __future__ import annotations

import math
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from .throttling import client_ident


def _limits() -> tuple[int, int]:
    limit = int(getattr(settings, "SINERGI_TOKEN_FAILURE_LIMIT", 10))
    window = int(getattr(settings, "SINERGI_TOKEN_FAILURE_WINDOW", 900))
    return limit, max(1, window)


def _key(request: HttpRequest, scope: str) -> tuple[str, float]:
    """The counter of the current window for this client, and the seconds left in it."""
    _limit, window = _limits()
    now = time.time()
    period = int(now // window)
    return f"authfail:{scope}:{client_ident(request)}:{period}", (period + 1) * window - now


def token_failures_wait(request: HttpRequest, *, scope: str) -> int | None:
    """None when the client may try a token; else the whole seconds until it may (Retry-After)."""
    limit, _window = _limits()
    key, left = _key(request, scope)
    if int(cache.get(key, 0)) >= limit:
        return max(1, math.ceil(left))
    return None


def token_failure_record(request: HttpRequest, *, scope: str) -> None:
    """Count one failed token authentication of this client (atomic: cache.add then incr)."""
    key, left = _key(request, scope)
    ttl = math.ceil(left) + 1
    while True:
        cache.add(key, 0, ttl)
        try:
            cache.incr(key)
            return
        except ValueError:  # expired between add and incr
            continue


class ThrottledTokenAuthentication(TokenAuthentication):
    """DRF's token authentication with failures counted: past the limit, 429 with Retry-After
    before the token is even looked up."""

    scope = "api_token"

    def authenticate(self, request: Any) -> Any:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not str(header).lower().startswith(self.keyword.lower()):
            return None  # no token offered: nothing to count
        wait = token_failures_wait(request, scope=self.scope)
        if wait is not None:
            raise exceptions.Throttled(wait=wait)
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            token_failure_record(request, scope=self.scope)
            raise
