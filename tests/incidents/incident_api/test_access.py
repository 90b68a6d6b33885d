"""/api/v1/incidents/: who gets what answer, and reading one incident.

The workflow rules themselves are tested in tests/incidents/test_incident_services.py; here:
the anonymous caller and a bad token get 401 everywhere, each persona lists exactly what it may
see, a hidden incident answers 404 and a forbidden change 403 without changing anything, reading
a confidential incident is audited; and the detail's wire format (CAP names, codes, numbers) by
id or reference.
"""

from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from agencies.models import AuditLog, Classification, Severity
from incidents import services
from incidents.models import Urgency
from tests.factories import (
    CameraFactory,
    category,
)
from tests.incidents.incident_api.helpers import LIST, act, detail, english, refs, snapshot, year


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
