"""A citizen reports on a phone, a moderator verifies, the citizen sees it: in a real browser.

The citizen uses a 390 x 844 touch phone with its own browser context (no session shared with
the moderator); alice works on the desktop `page`. Screenshots go to
test-results/screenshots/citizen-*.png and moderation-*.png, to be looked at.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, expect

from agencies.models import Area
from incidents.models import CitizenReport, Incident
from tests.e2e.conftest import SCREENSHOTS
from tests.factories import category

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
GUNTUNG = {"latitude": 0.160000, "longitude": 117.480000}


def _png() -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", (640, 480), (236, 240, 244))
    for x in range(0, 640, 40):  # stripes, so the photo is recognisable in a screenshot
        for y in range(480):
            image.putpixel((x, y), (11, 46, 79))
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _no_horizontal_overflow(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.fixture
def city(e2e_world):
    """The taxonomy (truncated by earlier transactional tests) and centroids for the area guess."""
    cache.clear()  # the rate limits
    category("suspicious-activity")
    areas = e2e_world.areas
    Area.objects.filter(pk=areas.bontang.pk).update(centroid_lat=Decimal("0.1333"), centroid_lon=Decimal("117.5"))
    Area.objects.filter(pk=areas.bontang_utara.pk).update(
        centroid_lat=Decimal("0.165"), centroid_lon=Decimal("117.485")
    )
    yield e2e_world
    cache.clear()


@pytest.fixture
def phone(browser: Browser, live_server) -> BrowserContext:
    context = browser.new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        locale="id-ID",
        geolocation=GUNTUNG,
        permissions=["geolocation"],
    )
    yield context
    context.close()


def test_a_citizen_reports_with_a_photo_and_follows_it_to_verification(
    page: Page, phone: BrowserContext, live_server, city, login, shot
):
    citizen = phone.new_page()

    def citizen_shot(name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        citizen.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    # --- The citizen files a report on the phone.
    citizen.goto(f"{live_server.url}/lapor/")
    expect(citizen.locator("html")).to_have_attribute("lang", "id")
    expect(citizen.locator("nav.sinergi-navbar")).to_have_count(0)  # not the dashboard
    # No tile server: the offline base layer (Natural Earth land and borders) and the areas' centres.
    expect(citizen.locator("#report-map")).to_have_attribute("data-base-map", "ready")
    # All of Indonesia: the light 1:50m data; the 1:10m comes once the map zooms in (below).
    expect(citizen.locator("#report-map")).to_have_attribute("data-base-map-scale", "coarse")
    assert citizen.locator("#report-map .leaflet-basemap-pane path.base-land").count() >= 1
    assert citizen.locator("#report-map .leaflet-tile").count() == 0
    expect(citizen.locator("#report-map path.area-centroid")).to_have_count(2)  # Kota Bontang, Bontang Utara
    assert _no_horizontal_overflow(citizen)
    citizen_shot("citizen-form-phone")

    # Sent empty: the errors show next to the fields.
    citizen.click("#submit-report")
    expect(citizen.get_by_test_id("error-category")).to_be_visible()
    expect(citizen.get_by_test_id("error-description")).to_be_visible()
    expect(citizen.get_by_test_id("error-latitude")).to_be_visible()
    assert _no_horizontal_overflow(citizen)
    citizen_shot("citizen-form-errors-phone")

    citizen.select_option("select[name=category]", "suspicious-activity")
    citizen.fill("textarea[name=description]", "Dua orang memotret pagar kilang <b>berulang kali</b> sejak sore.")
    # Tapping the map sets the coordinates...
    citizen.locator("#report-map").tap(position={"x": 195, "y": 128})
    expect(citizen.locator("input[name=latitude]")).not_to_have_value("")
    expect(citizen.locator(".leaflet-marker-icon")).to_have_count(1)
    expect(citizen.get_by_test_id("error-latitude")).to_have_count(0)  # the old error goes
    # ...and "use my location" puts them where the phone is.
    citizen.click("#use-location")
    expect(citizen.locator("input[name=latitude]")).to_have_value("0.160000")
    expect(citizen.locator("input[name=longitude]")).to_have_value("117.480000")
    expect(citizen.locator("#location-status")).not_to_be_empty()
    expect(citizen.locator("#report-map")).to_have_attribute("data-base-map-scale", "fine")
    citizen.fill("input[name=contact]", "0812-5555-1234")
    citizen.set_input_files(
        "input[name=photos]", files=[{"name": "pagar.png", "mimeType": "image/png", "buffer": _png()}]
    )
    expect(citizen.locator("#photo-list li")).to_have_count(1)
    assert _no_horizontal_overflow(citizen)
    citizen_shot("citizen-form-filled-phone")

    citizen.click("#submit-report")
    citizen.wait_for_url(re.compile(r"/lapor/terkirim/[A-Z0-9]+/$"))
    code = citizen.get_by_test_id("tracking-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{10}", code)
    assert _no_horizontal_overflow(citizen)
    citizen_shot("citizen-submitted-phone")

    report = CitizenReport.objects.get(tracking_code=code)
    assert report.description == "Dua orang memotret pagar kilang <b>berulang kali</b> sejak sore."
    assert report.photos.count() == 1
    assert report.area == city.areas.bontang_utara

    # --- Following it by its code on /lapor/lacak/.
    citizen.goto(f"{live_server.url}/lapor/lacak/")
    citizen_shot("citizen-track-form-phone")
    citizen.fill("input[name=code]", code.lower())
    citizen.click("#track-form button[type=submit]")
    citizen.wait_for_url(f"{live_server.url}/lapor/lacak/{code}/")
    status = citizen.get_by_test_id("report-status").first
    expect(status).to_have_text(re.compile(r"^(Baru|New)$"))
    expect(citizen.locator("body")).not_to_contain_text("0812-5555-1234")
    expect(citizen.locator("body")).not_to_contain_text("memotret")
    assert _no_horizontal_overflow(citizen)
    citizen_shot("citizen-status-new-phone")

    # --- Alice moderates on her desktop.
    login("alice")
    page.goto(f"{live_server.url}/reports/")
    row = page.locator(f"[data-testid=report-row][data-tracking-code='{code}']")
    expect(row).to_be_visible()
    expect(row).to_contain_text("<b>berulang kali</b>")  # shown as text, escaped
    shot("moderation-queue-desktop")
    # The status filter swaps the list with htmx, without loading a new page.
    page.evaluate("window.__sameDocument = true")
    page.select_option("#id_status", "spam")
    page.wait_for_url(re.compile(r"/reports/\?.*status=spam"))
    expect(page.get_by_test_id("report-empty")).to_be_visible()
    page.select_option("#id_status", "new")
    expect(row).to_be_visible()
    assert page.evaluate("window.__sameDocument") is True
    page.set_viewport_size(PHONE)
    assert _no_horizontal_overflow(page)
    shot("moderation-queue-phone")
    page.set_viewport_size({"width": 1280, "height": 860})
    row.get_by_role("link").click()
    page.wait_for_url(f"{live_server.url}/reports/{report.pk}/")
    expect(page.get_by_test_id("report-contact")).to_have_text("0812-5555-1234")
    image = page.get_by_test_id("report-photos").locator("img")
    expect(image).to_have_count(1)
    image.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    assert image.evaluate("img => img.naturalWidth") == 640
    expect(page.locator("#report-map .leaflet-marker-icon")).to_have_count(1)
    shot("moderation-detail-desktop")

    page.set_viewport_size(PHONE)
    assert _no_horizontal_overflow(page)
    shot("moderation-detail-phone")
    page.set_viewport_size({"width": 1280, "height": 860})

    page.fill("#id_title", "Orang mencurigakan memotret pagar kilang")
    page.get_by_test_id("verify-button").click()
    page.wait_for_url(f"{live_server.url}/reports/{report.pk}/")
    incident = Incident.objects.get()
    expect(page.get_by_test_id("report-incident")).to_have_text(incident.reference)
    expect(page.get_by_test_id("report-actions")).to_have_count(0)
    shot("moderation-verified-desktop")
    assert incident.source == Incident.Source.CITIZEN
    assert incident.reporting_agency == city.a
    report.refresh_from_db()
    assert (report.status, report.incident_id) == (CitizenReport.Status.VERIFIED, incident.pk)

    assert incident.status == Incident.Status.VERIFIED  # a moderator checked it: no second verification

    # --- The citizen's tracking page now says verified, and nothing about the incident.
    citizen.reload()
    expect(citizen.get_by_test_id("report-status").first).to_have_attribute("data-status", "verified")
    expect(citizen.get_by_test_id("report-progress")).to_have_text(re.compile("Diteruskan ke petugas"))
    expect(citizen.get_by_test_id("report-updates").locator("li")).to_have_count(2)
    expect(citizen.locator("body")).not_to_contain_text(incident.reference)
    citizen_shot("citizen-status-verified-phone")

    # --- The incident links back to the report and shows its photo; alice takes it on.
    page.get_by_test_id("report-incident").get_by_role("link").click()
    page.wait_for_url(f"{live_server.url}/incidents/{incident.pk}/")
    reports = page.get_by_test_id("citizen-reports")
    expect(reports.get_by_test_id("citizen-report-link")).to_have_text(code)
    photo = reports.get_by_test_id("citizen-report-photos").locator("img")
    expect(photo).to_have_count(1)
    photo.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=photo.element_handle())
    expect(page.get_by_test_id("move-responding")).to_be_visible()
    page.wait_for_selector("[data-mini-map][data-base-map=ready]")
    shot("incident-from-citizen-report-desktop")
    page.get_by_test_id("move-responding").click()
    page.wait_for_url(f"{live_server.url}/incidents/{incident.pk}/")
    reports.get_by_test_id("citizen-report-link").click()
    page.wait_for_url(f"{live_server.url}/reports/{report.pk}/")

    # --- The reporter reads the progress in plain words, still nothing internal.
    citizen.reload()
    expect(citizen.get_by_test_id("report-progress")).to_have_attribute("data-progress", "handling")
    expect(citizen.get_by_test_id("report-progress")).to_have_text(re.compile("Petugas sedang menangani"))
    for internal in (incident.reference, "Orang mencurigakan", city.a.name):
        expect(citizen.locator("body")).not_to_contain_text(internal)
    assert _no_horizontal_overflow(citizen)
    citizen_shot("citizen-status-handling-phone")


def test_the_report_pages_switch_to_english(phone: BrowserContext, live_server, city, settings):
    citizen = phone.new_page()
    citizen.goto(f"{live_server.url}/lapor/")
    citizen.click("[data-testid=language-switch] button[value=en]")
    citizen.wait_for_url(f"{live_server.url}/lapor/")
    expect(citizen.locator("html")).to_have_attribute("lang", "en")
    expect(citizen.locator("h1")).to_have_text("Report an incident")
    citizen.goto(f"{live_server.url}/lapor/lacak/ZZZZZZZZZZ/")
    expect(citizen.get_by_test_id("form-errors")).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    citizen.screenshot(path=str(SCREENSHOTS / "citizen-track-unknown-phone.png"), full_page=True)

    settings.SINERGI_REPORT_TRACK_RATE = "1/minute"  # the look-up above used it up
    citizen.goto(f"{live_server.url}/lapor/lacak/ZZZZZZZZZZ/")
    expect(citizen.get_by_test_id("throttled")).to_be_visible()
    assert _no_horizontal_overflow(citizen)
    citizen.screenshot(path=str(SCREENSHOTS / "citizen-track-throttled-phone.png"), full_page=True)


def test_a_throttled_citizen_keeps_what_they_typed(phone: BrowserContext, live_server, city, settings):
    settings.SINERGI_REPORT_RATE_MINUTE = "1/minute"
    citizen = phone.new_page()

    def send(description: str) -> None:
        citizen.goto(f"{live_server.url}/lapor/")
        citizen.select_option("select[name=category]", "suspicious-activity")
        citizen.fill("textarea[name=description]", description)
        citizen.fill("input[name=latitude]", "0.16")
        citizen.fill("input[name=longitude]", "117.48")
        citizen.click("#submit-report")

    send("Laporan pertama")
    citizen.wait_for_url(re.compile(r"/lapor/terkirim/"))
    send("Laporan kedua, masih di tempat")

    expect(citizen.get_by_test_id("throttled")).to_be_visible()
    expect(citizen.locator("textarea[name=description]")).to_have_value("Laporan kedua, masih di tempat")
    expect(citizen.locator("#submit-report")).to_be_disabled()
    assert _no_horizontal_overflow(citizen)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    citizen.screenshot(path=str(SCREENSHOTS / "citizen-throttled-phone.png"), full_page=True)
    assert list(CitizenReport.objects.values_list("description", flat=True)) == ["Laporan pertama"]
