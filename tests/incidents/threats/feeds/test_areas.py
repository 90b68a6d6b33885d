"""Where an alert applies: CAP areas mapped onto the portal's areas by polygon, circle, geocode,
and by name as a fallback, each mapping with its reason (incidents/threats/cap/areas.py)."""

from decimal import Decimal

import pytest

from incidents.threats.cap.areas import cap_area_matches, parse_circle, parse_polygon, point_in_polygon
from tests.factories import AreaFactory


@pytest.fixture
def placed(areas):
    """Centroids: Bontang (0.13, 117.50), Guntung (0.18, 117.47), Balikpapan (-1.24, 116.85)."""
    for area, lat, lon in (
        (areas.bontang, "0.1300", "117.5000"),
        (areas.guntung, "0.1800", "117.4700"),
        (areas.balikpapan, "-1.2400", "116.8500"),
    ):
        area.centroid_lat, area.centroid_lon = Decimal(lat), Decimal(lon)
        area.save()
    return areas


def reasons(matches):
    return {area.name: (reason["reason"], reason["detail"]) for area, reason in matches}


def test_a_polygon_covers_the_areas_whose_centre_lies_inside(placed):
    around_bontang = "0.0,117.3 0.3,117.3 0.3,117.7 0.0,117.7 0.0,117.3"
    matches = cap_area_matches([{"areaDesc": "Pesisir", "polygons": [around_bontang]}])
    assert reasons(matches) == {"Kota Bontang": ("polygon", "5 points"), "Guntung": ("polygon", "5 points")}


def test_a_circle_covers_the_areas_within_its_radius(placed):
    # 6.5 km from Bontang's centre to Guntung's: a 5 km circle takes Bontang only, a 10 km one both.
    small = cap_area_matches([{"areaDesc": "x", "circles": ["0.13,117.50 5"]}])
    large = cap_area_matches([{"areaDesc": "x", "circles": ["0.13,117.50 10"]}])
    assert reasons(small) == {"Kota Bontang": ("circle", "0.13,117.50 5")}
    assert set(reasons(large)) == {"Kota Bontang", "Guntung"}


def test_a_geocode_names_an_area_by_its_code_or_areaid_path(placed):
    matches = cap_area_matches(
        [
            {"areaDesc": "", "geocodes": [{"valueName": "BSNI", "value": "BPP"}]},
            {"areaDesc": "", "geocodes": [{"valueName": "areaid", "value": placed.guntung.path}]},
        ]
    )
    assert reasons(matches) == {
        "Kota Balikpapan": ("geocode", "BSNI=BPP"),
        "Guntung": ("geocode", f"areaid={placed.guntung.path}"),
    }


def test_the_name_is_a_fallback_only_when_nothing_else_matched(placed):
    far_away = "10,10 10,11 11,11 11,10 10,10"
    by_name = cap_area_matches([{"areaDesc": "Kota Balikpapan", "polygons": [far_away]}])
    assert reasons(by_name) == {"Kota Balikpapan": ("name", "Kota Balikpapan")}
    around_bontang = "0.0,117.3 0.3,117.3 0.3,117.7 0.0,117.7 0.0,117.3"
    by_shape = cap_area_matches([{"areaDesc": "Kota Balikpapan", "polygons": [around_bontang]}])
    assert set(reasons(by_shape)) == {"Kota Bontang", "Guntung"}


def test_a_name_shared_by_two_areas_links_neither(placed):
    AreaFactory(name="Kota Bontang")
    assert cap_area_matches([{"areaDesc": "Kota Bontang"}]) == []


def test_a_list_of_names_is_split_when_the_whole_matches_nothing(placed):
    matches = cap_area_matches([{"areaDesc": "Guntung, Kota Balikpapan; Atlantis"}])
    assert set(reasons(matches)) == {"Guntung", "Kota Balikpapan"}


def test_shapes_that_are_not_cap_shapes_are_ignored():
    assert parse_polygon("1,2 3,4") == [] and parse_polygon("a,b c,d e,f g,h") == []
    assert parse_polygon("95,0 1,1 2,2 95,0") == []
    assert parse_circle("1,2") is None and parse_circle("1,2 -3") is None
    assert point_in_polygon((0.5, 0.5), [(0, 0), (0, 1), (1, 1), (1, 0), (0, 0)])
    assert not point_in_polygon((1.5, 0.5), [(0, 0), (0, 1), (1, 1), (1, 0), (0, 0)])
