"""The public intake's rate limits counted in the real Redis (the production cache), raced.

32 threads sending 300 reports from one address got 6 through a limit of 5 when the window was
read, modified and written back. The count is one Lua script inside Redis now: exactly the
allowance gets through, and refusals cost nothing. tests/incidents/reports/test_throttles.py races the
same with locmem.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import redis
from django.conf import settings
from django.core.cache.backends.redis import RedisCache
from django.test import RequestFactory

from common import throttling as throttles
from common.throttling import WindowsThrottle
from incidents.reports.throttles import ReportSubmitThrottle
from tests.incidents.reports.test_throttles import race

pytestmark = pytest.mark.integration


@pytest.fixture
def redis_cache(monkeypatch) -> Iterator[RedisCache]:
    """The throttles count in the Redis of REDIS_URL, under a key prefix of this test's own."""
    prefix = f"sinergi-test-throttle-{uuid.uuid4().hex[:12]}"
    cache = RedisCache(settings.REDIS_URL, {"KEY_PREFIX": prefix})
    monkeypatch.setattr(WindowsThrottle, "cache", cache)
    yield cache
    client = redis.Redis.from_url(settings.REDIS_URL)
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)


@pytest.mark.parametrize(("minute", "day", "limit"), [("5/minute", "50/day", 5), ("100/minute", "7/day", 7)])
def test_one_address_racing_from_32_threads_gets_exactly_the_allowance(
    redis_cache, settings, monkeypatch, minute, day, limit
):
    # A race across the end of a minute would rightly get two minutes' allowances.
    monkeypatch.setattr(WindowsThrottle, "timer", lambda self: 86400.0 * 20_000 + 10)
    settings.SINERGI_REPORT_RATE_MINUTE = minute
    settings.SINERGI_REPORT_RATE_DAY = day

    assert race(ReportSubmitThrottle, "203.0.113.7") == limit
    assert race(ReportSubmitThrottle, "203.0.113.8") == limit  # another address, its own budget


def test_refusals_give_their_count_back_and_counters_expire(redis_cache, settings, monkeypatch):
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
    client = redis_cache._cache.get_client(write=True)
    keys = list(client.scan_iter(redis_cache.make_key("*")))
    assert len(keys) == 4  # three minutes and one day, each with its expiry
    assert all(0 < client.ttl(key) <= 86401 for key in keys)
    day_key = redis_cache.make_key(f"throttle_report_submit_203.0.113.7:86400:{20_000}")
    assert int(client.get(day_key)) == 12


def test_the_script_is_loaded_again_after_redis_forgets_it(redis_cache, settings, monkeypatch):
    """EVALSHA of a script Redis does not know (restart, SCRIPT FLUSH) falls back to EVAL."""
    settings.SINERGI_REPORT_RATE_MINUTE = "1/minute"
    monkeypatch.setattr(throttles, "_COUNT_SCRIPT_SHA", "0" * 40)  # a name Redis has never seen
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.9")

    assert [ReportSubmitThrottle().allow_request(request, None) for _ in range(2)] == [True, False]


def test_the_configured_cache_is_counted_in_redis_by_the_script(settings, monkeypatch):
    """Without any patching: DRF hands the throttle `django.core.cache.cache`, a proxy, which the
    throttle must see through to take the one-round-trip path (it once did not)."""
    from django.core.cache import cache

    assert isinstance(throttles._backend(WindowsThrottle.cache), RedisCache)
    calls = []
    real = throttles._count_redis
    monkeypatch.setattr(throttles, "_count_redis", lambda *a: calls.append(1) or real(*a))
    monkeypatch.setattr(WindowsThrottle, "timer", lambda self: 86400.0 * 20_000 + 10)
    settings.SINERGI_REPORT_RATE_MINUTE = "5/minute"
    address = f"2001:db8:{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}::1"  # a /64 of this run's own
    try:
        assert race(ReportSubmitThrottle, address) == 5
        assert len(calls) == 300
    finally:
        client = redis.Redis.from_url(settings.REDIS_URL)
        keys = list(client.scan_iter(cache.make_key("throttle_report_submit_2001:db8:*")))
        if keys:
            client.delete(*keys)
