"""The meeting pages: list (filters kept across pages, a bounded number of queries), detail
(RSVP buttons to invitees only, attendance and record forms to the organiser), create and edit
in the area's zone (a form posted unchanged changes nothing), the .ics download, the desk."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from coordination.meetings import services
from coordination.models import InboxItem, Meeting

from ...browser_form import post_rendered, rendered_form
from .helpers import make_meeting

pytestmark = pytest.mark.django_db


def _state(meeting):
    meeting.refresh_from_db()
    return {
        "title": meeting.title,
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
        "place": meeting.place,
        "online_url": meeting.online_url,
        "agenda": meeting.agenda,
        "area": meeting.area_id,
        "sequence": meeting.sequence,
        "invitees": sorted(meeting.invitees.values_list("agency_id", "user_id", "rsvp"), key=str),
    }


def test_the_list_keeps_its_filters_across_pages_in_bounded_queries(client, world, django_assert_max_num_queries):
    for i in range(27):
        make_meeting(world, title=f"Rapat {i}")
    client.force_login(world.bob)
    url = reverse("meeting-list") + f"?status=scheduled&agency={world.b.pk}"
    with django_assert_max_num_queries(20):
        response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="meeting-row"') == 25
    assert re.search(r'href="/meetings/\?status=scheduled&amp;agency=\d+&amp;page=2"', html)
    client.force_login(world.charlie)
    assert 'data-testid="meeting-row"' not in client.get(url).content.decode()


def test_invitees_see_rsvp_buttons_and_the_organiser_the_record_forms(client, world):
    meeting = make_meeting(world, hours=-1)
    url = reverse("meeting-detail", args=[meeting.pk])
    client.force_login(world.bob)
    html = client.get(url).content.decode()
    assert 'data-testid="rsvp-accepted"' in html and 'data-testid="attendance-form"' not in html
    response = client.post(reverse("meeting-rsvp", args=[meeting.pk]), {"response": "declined"})
    assert response.status_code == 302
    assert set(meeting.invitees.values_list("rsvp", flat=True)) == {"declined"}
    client.force_login(world.alice)
    html = client.get(url).content.decode()
    assert 'data-testid="rsvp-accepted"' not in html
    assert 'data-testid="attendance-form"' in html and 'data-testid="minutes-form"' in html
    client.force_login(world.charlie)
    assert client.get(url).status_code == 404


def test_the_agenda_is_sanitised(client, world):
    meeting = make_meeting(world, agenda="**Penting** <script>alert(1)</script><img src=x onerror=alert(2)>")
    client.force_login(world.bob)
    html = client.get(reverse("meeting-detail", args=[meeting.pk])).content.decode()
    assert "<strong>Penting</strong>" in html
    assert "<script>alert(1)" not in html and "onerror" not in html


def test_attendance_and_action_items_from_the_page(client, world):
    meeting = make_meeting(world, hours=-1)
    rows = {(r.user_id or 0): r.pk for r in meeting.invitees.all()}
    client.force_login(world.alice)
    response = client.post(
        reverse("meeting-attendance", args=[meeting.pk]),
        {f"present-{rows[0]}": "1", f"present-{rows[world.bob.pk]}": "0"},
    )
    assert response.status_code == 302
    assert sorted(meeting.invitees.values_list("present", flat=True)) == [False, True]
    due = (timezone.localdate() - datetime.timedelta(days=2)).isoformat()
    response = post_rendered(
        client,
        reverse("meeting-detail", args=[meeting.pk]),
        action=reverse("meeting-action-item-add", args=[meeting.pk]),
        changes={
            "description": "Susun jadwal",
            "owner_agency": str(world.b.pk),
            "owner_person": str(world.bob.pk),
            "due_date": due,
        },
    )
    assert response.status_code == 302
    client.force_login(world.bob)
    desk = client.get(reverse("dashboard")).content.decode()
    assert "Susun jadwal" in desk
    page = client.get(reverse("action-item-list") + "?overdue=true").content.decode()
    assert "Susun jadwal" in page and reverse("meeting-detail", args=[meeting.pk]) in page


def test_the_desk_shows_upcoming_meetings(client, world, django_assert_max_num_queries):
    meeting = make_meeting(world, title="Rakor pengamanan Nataru")
    client.force_login(world.bob)
    html = client.get(reverse("dashboard")).content.decode()
    assert 'data-testid="block-meetings"' in html and "Rakor pengamanan Nataru" in html
    assert "Not answered" in html or "Belum dijawab" in html
    services.meeting_cancel(actor=world.alice, meeting=meeting)
    assert "Rakor pengamanan Nataru" not in client.get(reverse("dashboard")).content.decode()


def test_the_ics_download(client, world):
    meeting = make_meeting(world)
    client.force_login(world.bob)
    response = client.get(reverse("meeting-ics", args=[meeting.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    assert b"METHOD:REQUEST" in response.content
    client.force_login(world.charlie)
    assert client.get(reverse("meeting-ics", args=[meeting.pk])).status_code == 404


@pytest.mark.parametrize("editor", ["alice", "admin"])
def test_saving_a_meeting_unchanged_changes_nothing(client, world, zone, language, editor):
    start = timezone.now().astimezone(zone).replace(hour=21, minute=37, second=0, microsecond=0)
    meeting = make_meeting(world, online_url="https://meet.example.org/x", agenda="Satu\nDua")
    services.meeting_update(
        actor=world.alice, meeting=meeting, starts_at=start + datetime.timedelta(days=3),
        ends_at=start + datetime.timedelta(days=3, hours=1, minutes=8),
    )  # fmt: skip
    services.meeting_rsvp(actor=world.bob, meeting=meeting, response="accepted")
    before = _state(meeting)
    client.force_login(getattr(world, editor))
    for _save in range(2):
        response = post_rendered(client, reverse("meeting-edit", args=[meeting.pk]))
        assert response.status_code == 302, response.context["form"].errors if response.context else response
        assert _state(meeting) == before
    assert not InboxItem.objects.filter(kind="meeting.changed").exists()


def test_a_meeting_created_stores_the_time_typed_in_its_area_zone(client, world, zone, language):
    client.force_login(world.alice)
    response = post_rendered(
        client,
        reverse("meeting-create"),
        changes={
            "title": "Rakor Tahun Baru",
            "area": str(world.areas.bontang.pk),
            "starts_at": "2027-12-24T18:05",
            "ends_at": "2027-12-24T20:45",
            "place": "Aula",
            "invited_agencies": [str(world.b.pk)],
        },
    )
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    meeting = Meeting.objects.get(title="Rakor Tahun Baru")
    assert meeting.starts_at == datetime.datetime(2027, 12, 24, 18, 5, tzinfo=zone)
    pairs = dict(rendered_form(client.get(reverse("meeting-edit", args=[meeting.pk])).content.decode(), action=""))
    assert pairs["starts_at"] == "2027-12-24T18:05"
