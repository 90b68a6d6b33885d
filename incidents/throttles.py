"""Rate limits of the public citizen-report endpoints, per client address.

As DRF's SimpleRateThrottle, the timestamps of a client's recent requests are kept in
Django's cache (locmem in development and tests, Redis in production: with several gunicorn
workers or machines only a shared cache makes the limit hold); the minute and day windows
share one entry per client (WindowsThrottle), one cache read and one write per report.

What counts: every POST that gets past the limits, whether the report is accepted or
refused with 400 (a request answered 429 counts for nothing). A refused report costs the
server as much as an accepted one (photos are decoded and re-encoded before any error is
known), and counting only successes would let a client hammer the photo decoder with bad
uploads for free. 5 a minute leaves room for a
citizen who corrects a mistake or two. The JSON API and the /lapor/ form share the same
budget (same scopes, same cache keys). GETs never count against the POST budget: looking a
tracking code up has its own, looser limit, which makes guessing codes (32^10 of them)
pointless rather than merely slow.

Settings (all optional, read at each request so tests can change them):
- SINERGI_REPORT_RATE_MINUTE (default "5/minute"), SINERGI_REPORT_RATE_DAY ("50/day"):
  report submissions per client address;
- SINERGI_REPORT_TRACK_RATE ("60/minute"): tracking-code look-ups per client address;
- SINERGI_NUM_PROXIES (0): how many reverse proxies in front of the app append to
  X-Forwarded-For. 0 means the header is ignored, since a client can write anything in it;
  behind one nginx, set 1 and the address nginx saw is used.
"""

from __future__ import annotations

import ipaddress
import math
import socket
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from rest_framework.throttling import SimpleRateThrottle

# An IPv6 client usually owns a whole /64 and can rotate through it at will: count per /64.
IPV6_PREFIX = 64


def client_ident(request: HttpRequest) -> str:
    """The client's address as the limits see it: REMOTE_ADDR, or the address the trusted
    proxy closest to us saw (SINERGI_NUM_PROXIES), IPv6 folded to its /64."""
    address = request.META.get("REMOTE_ADDR", "") or ""
    num_proxies = int(getattr(settings, "SINERGI_NUM_PROXIES", 0) or 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if num_proxies > 0 and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            address = hops[-min(num_proxies, len(hops))]
    try:
        # The common case, a dotted quad, in C: inet_pton takes only the canonical form
        # (no leading zeros, four parts), the very string ipaddress would give back.
        socket.inet_pton(socket.AF_INET, address)
        return address
    except OSError:
        pass
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address or "unknown"
    if ip.version == 6 and ip.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{ip}/{IPV6_PREFIX}", strict=False).network_address)
    return str(ip.ipv4_mapped or ip) if ip.version == 6 else str(ip)


class WindowsThrottle(SimpleRateThrottle):
    """DRF's sliding-window throttle, with several windows kept in one cache entry.

    Each window is a rate read from a Sinergi setting (with a default) at each request. One
    history of timestamps, newest first and at most as long as the largest allowance, serves
    every window: a request is let through when each window holds fewer requests than its
    allowance, and only then recorded. So a submission costs one cache read and one write
    whatever the number of windows (two throttles of DRF's kind cost two of each), and a
    request refused with 429 counts against no window.
    """

    #: (setting name, default rate) of each window, e.g. ("SINERGI_REPORT_RATE_MINUTE", "5/minute").
    windows: tuple[tuple[str, str], ...] = ()
    # Which methods this throttle counts; others pass untouched.
    methods: tuple[str, ...] = ("POST",)

    def __init__(self) -> None:
        self.limits = [self.parse_rate(str(getattr(settings, name, default))) for name, default in self.windows]
        self.rate = ",".join(str(getattr(settings, name, default)) for name, default in self.windows)
        self.num_requests = max(num for num, _ in self.limits)
        self.num_requests_min = min(num for num, _ in self.limits)
        self.duration = max(duration for _, duration in self.limits)
        self.retry_after: float | None = None

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        if request.method not in self.methods:
            return None  # not counted
        return self.cache_format % {"scope": self.scope, "ident": client_ident(request)}

    def allow_request(self, request: Any, view: Any) -> bool:
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        # Most addresses file one report: their first request costs one cache write (an atomic
        # "add if absent"), not a read and a write.
        if self.num_requests_min > 0 and self.cache.add(self.key, [self.now], self.duration):
            self.history = [self.now]
            return True
        history: list[float] = [t for t in self.cache.get(self.key, []) if t > self.now - self.duration]
        waits = []
        for num, duration in self.limits:
            in_window = [t for t in history if t > self.now - duration]
            if len(in_window) >= num:
                # Free again when the oldest request that still counts leaves the window.
                waits.append(in_window[num - 1] + duration - self.now)
        if waits:
            self.retry_after = max(waits)
            return False
        history.insert(0, self.now)
        self.history = history[: self.num_requests]
        self.cache.set(self.key, self.history, self.duration)
        return True

    def wait(self) -> float | None:
        return self.retry_after


class ReportSubmitThrottle(WindowsThrottle):
    scope = "report_submit"
    windows = (("SINERGI_REPORT_RATE_MINUTE", "5/minute"), ("SINERGI_REPORT_RATE_DAY", "50/day"))


class ReportTrackThrottle(WindowsThrottle):
    scope = "report_track"
    windows = (("SINERGI_REPORT_TRACK_RATE", "60/minute"),)
    methods = ("GET", "HEAD")


SUBMIT_THROTTLES: tuple[type[SimpleRateThrottle], ...] = (ReportSubmitThrottle,)
TRACK_THROTTLES: tuple[type[SimpleRateThrottle], ...] = (ReportTrackThrottle,)


def throttle_wait(request: HttpRequest, throttle_classes: Iterable[type[SimpleRateThrottle]]) -> int | None:
    """For plain Django views: count this request against the throttles, as DRF's
    `APIView.check_throttles` does for an API view (every throttle is asked).

    Returns None when the request may go on, else the whole seconds to wait (Retry-After).
    """
    waits: list[float] = []
    for throttle_class in throttle_classes:
        throttle = throttle_class()
        if not throttle.allow_request(request, None):  # type: ignore[arg-type]
            waits.append(throttle.wait() or 1)
    if not waits:
        return None
    return max(1, math.ceil(max(waits)))
