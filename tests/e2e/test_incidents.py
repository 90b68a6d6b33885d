"""A liaison at work in a real browser: the incident list and its htmx filters, an incident's
workflow, the incident map (tiles off), the risk register and its heat map.

Screenshots go to test-results/screenshots/ (SINERGI_SCREENSHOTS elsewhere) to be looked at,
on a 1280 px desktop and a 390 px phone.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from agencies.models import Classification, Severity
from incidents import services
from incidents.models import Incident
from tests.factories import AreaFactory, IncidentFactory, RiskAssessmentFactory, category

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def _no_horizontal_overflow(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _click_uncovered(page: Page, selector: str) -> None:
    """Click the first marker of `selector` that nothing covers, as a user would: a marker under
    the zoom buttons takes no click (the "+" would), and a cluster may be drawn there. Once the
    map has settled: during a zoom (Leaflet's leaflet-zoom-anim) or a cluster's spreading
    (leaflet-cluster-anim) the markers move, and one uncovered now may not be at the click."""
    page.wait_for_function(
        "() => !document.querySelector('#incident-map.leaflet-zoom-anim, #incident-map .leaflet-cluster-anim')"
    )
    page.wait_for_timeout(100)  # the frame after the animation's end: the markers at their places
    index = page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)].findIndex((el) => {
            const r = el.getBoundingClientRect();
            const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
            return hit !== null && el.contains(hit);
        })""",
        selector,
    )
    assert index >= 0, f"every {selector} is covered or off screen"
    page.locator(selector).nth(index).click()


@pytest.fixture
def city(e2e_world):
    """Bontang with area centres, a dozen incidents around it and a risk register."""
    areas = e2e_world.areas
    centres = {
        areas.bontang: ("0.133300", "117.500000"),
        areas.bontang_utara: ("0.165000", "117.480000"),
        areas.guntung: ("0.176000", "117.471000"),
    }
    for area, (lat, lon) in centres.items():
        area.centroid_lat, area.centroid_lon = Decimal(lat), Decimal(lon)
        area.save()
    selatan = AreaFactory(name="Bontang Selatan", parent=areas.bontang, centroid_lat="0.105", centroid_lon="117.475")
    barat = AreaFactory(name="Bontang Barat", parent=areas.bontang, centroid_lat="0.140", centroid_lon="117.445")
    now = timezone.now()
    rows = [
        ("Kebakaran gudang di Jl. Ahmad Yani", "fire-building", Severity.SEVERE, "responding", areas.guntung),
        ("Kebakaran lahan dekat Kanaan", "fire-forest", Severity.MODERATE, "reported", barat),
        ("Banjir rob Tanjung Laut", "flood-tidal", Severity.MODERATE, "verified", selatan),
        ("Banjir bandang Sungai Bontang", "flood-flash", Severity.EXTREME, "responding", areas.bontang_utara),
        ("Pencurian sepeda motor di pasar", "crime-theft", Severity.MINOR, "reported", areas.guntung),
        ("Perampokan minimarket", "crime-robbery", Severity.SEVERE, "contained", selatan),
        ("Kecelakaan lalu lintas Jl. Soekarno-Hatta", "traffic", Severity.MODERATE, "resolved", barat),
        ("Kebocoran gas di kawasan industri", "industrial-gas-leak", Severity.EXTREME, "contained", areas.guntung),
        ("Orang hilang di hutan kota", "missing-person", Severity.MODERATE, "verified", areas.bontang_utara),
        ("Aktivitas mencurigakan di pelabuhan", "suspicious-activity", Severity.MINOR, "reported", selatan),
    ]
    for i, (title, code, severity, status, area) in enumerate(rows):
        IncidentFactory(
            title=title,
            category=category(code),
            severity=severity,
            status=status,
            area=area,
            reporting_agency=e2e_world.a,
            occurred_at=now - datetime.timedelta(hours=7 * i + 1),
            latitude=Decimal(str(area.centroid_lat)) + Decimal("0.004") * (i % 3),
            longitude=Decimal(str(area.centroid_lon)) + Decimal("0.003") * (i % 4),
        )
    fresh = services.incident_create(
        actor=e2e_world.alice,
        title="Kebakaran rumah warga di Guntung",
        category=category("fire-building"),
        area=areas.guntung,
        severity=Severity.SEVERE,
        description="Api terlihat dari jalan; Damkar diminta datang.",
        latitude=Decimal("0.178200"),
        longitude=Decimal("117.468500"),
    )
    services.incident_add_note(actor=e2e_world.carol, incident=fresh, message="Tim patroli sudah di lokasi.")
    IncidentFactory(
        title="Operasi rahasia narkoba",
        category=category("narcotics-trafficking"),
        area=areas.guntung,
        reporting_agency=e2e_world.a,
        classification=Classification.CONFIDENTIAL,
        latitude=Decimal("0.172000"),
        longitude=Decimal("117.476000"),
    )
    today = datetime.date.today()
    for area, hazard, likelihood, impact, overdue in [
        (areas.guntung, "fire", 4, 5, False),
        (areas.guntung, "industrial-accident", 3, 5, True),
        (areas.bontang_utara, "flood", 5, 4, False),
        (selatan, "flood", 4, 4, False),
        (selatan, "crime", 3, 3, True),
        (barat, "fire", 2, 3, False),
        (barat, "traffic", 3, 2, False),
        (areas.bontang_utara, "landslide", 1, 2, False),
    ]:
        RiskAssessmentFactory(
            area=area,
            hazard=category(hazard),
            likelihood=likelihood,
            impact=impact,
            assessing_agency=e2e_world.a,
            assessed_on=today - datetime.timedelta(days=200),
            review_due=today - datetime.timedelta(days=5) if overdue else today + datetime.timedelta(days=120),
        )
    return {"fresh": fresh, "world": e2e_world}


def test_alice_filters_the_incidents_opens_one_and_moves_it_along(page: Page, live_server, city, login, shot):
    page.set_viewport_size(DESKTOP)
    login("alice")
    page.goto(f"{live_server.url}/incidents/")
    rows = page.get_by_test_id("incident-row")
    expect(rows).to_have_count(12)  # the confidential one too: alice's agency reported it
    shot("incidents-list-desktop")

    page.evaluate("window.__sameDocument = true")  # gone if the browser loads a new page
    page.select_option("#id_category", "fire")
    page.wait_for_url(re.compile(r"/incidents/\?.*category=fire"))
    expect(rows).to_have_count(3)
    expect(page.get_by_test_id("incident-results")).not_to_contain_text("Banjir")
    page.select_option("#id_status", "reported")
    page.wait_for_url(re.compile(r"status=reported"))
    expect(rows).to_have_count(2)
    expect(page.get_by_test_id("incident-results")).not_to_contain_text("Kebakaran gudang")
    assert page.evaluate("window.__sameDocument") is True
    expect(page.get_by_test_id("open-map")).to_have_attribute("href", re.compile(r"category=fire.*status=reported"))
    shot("incidents-list-filtered-desktop")

    page.go_back()  # htmx restores the previous list from its history
    expect(rows).to_have_count(3)

    page.get_by_role("link", name="Kebakaran rumah warga di Guntung").click()
    page.wait_for_url(f"{live_server.url}/incidents/{city['fresh'].pk}/")
    expect(page.get_by_test_id("incident-title")).to_have_text("Kebakaran rumah warga di Guntung")
    timeline = page.get_by_test_id("timeline-entry")
    expect(timeline).to_have_count(2)
    expect(page.locator(".leaflet-marker-icon")).to_have_count(1)  # the mini-map's point
    shot("incident-detail-desktop")

    page.fill("#id_note", "Dicek langsung oleh tim piket")
    page.get_by_test_id("move-verified").click()
    page.wait_for_url(f"{live_server.url}/incidents/{city['fresh'].pk}/")
    expect(timeline).to_have_count(3)
    expect(timeline.last).to_have_attribute("data-kind", "verified")
    expect(timeline.last).to_contain_text("Dicek langsung oleh tim piket")
    expect(timeline.last).to_contain_text("Alice Wulandari")
    expect(page.get_by_test_id("workflow").get_by_test_id("status-badge")).to_have_class(re.compile("status-verified"))
    expect(page.get_by_test_id("move-responding")).to_be_visible()
    assert Incident.objects.get(pk=city["fresh"].pk).status == "verified"
    shot("incident-detail-verified-desktop")


def test_the_incident_map_draws_clustered_markers_without_tiles(page: Page, live_server, city, login, shot):
    # An area with a boundary is drawn by its shape, the others by their centre.
    barat = city["world"].areas.bontang.children.get(name="Bontang Barat")
    barat.boundary = {
        "type": "Polygon",
        "coordinates": [[[117.42, 0.12], [117.46, 0.12], [117.46, 0.16], [117.42, 0.16], [117.42, 0.12]]],
    }
    barat.save()
    page.set_viewport_size(DESKTOP)
    login("alice")
    page.goto(f"{live_server.url}/incidents/map/")
    markers = page.locator("#incident-map .leaflet-marker-icon")  # single markers and cluster bubbles
    expect(markers.first).to_be_visible()
    assert markers.count() > 0
    assert page.locator("#incident-map .leaflet-tile").count() == 0
    expect(page.get_by_test_id("tiles-off")).to_be_visible()
    # No tile server: the offline base layer (Natural Earth land) draws under the incidents.
    expect(page.locator("#incident-map")).to_have_attribute("data-base-map", "ready")
    expect(page.locator("#incident-map")).to_have_attribute("data-base-map-scale", "fine")  # a city's zoom
    expect(page.locator("#incident-map path.area-shape")).to_have_count(1)  # Bontang Barat's boundary
    expect(page.locator("#incident-map path.area-centroid")).to_have_count(3)  # the city and two districts
    assert page.locator("#incident-map .leaflet-basemap-pane path.base-land").count() >= 1
    assert page.locator("#incident-map .leaflet-basemap-pane path.base-border").count() >= 1
    expect(page.get_by_test_id("map-status")).to_contain_text("12")
    shot("incident-map-desktop", full_page=False)

    page.select_option("#id_category", "flood")
    page.wait_for_url(re.compile(r"/incidents/map/\?category=flood"))
    expect(page.get_by_test_id("map-status")).to_contain_text("2")
    # Zoom in until the markers come apart, then open one's popup: it links to the detail page.
    page.evaluate("() => { const m = document.querySelector('#incident-map'); m.scrollIntoView(); }")
    for _ in range(4):
        if page.locator("#incident-map .marker-cluster").count() == 0:
            break
        _click_uncovered(page, "#incident-map .marker-cluster")
        page.wait_for_timeout(300)  # the zoom's animation starts
    _click_uncovered(page, "#incident-map .incident-dot")
    link = page.get_by_test_id("popup-link")
    expect(link).to_be_visible()
    expect(link).to_have_attribute("href", re.compile(r"^/incidents/\d+/$"))
    # The time in the incident's area's zone with its label, not the browser's zone.
    expect(page.locator(".incident-popup")).to_contain_text(re.compile(r"\d{2}[:.]\d{2} WITA"))
    page.wait_for_timeout(500)  # Leaflet pans the popup into view
    shot("incident-map-popup-desktop", full_page=False)


@pytest.mark.dates
def test_the_risk_register_and_its_heat_map(page: Page, live_server, city, login, shot):
    page.set_viewport_size(DESKTOP)
    login("alice")
    page.goto(f"{live_server.url}/risks/")
    attention = page.get_by_test_id("attention-row")
    # Score 20 in both, but Bontang Utara counts the incidents of Guntung, which lies inside it.
    expect(attention.first).to_contain_text("Bontang Utara")
    expect(attention.nth(1)).to_contain_text("Guntung")
    expect(page.get_by_test_id("overdue")).to_have_count(2)
    shot("risk-list-desktop")

    page.goto(f"{live_server.url}/risks/heatmap/")
    cells = page.get_by_test_id("heat-cell")
    expect(cells).to_have_count(8)
    colours = cells.evaluate_all("cells => cells.map(c => getComputedStyle(c).backgroundColor)")
    assert len(set(colours)) >= 5
    assert all(colour not in ("rgba(0, 0, 0, 0)", "transparent") for colour in colours)
    expect(page.locator("#risk-map path.risk-circle")).to_have_count(4)
    expect(page.locator("#risk-map")).to_have_attribute("data-base-map", "ready")
    assert page.locator("#risk-map .leaflet-basemap-pane path.base-land").count() >= 1
    shot("risk-heatmap-desktop")


def test_alice_logs_an_incident_with_the_area_picker_and_the_map(page: Page, live_server, city, login, shot):
    page.set_viewport_size(DESKTOP)
    login("alice")
    page.goto(f"{live_server.url}/incidents/new/")
    page.fill("#id_title", "Pohon tumbang menutup jalan")
    page.select_option("#id_category", str(category("traffic").pk))
    page.locator("#area-search").press_sequentially("gunt", delay=40)
    option = page.locator("#area-options [data-area-id]").first
    expect(option).to_contain_text("Guntung")
    shot("incident-form-picker-desktop")
    option.click()
    expect(page.locator("#area-search")).to_have_value(re.compile("^Guntung · Bontang Utara"))
    page.fill("#id_occurred_at", "2026-01-10T08:00")
    box = page.locator("[data-picker-map]").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page.locator("#id_latitude")).not_to_have_value("")
    shot("incident-form-desktop")
    page.get_by_test_id("save-incident").click()
    expect(page.get_by_test_id("incident-title")).to_have_text("Pohon tumbang menutup jalan")
    incident = Incident.objects.get(title="Pohon tumbang menutup jalan")
    assert incident.area == city["world"].areas.guntung
    assert incident.latitude is not None and abs(incident.latitude - Decimal("0.176")) < Decimal("0.05")
    assert incident.occurred_at == datetime.datetime(2026, 1, 10, 0, 0, tzinfo=datetime.UTC)


def test_the_incident_pages_fit_a_phone(page: Page, live_server, city, login, shot):
    page.set_viewport_size(PHONE)
    login("alice")
    pages = {
        "incidents-list-phone": "/incidents/",
        "incident-detail-phone": f"/incidents/{city['fresh'].pk}/",
        "incident-form-phone": "/incidents/new/",
        "incident-map-phone": "/incidents/map/",
        "risk-list-phone": "/risks/",
        "risk-heatmap-phone": "/risks/heatmap/",
    }
    for name, path in pages.items():
        page.goto(f"{live_server.url}{path}")
        assert _no_horizontal_overflow(page), name
        shot(name)
    page.goto(f"{live_server.url}/incidents/")
    expect(page.locator("#id_status")).to_be_hidden()  # the filters fold away on a phone
    page.get_by_test_id("filters-toggle").click()
    page.select_option("#id_status", "responding")
    page.wait_for_url(re.compile(r"status=responding"))
    expect(page.get_by_test_id("incident-row")).to_have_count(2)
    assert _no_horizontal_overflow(page)
    shot("incidents-list-filtered-phone")
