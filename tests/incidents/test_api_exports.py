"""/api/v1/incidents/export.csv and /api/v1/incidents.geojson: streamed, filtered, scoped.

What each persona may see is exactly what the list shows (incident_api/test_access.py); here the
same rules are checked on the exports, plus their formats: a CSV a spreadsheet or the csv
module reads back, and GeoJSON as RFC 7946 wants it.
"""

import csv
import datetime
import io
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.models import AuditLog, Classification, Severity
from incidents import api as incidents_api
from tests.factories import AgencyFactory, IncidentFactory, category

CSV_URL = reverse("api-incident-export-csv")
GEOJSON_URL = reverse("api-incident-geojson")
LIST = reverse("api-incident-list")


def body(response) -> bytes:
    assert response.status_code == 200, getattr(response, "content", b"")
    assert response.streaming
    return b"".join(response.streaming_content)


def csv_rows(response) -> list[dict[str, str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(body(response).decode("utf-8"))))


def geojson(response) -> dict:
    assert response["Content-Type"] == "application/geo+json"
    return json.loads(body(response))


def assert_rfc7946(collection: dict) -> None:
    """The parts of RFC 7946 an export can get wrong."""
    assert collection["type"] == "FeatureCollection"
    assert isinstance(collection["features"], list)
    for feature in collection["features"]:
        assert feature["type"] == "Feature"
        assert set(feature) >= {"type", "geometry", "properties"}
        geometry = feature["geometry"]
        if geometry is not None:
            assert geometry["type"] == "Point"
            lon, lat = geometry["coordinates"]
            assert all(isinstance(c, float) for c in (lon, lat))
            assert -180 <= lon <= 180 and -90 <= lat <= 90
        assert isinstance(feature["properties"], dict)


@pytest.fixture
def by_class(world):
    made = {}
    for n, level in enumerate(Classification.values, start=1):
        made[level] = IncidentFactory(
            reference=f"KLS-2026-00000{n}",
            title=f"A {level}",
            classification=level,
            reporting_agency=world.a,
            area=world.areas.guntung,
            occurred_at=timezone.now() - datetime.timedelta(hours=n),
        )
    made["c_confidential"] = IncidentFactory(
        reference="KLC-2026-000001",
        title="C confidential",
        classification=Classification.CONFIDENTIAL,
        reporting_agency=world.c,
        area=world.areas.balikpapan_kota,
        occurred_at=timezone.now() - datetime.timedelta(hours=10),
    )
    return made


VISIBLE = [
    ("nobody", ["public"]),
    ("charlie", ["public", "restricted", "c_confidential"]),
    ("bob", ["public", "restricted", "confidential"]),
    ("vera", ["public", "restricted", "confidential", "secret"]),
    ("admin", ["public", "restricted", "confidential", "secret", "c_confidential"]),
]


@pytest.mark.parametrize("url", [CSV_URL, GEOJSON_URL])
def test_anonymous_gets_401(api_as, by_class, url):
    response = api_as(None).get(url)

    assert response.status_code == 401
    assert not response.streaming


# --- CSV -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("persona", "expected"), VISIBLE)
def test_the_csv_holds_exactly_what_the_persona_may_see(api_as, world, by_class, persona, expected):
    rows = csv_rows(api_as(getattr(world, persona)).get(CSV_URL))

    assert [row["reference"] for row in rows] == [by_class[key].reference for key in expected]


def test_the_csv_is_an_attachment_with_a_header_row(api_as, world, by_class):
    response = api_as(world.alice).get(CSV_URL)
    lines = body(response).decode().splitlines()

    assert response["Content-Disposition"].startswith('attachment; filename="incidents-')
    assert response["Content-Disposition"].endswith('.csv"')
    assert lines[0] == (
        "id,reference,title,description,category,category_name,severity,urgency,status,source,classification,"
        "area_id,area,reporting_agency,lead_agency,involved_agencies,latitude,longitude,occurred_at,reported_at,"
        "resolved_at"
    )
    assert len(lines) == 1 + 4


def test_a_csv_row_carries_names_codes_and_iso_times(api_as, world):
    incident = IncidentFactory(
        reference="BON-2026-000042",
        title='Kebakaran, gudang "pupuk"',
        description="Baris satu\nbaris dua",
        category=category("fire-building"),
        severity=Severity.SEVERE,
        area=world.areas.guntung,
        reporting_agency=world.a,
        lead_agency=world.b,
        involved_agencies=[world.c, world.b],
        latitude=Decimal("0.133100"),
        longitude=Decimal("117.485500"),
    )
    client = api_as(world.alice)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    [row] = csv_rows(client.get(CSV_URL))

    assert row["id"] == str(incident.pk)
    assert (row["title"], row["description"]) == ('Kebakaran, gudang "pupuk"', "Baris satu\nbaris dua")
    assert (row["category"], row["category_name"]) == ("fire-building", "Building fire")
    assert (row["severity"], row["urgency"], row["status"]) == ("Severe", "Unknown", "reported")
    assert (row["area"], row["reporting_agency"], row["lead_agency"]) == ("Guntung", "Polres Bontang", "BPBD Bontang")
    assert row["involved_agencies"] == "BPBD Bontang; Damkar Balikpapan"
    assert (row["latitude"], row["longitude"]) == ("0.133100", "117.485500")
    assert datetime.datetime.fromisoformat(row["occurred_at"]) == incident.occurred_at
    assert row["resolved_at"] == ""


def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_are_defused(api_as, world):
    IncidentFactory(title='=HYPERLINK("http://evil.example")', description="+1-2", reporting_agency=world.a)

    [row] = csv_rows(api_as(world.alice).get(CSV_URL))

    assert row["title"] == '\'=HYPERLINK("http://evil.example")'
    assert row["description"] == "'+1-2"


def test_the_csv_honours_the_list_filters(api_as, world):
    IncidentFactory(reference="T1", category=category("crime-theft"), area=world.areas.guntung)
    IncidentFactory(reference="T2", category=category("crime-robbery"), area=world.areas.balikpapan_kota)
    IncidentFactory(reference="F1", category=category("fire"), area=world.areas.bontang_utara)
    client = api_as(world.alice)
    params = {"category": "crime", "area": world.areas.bontang.pk}

    rows = csv_rows(client.get(CSV_URL, params))

    assert [row["reference"] for row in rows] == ["T1"]
    assert [row["reference"] for row in rows] == [r["reference"] for r in client.get(LIST, params).json()["results"]]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"bbox": "1,2,3"}, "bbox"),
        ({"category": "no-such-category"}, "category"),
        ({"occurred_after": "2026-05-02T00:00:00Z", "occurred_before": "2026-05-01T00:00:00Z"}, "occurred_before"),
    ],
)
@pytest.mark.parametrize("url", [CSV_URL, GEOJSON_URL])
def test_bad_filters_are_a_json_400_not_a_broken_stream(api_as, world, by_class, url, params, field):
    response = api_as(world.alice).get(url, params, HTTP_ACCEPT="text/csv")

    assert response.status_code == 400
    assert not response.streaming
    assert response["Content-Type"] == "application/json"
    assert field in response.json()


def test_a_csv_export_with_classified_rows_is_audited_once(api_as, world, by_class):
    body(api_as(world.bob).get(CSV_URL))

    entry = AuditLog.objects.get()
    assert (entry.user, entry.action, entry.object_id, entry.classification) == (
        world.bob,
        "export",
        "export.csv",
        "confidential",
    )


def test_a_csv_export_of_unclassified_rows_is_not_audited(api_as, world, by_class):
    body(api_as(world.nobody).get(CSV_URL))
    body(api_as(world.alice).get(CSV_URL, {"classification": ["public", "restricted"]}))

    assert not AuditLog.objects.exists()


# --- GeoJSON ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("persona", "expected"), VISIBLE)
def test_the_geojson_holds_exactly_what_the_persona_may_see(api_as, world, by_class, persona, expected):
    collection = geojson(api_as(getattr(world, persona)).get(GEOJSON_URL))

    assert_rfc7946(collection)
    assert [f["properties"]["reference"] for f in collection["features"]] == [
        by_class[key].reference for key in expected
    ]


def test_a_feature_is_a_point_longitude_first_with_its_properties(api_as, world):
    incident = IncidentFactory(
        reference="BON-2026-000007",
        title="Banjir rob",
        category=category("flood-tidal"),
        severity=Severity.EXTREME,
        reporting_agency=world.a,
        latitude=Decimal("0.133100"),
        longitude=Decimal("117.485500"),
    )

    collection = geojson(api_as(world.alice).get(GEOJSON_URL))

    assert_rfc7946(collection)
    [feature] = collection["features"]
    assert feature["id"] == incident.pk
    assert feature["geometry"] == {"type": "Point", "coordinates": [117.4855, 0.1331]}
    properties = feature["properties"]
    assert properties["url"] == f"http://testserver{reverse('api-incident-detail', args=[incident.pk])}"
    assert {k: v for k, v in properties.items() if k != "url"} == {
        "id": incident.pk,
        "reference": "BON-2026-000007",
        "title": "Banjir rob",
        "category": "flood-tidal",
        "severity": "Extreme",
        "status": "reported",
        "occurred_at": incident.occurred_at.isoformat(),
        "timezone": "Asia/Makassar",
    }
    assert datetime.datetime.fromisoformat(properties["occurred_at"]) == incident.occurred_at


def test_an_incident_without_a_position_has_a_null_geometry(api_as, world):
    IncidentFactory(reference="NOPOS", reporting_agency=world.a, latitude=None, longitude=None)

    collection = geojson(api_as(world.alice).get(GEOJSON_URL))

    assert_rfc7946(collection)
    assert collection["features"][0]["geometry"] is None


def test_the_geojson_honours_bbox_and_other_filters(api_as, world):
    inside = IncidentFactory(
        reference="IN", category=category("fire"), latitude=Decimal("0.13"), longitude=Decimal("117.49")
    )
    IncidentFactory(reference="OUT", category=category("fire"), latitude=Decimal("-1.26"), longitude=Decimal("116.83"))
    IncidentFactory(reference="OTHER", category=category("flood"), latitude=Decimal("0.14"), longitude=Decimal("117.5"))

    collection = geojson(api_as(world.alice).get(GEOJSON_URL, {"bbox": "117.4,0.0,117.6,0.2", "category": "fire"}))

    assert [f["properties"]["reference"] for f in collection["features"]] == [inside.reference]
    assert "truncated" not in collection


def test_limit_keeps_the_newest_features_and_says_the_collection_is_truncated(api_as, world):
    for n in range(5):
        IncidentFactory(reference=f"L{n}", occurred_at=timezone.now() - datetime.timedelta(hours=n))
    client = api_as(world.alice)

    cut = geojson(client.get(GEOJSON_URL, {"limit": 3}))
    whole = geojson(client.get(GEOJSON_URL, {"limit": 5}))

    assert_rfc7946(cut)
    assert [f["properties"]["reference"] for f in cut["features"]] == ["L0", "L1", "L2"]
    assert cut["truncated"] is True
    assert len(whole["features"]) == 5 and "truncated" not in whole


def test_a_bbox_query_without_limit_gets_the_map_budget(api_as, world, monkeypatch):
    monkeypatch.setattr(incidents_api, "MAP_DEFAULT_LIMIT", 2)
    for n in range(4):
        IncidentFactory(reference=f"M{n}", latitude=Decimal("0.1"), longitude=Decimal("117.5"))
    client = api_as(world.alice)

    in_box = geojson(client.get(GEOJSON_URL, {"bbox": "117,0,118,1"}))
    everything = geojson(client.get(GEOJSON_URL))

    assert (len(in_box["features"]), in_box["truncated"]) == (2, True)
    assert len(everything["features"]) == 4


@pytest.mark.parametrize("limit", ["0", "-1", "many", "100001"])
def test_a_bad_limit_is_a_400(api_as, world, limit):
    response = api_as(world.alice).get(GEOJSON_URL, {"limit": limit})

    assert response.status_code == 400 and "limit" in response.json()


def test_many_features_are_streamed_in_several_chunks_as_one_valid_document(api_as, world, monkeypatch):
    monkeypatch.setattr("incidents.exports.FLUSH_ROWS", 7)
    for n in range(30):
        IncidentFactory(reference=f"S{n:02d}", occurred_at=timezone.now() - datetime.timedelta(minutes=n))
    response = api_as(world.alice).get(GEOJSON_URL)

    chunks = list(response.streaming_content)
    collection = json.loads(b"".join(chunks))

    assert len(chunks) > 4
    assert_rfc7946(collection)
    assert [f["properties"]["reference"] for f in collection["features"]] == [f"S{n:02d}" for n in range(30)]


# --- Queries ---------------------------------------------------------------------------------


@pytest.fixture
def sixty(world):
    helpers = [AgencyFactory(name="Basarnas"), AgencyFactory(name="Dishub")]
    for n in range(60):
        IncidentFactory(
            reporting_agency=world.a,
            involved_agencies=helpers,
            classification=Classification.values[n % 4],
            area=world.areas.guntung,
        )


@pytest.mark.parametrize("persona", ["alice", "bob", "admin"])
def test_the_csv_runs_a_bounded_number_of_queries(api_as, world, sixty, persona, django_assert_max_num_queries):
    client = api_as(getattr(world, persona))

    # The area looked up, the user's agencies and partners, one audit query (levels and owners)
    # and the audit entry (the row, its owner and reader agencies: three INSERTs), the rows, the
    # involved agencies of the (single) batch.
    with django_assert_max_num_queries(9):
        rows = csv_rows(client.get(CSV_URL, {"area": world.areas.bontang.pk}))

    assert len(rows) == {"alice": 60, "bob": 45, "admin": 60}[persona]
    assert all(row["involved_agencies"] == "Basarnas; Dishub" for row in rows)


@pytest.mark.parametrize("persona", ["alice", "bob", "admin"])
def test_the_geojson_runs_a_bounded_number_of_queries(api_as, world, sixty, persona, django_assert_max_num_queries):
    client = api_as(getattr(world, persona))

    # The features, and the audit of the confidential and secret ones sent (three INSERTs).
    with django_assert_max_num_queries(7):
        collection = geojson(client.get(GEOJSON_URL, {"area": world.areas.bontang.pk, "bbox": "94,-11,141,6"}))

    assert len(collection["features"]) == {"alice": 60, "bob": 45, "admin": 60}[persona]
