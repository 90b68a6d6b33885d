"""The search box in a real browser: alice presses "/" on her desk, types a word, sees hits of
several kinds (each labelled), opens one; on a phone the navbar's search icon opens the search
page, where the kind filter narrows the list. Screenshots in test-results/screenshots/search-*,
at laptop and phone width."""

import pytest
from playwright.sync_api import Page, expect

from agencies.models import Classification
from tests.e2e.conftest import SCREENSHOTS
from tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 860}


def _shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _no_horizontal_overflow(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_slash_focuses_the_box_a_word_finds_hits_and_one_opens(page: Page, live_server, e2e_world, login):
    w = e2e_world
    fire = IncidentFactory(
        title="Kebakaran gudang pupuk di Loktuan",
        description="Api terlihat dari gudang pupuk dekat dermaga; warga diungsikan ke masjid.",
        reporting_agency=w.a,
        area=w.areas.bontang_utara,
    )
    IncidentFactory(title="Kebakaran rahasia", classification=Classification.SECRET, reporting_agency=w.c)
    page.set_viewport_size(LAPTOP)
    login("alice")
    page.keyboard.press("/")
    box = page.locator("#nav-search-q")
    expect(box).to_be_focused()
    page.keyboard.type("gudang pupuk")
    page.keyboard.press("Enter")
    hits = page.get_by_test_id("search-hit")
    expect(hits.first).to_contain_text("Kebakaran gudang pupuk di Loktuan")
    expect(hits.first.locator(".badge")).to_have_text("Insiden")
    expect(page.get_by_test_id("search-results")).not_to_contain_text("rahasia")
    _shot(page, "search-laptop")
    hits.first.locator("a").click()
    page.wait_for_url(f"{live_server.url}/incidents/{fire.pk}/")

    # A phone: the icon opens the search page; "Bontang" finds agencies and areas; filter on areas.
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/")
    page.get_by_test_id("nav-search-link").click()
    page.wait_for_url(f"{live_server.url}/search/")
    page.fill("#id_q", "bontang")
    page.locator("[data-testid=search-form] button[type=submit]").click()
    expect(page.locator("[data-testid=search-hit][data-kind=agency]").first).to_be_visible()
    expect(page.locator("[data-testid=search-hit][data-kind=area]").first).to_be_visible()
    assert _no_horizontal_overflow(page)
    _shot(page, "search-phone")
    page.select_option("#id_kind", "area")
    page.locator("[data-testid=search-form] button[type=submit]").click()
    expect(page.locator("[data-testid=search-hit][data-kind=agency]")).to_have_count(0)
    expect(page.locator("[data-testid=search-hit][data-kind=area]").first).to_be_visible()
    _shot(page, "search-areas-phone")
