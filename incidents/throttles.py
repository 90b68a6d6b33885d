"""Rate limits of the public citizen-report endpoints, per client address.

DRF's SimpleRateThrottle keeps, per scope and client, the timestamps of recent requests in
Django's cache (locmem in development and tests, Redis in production: with several gunicorn
workers or machines only a shared cache makes the limit hold).

What counts: every POST that reaches a report endpoint, whether the report is accepted or
refused with 400. A refused report costs the server as much as an accepted one (photos are
decoded and re-encoded before any error is known), and counting only successes would let a
client hammer the photo decoder with bad uploads for free. 5 a minute leaves room for a
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
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address or "unknown"
    if ip.version == 6 and ip.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{ip}/{IPV6_PREFIX}", strict=False).network_address)
    return str(ip.ipv4_mapped or ip) if ip.version == 6 else str(ip)


class _SettingRateThrottle(SimpleRateThrottle):
    """A SimpleRateThrottle whose rate comes from a Sinergi setting with a default."""

    setting_name = ""
    default_rate = ""
    # Which methods this throttle counts; others pass untouched.
    methods: tuple[str, ...] = ("POST",)

    def get_rate(self) -> str:
        return str(getattr(settings, self.setting_name, self.default_rate))

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        if request.method not in self.methods:
            return None  # not counted
        return self.cache_format % {"scope": self.scope, "ident": client_ident(request)}


class ReportMinuteThrottle(_SettingRateThrottle):
    scope = "report_minute"
    setting_name = "SINERGI_REPORT_RATE_MINUTE"
    default_rate = "5/minute"


class ReportDayThrottle(_SettingRateThrottle):
    scope = "report_day"
    setting_name = "SINERGI_REPORT_RATE_DAY"
    default_rate = "50/day"


class ReportTrackThrottle(_SettingRateThrottle):
    scope = "report_track"
    setting_name = "SINERGI_REPORT_TRACK_RATE"
    default_rate = "60/minute"
    methods = ("GET", "HEAD")


SUBMIT_THROTTLES: tuple[type[SimpleRateThrottle], ...] = (ReportMinuteThrottle, ReportDayThrottle)
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
