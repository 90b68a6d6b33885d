"""/api/v1/incidents/: logging, changing and moving an incident through its workflow.

Creating (for which agency, with an API token, every bad input a 400 naming the field and
nothing saved), PATCH and PUT, the actions (verify, assign, status, notes, link, merge) and the
paginated timeline. Who may call them at all is in test_access.py.
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from agencies.models import Membership, Severity
from incidents import services
from incidents.models import Incident, IncidentEvent, Urgency
from tests.factories import (
    AgencyFactory,
    CameraFactory,
    MembershipFactory,
    UserFactory,
    VitalObjectFactory,
    category,
)
from tests.incidents.incident_api.helpers import LIST, act, detail, english, snapshot, year

# --- Create ----------------------------------------------------------------------------------


def payload(world, **extra):
    return {
        "title": "Perampokan minimarket",
        "description": "Dua pelaku bermotor",
        "category": "crime-robbery",
        "severity": "Severe",
        "urgency": "Immediate",
        "area": world.areas.guntung.pk,
        "latitude": 0.1701,
        "longitude": 117.4702,
        "involved_agencies": [world.b.pk],
        **extra,
    }


@pytest.mark.dates
def test_a_liaison_logs_an_incident_for_her_only_agency(api_as, world):
    response = api_as(world.alice).post(LIST, payload(world), format="json")

    assert response.status_code == 201, response.content
    incident = Incident.objects.get()
    assert response.json()["id"] == incident.pk
    assert incident.reference == f"BON-{year()}-000001"
    assert (incident.reporting_agency, incident.category.code, incident.severity, incident.urgency) == (
        world.a,
        "crime-robbery",
        Severity.SEVERE,
        Urgency.IMMEDIATE,
    )
    assert (incident.latitude, incident.longitude) == (Decimal("0.170100"), Decimal("117.470200"))
    assert list(incident.involved_agencies.all()) == [world.b]
    assert incident.created_by == world.alice
    assert list(incident.events.values_list("kind", flat=True)) == ["created"]


def test_cap_names_are_accepted_in_any_case(api_as, world):
    response = api_as(world.alice).post(LIST, payload(world, severity="extreme", urgency="expected"), format="json")

    assert response.status_code == 201, response.content
    assert (response.json()["severity"], response.json()["urgency"]) == ("Extreme", "Expected")


def test_a_member_of_several_agencies_says_for_which_one_she_logs(api_as, world):
    MembershipFactory(user=world.alice, agency=world.b, role=Membership.Role.LIAISON)
    client = api_as(world.alice)

    refused = client.post(LIST, payload(world), format="json")
    accepted = client.post(LIST, payload(world, reporting_agency=world.b.pk), format="json")

    assert refused.status_code == 400 and "reporting_agency" in refused.json()
    assert accepted.status_code == 201
    assert Incident.objects.get().reporting_agency == world.b


def test_one_cannot_log_for_an_agency_one_does_not_belong_to(api_as, world):
    response = api_as(world.alice).post(LIST, payload(world, reporting_agency=world.c.pk), format="json")

    assert response.status_code == 400 and "reporting_agency" in response.json()
    assert not Incident.objects.exists()


@pytest.mark.parametrize("persona", ["vera", "nobody"])
def test_a_viewer_or_a_user_of_no_agency_cannot_log_an_incident(api_as, world, persona):
    response = api_as(getattr(world, persona)).post(LIST, payload(world), format="json")

    assert response.status_code == 403
    assert not Incident.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"category": "no-such-category"}, "category"),
        ({"latitude": 48}, "latitude"),
        ({"longitude": 2.35}, "longitude"),
        ({"title": ""}, "title"),
        ({"title": None}, "title"),
        ({"area": 999_999}, "area"),
        ({"severity": "Catastrophic"}, "severity"),
        ({"urgency": 4}, "urgency"),
        ({"classification": "top-secret"}, "classification"),
        ({"latitude": None}, "latitude"),
        ({"longitude": None}, "longitude"),
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"involved_agencies": [999_999]}, "involved_agencies"),
        ({"source": "cctv"}, "camera"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api_as, world, change, field):
    response = api_as(world.alice).post(LIST, payload(world, **change), format="json")

    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not Incident.objects.exists()


def test_a_missing_title_is_a_400_naming_it(api_as, world):
    body = payload(world)
    del body["title"]

    response = api_as(world.alice).post(LIST, body, format="json")

    assert response.status_code == 400 and "title" in response.json()


@pytest.mark.dates
def test_a_future_time_is_refused_by_the_service_as_a_400(api_as, world):
    future = (timezone.now() + datetime.timedelta(days=2)).isoformat()

    response = api_as(world.alice).post(LIST, payload(world, occurred_at=future), format="json")

    assert response.status_code == 400 and "occurred_at" in response.json()


def test_a_camera_operator_posts_an_incident_with_an_api_token(world):
    operator = MembershipFactory(
        user=UserFactory(username="cctv-bontang"), agency=world.a, role=Membership.Role.ANALYST
    ).user
    camera = CameraFactory(code="btg-001", area=world.areas.guntung, operator=world.a)
    token = Token.objects.create(user=operator)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    response = client.post(
        LIST,
        {
            "title": "Kerumunan di Simpang Tiga",
            "category": "suspicious-activity",
            "area": world.areas.guntung.pk,
            "source": "cctv",
            "camera": camera.pk,
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    incident = Incident.objects.get()
    assert (incident.source, incident.camera, incident.reporting_agency, incident.created_by) == (
        "cctv",
        camera,
        world.a,
        operator,
    )
    assert (response.json()["source"], response.json()["camera"]) == ("cctv", camera.pk)


def test_a_user_of_no_agency_cannot_name_a_camera(api_as, world):
    camera = CameraFactory(area=world.areas.guntung, operator=world.a)

    response = api_as(world.nobody).post(LIST, payload(world, source="cctv", camera=camera.pk), format="json")

    assert response.status_code == 400 and "camera" in response.json()


# --- Update ----------------------------------------------------------------------------------


def test_a_liaison_changes_an_incident_with_patch(api_as, world, incident):
    response = api_as(world.alice).patch(detail(incident.pk), {"severity": "Extreme", "title": "Baru"}, format="json")

    assert response.status_code == 200, response.content
    assert (response.json()["severity"], response.json()["title"]) == ("Extreme", "Baru")
    incident.refresh_from_db()
    assert (incident.severity, incident.title) == (Severity.EXTREME, "Baru")
    event = incident.events.latest("id")
    assert event.kind == "updated" and event.data["changes"]["severity"] == [Severity.MODERATE, Severity.EXTREME]


def test_patch_moves_an_incident_to_another_area(api_as, world, incident):
    response = api_as(world.carol).patch(detail(incident.pk), {"area": world.areas.bontang_utara.pk}, format="json")

    assert response.status_code == 200
    incident.refresh_from_db()
    assert (incident.area, incident.area_path) == (world.areas.bontang_utara, world.areas.bontang_utara.path)


def test_patch_refuses_one_coordinate_without_the_other(api_as, world):
    incident = services.incident_create(
        actor=world.alice, title="No point", category=category("fire"), area=world.areas.guntung
    )

    response = api_as(world.alice).patch(detail(incident.pk), {"latitude": 0.1}, format="json")

    assert response.status_code == 400 and "longitude" in response.json()


def test_put_needs_the_required_fields(api_as, world, incident):
    response = api_as(world.alice).put(detail(incident.pk), {"title": "Only a title"}, format="json")

    assert response.status_code == 400
    assert {"category", "area"} <= set(response.json())
    incident.refresh_from_db()
    assert incident.title == "Pencurian motor di Guntung"


def test_patch_with_a_latitude_outside_indonesia_is_a_400(api_as, world, incident):
    before = snapshot(incident)

    response = api_as(world.alice).patch(detail(incident.pk), {"latitude": 48, "longitude": 2.35}, format="json")

    assert response.status_code == 400 and {"latitude", "longitude"} <= set(response.json())
    assert snapshot(incident) == before


# --- Actions ---------------------------------------------------------------------------------


def test_verify_moves_a_reported_incident_to_verified(api_as, world, incident):
    response = api_as(world.alice).post(act(incident.pk, "verify"), {"note": "Dicek di lokasi"}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "verified"
    assert response.json()["allowed_transitions"] == ["responding", "contained", "resolved", "rejected", "duplicate"]
    event = incident.events.latest("id")
    assert (event.kind, event.message, event.actor) == ("verified", "Dicek di lokasi", world.alice)


def test_assign_sets_the_lead_and_involved_agencies(api_as, world, incident):
    response = api_as(world.carol).post(
        act(incident.pk, "assign"), {"lead_agency": world.b.pk, "involved_agencies": [world.c.pk]}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["lead_agency"]["id"] == world.b.pk
    assert [a["id"] for a in response.json()["involved_agencies"]] == [world.c.pk]
    incident.refresh_from_db()
    assert incident.lead_agency == world.b
    assert list(incident.involved_agencies.all()) == [world.c]


def test_assign_needs_something_to_assign(api_as, world, incident):
    response = api_as(world.alice).post(act(incident.pk, "assign"), {}, format="json")

    assert response.status_code == 400 and "lead_agency" in response.json()


def test_assign_refuses_an_inactive_agency(api_as, world, incident):
    closed = AgencyFactory(name="Closed", is_active=False)

    response = api_as(world.alice).post(act(incident.pk, "assign"), {"lead_agency": closed.pk}, format="json")

    assert response.status_code == 400 and "lead_agency" in response.json()
    incident.refresh_from_db()
    assert incident.lead_agency is None


def test_a_legal_status_change_is_applied(api_as, world, incident):
    client = api_as(world.alice)
    client.post(act(incident.pk, "verify"), {}, format="json")

    response = client.post(act(incident.pk, "status"), {"status": "responding", "note": "Tim berangkat"}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "responding"
    incident.refresh_from_db()
    assert incident.status == "responding"
    assert incident.events.latest("id").data == {"from": "verified", "to": "responding"}


def test_an_illegal_status_change_is_a_400_listing_the_allowed_moves(api_as, world, incident):
    before = snapshot(incident)

    response = english(api_as(world.alice)).post(act(incident.pk, "status"), {"status": "closed"}, format="json")

    assert response.status_code == 400
    message = response.json()["status"][0]
    assert "Reported" in message and "Closed" in message
    assert "Allowed: Verified, Rejected, Duplicate" in message
    assert snapshot(incident) == before


def test_an_unknown_status_is_a_400(api_as, world, incident):
    response = api_as(world.alice).post(act(incident.pk, "status"), {"status": "exploded"}, format="json")

    assert response.status_code == 400 and "status" in response.json()


def test_a_note_is_added_to_the_timeline(api_as, world, incident):
    response = api_as(world.bob).post(act(incident.pk, "notes"), {"message": "BPBD siaga"}, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["kind"] == "note"
    assert response.json()["actor"] == "bob"
    assert response.json()["actor_agency"]["id"] == world.b.pk
    assert incident.events.latest("id").message == "BPBD siaga"


@pytest.mark.parametrize("message", ["", "   "])
def test_an_empty_note_is_a_400(api_as, world, incident, message):
    response = api_as(world.alice).post(act(incident.pk, "notes"), {"message": message}, format="json")

    assert response.status_code == 400 and "message" in response.json()
    assert incident.events.count() == 1


def test_link_attaches_a_camera_and_a_vital_object(api_as, world, incident):
    camera = CameraFactory(area=world.areas.guntung, operator=world.a)
    plant = VitalObjectFactory(area=world.areas.guntung)

    response = api_as(world.alice).post(
        act(incident.pk, "link"), {"camera": camera.pk, "vital_object": plant.pk}, format="json"
    )

    assert response.status_code == 200, response.content
    assert (response.json()["camera"], response.json()["vital_object"]) == (camera.pk, plant.pk)
    incident.refresh_from_db()
    assert (incident.camera, incident.vital_object) == (camera, plant)


def test_link_needs_something_to_link(api_as, world, incident):
    response = api_as(world.alice).post(act(incident.pk, "link"), {}, format="json")

    assert response.status_code == 400 and "camera" in response.json()


def test_merge_marks_a_duplicate_of_an_incident_given_by_reference(api_as, world, incident):
    original = services.incident_create(
        actor=world.alice, title="Original", category=category("crime-theft"), area=world.areas.guntung
    )

    response = api_as(world.alice).post(act(incident.pk, "merge"), {"into": original.reference}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "duplicate"
    incident.refresh_from_db()
    assert (incident.status, incident.duplicate_of) == ("duplicate", original)


def test_merge_into_an_incident_one_cannot_see_is_a_400_that_says_no_more_than_not_found(
    api_as, world, incident, by_class
):
    before = snapshot(incident)
    client = api_as(world.alice)

    hidden = client.post(act(incident.pk, "merge"), {"into": by_class["c_confidential"].reference}, format="json")
    missing = client.post(act(incident.pk, "merge"), {"into": "BPP-1999-000001"}, format="json")

    assert hidden.status_code == missing.status_code == 400
    assert hidden.json() == missing.json()
    assert snapshot(incident) == before


# --- Timeline --------------------------------------------------------------------------------


def test_the_timeline_is_paginated_oldest_first(api_as, world, incident):
    for n in range(4):
        services.incident_add_note(actor=world.alice, incident=incident, message=f"note {n}")
    client = api_as(world.bob)

    first = client.get(act(incident.pk, "timeline"), {"page_size": 3}).json()
    second = client.get(first["next"]).json()
    back = client.get(second["previous"]).json()

    assert [e["kind"] for e in first["results"]] == ["created", "note", "note"]
    assert [e["message"] for e in second["results"]] == ["note 2", "note 3"]
    assert second["next"] is None and first["previous"] is None
    assert back["results"] == first["results"]
    assert [e["id"] for e in first["results"] + second["results"]] == list(
        IncidentEvent.objects.filter(incident=incident).order_by("at", "id").values_list("id", flat=True)
    )
