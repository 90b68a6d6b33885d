"""The incident pages, tried by each persona of tests/conftest.py: who may read and act.

The anonymous visitor is sent to the login page and changes nothing; what a persona may not
read answers 404 and appears nowhere (not in the list, nor the map data); what it may read but
not change answers 403 and changes nothing.
"""

from decimal import Decimal

import pytest
from django.urls import reverse

from agencies.models import Classification
from incidents import services
from tests.factories import category
from tests.incidents.incident_pages.helpers import _snapshot

pytestmark = pytest.mark.django_db


SECRET_TITLE = "Operasi rahasia jaringan narkoba Guntung"


@pytest.fixture
def confidential(world):
    return services.incident_create(
        actor=world.alice,
        title=SECRET_TITLE,
        category=category("narcotics-trafficking"),
        area=world.areas.guntung,
        classification=Classification.CONFIDENTIAL,
        latitude=Decimal("0.170000"),
        longitude=Decimal("117.480000"),
    )


def _action_urls(incident):
    return {
        "status": (reverse("incident-status", args=[incident.pk]), {"status": "verified"}),
        "note": (reverse("incident-note", args=[incident.pk]), {"message": "Patroli dikirim"}),
        "assign": (reverse("incident-assign", args=[incident.pk]), {"involved_agencies": []}),
        "edit": (
            reverse("incident-edit", args=[incident.pk]),
            {"title": "Changed", "category": incident.category_id, "severity": 2, "urgency": 0},
        ),
    }


# --- Anonymous -----------------------------------------------------------------------------


def test_every_incident_page_sends_the_anonymous_visitor_to_the_login_page(client, world, incident):
    urls = [
        reverse("incident-list"),
        reverse("incident-create"),
        reverse("incident-map"),
        reverse("incident-area-search"),
        reverse("incident-detail", args=[incident.pk]),
        reverse("incident-edit", args=[incident.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"{reverse('login')}?next={url}"


def test_an_anonymous_post_changes_nothing(client, world, incident):
    before = _snapshot(incident)
    for url, data in _action_urls(incident).values():
        response = client.post(url, data)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert _snapshot(incident) == before


# --- Visibility ----------------------------------------------------------------------------


def test_nobody_sees_only_public_incidents(client, world, incident, confidential, public):
    client.force_login(world.nobody)
    body = client.get(reverse("incident-list")).content.decode()
    assert "Banjir rob di Bontang Utara" in body
    assert "Pencurian motor di Guntung" not in body
    assert SECRET_TITLE not in body
    assert "1 incident" in body
    assert client.get(reverse("incident-detail", args=[incident.pk])).status_code == 404
    assert client.get(reverse("incident-detail", args=[public.pk])).status_code == 200


def test_charlie_gets_404_on_a_confidential_incident_of_a_and_changes_nothing(client, world, confidential):
    client.force_login(world.charlie)
    before = _snapshot(confidential)
    assert client.get(reverse("incident-detail", args=[confidential.pk])).status_code == 404
    assert client.get(reverse("incident-edit", args=[confidential.pk])).status_code == 404
    for name, (url, data) in _action_urls(confidential).items():
        response = client.post(url, data)
        assert response.status_code == 404, name
        assert SECRET_TITLE not in response.content.decode()
    assert _snapshot(confidential) == before


def test_the_confidential_title_never_reaches_charlie(client, world, incident, confidential):
    client.force_login(world.charlie)
    pages = [
        client.get(reverse("incident-list")),
        client.get(reverse("incident-list"), {"q": "rahasia"}),
        client.get(reverse("incident-list"), {"category": "narcotics"}, HTTP_HX_REQUEST="true"),
        client.get(reverse("incident-map")),
    ]
    for response in pages:
        assert response.status_code == 200
        assert SECRET_TITLE not in response.content.decode()
        assert confidential.reference not in response.content.decode()
    assert "Pencurian motor di Guntung" in pages[0].content.decode()  # restricted: every member


def test_the_confidential_incident_is_not_in_charlies_map_data(client, world, incident, confidential):
    client.force_login(world.charlie)
    response = client.get("/api/v1/incidents.geojson", {"bbox": "117,0,118,1"})
    assert response.status_code == 200
    data = b"".join(response.streaming_content).decode()
    assert SECRET_TITLE not in data
    assert incident.reference in data


def test_bob_reads_a_confidential_incident_of_his_partner(client, world, confidential):
    client.force_login(world.bob)
    response = client.get(reverse("incident-detail", args=[confidential.pk]))
    assert response.status_code == 200
    assert SECRET_TITLE in response.content.decode()


# --- Roles: vera reads but does not act -----------------------------------------------------


def test_vera_sees_the_detail_without_the_workflow_buttons(client, world, incident):
    client.force_login(world.vera)
    response = client.get(reverse("incident-detail", args=[incident.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Pencurian motor di Guntung" in body
    assert 'data-testid="read-only-note"' in body
    assert 'data-testid="status-form"' not in body
    assert 'data-testid="note-form"' not in body
    assert 'data-testid="assign"' not in body
    assert reverse("incident-edit", args=[incident.pk]) not in body


def test_vera_posting_the_actions_gets_403_and_changes_nothing(client, world, incident):
    client.force_login(world.vera)
    before = _snapshot(incident)
    for name, (url, data) in _action_urls(incident).items():
        response = client.post(url, data)
        assert response.status_code == 403, name
        assert 'data-testid="forbidden"' in response.content.decode()
    assert client.get(reverse("incident-edit", args=[incident.pk])).status_code == 403
    assert _snapshot(incident) == before


def test_a_member_of_an_agency_not_on_the_incident_cannot_change_it(client, world, incident):
    client.force_login(world.charlie)  # may read a restricted incident, is not on it
    before = _snapshot(incident)
    response = client.post(reverse("incident-status", args=[incident.pk]), {"status": "verified"})
    assert response.status_code == 403
    assert _snapshot(incident) == before


def test_viewers_and_users_without_agency_cannot_open_the_create_form(client, world):
    for user in (world.vera, world.nobody):
        client.force_login(user)
        assert client.get(reverse("incident-create")).status_code == 403
