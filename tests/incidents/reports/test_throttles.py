"""The public intake's rate limits under concurrency: exactly the allowance gets through.

A read-modify-write of the window let 6 (shared cache) or 10 (locmem) of 300 reports from one
address through a limit of 5 when 32 threads raced. The counters are atomic now; the same race
runs against Redis in tests/integration/test_rate_limit_redis.py.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.test import RequestFactory

from common.throttling import WindowsThrottle
from incidents.reports.throttles import ReportSubmitThrottle

THREADS = 32
REQUESTS = 300


def race(throttle_class: type[WindowsThrottle], address: str, requests: int = REQUESTS) -> int:
    """`requests` POSTs from one address by THREADS threads released together: how many got through."""
    factory = RequestFactory()
    accepted = []
    lock = threading.Lock()
    barrier = threading.Barrier(THREADS)
    per_thread = [requests // THREADS + (1 if i < requests % THREADS else 0) for i in range(THREADS)]

    def work(n: int) -> None:
        barrier.wait()
        for _ in range(n):
            ok = throttle_class().allow_request(factory.post("/api/v1/public/reports/", REMOTE_ADDR=address), None)
            if ok:
                with lock:
                    accepted.append(1)

    threads = [threading.Thread(target=work, args=(n,)) for n in per_thread]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(accepted)


class LatentLocMemCache(LocMemCache):
    """locmem whose every operation takes a little while after it is done, as a round trip to a
    cache server does: a thread then loses the GIL between reading and writing, as in life."""

    def _after(self, result):
        time.sleep(0.0002)
        return result

    def get(self, *args, **kwargs):
        return self._after(super().get(*args, **kwargs))

    def set(self, *args, **kwargs):
        return self._after(super().set(*args, **kwargs))

    def add(self, *args, **kwargs):
        return self._after(super().add(*args, **kwargs))

    def incr(self, *args, **kwargs):
        return self._after(super().incr(*args, **kwargs))


@pytest.fixture
def locmem(monkeypatch) -> Iterator[LocMemCache]:
    cache = LatentLocMemCache(f"throttle-race-{uuid.uuid4()}", {})  # locmem shares a store per name
    monkeypatch.setattr(WindowsThrottle, "cache", cache)
    yield cache
    cache.clear()


@pytest.mark.parametrize(("minute", "day", "limit"), [("5/minute", "50/day", 5), ("100/minute", "7/day", 7)])
def test_one_address_racing_from_32_threads_gets_exactly_the_allowance(
    locmem, settings, monkeypatch, minute, day, limit
):
    # A race across the end of a minute would rightly get two minutes' allowances.
    monkeypatch.setattr(WindowsThrottle, "timer", lambda self: 86400.0 * 20_000 + 10)
    settings.SINERGI_REPORT_RATE_MINUTE = minute
    settings.SINERGI_REPORT_RATE_DAY = day

    assert race(ReportSubmitThrottle, "203.0.113.7") == limit


def test_refusals_in_the_race_give_their_count_back(locmem, settings, monkeypatch):
    """300 refusals later the day has spent only what was accepted: a new minute lets 5 more through."""
    settings.SINERGI_REPORT_RATE_MINUTE = "5/minute"
    settings.SINERGI_REPORT_RATE_DAY = "12/day"
    now = [86400.0 * 20_000 + 10]
    monkeypatch.setattr(WindowsThrottle, "timer", lambda self: now[0])

    first = race(ReportSubmitThrottle, "203.0.113.7")
    now[0] += 60
    second = race(ReportSubmitThrottle, "203.0.113.7")
    now[0] += 60
    third = race(ReportSubmitThrottle, "203.0.113.7")

    assert (first, second, third) == (5, 5, 2)


def test_the_minute_turns_and_the_budget_comes_back(locmem, settings, monkeypatch):
    settings.SINERGI_REPORT_RATE_MINUTE = "2/minute"
    now = [86400.0 * 20_000 + 30]
    monkeypatch.setattr(WindowsThrottle, "timer", lambda self: now[0])
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.9")

    verdicts = [ReportSubmitThrottle().allow_request(request, None) for _ in range(3)]
    refused = ReportSubmitThrottle()
    refused.allow_request(request, None)
    now[0] += 30  # the next minute
    after = ReportSubmitThrottle().allow_request(request, None)

    assert verdicts == [True, True, False]
    assert refused.wait() == 30  # the rest of this minute
    assert after is True


def test_the_public_cap_feed_limit_is_atomic_too(locmem, settings, monkeypatch):
    from incidents.threats.api import PublicCapThrottle

    monkeypatch.setattr(WindowsThrottle, "timer", lambda self: 86400.0 * 20_000 + 10)
    settings.SINERGI_PUBLIC_CAP_RATE = "5/minute"

    assert race(PublicCapThrottle, "203.0.113.7") == 5


def test_every_throttle_of_the_project_counts_atomically():
    """DRF's own throttles read, modify and write a history: a new one must be a WindowsThrottle."""
    import importlib
    import pkgutil

    from rest_framework.throttling import BaseThrottle

    for app in ("common", "agencies", "incidents", "coordination"):
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{app}."):
            if ".migrations" not in info.name:
                importlib.import_module(info.name)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    ours = {
        c
        for c in subclasses(BaseThrottle)
        if c.__module__.split(".")[0] in ("common", "agencies", "incidents", "coordination")
    }
    assert ours, "no throttle found: the search is broken"
    assert {c.__name__ for c in ours} >= {"ReportSubmitThrottle", "ReportTrackThrottle"}
    assert {c.__name__ for c in ours if not issubclass(c, WindowsThrottle)} == set(), [
        (c, [f"{b.__module__}.{b.__qualname__}@{id(b)}" for b in c.__mro__], id(WindowsThrottle)) for c in ours
    ]
