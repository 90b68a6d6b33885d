"""Rate limits per client address, counted in windows (a minute, a day) that hold across workers.

The rates of the public citizen-report endpoints are in incidents/reports/throttles.py; what
follows was written for them.

Each window of a limit is a counter per client in Django's cache (locmem in development and
tests, Redis in production: with several gunicorn workers or machines only a shared cache
makes the limit hold), incremented atomically: with Redis, one round trip per report counts
both the minute and the day (WindowsThrottle).

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

import contextlib
import functools
import hashlib
import ipaddress
import math
import socket
import threading
import weakref
from collections.abc import Iterable
from typing import Any, NamedTuple

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest
from django.utils.connection import ConnectionProxy
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError
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
    """Several fixed windows (a day, a minute), each an atomic counter per client in the cache.

    Each window is a rate read from a Sinergi setting (with a default) at each request. The
    counter of a window's current period is named `<scope>:<client>:<seconds>:<period number>`
    (periods counted from the epoch: a day runs from 00:00 UTC). A request increments the
    counters, the longest window first, and is let through when none went past its allowance;
    at the first that does it gives back what it took and is refused with 429 (Retry-After:
    the rest of that period), so a refused request counts against no window.

    The count is atomic, which a read-modify-write of a history was not (32 threads from one
    address got 6 reports past a limit of 5): however many requests race, no more than the
    allowance see a total within it.
    - With Redis (RedisCache, production: every worker and machine shares the count) a Lua
      script does it all inside Redis: one round trip per request (EVALSHA).
    - With locmem (development, tests: a count per process) under a lock of the process.
    - With another backend, cache.add + cache.incr per window (each atomic, the whole not:
      while two windows are both near their allowance a racing request may be refused that
      a serial order would have let through, never the reverse).

    Fixed windows let a client spend two allowances around a period's end (5 at 12:00:59, 5 at
    12:01:00); the day window bounds what that buys.
    """

    #: (setting name, default rate) of each window, e.g. ("SINERGI_REPORT_RATE_MINUTE", "5/minute").
    windows: tuple[tuple[str, str], ...] = ()
    # Which methods this throttle counts; others pass untouched.
    methods: tuple[str, ...] = ("POST",)

    def rates(self) -> list[str]:
        """The windows' rates ("5/minute"), read from the settings at each request."""
        return [str(getattr(settings, name, default)) for name, default in self.windows]

    def __init__(self) -> None:
        self.rate = ",".join(self.rates())
        self.limits = _parsed_limits(self.rate)
        self.num_requests = max(num for num, _ in self.limits)
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
        windows = []
        for num, duration in self.limits:
            period = int(self.now // duration)
            left = (period + 1) * duration - self.now
            # The counter outlives its period by a second: it is never read after it anyway.
            windows.append(Window(f"{self.key}:{duration}:{period}", num, math.ceil(left) + 1, left))
        cache = _backend(self.cache)
        if isinstance(cache, RedisCache):
            refused = _count_redis(cache, windows)
        elif isinstance(cache, LocMemCache):
            with _LOCMEM_LOCK:
                refused = _count_cache(cache, windows)
        else:
            refused = _count_cache(cache, windows)
        if refused is None:
            return True
        self.retry_after = refused.left
        return False

    def wait(self) -> float | None:
        return self.retry_after


@functools.lru_cache(maxsize=64)
def _parsed_limits(rates: str) -> tuple[tuple[int, int], ...]:
    """(allowance, seconds) of each window of "5/minute,50/day", the longest first: parsed once
    per rate rather than for every request (the rates are still read from the settings each time)."""
    limits = [SimpleRateThrottle.parse_rate(None, rate) for rate in rates.split(",")]  # type: ignore[arg-type]
    return tuple(sorted(((int(n or 0), int(s or 0)) for n, s in limits), key=lambda limit: -limit[1]))


def _backend(cache: Any) -> Any:
    """The cache backend itself: DRF's throttles hold `django.core.cache.cache`, a proxy to
    the default cache of the current thread, which is no RedisCache to isinstance()."""
    if isinstance(cache, ConnectionProxy):
        return caches[DEFAULT_CACHE_ALIAS]
    return cache


class Window(NamedTuple):
    key: str
    allowance: int
    ttl: int  # seconds the counter is kept
    left: float  # seconds to the end of the period


_LOCMEM_LOCK = threading.Lock()
_pools: weakref.WeakKeyDictionary[RedisCache, Any] = weakref.WeakKeyDictionary()

# KEYS: the windows' counters, longest first; ARGV: allowance and ttl of each in turn.
# Returns 0 when every counter stays within its allowance, else the (1-based) window that
# refused, after giving back the increments of this request.
_COUNT_SCRIPT = """
for i, key in ipairs(KEYS) do
  local total = redis.call('INCR', key)
  if total == 1 then redis.call('EXPIRE', key, ARGV[2 * i]) end
  if total > tonumber(ARGV[2 * i - 1]) then
    for j = 1, i do redis.call('DECR', KEYS[j]) end
    return i
  end
end
return 0
"""
_COUNT_SCRIPT_BYTES = _COUNT_SCRIPT.encode()
_COUNT_SCRIPT_SHA = hashlib.sha1(_COUNT_SCRIPT.encode()).hexdigest()  # noqa: S324 (Redis names scripts so)


def _count_redis(cache: RedisCache, windows: list[Window]) -> Window | None:
    """Count the request in every window inside Redis, in one round trip: the refusing window or None.

    Through a connection of the pool of Django's RedisCache (kept across requests: the backend's
    close() at request_finished is a no-op), with the command packed here: redis.Redis's
    execute_command (retry wrapper, observability hooks, packing argument by argument) cost as
    much CPU as the rest of the throttle (bench/report_intake.py). Its own incr() costs an EXISTS
    and an INCR per key and raises on an absent key; add() + incr() would be three round trips
    per window.
    """
    keys = [cache.make_key(w.key).encode() for w in windows]  # ASCII, short: nothing to validate
    args = [b"%d" % value for w in windows for value in (w.allowance, w.ttl)]
    pool = _pools.get(cache)
    if pool is None:
        # The backend's own pool (Django builds a redis.Redis, with its table of ~170 response
        # callbacks, at every get_client(): once per backend instance is enough).
        pool = _pools[cache] = cache._cache.get_client(  # type: ignore[attr-defined]
            keys[0], write=True
        ).connection_pool
    count = (b"%d" % len(keys), *keys, *args)
    refused = _script(pool, count)
    return windows[int(refused) - 1] if int(refused) else None


def _pack(*parts: bytes) -> bytes:
    """A command in the Redis protocol (RESP): an array of bulk strings."""
    out = [b"*%d\r\n" % len(parts)]
    for part in parts:
        out.append(b"$%d\r\n%b\r\n" % (len(part), part))
    return b"".join(out)


def _script(pool: Any, count: tuple[bytes, ...]) -> Any:
    """Run the counting script with `count` (number of keys, keys, arguments) on a pooled
    connection: EVALSHA, and EVAL when Redis does not know the script (first use, SCRIPT FLUSH,
    restart). A connection that broke since its last use (Redis restarted) is reconnected and
    the command sent once more, as redis.Redis's default retry would; a timeout is not retried
    (the script may have run)."""
    connection = pool.get_connection()
    try:
        for attempt in (1, 2):
            try:
                connection.send_packed_command([_pack(b"EVALSHA", _COUNT_SCRIPT_SHA.encode(), *count)])
                return connection.read_response()
            except NoScriptError:
                connection.send_packed_command([_pack(b"EVAL", _COUNT_SCRIPT_BYTES, *count)])
                return connection.read_response()
            except RedisConnectionError:
                connection.disconnect()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")
    finally:
        pool.release(connection)


def _count_cache(cache: Any, windows: list[Window]) -> Window | None:
    """The same with Django's portable cache API: add (atomic "set if absent"), then incr."""
    taken: list[Window] = []
    for window in windows:
        while True:
            cache.add(window.key, 0, window.ttl)
            try:
                total = cache.incr(window.key)
                break
            except ValueError:  # expired between add and incr: add it again
                continue
        taken.append(window)
        if total > window.allowance:
            for w in taken:
                with contextlib.suppress(ValueError):  # expired meanwhile: nothing to give back
                    cache.decr(w.key)
            return window
    return None


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
