"""The public portal and the two-way thread, in a real browser.

A citizen on a phone reads the public alerts (home, list, map), follows their report by its
tracking code and answers the question a moderator asked; the moderator asks on the report's
page and sees the answer there and on the incident the report became. Screenshots at phone
and laptop widths (test-results/screenshots/portal-*.png).
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect

from agencies.models import Area, Classification
from incidents.models import ReportQuestion
from incidents.reports import services as report_services
from incidents.threats import services as threat_services
from tests.e2e.conftest import SCREENSHOTS
from tests.factories import category

PHONE = {"width": 360, "height": 780}
LAPTOP = {"width": 1280, "height": 860}


def _no_horizontal_overflow(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.fixture
def city(e2e_world, django_capture_on_commit_callbacks):
    """Located areas, two public alerts in force and a restricted one, and a citizen's report
    with a contact."""
    cache.clear()  # the rate limits
    areas = e2e_world.areas
    Area.objects.filter(pk=areas.guntung.pk).update(centroid_lat=Decimal("0.1650"), centroid_lon=Decimal("117.4850"))
    Area.objects.filter(pk=areas.balikpapan.pk).update(centroid_lat=Decimal("-1.2650"), centroid_lon=Decimal("116.83"))
    with django_capture_on_commit_callbacks(execute=True):
        threat_services.threat_log(
            actor=e2e_world.alice,
            headline="Banjir rob di Bontang Kuala: air laut naik hingga 50 cm",
            instruction="Pindahkan kendaraan ke tempat tinggi, hindari Jl. Kapal Layar.",
            category=category("flood-tidal"),
            areas=[areas.guntung],
            classification=Classification.PUBLIC,
            severity=3,
            expires_at=timezone.now() + timezone.timedelta(hours=12),
        )
        threat_services.threat_log(
            actor=e2e_world.charlie,
            headline="Asap kebakaran lahan di Balikpapan Utara",
            category=category("fire"),
            areas=[areas.balikpapan],
            classification=Classification.PUBLIC,
            severity=2,
        )
        threat_services.threat_log(
            actor=e2e_world.alice,
            headline="Razia gabungan malam ini",
            category=category("terrorism-threat"),
            areas=[areas.guntung],
            classification=Classification.RESTRICTED,
        )
    report = report_services.citizen_report_submit(
        category=category("suspicious-activity"),
        description="Dua orang memotret pagar kilang dari perahu, berulang kali sejak sore.",
        latitude="0.165000",
        longitude="117.485000",
        area=areas.guntung,
        contact="warga.guntung@example.id",
    )
    yield e2e_world, report
    cache.clear()


@pytest.fixture
def phone(browser: Browser, live_server) -> BrowserContext:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2, locale="id-ID")
    yield context
    context.close()


def _shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_a_citizen_reads_the_public_alerts_on_a_phone(phone: BrowserContext, live_server, city):
    citizen = phone.new_page()
    citizen.goto(f"{live_server.url}/")
    expect(citizen.locator("html")).to_have_attribute("lang", "id")
    expect(citizen.get_by_test_id("language-switch")).to_be_visible()
    alerts = citizen.get_by_test_id("home-alerts")
    expect(alerts.get_by_test_id("public-alert")).to_have_count(2)
    expect(alerts).to_contain_text("Banjir rob")
    expect(alerts).not_to_contain_text("Razia")
    expect(alerts.get_by_test_id("alert-agency").first).to_have_text("Polres Bontang")
    expect(alerts.get_by_test_id("alert-sent").first).to_contain_text("WITA")
    assert _no_horizontal_overflow(citizen)
    _shot(citizen, "portal-home-phone")

    alerts.get_by_test_id("all-alerts-link").click()
    citizen.wait_for_url(f"{live_server.url}/peringatan/")
    expect(citizen.get_by_test_id("public-alert")).to_have_count(2)
    assert _no_horizontal_overflow(citizen)
    _shot(citizen, "portal-alerts-phone")

    citizen.get_by_test_id("alert-map-link").click()
    citizen.wait_for_url(f"{live_server.url}/peringatan/peta/")
    box = citizen.get_by_test_id("public-alert-map")
    expect(box).to_have_attribute("data-points", "2")
    expect(citizen.locator(".public-alert-ring")).to_have_count(2)
    citizen.wait_for_function("document.getElementById('public-alert-map').dataset.baseMap === 'ready'")
    assert _no_horizontal_overflow(citizen)
    _shot(citizen, "portal-alert-map-phone")

    # English, from the switch in the header.
    citizen.get_by_test_id("language-switch").locator("button[value=en]").click()
    expect(citizen.locator("html")).to_have_attribute("lang", "en")
    expect(citizen.get_by_role("heading", level=1)).to_have_text("Public alerts on the map")

    laptop = phone.browser.new_page(viewport=LAPTOP, locale="id-ID")
    for path, name in (("/", "portal-home-laptop"), ("/peringatan/", "portal-alerts-laptop")):
        laptop.goto(f"{live_server.url}{path}")
        expect(laptop.get_by_test_id("public-alert").first).to_be_visible()
        _shot(laptop, name)
    laptop.goto(f"{live_server.url}/peringatan/peta/")
    expect(laptop.locator(".public-alert-ring")).to_have_count(2)
    _shot(laptop, "portal-alert-map-laptop")
    laptop.close()


def test_the_alert_list_reads_without_javascript(browser: Browser, live_server, city):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="id-ID")
    page = context.new_page()
    page.goto(f"{live_server.url}/peringatan/peta/")
    expect(page.get_by_test_id("public-alert")).to_have_count(2)  # the list under the map
    page.goto(f"{live_server.url}/")
    page.fill("#home-track-code", city[1].tracking_code)
    page.get_by_test_id("home-track").locator("button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/lapor/lacak/{city[1].tracking_code}/")
    context.close()


def test_a_moderator_asks_and_the_citizen_answers_on_a_phone(
    phone: BrowserContext, live_server, city, page: Page, login, shot, django_capture_on_commit_callbacks
):
    world, report = city
    code = report.tracking_code

    # --- Alice asks from the report's page on her laptop.
    login("alice")
    page.goto(f"{live_server.url}/reports/{report.pk}/")
    ask = page.get_by_test_id("ask-form")
    ask.locator("textarea").fill("Perahunya warna apa, dan ke arah mana perginya?")
    ask.get_by_role("button").click()
    page.wait_for_url(f"{live_server.url}/reports/{report.pk}/#questions")
    thread = page.get_by_test_id("report-questions")
    expect(thread.get_by_test_id("thread-question")).to_have_count(1)
    expect(thread.get_by_test_id("thread-author")).to_have_text("Polres Bontang")
    expect(thread.get_by_test_id("thread-question")).to_have_attribute("data-waiting", "true")
    shot("portal-moderator-asked-laptop")
    question = ReportQuestion.objects.get(report=report)
    assert question.agency == world.a and question.notified_at is not None  # the reporter was told

    # --- The citizen follows the report on a phone and answers.
    citizen = phone.new_page()
    citizen.goto(f"{live_server.url}/")
    citizen.fill("#home-track-code", code.lower())
    citizen.get_by_test_id("home-track").locator("button[type=submit]").click()
    citizen.wait_for_url(f"{live_server.url}/lapor/lacak/{code}/")
    questions = citizen.get_by_test_id("report-questions")
    expect(questions).to_contain_text("Perahunya warna apa")
    expect(questions.get_by_test_id("thread-author")).to_have_text("Polres Bontang")
    expect(citizen.locator("body")).not_to_contain_text("Alice")  # never the person who asked
    assert _no_horizontal_overflow(citizen)
    _shot(citizen, "portal-citizen-question-phone")
    form = citizen.get_by_test_id("answer-form")
    form.get_by_role("button").click()  # empty: a form error, nothing sent
    expect(citizen.get_by_test_id(f"error-q{question.pk}-text")).to_be_visible()
    form = citizen.get_by_test_id("answer-form")
    form.locator("textarea").fill("Perahu kayu biru, pergi ke arah Pulau Beras Basah.")
    form.get_by_role("button").click()
    expect(citizen.get_by_test_id("answer-sent")).to_be_visible()
    expect(citizen.get_by_test_id("answer-form")).to_have_count(0)
    expect(citizen.get_by_test_id("thread-answer")).to_contain_text("Perahu kayu biru")
    assert _no_horizontal_overflow(citizen)
    _shot(citizen, "portal-citizen-answered-phone")

    # --- Alice sees the answer on the report, verifies it, and sees the thread on the incident.
    page.goto(f"{live_server.url}/reports/{report.pk}/")
    expect(page.get_by_test_id("thread-answer")).to_contain_text("Perahu kayu biru")
    expect(page.get_by_test_id("thread-answer").get_by_test_id("thread-author")).to_have_text(
        re.compile(r"^(Pelapor|Reporter)$")  # msgids merged into locale/ by the lead
    )
    page.get_by_test_id("verify-button").click()
    page.wait_for_url(f"{live_server.url}/reports/{report.pk}/")
    page.get_by_test_id("report-incident").get_by_role("link").click()
    expect(page.get_by_test_id("citizen-report-questions")).to_contain_text("Perahu kayu biru")
    expect(page.get_by_test_id("citizen-report-questions")).to_contain_text("Perahunya warna apa")
    shot("portal-incident-thread-laptop")
    page.set_viewport_size(PHONE)
    assert _no_horizontal_overflow(page)
    shot("portal-incident-thread-phone")
