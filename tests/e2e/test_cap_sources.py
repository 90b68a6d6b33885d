"""The CAP sources in a real browser: staff add a source (a local server of real alerts), poll
it now, read the fetches and the imported threat's CAP origin; a failing source shows its error
and, after an hour, the warning on every staff page; the public portal names the source.

Screenshots go to test-results/screenshots/ (cap-source-*), to be looked at.
"""

import datetime

import pytest
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from agencies.models import Classification
from incidents.models import CapSource, Threat
from tests.incidents.threats.cap.test_relay import original
from tests.incidents.threats.feeds.server import CapServer


def _id(text: str) -> str:
    """What the page says in Bahasa Indonesia, the default language."""
    with translation.override("id"):
        return translation.gettext(text)


def _poll_now(page: Page) -> None:
    """Press "Poll now" and read the page again once the poll has run. Celery is eager: the poll
    runs after the request commits, so the page the button leads to may not show it yet. The
    reload waits for that page: reloading while the form's navigation runs detaches the page."""
    page.get_by_test_id("poll-now").click()
    queued = _id("Poll queued: refresh the page in a moment to see what it fetched.")
    expect(page.get_by_role("alert").filter(has_text=queued)).to_be_visible()
    page.reload()


pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def cap_server(settings):
    settings.SINERGI_CAP_FEEDS_ALLOW_NETWORKS = ["127.0.0.0/8"]
    settings.SINERGI_CAP_FEEDS_TIMEOUT = 2.0
    server = CapServer().start()
    server.put("/bmkg/original.xml", original())
    server.put_index("/bmkg/feed.atom", ["/bmkg/original.xml"])
    yield server
    server.stop()


def test_staff_add_poll_and_follow_a_cap_source(page: Page, live_server, e2e_world, login, shot, cap_server):
    world = e2e_world
    login("admin")
    page.goto(f"{live_server.url}/cap-sources/")
    expect(page.get_by_test_id("no-sources")).to_be_visible()
    page.get_by_test_id("add-source").click()
    page.get_by_test_id("save-source").click()  # nothing filled in
    expect(page.get_by_test_id("form-errors")).to_be_visible()
    shot("cap-source-form-errors")

    page.fill("#id_name", "BMKG Kalimantan Timur")
    page.fill("#id_authority", "BMKG")
    page.fill("#id_url", cap_server.url("/bmkg/feed.atom"))
    page.select_option("#id_agency", str(world.b.pk))
    page.check("input[name=categories][value=Met]")
    page.get_by_test_id("save-source").click()
    expect(page.get_by_test_id("source-status")).to_have_text(_id("Not polled yet"))

    _poll_now(page)
    expect(page.get_by_test_id("source-status")).to_have_text(_id("OK"))
    expect(page.get_by_test_id("fetch-list")).to_contain_text(_id("Imported"))
    shot("cap-source-detail")

    page.get_by_test_id("fetch-list").get_by_role("link").first.click()
    expect(page.get_by_test_id("cap-origin")).to_be_visible()
    expect(page.get_by_test_id("cap-source")).to_contain_text("BMKG Kalimantan Timur")
    expect(page.get_by_test_id("area-matches")).to_contain_text("Kota Bontang")
    page.get_by_test_id("cap-messages").locator("summary").first.click()
    expect(page.get_by_test_id("cap-document")).to_contain_text("<alert")
    page.get_by_test_id("cap-origin").scroll_into_view_if_needed()
    shot("cap-source-threat-origin")

    # The source starts failing: its page says so; after an hour, every staff page warns.
    source = CapSource.objects.get()
    CapSource.objects.filter(pk=source.pk).update(url=cap_server.url("/error/feed.atom"), etag="", last_modified="")
    page.goto(f"{live_server.url}/cap-sources/{source.pk}/")
    _poll_now(page)
    expect(page.get_by_test_id("last-error")).to_contain_text("HTTP 500")
    expect(page.get_by_test_id("source-status")).to_contain_text(_id("Failing since %(since)s").split("%")[0].strip())
    shot("cap-source-failing")
    CapSource.objects.filter(pk=source.pk).update(failing_since=timezone.now() - datetime.timedelta(hours=2))
    page.goto(f"{live_server.url}/cap-sources/")
    expect(page.get_by_test_id("cap-sources-failing")).to_be_visible()
    shot("cap-source-list-warning")

    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/cap-sources/{source.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shot("cap-source-detail-phone")


def test_the_public_portal_names_the_source_of_an_alert(page: Page, live_server, e2e_world, shot, cap_server):
    from incidents.threats.feeds import poll

    source = CapSource.objects.create(
        name="BMKG Kalimantan Timur", authority="BMKG", url=cap_server.url("/bmkg/feed.atom"), agency=e2e_world.b
    )
    poll.cap_source_poll(source_id=source.pk)
    Threat.objects.update(classification=Classification.PUBLIC)
    page.goto(f"{live_server.url}/peringatan/")
    expect(page.get_by_test_id("alert-source")).to_have_text("BMKG (BMKG Kalimantan Timur)")
    shot("cap-source-public-alerts")
