"""The CAP sources' staff pages and API, the threat page's CAP origin, the public portal's
source line, and staff's warning of sources failing for over an hour."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.models import Classification
from incidents.models import CapSource, Threat
from incidents.threats.feeds import poll
from tests.incidents.threats.cap.test_relay import original

SOURCES = reverse("api-cap-source-list")


@pytest.fixture
def imported(world, server, make_source, django_capture_on_commit_callbacks):
    server.put("/alerts/original.xml", original())
    server.put_index("/feed.atom", ["/alerts/original.xml"])
    source = make_source(server.url("/feed.atom"), name="BMKG Kaltim", authority="BMKG")
    with django_capture_on_commit_callbacks(execute=True):
        poll.cap_source_poll(source_id=source.pk)
    return Threat.objects.get(cap_source=source)


def test_staff_list_the_sources_with_their_status(client, world, make_source, django_assert_max_num_queries):
    now = timezone.now()
    make_source("https://a.example/feed.atom", name="Healthy", last_success_at=now)
    make_source(
        "https://b.example/feed.atom", name="Broken", failing_since=now, next_poll_at=now + datetime.timedelta(hours=1)
    )
    client.force_login(world.admin)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("cap-source-list"))
    text = response.content.decode()
    assert response.status_code == 200
    assert "Healthy" in text and "OK" in text and "Failing since" in text and "Backing off until" in text


def test_a_liaison_is_refused_the_list_and_a_source(client, world, make_source):
    source = make_source("https://a.example/feed.atom")
    client.force_login(world.alice)
    assert client.get(reverse("cap-source-list")).status_code == 403
    assert client.get(reverse("cap-source-detail", args=[source.pk])).status_code == 404
    assert client.post(reverse("cap-source-poll", args=[source.pk])).status_code == 404


def test_staff_add_a_source_through_the_form_and_bad_input_is_a_form_error(client, world):
    client.force_login(world.admin)
    bad = client.post(
        reverse("cap-source-create"),
        {
            "name": "X",
            "authority": "BMKG",
            "url": "ftp://x",
            "kind": "index",
            "poll_every_minutes": 0,
            "min_severity": 0,
            "agency": world.b.pk,
            "require_signature": "on",
        },
    )
    assert bad.status_code == 400 and not CapSource.objects.exists()
    assert set(bad.context["form"].errors) == {"url", "poll_every_minutes"}
    no_certificate = client.post(
        reverse("cap-source-create"),
        {
            "name": "X",
            "authority": "BMKG",
            "url": "https://x.example/f.atom",
            "kind": "index",
            "poll_every_minutes": 5,
            "min_severity": 0,
            "agency": world.b.pk,
            "require_signature": "on",
        },
    )
    assert no_certificate.status_code == 400 and "certificate" in no_certificate.context["form"].errors
    good = client.post(
        reverse("cap-source-create"),
        {
            "name": "BMKG",
            "authority": "BMKG",
            "url": "https://x.example/f.atom",
            "kind": "index",
            "poll_every_minutes": 5,
            "min_severity": 2,
            "agency": world.b.pk,
            "categories": ["Met", "Geo"],
            "is_active": "on",
        },
    )
    source = CapSource.objects.get()
    assert good.status_code == 302 and source.categories == ["Geo", "Met"] and source.created_by == world.admin
    assert source.next_poll_at is not None


def test_poll_now_polls_the_source(client, world, server, make_source, django_capture_on_commit_callbacks):
    server.put("/alerts/original.xml", original())
    server.put_index("/feed.atom", ["/alerts/original.xml"])
    source = make_source(server.url("/feed.atom"))
    client.force_login(world.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("cap-source-poll", args=[source.pk]))
    assert response.status_code == 302
    page = client.get(reverse("cap-source-detail", args=[source.pk])).content.decode()
    assert Threat.objects.filter(cap_source=source).count() == 1
    assert "Imported" in page and "Last success" in page


def test_the_threat_page_shows_the_source_the_area_reasons_and_the_document(client, world, imported):
    client.force_login(world.bob)  # of B, the relaying agency
    text = client.get(reverse("threat-detail", args=[imported.pk])).content.decode()
    assert "BMKG Kaltim" in text and "its name (areaDesc)" in text and "Kota Bontang" in text
    assert "info@meteo.gov.sc" in text and "&lt;alert xmlns=" in text
    assert reverse("cap-source-detail", args=[imported.cap_source_id]) not in text  # staff's page only


def test_the_public_portal_names_the_source(client, world, imported):
    Threat.objects.filter(pk=imported.pk).update(classification=Classification.PUBLIC)
    text = client.get(reverse("public-alerts")).content.decode()
    assert "BMKG (BMKG Kaltim)" in text and "Relayed by" in text


def test_staff_see_a_warning_once_a_source_fails_for_over_an_hour(client, world, make_source):
    source = make_source("https://a.example/feed.atom")
    client.force_login(world.admin)
    CapSource.objects.filter(pk=source.pk).update(failing_since=timezone.now() - datetime.timedelta(minutes=30))
    assert 'data-testid="cap-sources-failing"' not in client.get(reverse("cap-source-list")).content.decode()
    CapSource.objects.filter(pk=source.pk).update(failing_since=timezone.now() - datetime.timedelta(minutes=90))
    assert 'data-testid="cap-sources-failing"' in client.get(reverse("cap-source-list")).content.decode()
    client.force_login(world.alice)
    assert 'data-testid="cap-sources-failing"' not in client.get(reverse("threat-list")).content.decode()


def test_the_api_creates_changes_and_lists_sources_for_staff_only(api_as, world):
    staff = api_as(world.admin)
    body = {"name": "MeteoAlarm", "authority": "EUMETNET", "url": "https://feeds.example/at.atom", "agency": world.b.pk}
    created = staff.post(SOURCES, body, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert staff.patch(f"{SOURCES}{pk}/", {"poll_every_minutes": 0}, format="json").json() == {
        "poll_every_minutes": ["Ensure this value is greater than or equal to 1."]
    }
    bad = staff.post(SOURCES, {**body, "categories": ["Weather"]}, format="json")
    assert bad.status_code == 400 and "categories" in bad.json()
    assert staff.patch(f"{SOURCES}{pk}/", {"min_severity": "Severe"}, format="json").json()["min_severity"] == "Severe"
    liaison = api_as(world.alice)
    assert liaison.get(SOURCES).json()["results"] == []
    assert liaison.get(f"{SOURCES}{pk}/").status_code == 404
    assert liaison.post(SOURCES, body, format="json").status_code == 403
    assert api_as(None).get(SOURCES).status_code == 401
    assert staff.get(f"{SOURCES}{pk}/fetches/").json() == []


def test_the_schema_documents_the_cap_sources(db, client):
    schema = client.get("/api/v1/schema/?format=json").json()
    assert {"/api/v1/cap-sources/", "/api/v1/cap-sources/{id}/poll/"} <= set(schema["paths"])
