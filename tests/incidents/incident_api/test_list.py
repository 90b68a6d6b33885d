"""/api/v1/incidents/: the list's filters, ordering and keyset pagination, and its cost.

Each filter narrows the list to the exact incidents, bad parameters are a 400 naming the
parameter, pages walk every incident once both ways even with ties, and the list and the
detail run a bounded number of queries whatever the number of rows.
"""

import base64
import datetime
import json
from decimal import Decimal

import pytest
from django.utils import timezone

from agencies.models import Classification, Severity
from incidents.models import Incident
from tests.factories import (
    AgencyFactory,
    IncidentFactory,
    category,
)
from tests.incidents.incident_api.helpers import LIST, detail, refs

# A well-formed cursor whose id (10**30) overflows a 64-bit column.
OVERFLOWING_CURSOR = base64.urlsafe_b64encode(
    json.dumps({"o": "-occurred_at", "r": 0, "v": ["2026-01-01T00:00:00Z", 10**30]}).encode()
).decode()


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
    # partners, the page, the involved agencies of the page, and the audit of the list read (its
    # row, owner and reader agencies: three INSERTs): 10, whether 6 rows or 60.
    with django_assert_max_num_queries(10):
        response = client.get(LIST, {"page_size": 200, "category": "crime", "area": world.areas.bontang.pk})

    assert response.status_code == 200
    assert len(response.json()["results"]) == {"alice": 60, "bob": 45, "charlie": 30, "admin": 60}[persona]
    assert all(len(row["involved_agencies"]) == 2 for row in response.json()["results"])


def test_the_detail_runs_a_bounded_number_of_queries(api_as, world, django_assert_max_num_queries):
    incident = IncidentFactory(reporting_agency=world.a, involved_agencies=[world.b, world.c])

    with django_assert_max_num_queries(5):
        assert api_as(world.alice).get(detail(incident.pk)).status_code == 200
