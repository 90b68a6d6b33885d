"""The meetings API: CRUD, RSVP, attendance, minutes, decisions and action items, its 400s,
and a list that costs the same number of queries whatever the data."""

from datetime import timedelta

import pytest
from django.utils import timezone

from coordination.models import ActionItem, Meeting

from .helpers import make_meeting

pytestmark = pytest.mark.django_db


def test_anonymous_gets_401(api_as, world):
    meeting = make_meeting(world)
    assert api_as(None).get("/api/v1/meetings/").status_code == 401
    assert api_as(None).get(f"/api/v1/meetings/{meeting.pk}/").status_code == 401


def test_a_liaison_schedules_through_the_api(api_as, world):
    start = timezone.now() + timedelta(days=2)
    r = api_as(world.alice).post(
        "/api/v1/meetings/",
        {
            "title": "Rakor Nataru",
            "area": world.areas.bontang.pk,
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=2)).isoformat(),
            "online_url": "https://meet.example.org/nataru",
            "agenda": "# Agenda\n<script>alert(1)</script>",
            "invited_agencies": [world.b.pk],
            "invited_persons": [world.bob.pk],
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["organiser"]["id"] == world.a.pk
    assert "<script>" not in body["agenda_html"] and "<h1>Agenda</h1>" in body["agenda_html"]
    assert {(i["agency"]["id"], (i["person"] or {}).get("id")) for i in body["invitees"]} == {
        (world.b.pk, None),
        (world.b.pk, world.bob.pk),
    }
    assert body["ics_url"].endswith(f"/meetings/{body['id']}/invitation.ics")


def test_bad_input_answers_400_by_field(api_as, world):
    start = timezone.now()
    base = {"title": "X", "area": world.areas.bontang.pk, "starts_at": start.isoformat(), "place": "Aula"}
    client = api_as(world.alice)
    r = client.post("/api/v1/meetings/", {**base, "ends_at": (start - timedelta(hours=1)).isoformat()}, format="json")
    assert r.status_code == 400 and "ends_at" in r.json()
    end = (start + timedelta(hours=1)).isoformat()
    r = client.post("/api/v1/meetings/", {**base, "ends_at": end, "invited_persons": [world.charlie.pk]}, format="json")
    assert r.status_code == 400 and "invited_persons" in r.json()
    r = client.post("/api/v1/meetings/", {**base, "ends_at": end, "place": ""}, format="json")
    assert r.status_code == 400 and "place" in r.json()
    assert Meeting.objects.count() == 0


def test_rsvp_attendance_minutes_decisions_and_items(api_as, world):
    meeting = make_meeting(world, hours=-1)
    bob, alice = api_as(world.bob), api_as(world.alice)
    r = bob.post(f"/api/v1/meetings/{meeting.pk}/rsvp/", {"response": "tentative"}, format="json")
    assert r.status_code == 200 and {row["rsvp"] for row in r.json()} == {"tentative"}
    assert (
        alice.post(f"/api/v1/meetings/{meeting.pk}/rsvp/", {"response": "accepted"}, format="json").status_code == 403
    )
    rows = list(meeting.invitees.values_list("pk", flat=True))
    r = alice.post(
        f"/api/v1/meetings/{meeting.pk}/attendance/",
        {"present": [{"invitee": rows[0], "present": True}]},
        format="json",
    )
    assert r.status_code == 200 and r.json()["status"] == "held"
    assert bob.post(f"/api/v1/meetings/{meeting.pk}/minutes/", {"minutes": "x"}, format="json").status_code == 403
    r = alice.post(f"/api/v1/meetings/{meeting.pk}/minutes/", {"minutes": "Dibuka pukul 09.00"}, format="json")
    assert r.status_code == 200 and "Dibuka" in r.json()["minutes_html"]
    r = alice.post(f"/api/v1/meetings/{meeting.pk}/decisions/", {"text": "Posko bersama"}, format="json")
    assert r.status_code == 201
    assert bob.get(f"/api/v1/meetings/{meeting.pk}/decisions/").json()["results"][0]["text"] == "Posko bersama"
    due = (timezone.localdate() - timedelta(days=1)).isoformat()
    r = alice.post(
        f"/api/v1/meetings/{meeting.pk}/action-items/",
        {"description": "Peta rawan", "owner_agency": world.b.pk, "owner_person": world.bob.pk, "due_date": due},
        format="json",
    )
    assert r.status_code == 201, r.json()
    item = ActionItem.objects.get(meeting=meeting)
    listed = bob.get("/api/v1/action-items/?overdue=true").json()["results"]
    assert [(i["id"], i["meeting"], i["owner_person"]) for i in listed] == [(item.pk, meeting.pk, world.bob.pk)]
    r = bob.patch(f"/api/v1/action-items/{item.pk}/", {"status": "done"}, format="json")
    assert r.status_code == 200


def test_outsiders_get_404_everywhere(api_as, world):
    meeting = make_meeting(world)
    client = api_as(world.charlie)
    assert client.get(f"/api/v1/meetings/{meeting.pk}/").status_code == 404
    assert client.post(f"/api/v1/meetings/{meeting.pk}/cancel/").status_code == 404
    assert client.get("/api/v1/meetings/").json()["count"] == 0


def test_patch_and_cancel(api_as, world):
    meeting = make_meeting(world)
    r = api_as(world.bob).patch(f"/api/v1/meetings/{meeting.pk}/", {"title": "x"}, format="json")
    assert r.status_code == 403
    r = api_as(world.alice).patch(f"/api/v1/meetings/{meeting.pk}/", {"place": "Kantor Wali Kota"}, format="json")
    assert r.status_code == 200 and r.json()["sequence"] == 1
    r = api_as(world.alice).post(f"/api/v1/meetings/{meeting.pk}/cancel/")
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert api_as(world.alice).post(f"/api/v1/meetings/{meeting.pk}/cancel/").status_code == 400


def test_the_list_costs_the_same_queries_whatever_the_data(api_as, world, django_assert_max_num_queries):
    for i in range(12):
        make_meeting(world, title=f"Rapat {i}")
    with django_assert_max_num_queries(8):
        r = api_as(world.bob).get(f"/api/v1/meetings/?upcoming=true&agency={world.b.pk}")
    assert r.status_code == 200 and r.json()["count"] == 12
