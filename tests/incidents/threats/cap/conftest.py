"""Fixtures of the CAP tests: every test starts with fresh rate-limit counters."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """The public endpoints' rate limits count in the cache: each test starts from zero."""
    cache.clear()
    yield
    cache.clear()
