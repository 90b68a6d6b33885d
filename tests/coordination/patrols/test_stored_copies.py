"""What a patrol override and a calendar feed show is decided when they are read, by the rule
of the shifts they name as it is now (issue 11, class 4: "stored copies outlive the rule").

Polres Bontang (A) takes part in a secret operation led by Damkar (C): A's unit "Sabhara 1"
is on its shift "Penyergapan gudang", and so is BPBD's (B) "Tim BPBD", though B does not take
part. Alice (A) then books Sabhara 1 on a restricted patrol at the same time, overriding the
clash. Bob (B) reads the restricted patrol, never the secret shift.
"""

import datetime
import importlib
import json

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation
from icalendar import Calendar

from agencies.models import Classification
from coordination.models import ConflictOverride, JointOperation, Participation
from coordination.patrols import services as patrol_services

from .test_patrols import make_operation, make_shift, unit

SECRET_TITLE = "Penyergapan gudang"
SECRET_OPERATION = "Operasi Senyap"
# The placeholder, in either language (pages answer in the visitor's, Bahasa Indonesia first).
PLACEHOLDERS = ("another shift you may not see", "giliran lain yang tidak dapat Anda lihat")


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _start():
    now = datetime.datetime.now(datetime.UTC).replace(minute=0, second=0, microsecond=0)
    return now + datetime.timedelta(days=1)


@pytest.fixture
def clash(world):
    start = _start()
    secret_op = make_operation(
        world, classification=Classification.SECRET, lead=world.c, participants=[world.a], name=SECRET_OPERATION
    )
    secret_shift = make_shift(
        world,
        secret_op,
        start=start,
        title=SECRET_TITLE,
        contributions=[unit(world.a), unit(world.b, "Tim BPBD", 4)],
    )
    patrol = make_operation(world, classification=Classification.RESTRICTED, lead=world.a, name="Patroli kota")
    mine = make_shift(
        world,
        patrol,
        start=start + datetime.timedelta(hours=2),
        title="Patroli pasar",
        contributions=[unit(world.a)],
        user=world.alice,
        override_reason="Kapolres minta",
    )
    return {"secret_op": secret_op, "secret_shift": secret_shift, "mine": mine}


def test_the_override_stores_references_not_the_clashing_shifts_title(world, clash):
    override = ConflictOverride.objects.get(shift=clash["mine"])
    stored = json.dumps(override.conflicts)
    assert SECRET_TITLE not in stored and "message" not in stored and "Polres" not in stored
    assert override.conflicts[0]["shifts"] == [clash["mine"].pk, clash["secret_shift"].pk]


def test_the_overriding_agency_reads_the_title_it_may_see(client, world, clash):
    client.force_login(world.alice)
    body = client.get(reverse("patrol-shift-detail", args=[clash["mine"].pk])).content.decode()
    assert SECRET_TITLE in body


def test_another_agency_never_reads_the_secret_shifts_title_on_the_page(client, world, clash):
    client.force_login(world.bob)
    response = client.get(reverse("patrol-shift-detail", args=[clash["mine"].pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Kapolres minta" in body  # the override is there...
    assert SECRET_TITLE not in body  # ...without the title it copied
    assert any(p in body for p in PLACEHOLDERS)


def test_another_agency_never_reads_the_secret_shifts_title_in_the_api(api_as, world, clash):
    response = api_as(world.bob).get(f"/api/v1/shifts/{clash['mine'].pk}/")
    assert response.status_code == 200
    [override] = response.json()["overrides"]
    assert SECRET_TITLE not in response.content.decode()
    assert any(p in override["conflicts"][0]["message"] for p in PLACEHOLDERS)


def test_a_shift_made_secret_after_the_override_disappears_from_its_message(api_as, world, clash):
    """Read by the rule as it is now: A leaves the secret operation, and its own override no
    longer names the shift."""
    Participation.objects.filter(operation=clash["secret_op"], agency=world.a).delete()
    response = api_as(world.alice).get(f"/api/v1/shifts/{clash['mine'].pk}/")
    assert SECRET_TITLE not in response.content.decode()


def test_the_feed_of_a_contributing_agency_leaves_out_what_the_api_hides(client, api_as, world, clash):
    """B contributes a unit to the secret shift without taking part in its operation: the API
    answers 404 to its members, and its feed leaves the shift out, by the same selector."""
    assert api_as(world.bob).get(f"/api/v1/shifts/{clash['secret_shift'].pk}/").status_code == 404
    token = patrol_services.calendar_feed_get_or_create(user=world.bob, agency=world.b).token
    response = client.get("/api/v1/shifts.ics", {"token": token})
    assert response.status_code == 200
    raw = response.content.decode()
    assert SECRET_TITLE not in raw and SECRET_OPERATION not in raw
    assert list(Calendar.from_ical(response.content).walk("VEVENT")) == []


def test_the_feed_of_a_participating_agency_keeps_the_shift(client, world, clash):
    token = patrol_services.calendar_feed_get_or_create(user=world.alice, agency=world.a).token
    raw = client.get("/api/v1/shifts.ics", {"token": token}).content.decode()
    assert SECRET_TITLE in raw


def test_the_feed_follows_a_reclassification(client, world, clash):
    """Made restricted, the shift is B's to read, and so it enters B's feed."""
    JointOperation.objects.filter(pk=clash["secret_op"].pk).update(classification=Classification.RESTRICTED)
    token = patrol_services.calendar_feed_get_or_create(user=world.bob, agency=world.b).token
    assert SECRET_TITLE in client.get("/api/v1/shifts.ics", {"token": token}).content.decode()


def test_the_migration_keeps_the_references_of_stored_overrides(world, clash):
    override = ConflictOverride.objects.get(shift=clash["mine"])
    old = [{**override.conflicts[0], "agency_name": "Polres Bontang", "message": f'on "{SECRET_TITLE}"'}]
    ConflictOverride.objects.filter(pk=override.pk).update(conflicts=old)
    migration = importlib.import_module("coordination.migrations.0002_conflict_override_references")
    migration.to_references(apps, None)
    override.refresh_from_db()
    assert override.conflicts == [{k: v for k, v in old[0].items() if k not in ("agency_name", "message")}]
