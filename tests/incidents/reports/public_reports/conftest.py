"""Fixtures of the citizen report tests: fresh rate-limit counters for each test, Kota Bontang
with centroids, and a client that enforces CSRF like a browser.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from agencies.models import Area


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """The rate limits live in the cache: each test starts with a clean budget."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def city(areas):
    """Kota Bontang and Bontang Utara with centroids, so that a report gets its area."""
    Area.objects.filter(pk=areas.bontang.pk).update(
        centroid_lat=Decimal("0.133300"), centroid_lon=Decimal("117.500000")
    )
    Area.objects.filter(pk=areas.bontang_utara.pk).update(
        centroid_lat=Decimal("0.165000"), centroid_lon=Decimal("117.485000")
    )
    return areas


@pytest.fixture
def anon():
    # A client that enforces CSRF like a browser would: the public API must not need a token.
    return APIClient(enforce_csrf_checks=True)
