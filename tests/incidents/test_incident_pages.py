"""The incident pages, tried by each persona of tests/conftest.py.

alice (liaison of A), carol (commander of A), vera (viewer of A), bob (liaison of B, A's
information-sharing partner), charlie (liaison of C, an outsider), nobody (signed in, no
agency), admin (staff) and the anonymous visitor. What a persona may not read answers 404 and
appears nowhere; what it may read but not change answers 403 and changes nothing.
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.models import Classification, Severity, TimeZoneChoice
from incidents import services
from incidents.models import Incident, IncidentEvent
from tests.factories import AreaFactory, IncidentFactory, category

pytestmark = pytest.mark.django_db

SECRET_TITLE = "Operasi rahasia jaringan narkoba Guntung"


@pytest.fixture(autouse=True)
def _english(settings):
    """Assertions read English msgids, whatever the Indonesian catalogue says."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def incident(world):
    """A restricted incident logged by alice through the service (so with its first timeline entry)."""
    return services.incident_create(
        actor=world.alice,
        title="Pencurian motor di Guntung",
        category=category("crime-theft"),
        area=world.areas.guntung,
        latitude=Decimal("0.176000"),
        longitude=Decimal("117.471000"),
    )


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


@pytest.fixture
def public(world):
    return IncidentFactory(
        title="Banjir rob di Bontang Utara",
        category=category("flood-tidal"),
        area=world.areas.bontang_utara,
        reporting_agency=world.a,
        classification=Classification.PUBLIC,
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


def _snapshot(incident):
    incident.refresh_from_db()
    return (
        incident.status,
        incident.title,
        incident.lead_agency_id,
        sorted(incident.involved_agencies.values_list("pk", flat=True)),
        IncidentEvent.objects.filter(incident=incident).count(),
    )


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


# --- The list ------------------------------------------------------------------------------


def test_the_htmx_list_request_returns_only_the_results(client, world, incident, public):
    client.force_login(world.alice)
    response = client.get(reverse("incident-list"), {"category": "flood"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert 'id="incident-filters"' not in body
    assert 'data-testid="incident-results"' in body
    assert "Banjir rob di Bontang Utara" in body
    assert "Pencurian motor di Guntung" not in body
    assert "HX-Request" in response["Vary"]


def test_the_full_list_page_has_the_htmx_filter_form(client, world, incident):
    client.force_login(world.alice)
    body = client.get(reverse("incident-list")).content.decode()
    assert 'hx-get="/incidents/"' in body
    assert 'hx-target="#incident-results"' in body
    assert 'hx-push-url="true"' in body
    assert "<optgroup" in body  # categories grouped by parent
    assert "Bontang Utara" in body  # the area filter: alice's jurisdiction
    assert "Kota Balikpapan" not in body


@pytest.mark.dates
def test_the_list_filters_by_status_severity_and_dates(client, world, incident, public):
    Incident.objects.filter(pk=public.pk).update(
        status=Incident.Status.VERIFIED,
        severity=Severity.EXTREME,
        occurred_at=timezone.now() - datetime.timedelta(days=10),
    )
    client.force_login(world.alice)

    def titles(**params):
        body = client.get(reverse("incident-list"), params, HTTP_HX_REQUEST="true").content.decode()
        return {t for t in ("Banjir rob di Bontang Utara", "Pencurian motor di Guntung") if t in body}

    assert titles(status="verified") == {"Banjir rob di Bontang Utara"}
    assert titles(min_severity="4") == {"Banjir rob di Bontang Utara"}
    assert titles(occurred_after=timezone.localdate().isoformat()) == {"Pencurian motor di Guntung"}
    day = (timezone.localdate() - datetime.timedelta(days=10)).isoformat()
    assert titles(occurred_before=day) == {"Banjir rob di Bontang Utara"}  # the whole day included
    assert titles(area=world.areas.guntung.pk) == {"Pencurian motor di Guntung"}


def test_the_list_shows_times_in_the_areas_time_zone(client, world):
    papua = AreaFactory(name="Jayapura Area", timezone=TimeZoneChoice.WIT)
    IncidentFactory(
        title="Di Jayapura",
        area=papua,
        reporting_agency=world.a,
        occurred_at=datetime.datetime(2026, 3, 1, 3, 0, tzinfo=datetime.UTC),
    )
    IncidentFactory(
        title="Di Guntung",
        area=world.areas.guntung,
        reporting_agency=world.a,
        occurred_at=datetime.datetime(2026, 3, 1, 3, 0, tzinfo=datetime.UTC),
    )
    client.force_login(world.alice)
    body = client.get(reverse("incident-list")).content.decode()
    assert "1 Mar 2026 12:00 WIT<" in body
    assert "1 Mar 2026 11:00 WITA<" in body


def test_the_list_is_paginated(client, world):
    IncidentFactory.create_batch(30, area=world.areas.guntung, reporting_agency=world.a)
    client.force_login(world.alice)
    first = client.get(reverse("incident-list")).content.decode()
    second = client.get(reverse("incident-list"), {"page": 2}).content.decode()
    assert first.count('data-testid="incident-row"') == 25
    assert second.count('data-testid="incident-row"') == 5


def test_the_list_needs_a_bounded_number_of_queries(client, world, django_assert_max_num_queries):
    for _ in range(40):
        IncidentFactory(area=world.areas.guntung, reporting_agency=world.a, involved_agencies=[world.b, world.c])
    client.force_login(world.alice)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("incident-list"))
    assert response.content.decode().count('data-testid="incident-row"') == 25
    with django_assert_max_num_queries(14):
        client.get(reverse("incident-list"), {"status": "reported", "page": 2}, HTTP_HX_REQUEST="true")


# --- The detail ----------------------------------------------------------------------------


def test_the_detail_shows_every_field_in_the_areas_time_zone(client, world, incident):
    Incident.objects.filter(pk=incident.pk).update(
        occurred_at=datetime.datetime(2026, 2, 3, 1, 30, tzinfo=datetime.UTC), description="Motor hilang di parkiran"
    )
    client.force_login(world.bob)
    body = client.get(reverse("incident-detail", args=[incident.pk])).content.decode()
    assert incident.reference in body
    assert "Motor hilang di parkiran" in body
    assert "3 Feb 2026 09:30 WITA" in body
    assert "Kota Bontang" in body and "Bontang Utara" in body and "Guntung" in body
    assert "0.176000, 117.471000" in body
    assert 'data-mini-map data-lat="0.176000" data-lon="117.471000"' in body
    assert "Offline base map (Natural Earth)" in body


def test_the_detail_uses_the_configured_tile_server(client, world, incident, settings):
    settings.SINERGI_MAP_TILE_URL = "https://tiles.example.go.id/{z}/{x}/{y}.png"
    settings.SINERGI_MAP_TILE_ATTRIBUTION = "© OpenStreetMap"
    client.force_login(world.alice)
    body = client.get(reverse("incident-detail", args=[incident.pk])).content.decode()
    assert 'data-tile-url="https://tiles.example.go.id/{z}/{x}/{y}.png"' in body
    assert "Map tiles are off" not in body


def test_the_timeline_names_what_an_edit_changed(client, world, incident):
    services.incident_update(
        actor=world.alice, incident=incident, category=category("crime-robbery"), severity=Severity.SEVERE
    )
    client.force_login(world.alice)
    body = client.get(reverse("incident-detail", args=[incident.pk])).content.decode()
    assert '<span class="old">Theft</span>' in body or '<span class="old">Pencurian</span>' in body
    assert '<span class="new">Severe</span>' in body
    assert '<span class="old">Moderate</span>' in body


def test_the_detail_needs_a_bounded_number_of_queries(client, world, incident, django_assert_max_num_queries):
    for i in range(15):
        services.incident_add_note(actor=world.alice, incident=incident, message=f"note {i}")
        services.incident_assign(
            actor=world.alice, incident=incident, involved_agencies=[world.b] if i % 2 else [world.b, world.c]
        )
        services.incident_update(actor=world.alice, incident=incident, title=f"Title {i}", severity=i % 4)
    assert incident.events.count() > 40
    client.force_login(world.alice)
    with django_assert_max_num_queries(30):
        response = client.get(reverse("incident-detail", args=[incident.pk]))
    assert response.content.decode().count('data-testid="timeline-entry"') == incident.events.count()


def test_an_unknown_incident_is_404(client, world):
    client.force_login(world.alice)
    assert client.get(reverse("incident-detail", args=[999999])).status_code == 404


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


# --- The map -------------------------------------------------------------------------------


def test_the_map_page_feeds_leaflet_from_the_geojson_endpoint_without_tiles(client, world, incident):
    world.areas.bontang.centroid_lat, world.areas.bontang.centroid_lon = Decimal("0.13"), Decimal("117.5")
    world.areas.bontang.save()
    client.force_login(world.alice)
    body = client.get(reverse("incident-map"), {"category": "crime"}).content.decode()
    assert 'data-geojson-url="/api/v1/incidents.geojson"' in body
    assert 'data-tile-url=""' in body
    assert 'data-testid="tiles-off"' in body
    assert "leaflet.markercluster.js" in body
    assert '"name": "Kota Bontang"' in body  # area dots for orientation
    assert '<option value="crime" selected>' in body


def test_the_map_page_uses_the_configured_tiles(client, world, settings):
    settings.SINERGI_MAP_TILE_URL = "https://tiles.example.go.id/{z}/{x}/{y}.png"
    settings.SINERGI_MAP_TILE_ATTRIBUTION = "© OpenStreetMap"
    client.force_login(world.alice)
    body = client.get(reverse("incident-map")).content.decode()
    assert 'data-tile-url="https://tiles.example.go.id/{z}/{x}/{y}.png"' in body
    assert 'data-tile-attribution="© OpenStreetMap"' in body
    assert 'data-testid="tiles-off"' not in body


def test_coordinates_stay_machine_readable_in_indonesian(client, world, incident, settings):
    settings.LANGUAGE_CODE = "id"  # Indonesian writes decimals with a comma; Leaflet needs a dot
    client.force_login(world.alice)
    body = client.get(reverse("incident-detail", args=[incident.pk])).content.decode()
    assert 'data-lat="0.176000" data-lon="117.471000"' in body
