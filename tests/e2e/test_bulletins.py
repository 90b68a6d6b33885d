"""Bulletins in two real browsers: alice composes a confidential bulletin, checks the preview
of who will receive it (her partner BPBD gets it; the fire brigades are left out by the
classification), sends it; bob reads and acknowledges it on his phone; alice's page shows the
acknowledgement by itself (htmx polling). Screenshots in test-results/screenshots/bulletin-*,
at laptop and phone width."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from coordination.models import Bulletin, BulletinReceipt, BulletinRecipient
from tests.e2e.conftest import PASSWORD, SCREENSHOTS

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 860}


def _no_horizontal_overflow(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def bob_page(browser: Browser, browser_context_args, live_server, e2e_world):
    context = browser.new_context(**{**browser_context_args, "viewport": PHONE})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "bob")
    page.fill("#id_password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    yield page
    context.close()


def test_compose_with_preview_then_read_acknowledge_and_follow_live(
    page: Page, live_server, e2e_world, login, bob_page: Page
):
    w = e2e_world
    login("alice")
    page.get_by_test_id("nav-coordination").click()
    page.get_by_test_id("nav-bulletins").click()
    page.get_by_test_id("bulletin-compose").click()
    page.fill("#id_title", "Waspada penyelundupan lewat Pelabuhan Lok Tuan")
    page.fill("#id_body", "Informasi intelijen:\n\n- kapal tanpa AIS\n- **malam hari**, pukul 01.00–03.00")
    page.select_option("#id_classification", "confidential")
    page.select_option("#id_dist_kinds", ["disaster", "fire"])
    page.check("#id_ack_required")
    deadline = timezone.localtime() + datetime.timedelta(days=1)
    page.fill("#id_ack_deadline", deadline.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_test_id("bulletin-preview-button").click()
    preview = page.get_by_test_id("bulletin-preview")
    expect(preview.get_by_test_id("preview-full")).to_contain_text("BPBD Bontang")
    expect(preview.get_by_test_id("preview-excluded")).to_contain_text("Damkar Balikpapan")
    expect(preview.get_by_test_id("preview-excluded")).to_contain_text("Damkar Bontang")
    _shot(page, "bulletin-compose-laptop")
    page.set_viewport_size(PHONE)
    assert _no_horizontal_overflow(page)
    _shot(page, "bulletin-compose-phone")
    page.set_viewport_size(LAPTOP)
    page.get_by_test_id("bulletin-send").click()
    expect(page.get_by_test_id("bulletin-title")).to_contain_text("Waspada penyelundupan")
    bulletin = Bulletin.objects.get()
    assert list(bulletin.recipients.values_list("agency_id", flat=True)) == [w.b.pk]
    expect(page.get_by_test_id("bulletin-progress").locator("[data-state=waiting]")).to_have_count(1)

    # Bob, on his phone: the list shows it unread, he opens and acknowledges it.
    bob_page.goto(f"{live_server.url}/bulletins/")
    expect(bob_page.get_by_test_id("bulletin-row").first).to_have_attribute("data-unread", "true")
    assert _no_horizontal_overflow(bob_page)
    _shot(bob_page, "bulletin-list-phone")
    bob_page.get_by_test_id("bulletin-row").first.locator("a").click()
    expect(bob_page.get_by_test_id("bulletin-body")).to_contain_text("malam hari")
    expect(bob_page.get_by_test_id("bulletin-body").locator("strong")).to_have_text("malam hari")
    assert _no_horizontal_overflow(bob_page)
    _shot(bob_page, "bulletin-detail-phone")
    bob_page.get_by_test_id("ack-button").click()
    expect(bob_page.get_by_test_id("ack-form")).to_have_count(0)
    bob_page.set_viewport_size(LAPTOP)
    _shot(bob_page, "bulletin-detail-acknowledged-laptop")
    assert BulletinReceipt.objects.filter(bulletin=bulletin, user=w.bob).exists()
    assert BulletinRecipient.objects.get(bulletin=bulletin).acknowledged_by == w.bob

    # Alice's page, never reloaded, shows it through its polling panel.
    expect(page.get_by_test_id("bulletin-progress").locator("[data-state=acknowledged]")).to_have_count(
        1, timeout=10_000
    )
    expect(page.get_by_test_id("ack-summary")).to_contain_text("1")
    _shot(page, "bulletin-progress-laptop")
    page.set_viewport_size(PHONE)
    assert _no_horizontal_overflow(page)
    _shot(page, "bulletin-progress-phone")
