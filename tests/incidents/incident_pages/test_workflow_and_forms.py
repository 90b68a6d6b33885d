"""The incident pages that change an incident: status, assignment, notes, create and edit.

Each change shows on the timeline, an illegal or empty input is a form error that changes
nothing, markup is escaped, times are read in the area's zone, and the area search stays
inside the user's jurisdiction.
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.models import Classification, Severity
from incidents.models import Incident, IncidentEvent
from tests.factories import AreaFactory, IncidentFactory, category
from tests.incidents.incident_pages.helpers import _snapshot

pytestmark = pytest.mark.django_db


# --- Workflow through the page --------------------------------------------------------------


def test_alice_changes_the_status_and_the_timeline_shows_it(client, world, incident):
    client.force_login(world.alice)
    page = client.get(reverse("incident-detail", args=[incident.pk])).content.decode()
    for allowed in ("verified", "rejected", "duplicate"):
        assert f'data-testid="move-{allowed}"' in page
    assert 'data-testid="move-closed"' not in page

    response = client.post(
        reverse("incident-status", args=[incident.pk]), {"status": "verified", "note": "Dicek di lokasi"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("incident-detail", args=[incident.pk])
    incident.refresh_from_db()
    assert incident.status == Incident.Status.VERIFIED
    event = incident.events.order_by("-id").first()
    assert (event.kind, event.actor, event.actor_agency, event.message) == (
        "verified",
        world.alice,
        world.a,
        "Dicek di lokasi",
    )
    body = client.get(response["Location"]).content.decode()
    assert "Status changed to Verified." in body
    assert body.count('data-testid="timeline-entry"') == 2
    assert "Dicek di lokasi" in body
    assert '<span class="old">Reported</span>' in body
    assert '<span class="new">Verified</span>' in body
    assert "Polres Bontang" in body


def test_an_illegal_move_names_the_allowed_moves_and_changes_nothing(client, world, incident):
    client.force_login(world.alice)
    before = _snapshot(incident)
    response = client.post(reverse("incident-status", args=[incident.pk]), {"status": "closed"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Cannot move from Reported to Closed. Allowed: Verified, Rejected, Duplicate." in body
    assert 'data-testid="status-error"' in body
    assert _snapshot(incident) == before


def test_an_unknown_status_is_a_form_error(client, world, incident):
    client.force_login(world.alice)
    before = _snapshot(incident)
    response = client.post(reverse("incident-status", args=[incident.pk]), {"status": "exploded"})
    assert response.status_code == 400
    assert _snapshot(incident) == before


def test_alice_assigns_a_lead_and_involved_agency(client, world, incident):
    client.force_login(world.alice)
    response = client.post(
        reverse("incident-assign", args=[incident.pk]),
        {"lead_agency": world.b.pk, "involved_agencies": [world.b.pk]},
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.lead_agency == world.b
    assert list(incident.involved_agencies.all()) == [world.b]
    body = client.get(reverse("incident-detail", args=[incident.pk])).content.decode()
    assert "Agencies assigned" in body
    assert '<span class="new">BPBD Bontang</span>' in body  # the id in the timeline data, named


def test_the_assign_form_offers_only_agencies_working_in_the_incidents_city(client, world, incident):
    client.force_login(world.alice)
    before = _snapshot(incident)
    body = client.get(reverse("incident-detail", args=[incident.pk])).content.decode()
    assert "BPBD Bontang" in body
    assert "Damkar Balikpapan" not in body
    response = client.post(reverse("incident-assign", args=[incident.pk]), {"lead_agency": world.c.pk})
    assert response.status_code == 400
    assert _snapshot(incident) == before


def test_alice_adds_a_note_and_its_markup_is_escaped(client, world, incident):
    client.force_login(world.alice)
    response = client.post(
        reverse("incident-note", args=[incident.pk]), {"message": "<script>alert('x')</script> cek CCTV"}
    )
    assert response.status_code == 302
    body = client.get(reverse("incident-detail", args=[incident.pk])).content.decode()
    assert "<script>alert(" not in body
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; cek CCTV" in body
    assert incident.events.filter(kind="note").count() == 1


def test_an_empty_note_is_refused(client, world, incident):
    client.force_login(world.alice)
    response = client.post(reverse("incident-note", args=[incident.pk]), {"message": "   "})
    assert response.status_code == 400
    assert incident.events.filter(kind="note").count() == 0


def test_a_title_with_markup_is_escaped_on_the_list_and_the_detail(client, world):
    evil = IncidentFactory(title="<script>alert(1)</script>", area=world.areas.guntung, reporting_agency=world.a)
    client.force_login(world.alice)
    for url in (reverse("incident-list"), reverse("incident-detail", args=[evil.pk])):
        body = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


# --- Create and edit -----------------------------------------------------------------------


def _valid(world, **overrides):
    data = {
        "title": "Kebakaran gudang",
        "category": category("fire-building").pk,
        "severity": Severity.SEVERE,
        "urgency": 3,
        "classification": Classification.RESTRICTED,
        "area": world.areas.guntung.pk,
        "occurred_at": "2026-01-10T08:00",
        "latitude": "0.133300",
        "longitude": "117.500000",
        "description": "Api terlihat dari jalan",
    }
    data.update(overrides)
    return data


def test_the_create_form_rerenders_with_field_errors_and_saves_nothing(client, world):
    client.force_login(world.alice)
    response = client.post(reverse("incident-create"), _valid(world, title="", latitude="48"))
    body = response.content.decode()
    assert response.status_code == 400
    assert "This field is required." in body
    assert "Latitude 48 is outside Indonesia" in body
    assert 'aria-invalid="true"' in body
    assert "Api terlihat dari jalan" in body  # what was typed is kept
    assert Incident.objects.count() == 0
    assert IncidentEvent.objects.count() == 0


def test_the_create_form_wants_both_coordinates_or_neither(client, world):
    client.force_login(world.alice)
    response = client.post(reverse("incident-create"), _valid(world, longitude=""))
    assert response.status_code == 400
    assert "Give both latitude and longitude, or neither." in response.content.decode()
    assert Incident.objects.count() == 0


def test_the_create_form_refuses_an_area_outside_the_jurisdiction(client, world):
    client.force_login(world.alice)
    response = client.post(reverse("incident-create"), _valid(world, area=world.areas.balikpapan_kota.pk))
    assert response.status_code == 400
    assert "Choose an area of your jurisdiction from the list." in response.content.decode()
    assert Incident.objects.count() == 0


@pytest.mark.dates
def test_the_create_form_refuses_a_time_in_the_future(client, world):
    client.force_login(world.alice)
    tomorrow = (timezone.now() + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(reverse("incident-create"), _valid(world, occurred_at=tomorrow))
    assert response.status_code == 400
    assert "An incident cannot occur in the future." in response.content.decode()
    assert Incident.objects.count() == 0


def test_alice_logs_an_incident_in_the_areas_local_time(client, world):
    client.force_login(world.alice)
    response = client.post(reverse("incident-create"), _valid(world))
    incident = Incident.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("incident-detail", args=[incident.pk])
    assert incident.reference.startswith("BON-2026-")
    assert incident.reporting_agency == world.a
    assert incident.occurred_at == datetime.datetime(2026, 1, 10, 0, 0, tzinfo=datetime.UTC)  # 08:00 WITA
    assert (incident.latitude, incident.longitude) == (Decimal("0.133300"), Decimal("117.500000"))
    assert incident.events.get().kind == "created"


def test_the_edit_form_starts_from_the_incident_in_local_time(client, world, incident):
    Incident.objects.filter(pk=incident.pk).update(
        occurred_at=datetime.datetime(2026, 2, 3, 1, 30, tzinfo=datetime.UTC)
    )
    client.force_login(world.alice)
    body = client.get(reverse("incident-edit", args=[incident.pk])).content.decode()
    assert 'value="2026-02-03T09:30"' in body
    assert 'value="Guntung · Bontang Utara, Kota Bontang"' in body
    assert 'value="Pencurian motor di Guntung"' in body


def test_alice_edits_an_incident_and_the_timeline_records_it(client, world, incident):
    client.force_login(world.alice)
    data = _valid(world, title="Pencurian dua motor", category=incident.category_id, occurred_at="2026-02-03T09:30")
    response = client.post(reverse("incident-edit", args=[incident.pk]), data)
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.title == "Pencurian dua motor"
    event = incident.events.order_by("-id").first()
    assert event.kind == "updated"
    assert event.data["changes"]["title"] == ["Pencurian motor di Guntung", "Pencurian dua motor"]


def test_the_area_search_stays_inside_the_jurisdiction(client, world):
    client.force_login(world.alice)
    body = client.get(reverse("incident-area-search"), {"q": "gun"}).content.decode()
    assert f'data-area-id="{world.areas.guntung.pk}"' in body
    assert "<html" not in body
    body = client.get(reverse("incident-area-search"), {"q": "balik"}).content.decode()
    assert "Balikpapan" not in body
    assert "No area of your jurisdiction has that name." in body
    client.force_login(world.charlie)
    body = client.get(reverse("incident-area-search"), {"q": "balik"}).content.decode()
    assert "Balikpapan Kota" in body


def test_the_area_search_answers_a_bounded_list(client, world):
    for i in range(40):
        AreaFactory(name=f"Desa Guntung {i}", parent=world.areas.bontang_utara)
    client.force_login(world.alice)
    body = client.get(reverse("incident-area-search"), {"q": "guntung"}).content.decode()
    assert body.count("data-area-id=") == 15
