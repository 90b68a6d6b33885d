"""Every public page is light enough for a slow phone connection: at most 300 KB of transfer
before its map, measured in a real browser.

A cold visit (a fresh browser context: nothing cached) records the body size of every
response (Playwright's `request.sizes()`, the bytes as the server sent them: the test server
compresses nothing, so this is an upper bound of what production's compressed static files
weigh). The map's own files (Leaflet, topojson-client, the base layer's data, the map scripts)
are counted apart: a page without a map must load none of them, and on a page with a map the
rest of the page alone must stay under the budget.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from playwright.sync_api import Browser

from incidents.reports import services as report_services
from tests.factories import category

BUDGET = 300 * 1024
MAP_FILES = (
    "/vendor/leaflet/",
    "/vendor/topojson-client/",
    "/vendor/world-atlas/",
    "/js/sinergi_map.js",
    "/js/public_alert_map.js",
)


@pytest.fixture
def code(e2e_world):
    cache.clear()
    report = report_services.citizen_report_submit(
        category=category("suspicious-activity"),
        description="Orang mencurigakan di dekat pagar",
        latitude="0.165000",
        longitude="117.485000",
        area=e2e_world.areas.guntung,
    )
    report_services.report_question_ask(actor=e2e_world.alice, report=report, text="Jam berapa?")
    yield report.tracking_code
    cache.clear()


def _weigh(browser: Browser, url: str) -> tuple[int, int, list[str]]:
    """(bytes of the page, bytes of its map, the map's files), on a cold phone visit."""
    context = browser.new_context(viewport={"width": 360, "height": 780}, is_mobile=True, locale="id-ID")
    page = context.new_page()
    seen: list[tuple[str, int]] = []
    page.on("requestfinished", lambda request: seen.append((request.url, request.sizes()["responseBodySize"])))
    response = page.goto(url, wait_until="load")
    assert response is not None and response.status == 200, url
    page.wait_for_load_state("networkidle")
    context.close()
    map_files = [u for u, _size in seen if any(part in u for part in MAP_FILES)]
    page_bytes = sum(size for u, size in seen if u not in map_files)
    map_bytes = sum(size for u, size in seen if u in map_files)
    return page_bytes, map_bytes, map_files


@pytest.mark.parametrize(
    ("path", "has_map"),
    [
        ("/", False),
        ("/peringatan/", False),
        ("/peringatan/peta/", True),
        ("/lapor/", True),
        ("/lapor/lacak/", False),
        ("/lapor/lacak/{code}/", False),
        ("/lapor/terkirim/{code}/", False),
    ],
)
def test_no_public_page_is_over_300_kb_before_its_map(browser: Browser, live_server, code, path, has_map):
    page_bytes, map_bytes, map_files = _weigh(browser, live_server.url + path.format(code=code))
    assert page_bytes <= BUDGET, f"{path}: {page_bytes / 1024:.0f} KB before the map"
    if has_map:
        assert map_bytes > 0, f"{path}: no map loaded"
    else:
        assert map_files == [], f"{path} loads map files without a map: {map_files}"
