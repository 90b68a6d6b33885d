"""The public portal: the visitor's home and its sections registry, the public alerts' list
(/peringatan/) and map (/peringatan/peta/). Only public, current, not cancelled threats show;
each with its severity, areas, times in its area's zone and issuing agency; a bounded number of
queries whatever the number of alerts."""

from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.models import Classification, TimeZoneChoice
from coordination.community.portal import selectors
from incidents.threats import services as threat_services
from tests.factories import AreaFactory, category


@pytest.fixture
def log(world, django_capture_on_commit_callbacks):
    def _log(**fields):
        defaults = {"category": category("flood-tidal"), "areas": [world.areas.guntung]}
        defaults.update(fields)
        with django_capture_on_commit_callbacks(execute=True):
            return threat_services.threat_log(actor=world.alice, **defaults)

    return _log


@pytest.fixture
def threats(world, log):
    now = timezone.now()
    current = log(headline="Banjir rob di Bontang Kuala", classification=Classification.PUBLIC, severity=3)
    hidden = [
        log(headline="Razia gabungan malam ini", classification=Classification.RESTRICTED),
        log(headline="Target operasi narkoba", classification=Classification.CONFIDENTIAL),
        log(
            headline="Banjir kemarin sore",
            classification=Classification.PUBLIC,
            effective_at=now - datetime.timedelta(days=2),
            expires_at=now - datetime.timedelta(days=1),
        ),
    ]
    cancelled = log(headline="Peringatan yang dibatalkan", classification=Classification.PUBLIC)
    threat_services.threat_cancel(actor=world.alice, threat=cancelled)
    return current, [*hidden, cancelled]


@pytest.mark.parametrize("name", ["public-alerts", "public-alert-map"])
def test_the_alert_pages_show_only_current_public_alerts(client, threats, name):
    current, hidden = threats
    body = client.get(reverse(name)).content.decode()
    assert body.count('data-testid="public-alert"') == 1 and current.headline in body
    for threat in hidden:
        assert threat.headline not in body


def test_an_alert_shows_severity_area_zone_time_and_issuer(client, world, log):
    papua = AreaFactory(name="Distrik Abepura", timezone=TimeZoneChoice.WIT)
    sent = datetime.datetime(2026, 12, 5, 1, 30, tzinfo=datetime.UTC)  # 10:30 in Jayapura (UTC+9)
    threat = log(headline="Longsor", classification=Classification.PUBLIC, areas=[papua], severity=4)
    type(threat).objects.filter(pk=threat.pk).update(sent_at=sent)
    body = client.get(reverse("public-alerts")).content.decode()
    card = body[body.index(f'id="alert-{threat.pk}"') :]
    assert re.search(r'data-testid="alert-severity">\s*Ekstrem', card)  # Indonesian first
    assert "Distrik Abepura" in card
    assert "5 Des 2026 10:30 WIT" in card
    assert "Polres Bontang" in card


def test_the_map_page_carries_each_located_area_as_a_point(client, world, log):
    world.areas.guntung.centroid_lat, world.areas.guntung.centroid_lon = Decimal("0.13"), Decimal("117.49")
    world.areas.guntung.save()
    unlocated = AreaFactory(name="Tanpa titik")
    threat = log(headline="Banjir rob", classification=Classification.PUBLIC, areas=[world.areas.guntung, unlocated])
    body = client.get(reverse("public-alert-map")).content.decode()
    data = json.loads(re.search(r'id="public-alert-points" type="application/json">(.*?)</script>', body).group(1))
    assert data == [
        {
            "id": threat.pk,
            "severity": threat.severity,
            "headline": "Banjir rob",
            "area": "Guntung",
            "lat": 0.13,
            "lon": 117.49,
        }
    ]
    assert "sinergi_map.js" in body and "leaflet.js" in body


def test_the_list_page_has_no_map_script(client, threats):
    body = client.get(reverse("public-alerts")).content.decode()
    assert "leaflet.js" not in body and "htmx" not in body and "bootstrap-icons" not in body


# The home: the alerts' three queries, then one for each other section (programmes, surveys).
@pytest.mark.parametrize(("name", "queries"), [("public-alerts", 4), ("public-alert-map", 3), ("dashboard", 5)])
def test_the_alert_pages_read_a_bounded_number_of_queries(client, log, django_assert_max_num_queries, name, queries):
    for n in range(25):
        log(headline=f"Peringatan {n}", classification=Classification.PUBLIC)
    with django_assert_max_num_queries(queries):
        body = client.get(reverse(name)).content.decode()
    shown = {
        "public-alerts": selectors.ALERT_PAGE_SIZE,
        "public-alert-map": 25,
        "dashboard": selectors.HOME_ALERT_LIMIT,
    }
    assert body.count('data-testid="public-alert"') == shown[name]


def test_the_list_pages_beyond_its_first_page(client, log):
    for n in range(selectors.ALERT_PAGE_SIZE + 3):
        log(headline=f"Peringatan {n}", classification=Classification.PUBLIC)
    body = client.get(reverse("public-alerts"), {"page": 2}).content.decode()
    assert body.count('data-testid="public-alert"') == 3


def test_an_alert_reads_in_english_for_an_english_reader(client, log):
    log(headline="Banjir rob", headline_en="Tidal flood", classification=Classification.PUBLIC)
    client.cookies["django_language"] = "en"
    body = client.get(reverse("public-alerts")).content.decode()
    assert "Tidal flood" in body and "Banjir rob" not in body and "Extreme" not in body


def test_a_registered_section_shows_on_the_home_and_one_with_nothing_does_not(client, world, monkeypatch):
    def programmes(request):
        template = "coordination/community/portal/partials/alerts_section.html"
        return selectors.Section("programmes", template, {"alerts": []})

    def nothing(request):
        return None

    monkeypatch.setattr(selectors, "SECTIONS", [*selectors.SECTIONS, programmes, nothing])
    body = client.get("/").content.decode()
    keys = re.findall(r'data-section="([a-z]+)"', body)
    assert keys == ["alerts", "programmes"]  # in registration order, the alerts first


def test_the_alerts_section_is_registered_once(settings):
    assert selectors.SECTIONS.count(selectors.alerts_section) == 1


def test_the_home_offers_the_language_switch_and_the_alert_pages(client, world):
    body = client.get("/").content.decode()
    assert 'data-testid="language-switch"' in body
    assert f'href="{reverse("public-alerts")}"' in body and f'href="{reverse("public-alert-map")}"' in body
