"""/api/v1/incidents/: the HTTP layer over the incident selectors and services.

The workflow rules themselves are tested in test_incident_services.py; here: who gets what
answer (401, 403, 404), that a refused request changes nothing, the wire format (CAP names,
codes, numbers), input errors as 400 with the field name, filters, ordering, the keyset
pagination and a bounded number of queries.
"""

import base64
import datetime
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from agencies.models import AuditLog, Classification, Membership, Severity
from incidents import services
from incidents.models import Incident, IncidentEvent, Urgency
from tests.factories import (
    AgencyFactory,
    CameraFactory,
    IncidentFactory,
    MembershipFactory,
    UserFactory,
    VitalObjectFactory,
    category,
)

LIST = reverse("api-incident-list")
# A well-formed cursor whose id (10**30) overflows a 64-bit column.
OVERFLOWING_CURSOR = base64.urlsafe_b64encode(
    json.dumps({"o": "-occurred_at", "r": 0, "v": ["2026-01-01T00:00:00Z", 10**30]}).encode()
).decode()


def year() -> int:
    """The year references are numbered in, read at each use: a run may cross New Year after import."""
    return timezone.now().year


def detail(pk):
    return reverse("api-incident-detail", args=[pk])


def act(pk, name):
    return reverse(f"api-incident-{name}", args=[pk])


def refs(response):
    assert response.status_code == 200, response.content
    return [row["reference"] for row in response.json()["results"]]


def english(client):
    """Messages in English: the portal's default language is Bahasa Indonesia."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def by_class(world):
    """One incident of agency A per classification, and a confidential one of agency C."""
    made = {}
    for n, level in enumerate(Classification.values, start=1):
        made[level] = IncidentFactory(
            reference=f"KLS-{year()}-00000{n}",
            title=f"A {level}",
            classification=level,
            reporting_agency=world.a,
            area=world.areas.guntung,
            occurred_at=timezone.now() - datetime.timedelta(hours=n),
        )
    made["c_confidential"] = IncidentFactory(
        reference=f"KLC-{year()}-000001",
        title="C confidential",
        classification=Classification.CONFIDENTIAL,
        reporting_agency=world.c,
        area=world.areas.balikpapan_kota,
        occurred_at=timezone.now() - datetime.timedelta(hours=10),
    )
    return made


@pytest.fixture
def incident(world):
    """A restricted incident of agency A, logged by alice through the service."""
    return services.incident_create(
        actor=world.alice,
        title="Pencurian motor di Guntung",
        category=category("crime-theft"),
        area=world.areas.guntung,
        latitude=Decimal("0.176"),
        longitude=Decimal("117.471"),
    )


@pytest.fixture
def secret(world):
    return services.incident_create(
        actor=world.alice,
        title="Operasi tertutup",
        category=category("narcotics-lab"),
        area=world.areas.guntung,
        classification=Classification.SECRET,
    )


@pytest.fixture
def confidential(world):
    return services.incident_create(
        actor=world.alice,
        title="Informasi intelijen",
        category=category("terrorism-threat"),
        area=world.areas.guntung,
        classification=Classification.CONFIDENTIAL,
    )


def snapshot(incident):
    """What a refused request must leave as it was."""
    incident.refresh_from_db()
    return (
        incident.status,
        incident.title,
        incident.severity,
        incident.lead_agency_id,
        incident.camera_id,
        incident.duplicate_of_id,
        sorted(incident.involved_agencies.values_list("pk", flat=True)),
        incident.events.count(),
    )


def action_requests(world, incident, other):
    """Every write on one incident, each with a body that would succeed for its manager."""
    camera = CameraFactory(area=world.areas.guntung, operator=world.a)
    return [
        ("patch", detail(incident.pk), {"title": "Changed", "severity": "Extreme"}),
        ("put", detail(incident.pk), {"title": "Changed", "category": "fire", "area": world.areas.guntung.pk}),
        ("post", act(incident.pk, "verify"), {"note": "ok"}),
        ("post", act(incident.pk, "assign"), {"lead_agency": world.b.pk, "involved_agencies": [world.c.pk]}),
        ("post", act(incident.pk, "status"), {"status": "verified"}),
        ("post", act(incident.pk, "notes"), {"message": "I was here"}),
        ("post", act(incident.pk, "link"), {"camera": camera.pk}),
        ("post", act(incident.pk, "merge"), {"into": other.reference}),
    ]


# --- Anonymous -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "name"),
    [
        ("get", "list"),
        ("post", "list"),
        ("get", "detail"),
        ("put", "detail"),
        ("patch", "detail"),
        ("get", "timeline"),
        ("post", "verify"),
        ("post", "assign"),
        ("post", "status"),
        ("post", "notes"),
        ("post", "link"),
        ("post", "merge"),
        ("get", "export-csv"),
        ("get", "geojson"),
    ],
)
def test_anonymous_gets_401_on_every_endpoint(api_as, by_class, method, name):
    public = by_class[Classification.PUBLIC]
    if name in ("list", "export-csv", "geojson"):
        url = reverse(f"api-incident-{name}")
    else:
        url = reverse(f"api-incident-{name}", args=[public.pk])
    before = snapshot(public)

    response = getattr(api_as(None), method)(url, {}, format="json")

    assert response.status_code == 401
    assert snapshot(public) == before


def test_an_invalid_token_gets_401(by_class):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")

    assert client.get(LIST).status_code == 401


# --- Who sees what ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("nobody", ["public"]),
        ("charlie", ["public", "restricted", "c_confidential"]),
        ("bob", ["public", "restricted", "confidential"]),
        ("vera", ["public", "restricted", "confidential", "secret"]),
        ("alice", ["public", "restricted", "confidential", "secret"]),
        ("admin", ["public", "restricted", "confidential", "secret", "c_confidential"]),
    ],
)
def test_each_persona_lists_exactly_what_it_may_see(api_as, world, by_class, persona, expected):
    response = api_as(getattr(world, persona)).get(LIST)

    assert refs(response) == [by_class[key].reference for key in expected]


@pytest.mark.parametrize("persona", ["charlie", "nobody"])
@pytest.mark.parametrize("level", [Classification.CONFIDENTIAL, Classification.SECRET])
def test_an_outsider_gets_404_on_a_classified_incident_and_its_timeline(api_as, world, by_class, persona, level):
    client = api_as(getattr(world, persona))
    pk = by_class[level].pk

    assert client.get(detail(pk)).status_code == 404
    assert client.get(act(pk, "timeline")).status_code == 404
    assert client.get(detail(by_class[level].reference)).status_code == 404


def test_an_outsider_finds_nothing_by_searching_for_a_hidden_reference(api_as, world, by_class):
    hidden = by_class[Classification.SECRET].reference

    assert refs(api_as(world.charlie).get(LIST, {"q": hidden})) == []
    assert refs(api_as(world.admin).get(LIST, {"q": hidden})) == [hidden]


def test_nobody_gets_404_on_a_restricted_incident(api_as, world, by_class):
    assert api_as(world.nobody).get(detail(by_class[Classification.RESTRICTED].pk)).status_code == 404


def test_a_partner_reads_a_confidential_incident_but_not_a_secret_one(api_as, world, by_class):
    client = api_as(world.bob)

    assert client.get(detail(by_class[Classification.CONFIDENTIAL].pk)).status_code == 200
    assert client.get(detail(by_class[Classification.SECRET].pk)).status_code == 404


def test_reading_a_confidential_incident_is_audited(api_as, world, by_class):
    confidential = by_class[Classification.CONFIDENTIAL]

    api_as(world.bob).get(detail(confidential.pk))
    api_as(world.bob).get(detail(by_class[Classification.RESTRICTED].pk))

    entry = AuditLog.objects.get()
    assert (entry.user, entry.object_id, entry.classification) == (world.bob, str(confidential.pk), "confidential")


@pytest.mark.parametrize("level", [Classification.CONFIDENTIAL, Classification.SECRET])
def test_charlie_gets_404_on_every_action_on_a_hidden_incident_and_nothing_changes(api_as, world, by_class, level):
    target = by_class[level]
    before = snapshot(target)
    client = api_as(world.charlie)

    for method, url, body in action_requests(world, target, by_class[Classification.PUBLIC]):
        response = getattr(client, method)(url, body, format="json")
        assert response.status_code == 404, (url, response.content)

    assert snapshot(target) == before
    assert not AuditLog.objects.exists()


def test_charlie_gets_403_on_every_change_to_a_restricted_incident_of_a_and_nothing_changes(
    api_as, world, incident, by_class
):
    before = snapshot(incident)
    client = api_as(world.charlie)
    requests = action_requests(world, incident, by_class[Classification.PUBLIC])

    for method, url, body in [r for r in requests if not r[1].endswith("/notes/")]:
        response = getattr(client, method)(url, body, format="json")
        assert response.status_code == 403, (url, response.content)

    assert snapshot(incident) == before


def test_any_acting_member_who_reads_an_incident_may_add_a_note_to_it(api_as, world, incident):
    response = api_as(world.charlie).post(act(incident.pk, "notes"), {"message": "Damkar siap"}, format="json")

    assert response.status_code == 201
    assert incident.events.latest("id").actor_agency == world.c


def test_a_viewer_gets_403_on_every_action_on_her_own_agencys_incident_and_nothing_changes(
    api_as, world, incident, by_class
):
    before = snapshot(incident)
    client = api_as(world.vera)

    for method, url, body in action_requests(world, incident, by_class[Classification.PUBLIC]):
        response = getattr(client, method)(url, body, format="json")
        assert response.status_code == 403, (url, response.content)

    assert snapshot(incident) == before


def test_a_viewer_reads_her_agencys_secret_incident(api_as, world, secret):
    assert api_as(world.vera).get(detail(secret.pk)).status_code == 200


# --- Retrieve --------------------------------------------------------------------------------


@pytest.mark.dates
def test_an_incident_is_retrieved_by_id_or_reference(api_as, world, incident):
    client = api_as(world.bob)

    by_id = client.get(detail(incident.pk))
    by_reference = client.get(detail(incident.reference))

    assert by_id.status_code == by_reference.status_code == 200
    assert by_id.json() == by_reference.json()
    assert client.get(detail(f"BON-{year()}-999999")).status_code == 404


def test_the_output_speaks_cap_names_codes_and_numbers(api_as, world):
    incident = services.incident_create(
        actor=world.alice,
        title="Kebakaran gudang",
        description="Gudang pupuk",
        category=category("fire-building"),
        area=world.areas.guntung,
        severity=Severity.SEVERE,
        urgency=Urgency.IMMEDIATE,
        lead_agency=world.b,
        involved_agencies=[world.c],
        latitude=Decimal("0.133100"),
        longitude=Decimal("117.485500"),
    )

    body = english(api_as(world.alice)).get(detail(incident.pk)).json()

    assert body["reference"] == f"BON-{year()}-000001"
    assert body["url"].endswith(detail(incident.pk))
    assert body["category"] == {"code": "fire-building", "name": "Building fire"}
    assert (body["severity"], body["urgency"]) == ("Severe", "Immediate")
    assert (body["status"], body["source"], body["classification"]) == ("reported", "agency", "restricted")
    assert body["reporting_agency"] == {"id": world.a.pk, "name": "Polres Bontang", "code": "polres-bontang"}
    assert body["lead_agency"]["name"] == "BPBD Bontang"
    assert [a["name"] for a in body["involved_agencies"]] == ["Damkar Balikpapan"]
    assert body["area"] == {"id": world.areas.guntung.pk, "name": "Guntung", "level": world.areas.guntung.level}
    assert (body["latitude"], body["longitude"]) == (0.1331, 117.4855)
    assert body["allowed_transitions"] == ["verified", "rejected", "duplicate"]
    assert body["occurred_at"] and body["reported_at"] and body["resolved_at"] is None


def test_category_names_follow_the_request_language(api_as, world, incident):
    client = api_as(world.alice)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "id"

    assert client.get(detail(incident.pk)).json()["category"]["name"] == "Pencurian"


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


# --- Filters ---------------------------------------------------------------------------------


@pytest.fixture
def spread(world):
    """Incidents across categories, areas, agencies, times and places, all restricted."""
    now = timezone.now()
    areas = world.areas
    rows = [
        ("T1", "crime-theft", areas.guntung, world.a, [], 1, "0.170000", "117.470000", "Motor hilang di pasar"),
        ("T2", "crime-robbery", areas.bontang_utara, world.a, [world.c], 5, "0.130000", "117.500000", "Rampok"),
        ("T3", "crime", areas.bontang, world.b, [], 20, "0.100000", "117.480000", "Kejahatan umum"),
        ("F1", "fire", areas.balikpapan_kota, world.c, [], 40, "-1.260000", "116.830000", "Kebakaran PASAR lama"),
        ("F2", "fire-forest", areas.balikpapan, world.c, [world.a], 80, "-1.100000", "116.900000", "Hutan"),
    ]
    made = {}
    for ref, code, area, agency, involved, hours, lat, lon, title in rows:
        made[ref] = IncidentFactory(
            reference=ref,
            title=title,
            category=category(code),
            area=area,
            reporting_agency=agency,
            involved_agencies=involved,
            occurred_at=now - datetime.timedelta(hours=hours),
            latitude=Decimal(lat),
            longitude=Decimal(lon),
        )
    return made


@pytest.mark.dates
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"category": "crime"}, ["T1", "T2", "T3"]),
        ({"category": "crime-theft"}, ["T1"]),
        ({"category": "fire"}, ["F1", "F2"]),
        ({"area": "bontang"}, ["T1", "T2", "T3"]),
        ({"area": "bontang_utara"}, ["T1", "T2"]),
        ({"area": "province"}, ["T1", "T2", "T3", "F1", "F2"]),
        ({"bbox": "117.4,0.0,117.6,0.2"}, ["T1", "T2", "T3"]),
        ({"bbox": "116.8,-1.3,116.85,-1.2"}, ["F1"]),
        ({"occurred_after": "hours:30"}, ["T1", "T2", "T3"]),
        ({"occurred_after": "hours:50", "occurred_before": "hours:10"}, ["T3", "F1"]),
        ({"q": "pasar"}, ["T1", "F1"]),
        ({"q": "T2"}, ["T2"]),
        ({"agency": "a"}, ["T1", "T2", "F2"]),
        ({"agency": "c"}, ["T2", "F1", "F2"]),
        ({"category": "crime", "area": "bontang_utara"}, ["T1", "T2"]),
    ],
)
def test_filters_narrow_the_list_to_the_exact_incidents(api_as, world, spread, params, expected):
    now = timezone.now()
    resolved = {}
    for key, value in params.items():
        if key == "area":
            value = getattr(world.areas, value).pk
        elif key == "agency":
            value = getattr(world, value).pk
        elif value.startswith("hours:"):
            value = (now - datetime.timedelta(hours=int(value.split(":")[1]))).isoformat()
        resolved[key] = value

    assert refs(api_as(world.alice).get(LIST, resolved)) == expected


def test_severity_and_status_filters(api_as, world, spread):
    Incident.objects.filter(reference="T2").update(severity=Severity.EXTREME, status="verified")
    Incident.objects.filter(reference="F1").update(severity=Severity.SEVERE)
    client = api_as(world.alice)

    assert refs(client.get(LIST, {"min_severity": Severity.SEVERE})) == ["T2", "F1"]
    assert refs(client.get(LIST, {"severity": [Severity.EXTREME]})) == ["T2"]
    assert refs(client.get(LIST, {"status": ["verified"]})) == ["T2"]


def test_severity_filters_take_the_cap_names_the_bodies_use(api_as, world, spread):
    Incident.objects.filter(reference="T2").update(severity=Severity.EXTREME)
    Incident.objects.filter(reference="F1").update(severity=Severity.SEVERE)
    client = api_as(world.alice)

    assert refs(client.get(LIST, {"min_severity": "Severe"})) == ["T2", "F1"]
    assert refs(client.get(LIST, {"severity": ["extreme", "Severe"]})) == ["T2", "F1"]
    refused = client.get(LIST, {"severity": "Catastrophic"})
    assert refused.status_code == 400
    assert "severity" in refused.json()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"bbox": "1,2,3"}, "bbox"),
        ({"bbox": "118,0,117,1"}, "bbox"),
        ({"category": "no-such-category"}, "category"),
        ({"area": "999999"}, "area"),
        ({"occurred_after": "2026-05-02T00:00:00Z", "occurred_before": "2026-05-01T00:00:00Z"}, "occurred_before"),
        ({"occurred_after": "not a date"}, "occurred_after"),
        ({"ordering": "title"}, "ordering"),
        ({"cursor": "bm9uc2Vuc2U"}, "cursor"),
        ({"cursor": "%%%"}, "cursor"),
        (
            {"cursor": OVERFLOWING_CURSOR},
            "cursor",
        ),
        ({"cursor": "WzEsMl0"}, "cursor"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "1000"}, "page_size"),
    ],
)
def test_bad_list_parameters_are_a_400_naming_the_parameter(api_as, world, spread, params, field):
    response = api_as(world.alice).get(LIST, params)

    assert response.status_code == 400
    assert field in response.json(), response.json()


# --- Ordering and pagination -----------------------------------------------------------------


def test_ordering_by_severity_reference_and_time(api_as, world, spread):
    Incident.objects.filter(reference__in=["T3", "F2"]).update(severity=Severity.EXTREME)
    client = api_as(world.alice)

    assert refs(client.get(LIST, {"ordering": "-severity"})) == ["T3", "F2", "T1", "T2", "F1"]
    assert refs(client.get(LIST, {"ordering": "reference"})) == ["F1", "F2", "T1", "T2", "T3"]
    assert refs(client.get(LIST, {"ordering": "occurred_at"})) == ["F2", "F1", "T3", "T2", "T1"]
    assert refs(client.get(LIST, {"ordering": "-reference"})) == ["T3", "T2", "T1", "F2", "F1"]


@pytest.mark.parametrize(
    "ordering", ["-occurred_at", "occurred_at", "-severity", "severity", "reference", "-reported_at"]
)
def test_pages_walk_every_incident_once_both_ways_even_with_ties(api_as, world, ordering):
    same_time = timezone.now() - datetime.timedelta(hours=1)
    for n in range(11):
        IncidentFactory(
            reference=f"R{n:02d}",
            reporting_agency=world.a,
            severity=n % 3,
            occurred_at=same_time if n % 2 else same_time - datetime.timedelta(minutes=n),
        )
    client = api_as(world.alice)
    expected = refs(client.get(LIST, {"ordering": ordering, "page_size": 200}))

    pages, url = [], LIST + f"?ordering={ordering}&page_size=4"
    while url:
        body = client.get(url).json()
        pages.append([row["reference"] for row in body["results"]])
        url = body["next"]
    backwards, url = [], client.get(LIST + f"?ordering={ordering}&page_size=4").json()["next"]
    last = None
    while url:
        last = client.get(url).json()
        url = last["next"]
    url = last["previous"]
    while url:
        body = client.get(url).json()
        backwards.insert(0, [row["reference"] for row in body["results"]])
        url = body["previous"]

    assert len(expected) == 11
    assert [ref for page in pages for ref in page] == expected
    assert [len(page) for page in pages] == [4, 4, 3]
    assert backwards == pages[:-1]


def test_a_cursor_of_another_ordering_is_a_400(api_as, world, spread):
    client = api_as(world.alice)
    cursor_url = client.get(LIST, {"page_size": 2}).json()["next"]

    response = client.get(cursor_url + "&ordering=reference")

    assert response.status_code == 400 and "cursor" in response.json()


# --- Queries ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["alice", "bob", "charlie", "admin"])
def test_the_list_runs_a_bounded_number_of_queries(api_as, world, persona, django_assert_max_num_queries):
    helpers = [AgencyFactory(name="Basarnas"), AgencyFactory(name="Dishub")]
    for n in range(60):
        IncidentFactory(
            reporting_agency=world.a,
            involved_agencies=helpers,
            classification=Classification.values[n % 4],
            area=world.areas.guntung,
        )
    client = api_as(getattr(world, persona))

    # The category and area looked up, the category's children, the user's agencies and their
    # partners, the page, the involved agencies of the page: 7, whether 6 rows or 60.
    with django_assert_max_num_queries(7):
        response = client.get(LIST, {"page_size": 200, "category": "crime", "area": world.areas.bontang.pk})

    assert response.status_code == 200
    assert len(response.json()["results"]) == {"alice": 60, "bob": 45, "charlie": 30, "admin": 60}[persona]
    assert all(len(row["involved_agencies"]) == 2 for row in response.json()["results"])


def test_the_detail_runs_a_bounded_number_of_queries(api_as, world, django_assert_max_num_queries):
    incident = IncidentFactory(reporting_agency=world.a, involved_agencies=[world.b, world.c])

    with django_assert_max_num_queries(5):
        assert api_as(world.alice).get(detail(incident.pk)).status_code == 200
