"""Browser: a liaison schedules a coordination meeting and invites a partner agency with its
liaison by name; the invitee finds it on the desk and in the inbox and accepts; the organiser
takes attendance, writes the minutes, a decision and an action item for the partner, due
yesterday; the partner's liaison finds it overdue on the desk and opens their action items.
Screenshots (laptop 1280 px and phone 390 px) in test-results/screenshots/."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from coordination.models import ActionItem, Meeting

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 860}


def both(page, shot, name):
    page.set_viewport_size(PHONE)
    shot(f"{name}-phone")
    page.set_viewport_size(LAPTOP)
    shot(name)


@pytest.mark.dates
def test_a_meeting_from_invitation_to_the_overdue_item(e2e_world, page, live_server, login, shot):
    w = e2e_world
    zone = ZoneInfo(w.areas.bontang.timezone)
    start = (timezone.now() - datetime.timedelta(minutes=30)).astimezone(zone).replace(second=0, microsecond=0)

    login("alice")
    page.get_by_test_id("nav-coordination").click()
    page.get_by_test_id("nav-meetings").click()
    page.get_by_test_id("meeting-create").click()
    page.fill("#id_title", "Rapat koordinasi pengamanan Nataru")
    page.select_option("#id_area", str(w.areas.bontang.pk))
    page.fill("#id_starts_at", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_ends_at", (start + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_place", "Aula Mako Polres Bontang")
    page.select_option("#id_invited_agencies", [str(w.b.pk)])
    page.select_option("#id_invited_persons", [str(w.bob.pk)])
    page.fill("#id_agenda", "1. Pembukaan\n2. **Titik rawan** malam Natal")
    both(page, shot, "meeting-form")
    page.get_by_test_id("meeting-form").locator("button[type=submit]").click()
    expect(page.get_by_test_id("meeting-title")).to_contain_text("Rapat koordinasi pengamanan Nataru")
    meeting = Meeting.objects.get()
    assert meeting.organiser == w.a and meeting.starts_at == start

    page.context.clear_cookies()
    login("bob")
    expect(page.get_by_test_id("block-meetings")).to_contain_text("Rapat koordinasi pengamanan Nataru")
    page.goto(f"{live_server.url}/inbox/")
    expect(page.locator("main")).to_contain_text("Rapat koordinasi pengamanan Nataru")
    page.goto(f"{live_server.url}/meetings/{meeting.pk}/")
    page.get_by_test_id("rsvp-accepted").click()
    expect(page.get_by_test_id("rsvp-current").first).to_contain_text("Diterima")
    both(page, shot, "meeting-invitee")

    page.context.clear_cookies()
    login("alice")
    page.goto(f"{live_server.url}/meetings/{meeting.pk}/")
    for select in page.get_by_test_id("present-select").all():
        select.select_option("1")
    page.get_by_test_id("attendance-save").click()
    expect(page.get_by_test_id("meeting-status")).to_contain_text("Terlaksana")
    page.get_by_test_id("minutes").locator("summary").click()
    page.get_by_test_id("minutes-form").locator("textarea").fill("Rapat dibuka pukul 09.00.\n\n- Pos di Simpang Tugu")
    page.get_by_test_id("minutes-form").locator("button[type=submit]").click()
    expect(page.get_by_test_id("minutes-text")).to_contain_text("Pos di Simpang Tugu")
    page.get_by_test_id("decision-form").locator("input[name=text]").fill("Patroli gabungan tiap malam")
    page.get_by_test_id("decision-form").locator("button[type=submit]").click()
    expect(page.get_by_test_id("decision")).to_contain_text("Patroli gabungan tiap malam")
    items = page.get_by_test_id("action-item-form")
    items.locator("input[name=description]").fill("Siapkan peta titik rawan")
    items.locator("select[name=owner_agency]").select_option(str(w.b.pk))
    items.locator("select[name=owner_person]").select_option(str(w.bob.pk))
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    items.locator("input[name=due_date]").fill(yesterday.isoformat())
    items.locator("button[type=submit]").click()
    expect(page.get_by_test_id("action-item")).to_contain_text("Siapkan peta titik rawan")
    both(page, shot, "meeting-record")
    item = ActionItem.objects.get()
    assert (item.meeting, item.owner_agency, item.owner_person, item.due_date) == (meeting, w.b, w.bob, yesterday)
    # The organiser corrects the item's text in its own page and comes back to the meeting.
    page.get_by_test_id("action-item").get_by_test_id("action-item-edit").click()
    edit = page.get_by_test_id("action-item-edit-form")
    expect(edit.locator("select[name=owner_person]")).to_have_value(str(w.bob.pk))
    expect(edit.locator("input[name=due_date]")).to_have_value(yesterday.isoformat())
    edit.locator("textarea[name=description]").fill("Siapkan peta titik rawan dan jalur evakuasi")
    both(page, shot, "meeting-action-item-edit")
    edit.locator("button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/meetings/{meeting.pk}/")
    expect(page.get_by_test_id("action-item")).to_contain_text("jalur evakuasi")

    page.context.clear_cookies()
    login("bob")
    overdue = page.get_by_test_id("block-actions")
    expect(overdue).to_contain_text("Siapkan peta titik rawan")
    both(page, shot, "meeting-desk-overdue")
    overdue.get_by_test_id("block-all").click()
    expect(page.get_by_test_id("action-item")).to_contain_text("Siapkan peta titik rawan")
    page.get_by_test_id("action-item").locator("select[name=status]").select_option("in_progress")
    expect(page.get_by_test_id("action-item").locator("select[name=status]")).to_have_value("in_progress")
    both(page, shot, "meeting-action-items")
    page.goto(f"{live_server.url}/meetings/")
    expect(page.get_by_test_id("meeting-row")).to_contain_text("Rapat koordinasi pengamanan Nataru")
    both(page, shot, "meeting-list")
