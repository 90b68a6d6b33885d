"""A citizen sends more than the portal takes: the 413 page, in the citizens' frame, at phone and
laptop width. Screenshots: test-results/screenshots/request-too-large-*.png, to be looked at."""

from __future__ import annotations

import os

import pytest
from django.core.cache import cache
from playwright.sync_api import Browser, expect

from incidents.models import CitizenReport
from tests.e2e.conftest import SCREENSHOTS
from tests.factories import category

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    ("name", "viewport"), [("phone", {"width": 390, "height": 844}), ("laptop", {"width": 1366, "height": 800})]
)
def test_an_oversized_report_gets_the_too_large_page(
    browser: Browser, live_server, e2e_world, settings, name, viewport
):
    cache.clear()  # the rate limits
    category("suspicious-activity")
    settings.SINERGI_MAX_REQUEST_BYTES = 64 * 1024  # the live server reads settings at each request
    context = browser.new_context(viewport=viewport, locale="id-ID")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/lapor/")
        page.select_option("select[name=category]", "suspicious-activity")
        page.fill("textarea[name=description]", "Foto terlalu besar untuk dikirim")
        page.fill("input[name=latitude]", "0.160000")
        page.fill("input[name=longitude]", "117.480000")
        page.set_input_files(
            "input[name=photos]",
            files=[{"name": "besar.png", "mimeType": "image/png", "buffer": os.urandom(200 * 1024)}],
        )
        page.click("#submit-report")

        expect(page.get_by_test_id("request-too-large")).to_be_visible()
        expect(page.locator("h1")).to_have_text("Permintaan terlalu besar")
        expect(page.get_by_test_id("request-too-large")).to_contain_text("64,0 KB")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"request-too-large-{name}.png"), full_page=True)
        assert CitizenReport.objects.count() == 0
    finally:
        context.close()
