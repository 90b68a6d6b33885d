"""The core flow in two real browsers: alice logs a threat, charlie (whose agency subscribes
to Bontang) sees the bell, acknowledges from his inbox, and alice's threat page shows it by
itself, through htmx polling, without a reload.

Screenshots go to test-results/screenshots/ (threat-*, inbox-*) to be looked at, on a desktop
and on a 390 px wide phone.
"""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from agencies.models import Severity
from incidents.threats import services as threat_services
from tests.e2e.conftest import SCREENSHOTS, login_with_form
from tests.factories import SubscriptionFactory, category

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


def _no_horizontal_overflow(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _login(page: Page, live_server, username: str) -> None:
    login_with_form(page, live_server, username)


def _shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def charlie_page(browser: Browser, browser_context_args, live_server, e2e_world):
    """A second browser, as charlie of Damkar Balikpapan."""
    context = browser.new_context(**browser_context_args)
    page = context.new_page()
    _login(page, live_server, "charlie")
    yield page
    context.close()


def test_a_threat_reaches_charlie_and_his_acknowledgement_reaches_alice_live(
    page: Page, live_server, e2e_world, login, shot, charlie_page: Page
):
    world = e2e_world
    SubscriptionFactory(agency=world.c, areas=[world.areas.bontang])  # charlie's agency listens to Bontang

    # Alice logs the threat through the form.
    login("alice")
    page.goto(f"{live_server.url}/threats/new/")
    page.get_by_test_id("save-threat").click()  # nothing filled in: the form says what is missing
    expect(page.get_by_test_id("form-errors")).to_be_visible()
    expect(page.get_by_test_id("areas-error")).to_be_visible()
    shot("threat-form-errors-desktop")
    page.fill("#id_headline", "Ancaman bom di Pelabuhan Lok Tuan")
    page.fill("#id_description", "Telepon anonim ke Polres: bom di gudang 3 pelabuhan, pukul 14.00.")
    page.fill("#id_instruction", "Sterilkan area pelabuhan, siagakan tim Jibom dan pemadam.")
    page.get_by_test_id("english-section").locator("summary").click()
    page.fill("#id_headline_en", "Bomb threat at Lok Tuan port")
    page.select_option("#id_category", str(category("terrorism-threat").pk))
    page.select_option("#id_severity", str(Severity.SEVERE))
    page.check(f"#area-{world.areas.bontang_utara.pk}")
    shot("threat-form-desktop")
    page.get_by_test_id("save-threat").click()
    page.wait_for_url(re.compile(r"/threats/\d+/$"))

    progress = page.get_by_test_id("threat-progress")
    charlie_row = progress.locator("[data-testid=progress-row][data-agency='Damkar Balikpapan']")
    expect(charlie_row).to_have_attribute("data-acknowledged", "false")
    expect(progress).to_have_attribute("data-settled", "false")
    expect(progress.get_by_test_id("progress-live")).to_be_visible()
    # Severe: every agency whose jurisdiction covers Bontang hears of it too.
    expect(progress.locator("[data-testid=progress-row][data-agency='Kodim Bontang']")).to_have_count(1)
    shot("threat-detail-desktop")
    page.evaluate("window.__sameDocument = true")  # gone if the browser loads a new page

    # Charlie sees the bell (it refreshes itself every 30 s; a reload is quicker), opens the
    # inbox and acknowledges.
    charlie_page.reload()
    bell = charlie_page.get_by_test_id("nav-alerts")
    expect(bell.get_by_test_id("nav-alerts-unread")).to_have_text(re.compile(r"^\s*1\b"))
    expect(bell.get_by_test_id("nav-alerts-unacknowledged")).to_contain_text("1")
    bell.click()
    # The bell opens the one inbox; the alert is there, unread.
    charlie_page.wait_for_url(f"{live_server.url}/inbox/")
    entry = charlie_page.get_by_test_id("inbox-entry")
    expect(entry).to_have_count(1)
    expect(entry).to_have_attribute("data-unread", "true")
    expect(entry).to_contain_text("Ancaman bom di Pelabuhan Lok Tuan")
    _shot(charlie_page, "one-inbox-desktop")
    # The alerts' own inbox answers with a quick response.
    charlie_page.goto(f"{live_server.url}/alerts/")
    row = charlie_page.get_by_test_id("inbox-row")
    expect(row).to_have_count(1)
    expect(row).to_have_attribute("data-unread", "true")
    expect(row).to_contain_text("Ancaman bom di Pelabuhan Lok Tuan")
    _shot(charlie_page, "inbox-desktop")

    charlie_page.set_viewport_size(PHONE)
    charlie_page.reload()
    assert _no_horizontal_overflow(charlie_page)
    _shot(charlie_page, "inbox-phone")
    dispatched = row.get_by_test_id("ack-dispatched")
    label = dispatched.inner_text().strip()
    dispatched.click()
    expect(row).to_have_attribute("data-acknowledged", "true")
    expect(row.get_by_test_id("ack-response")).to_have_text(label)
    expect(row.get_by_test_id("ack-form")).to_have_count(0)
    assert _no_horizontal_overflow(charlie_page)
    _shot(charlie_page, "inbox-acknowledged-phone")

    charlie_page.set_viewport_size({"width": 1280, "height": 860})
    row.get_by_test_id("inbox-open").click()
    charlie_page.wait_for_url(re.compile(r"/alerts/\d+/$"))
    expect(charlie_page.get_by_test_id("alert-ack")).to_have_attribute("data-acknowledged", "true")
    _shot(charlie_page, "alert-detail-desktop")

    # Alice's page updates by itself.
    expect(charlie_row).to_have_attribute("data-acknowledged", "true", timeout=10_000)
    expect(charlie_row.get_by_test_id("ack-response")).to_have_text(label)
    expect(charlie_row.get_by_test_id("ack-detail")).to_contain_text("WITA")
    assert page.evaluate("window.__sameDocument") is True
    shot("threat-detail-acknowledged-desktop")

    page.set_viewport_size(PHONE)
    page.reload()
    assert _no_horizontal_overflow(page)
    shot("threat-detail-phone")


def test_alice_cancels_a_threat_through_the_confirm_dialog(page: Page, live_server, e2e_world, login, shot):
    world = e2e_world
    SubscriptionFactory(agency=world.c, areas=[world.areas.bontang])
    for i, severity in enumerate((Severity.MINOR, Severity.MODERATE, Severity.EXTREME)):
        threat = threat_services.threat_log(
            actor=world.alice,
            headline=f"Ancaman {i + 1}: {Severity(severity).label}",
            category=category("terrorism-threat"),
            areas=[world.areas.guntung],
            severity=severity,
        )
    login("alice")
    page.goto(f"{live_server.url}/threats/")
    expect(page.get_by_test_id("threat-row")).to_have_count(3)
    shot("threat-list-desktop")
    page.evaluate("window.__sameDocument = true")
    page.select_option("#id_min_severity", str(Severity.EXTREME))
    page.wait_for_url(re.compile(r"min_severity=4"))
    expect(page.get_by_test_id("threat-row")).to_have_count(1)
    assert page.evaluate("window.__sameDocument") is True

    page.get_by_test_id("threat-row").get_by_role("link").click()
    page.wait_for_url(f"{live_server.url}/threats/{threat.pk}/")
    page.get_by_test_id("cancel-threat").click()
    dialog = page.get_by_test_id("cancel-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_have_class(re.compile(r"\bshow\b"))
    page.wait_for_timeout(400)  # the fade-in, for the screenshot
    dialog.locator("textarea").fill("Sudah diperiksa tim Jibom: paket berisi pakaian.")
    shot("threat-cancel-dialog-desktop", full_page=False)
    dialog.get_by_test_id("confirm-cancel").click()
    page.wait_for_url(f"{live_server.url}/threats/{threat.pk}/")
    expect(page.get_by_test_id("cancelled-note")).to_contain_text("Sudah diperiksa tim Jibom")
    expect(page.get_by_test_id("threat-state")).to_have_attribute("data-state", "cancelled")
    expect(page.get_by_test_id("cancel-threat")).to_have_count(0)

    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/threats/")
    assert _no_horizontal_overflow(page)
    shot("threat-list-phone")
