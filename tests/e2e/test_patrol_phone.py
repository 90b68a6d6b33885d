"""Browser, at a phone's width (390x844): a unit checks in at its checkpoints with the phone's
position, and a commander subscribes a phone calendar to the agency's shifts and rotates the
link. Screenshots in test-results/screenshots/ (patrol-check-in-*.png, patrol-feed-*.png)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from agencies.models import Classification
from coordination.models import CalendarFeed, CheckIn, JointOperation
from coordination.patrols import services as patrol_services

from .conftest import SCREENSHOTS, login_with_form

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
BONTANG = {"latitude": 0.137, "longitude": 117.494}


@pytest.fixture
def phone(browser, live_server):
    """A phone: 390x844, Indonesian, its position in Bontang shared with the site."""
    context = browser.new_context(
        viewport=PHONE,
        locale="id-ID",
        geolocation=BONTANG,
        permissions=["geolocation", "clipboard-read", "clipboard-write"],
        has_touch=True,
        is_mobile=True,
    )
    page = context.new_page()

    def login(username: str) -> None:
        login_with_form(page, live_server, username)

    page.login = login
    yield page
    context.close()


def shoot(page, name: str, *, full_page: bool = True) -> None:
    """The phone's page as test-results/screenshots/<name>.png (the `shot` fixture draws the
    default 1280 px page, not this phone's)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    if full_page:
        page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width}px wide on a {PHONE['width']}px phone"


@pytest.fixture
def route(e2e_world):
    """A shift of A's operation that began two hours ago: the first checkpoint missed, the
    second checked in 40 minutes late, the third still to come."""
    w = e2e_world
    op = JointOperation.objects.create(
        name="Patroli Gabungan Bontang Utara",
        kind=JointOperation.Kind.JOINT_PATROL,
        lead_agency=w.a,
        classification=Classification.RESTRICTED,
    )
    now = timezone.now().replace(second=0, microsecond=0)
    start = now - datetime.timedelta(hours=2)
    shift = patrol_services.shift_create(
        user=w.alice,
        operation=op,
        title="Patroli malam Guntung",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=6),
        areas=[w.areas.guntung],
        contributions=[{"agency": w.a, "unit_name": "Sabhara 1", "headcount": 8, "vehicles": 2}],
        checkpoints=[
            {
                "name": "Pelabuhan Lok Tuan",
                "latitude": Decimal("0.13"),
                "longitude": Decimal("117.49"),
                "planned_at": start,
            },
            {
                "name": "Pasar Rawa Indah",
                "latitude": Decimal("0.14"),
                "longitude": Decimal("117.50"),
                "planned_at": start + datetime.timedelta(hours=1),
            },
            {
                "name": "Terminal Bontang Utara",
                "latitude": Decimal("0.15"),
                "longitude": Decimal("117.51"),
                "planned_at": now + datetime.timedelta(hours=1),
            },
        ],
    )
    second = shift.checkpoints.get(order=2)
    patrol_services.checkin_create(
        user=w.alice,
        shift=shift,
        checkpoint=second,
        latitude=None,
        longitude=None,
        at=second.planned_at + datetime.timedelta(minutes=40),
    )
    return shift


def test_a_unit_checks_in_at_a_checkpoint_from_a_phone(route, phone, live_server):
    phone.login("alice")
    phone.goto(f"{live_server.url}/patrols/shifts/{route.pk}/")
    phone.get_by_test_id("check-in-link").click()
    expect(phone.get_by_test_id("check-in-page")).to_be_visible()
    points = phone.get_by_test_id("checkpoint")
    expect(points).to_have_count(3)
    # In order, with what happened so far marked.
    expect(points.nth(0)).to_have_attribute("data-status", "missed")
    expect(points.nth(1)).to_have_attribute("data-status", "late")
    expect(points.nth(2)).to_have_attribute("data-status", "pending")
    expect(phone.get_by_test_id("missed-count")).to_be_visible()
    # The browser shared its position: the forms carry it.
    expect(phone.get_by_test_id("geo-status")).to_have_attribute("data-shared", "yes")
    button = points.nth(2).get_by_test_id("check-in-button")
    box = button.bounding_box()
    assert box["height"] >= 48 and box["width"] >= 300, box  # a thumb's target, the row's width
    _fits(phone)
    shoot(phone, "patrol-check-in-phone-before")
    button.click()
    expect(phone.get_by_test_id("checkpoint").nth(2)).to_have_attribute("data-status", "on_time")
    expect(phone.locator(".alert-success")).to_contain_text("Terminal Bontang Utara")
    _fits(phone)
    shoot(phone, "patrol-check-in-phone-after")
    check_in = CheckIn.objects.get(checkpoint__order=3)
    assert (check_in.user, check_in.latitude, check_in.longitude) == (
        route.contributions.get().agency.memberships.get(user__username="alice").user,
        Decimal("0.137000"),
        Decimal("117.494000"),
    )


def test_a_check_in_without_a_shared_position_is_sent_without_it(route, browser, live_server):
    context = browser.new_context(viewport=PHONE, locale="id-ID")  # position not allowed
    page = context.new_page()
    login_with_form(page, live_server, "carol")
    page.goto(f"{live_server.url}/patrols/shifts/{route.pk}/check-in/")
    expect(page.get_by_test_id("geo-status")).to_have_attribute("data-shared", "no")
    page.get_by_test_id("checkpoint").nth(0).get_by_test_id("check-in-button").click()
    expect(page.get_by_test_id("checkpoint").nth(0)).to_have_attribute("data-status", "late")
    check_in = CheckIn.objects.get(checkpoint__order=1)
    assert (check_in.latitude, check_in.longitude) == (None, None)
    context.close()


def test_a_viewer_reads_the_checkpoints_without_buttons(route, phone, live_server):
    phone.login("vera")
    phone.goto(f"{live_server.url}/patrols/shifts/{route.pk}/")
    expect(phone.get_by_test_id("check-in-link")).to_have_count(0)
    phone.goto(f"{live_server.url}/patrols/shifts/{route.pk}/check-in/")
    expect(phone.get_by_test_id("checkpoint")).to_have_count(3)
    expect(phone.get_by_test_id("check-in-button")).to_have_count(0)
    expect(phone.get_by_test_id("check-in-not-allowed")).to_be_visible()


def test_a_commander_subscribes_a_phone_calendar_and_rotates_the_link(e2e_world, phone, live_server, settings):
    settings.SITE_URL = live_server.url
    phone.login("carol")
    phone.goto(f"{live_server.url}/patrols/")
    box = phone.get_by_test_id("feed-box")
    box.scroll_into_view_if_needed()
    expect(box.get_by_test_id("feed-rotate")).to_have_count(0)  # nothing to rotate yet
    box.get_by_test_id("feed-create").click()
    url = phone.get_by_test_id("feed-url").input_value()
    token = CalendarFeed.objects.get(agency=e2e_world.a).token
    assert url.endswith(f"/api/v1/shifts.ics?token={token}")
    assert phone.get_by_test_id("feed-webcal").get_attribute("href").startswith("webcal://")
    phone.get_by_test_id("feed-copy").click()
    expect(phone.get_by_test_id("feed-copy")).to_contain_text("Tersalin")
    assert phone.evaluate("navigator.clipboard.readText()") == url
    feed = phone.request.get(url)
    assert feed.status == 200 and "text/calendar" in feed.headers["content-type"]
    _fits(phone)
    phone.get_by_test_id("feed-box").scroll_into_view_if_needed()
    shoot(phone, "patrol-feed-phone", full_page=False)
    # Rotating asks first, then the old link stops working.
    phone.get_by_test_id("feed-rotate").locator("summary").click()
    expect(phone.get_by_test_id("feed-rotate-confirm")).to_be_visible()
    phone.get_by_test_id("feed-box").scroll_into_view_if_needed()
    shoot(phone, "patrol-feed-phone-rotate", full_page=False)
    phone.get_by_test_id("feed-rotate-confirm").click()
    new_url = phone.get_by_test_id("feed-url").input_value()
    assert new_url != url
    assert phone.request.get(url).status == 404
    assert phone.request.get(new_url).status == 200


def test_a_viewer_gets_the_link_but_may_not_rotate_it(e2e_world, phone, live_server, settings):
    settings.SITE_URL = live_server.url
    CalendarFeed.objects.create(agency=e2e_world.a, token="secret-token-of-polres-bontang-0001")
    phone.login("vera")
    phone.goto(f"{live_server.url}/patrols/")
    expect(phone.get_by_test_id("feed-url")).to_have_value(
        f"{live_server.url}/api/v1/shifts.ics?token=secret-token-of-polres-bontang-0001"
    )
    expect(phone.get_by_test_id("feed-rotate")).to_have_count(0)
