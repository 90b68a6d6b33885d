"""The incident pages that show incidents: the list, the detail and the map.

The htmx list and its filters, pagination, times in the area's zone, every field of the
detail, the configured tiles, and a bounded number of queries.
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.models import Severity, TimeZoneChoice
from incidents import services
from incidents.models import Incident
from tests.factories import AreaFactory, IncidentFactory, category

pytestmark = pytest.mark.django_db


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
