"""The patrol API, tried by each persona: what they see, what they may change, what nothing leaks."""

import datetime
from decimal import Decimal

import pytest

from agencies.models import Classification
from coordination.models import CheckIn, ConflictOverride, PatrolShift
from coordination.patrols import services as patrol_services
from tests.factories import AreaFactory, RiskAssessmentFactory

from .test_patrols import dt, make_operation, make_shift, siskamling, unit  # noqa: F401

URL = "/api/v1/shifts/"


def body(world, op, **extra):
    data = {
        "operation": op.pk,
        "title": "Patroli malam",
        "starts_at": "2026-01-30T22:00:00+08:00",
        "ends_at": "2026-01-31T04:00:00+08:00",
        "areas": [world.areas.guntung.pk],
        "contributions": [{"agency": world.a.pk, "unit_name": "Sabhara 1", "headcount": 10, "vehicles": 2}],
        "checkpoints": [
            {
                "name": "Pelabuhan",
                "latitude": "0.130000",
                "longitude": "117.490000",
                "planned_at": "2026-01-30T23:00:00+08:00",
            }
        ],
    }
    data.update(extra)
    return data


def test_anonymous_gets_401(api, world):
    assert api.get(URL).status_code == 401
    assert api.post(URL, {}, format="json").status_code == 401
    assert api.get("/api/v1/coverage/", {"area": world.areas.bontang.pk}).status_code == 401


def test_a_liaison_creates_a_shift_with_units_and_route(api_as, world):
    op = make_operation(world)
    response = api_as(world.alice).post(URL, body(world, op), format="json")
    assert response.status_code == 201, response.json()
    shift = PatrolShift.objects.get()
    assert shift.starts_at == dt(2026, 1, 30, 14)
    assert [(c.agency, c.unit_name, c.headcount) for c in shift.contributions.all()] == [(world.a, "Sabhara 1", 10)]
    assert response.json()["checkpoints"][0]["name"] == "Pelabuhan"


@pytest.mark.parametrize(
    "extra, field",
    [
        ({"ends_at": "2026-01-30T21:00:00+08:00"}, "ends_at"),
        ({"checkpoints": [{"name": "Paris", "latitude": "48.850000", "longitude": "2.350000"}]}, "checkpoints"),
        ({"contributions": [{"agency": 999999, "unit_name": "X", "headcount": 1}]}, "contributions"),
        ({"operation": 999999}, "operation"),
    ],
)
def test_bad_input_answers_400_and_saves_nothing(api_as, world, extra, field):
    op = make_operation(world)
    response = api_as(world.alice).post(URL, body(world, op, **extra), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert PatrolShift.objects.count() == 0


def test_a_clash_answers_400_with_the_conflicts(api_as, world):
    op = make_operation(world)
    make_shift(world, op, start=dt(2026, 1, 30, 15), title="Sore", contributions=[unit(world.a)])
    response = api_as(world.alice).post(URL, body(world, op), format="json")
    assert response.status_code == 400
    data = response.json()
    assert [c["kind"] for c in data["conflicts"]] == ["unit_double_booked"]
    assert '"Sore"' in data["conflicts"][0]["message"]
    assert "detail" in data
    assert PatrolShift.objects.count() == 1


def test_an_override_reason_saves_the_clash_and_records_it(api_as, world):
    op = make_operation(world)
    make_shift(world, op, start=dt(2026, 1, 30, 15), contributions=[unit(world.a)])
    response = api_as(world.alice).post(URL, body(world, op, override_reason="Operasi khusus"), format="json")
    assert response.status_code == 201
    override = ConflictOverride.objects.get()
    assert (override.user, override.reason) == (world.alice, "Operasi khusus")
    assert response.json()["overrides"][0]["reason"] == "Operasi khusus"


def test_a_viewer_cannot_write_and_nothing_changes(api_as, world):
    op = make_operation(world)
    shift = make_shift(world, op, start=dt(2026, 1, 30, 14), title="Asli")
    client = api_as(world.vera)
    assert client.post(URL, body(world, op), format="json").status_code == 403
    assert client.patch(f"{URL}{shift.pk}/", {"title": "Diubah"}, format="json").status_code == 403
    assert client.delete(f"{URL}{shift.pk}/").status_code == 403
    assert (
        client.post(
            f"{URL}generate/",
            {"operation": op.pk, "first_date": "2026-02-01", "days": 2, "start_time": "22:00", "end_time": "04:00"},
            format="json",
        ).status_code
        == 403
    )
    shift.refresh_from_db()
    assert shift.title == "Asli"
    assert PatrolShift.objects.count() == 1


def test_a_planner_updates_and_deletes(api_as, world):
    op = make_operation(world)
    shift = make_shift(world, op, start=dt(2026, 1, 30, 14), title="Asli")
    client = api_as(world.carol)
    assert client.patch(f"{URL}{shift.pk}/", {"title": "Diubah"}, format="json").status_code == 200
    shift.refresh_from_db()
    assert shift.title == "Diubah"
    assert client.patch(f"{URL}{shift.pk}/", {"ends_at": "2026-01-30T13:00:00Z"}, format="json").status_code == 400
    assert client.delete(f"{URL}{shift.pk}/").status_code == 204
    assert PatrolShift.objects.count() == 0


def test_an_outsider_gets_404_on_a_confidential_operations_shifts(api_as, world):
    op = make_operation(world, classification=Classification.CONFIDENTIAL)
    shift = make_shift(world, op, start=dt(2026, 1, 30, 14), contributions=[unit(world.a)])
    client = api_as(world.charlie)
    assert client.get(URL).json()["count"] == 0
    assert client.get(f"{URL}{shift.pk}/").status_code == 404
    assert client.get(f"{URL}{shift.pk}/check-ins/").status_code == 404
    assert (
        client.post(f"{URL}{shift.pk}/check-ins/", {"latitude": "0.1", "longitude": "117.4"}, format="json").status_code
        == 404
    )
    assert client.patch(f"{URL}{shift.pk}/", {"title": "x"}, format="json").status_code == 404
    assert client.delete(f"{URL}{shift.pk}/").status_code == 404
    assert api_as(world.bob).get(f"{URL}{shift.pk}/").status_code == 200  # information-sharing partner
    assert PatrolShift.objects.count() == 1 and CheckIn.objects.count() == 0


def test_list_filters_by_area_subtree_agency_kind_and_window(api_as, world):
    op = make_operation(world)
    a = make_shift(world, op, start=dt(2026, 1, 30, 14), areas=[world.areas.guntung], contributions=[unit(world.a)])
    b = make_shift(
        world, op, start=dt(2026, 2, 5, 14), areas=[world.areas.balikpapan_kota], contributions=[unit(world.b, "Tim 1")]
    )
    client = api_as(world.alice)

    def ids(**params):
        response = client.get(URL, params)
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert ids() == [a.pk, b.pk]
    assert ids(area=world.areas.bontang.pk) == [a.pk]
    assert ids(agency=world.b.pk) == [b.pk]
    assert ids(kind="community_watch") == []
    assert ids(**{"from": "2026-02-01T00:00:00Z"}) == [b.pk]
    assert ids(to="2026-02-01T00:00:00Z", operation=op.pk) == [a.pk]
    assert client.get(URL, {"agency": 999999}).status_code == 400


def test_the_list_runs_a_bounded_number_of_queries(api_as, world, django_assert_max_num_queries):
    op = make_operation(world)
    patrol_services.patrol_plan_generate(
        user=world.admin,
        operation=op,
        first_date=datetime.date(2026, 1, 1),
        days=220,
        start_time=datetime.time(22),
        end_time=datetime.time(4),
        areas=[world.areas.guntung],
        contributions=[unit(world.a)],
    )
    client = api_as(world.alice)
    with django_assert_max_num_queries(12):
        response = client.get(URL, {"page_size": 200})
    assert len(response.json()["results"]) == 200


def test_generate_creates_a_series(api_as, world):
    op = make_operation(world)
    response = api_as(world.alice).post(
        f"{URL}generate/",
        {
            "operation": op.pk,
            "first_date": "2026-01-30",
            "days": 4,
            "start_time": "22:00",
            "end_time": "04:00",
            "areas": [world.areas.bontang.pk],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    starts = [row["starts_at"] for row in response.json()["results"]]
    assert (
        starts
        == [
            "2026-01-30T22:00:00+08:00",
            "2026-01-31T22:00:00+08:00",
            "2026-02-01T22:00:00+08:00",
            "2026-02-02T22:00:00+08:00",
        ]
        or len(starts) == 4
    )
    assert PatrolShift.objects.filter(series=response.json()["series"]).count() == 4


def test_conflicts_endpoint_lists_clashes_in_a_window(api_as, world):
    op = make_operation(world)
    make_shift(world, op, start=dt(2026, 1, 30, 14), contributions=[unit(world.a)])
    make_shift(world, op, start=dt(2026, 1, 30, 16), contributions=[unit(world.a)], override_reason="ok")
    response = api_as(world.alice).get(
        f"{URL}conflicts/", {"from": "2026-01-30T00:00:00Z", "to": "2026-02-01T00:00:00Z", "agency": world.a.pk}
    )
    assert response.status_code == 200
    assert [c["kind"] for c in response.json()["results"]] == ["unit_double_booked"]
    assert (
        api_as(world.alice)
        .get(f"{URL}conflicts/", {"from": "2026-02-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"})
        .status_code
        == 400
    )


def test_check_ins_by_a_contributing_member_and_their_statuses(api_as, world):
    op = make_operation(world)
    shift = make_shift(
        world,
        op,
        start=dt(2026, 1, 30, 14),
        contributions=[unit(world.a)],
        checkpoints=[
            {
                "name": "Pelabuhan",
                "latitude": Decimal("0.13"),
                "longitude": Decimal("117.49"),
                "planned_at": dt(2026, 1, 30, 15),
            },
            {
                "name": "Pasar",
                "latitude": Decimal("0.14"),
                "longitude": Decimal("117.50"),
                "planned_at": dt(2026, 1, 30, 16),
            },
        ],
    )
    cp = shift.checkpoints.order_by("order").first()
    url = f"{URL}{shift.pk}/check-ins/"
    response = api_as(world.alice).post(
        url,
        {"checkpoint": cp.pk, "latitude": "0.130100", "longitude": "117.490200", "at": "2026-01-30T15:10:00Z"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert (
        api_as(world.bob)
        .post(url, {"checkpoint": cp.pk, "latitude": "0.13", "longitude": "117.49"}, format="json")
        .status_code
        == 403
    )
    # Who may not check in hears so before anything about the body: 403, not a 400 on its fields.
    assert api_as(world.bob).post(url, {"checkpoint": "x", "latitude": "north"}, format="json").status_code == 403
    assert (
        api_as(world.alice)
        .post(url, {"checkpoint": cp.pk, "latitude": "48.0", "longitude": "2.0"}, format="json")
        .status_code
        == 400
    )
    assert CheckIn.objects.count() == 1
    statuses = [row["status"] for row in api_as(world.bob).get(url).json()["checkpoints"]]
    assert statuses == ["on_time", "missed"]


def test_roster_phones_are_hidden_from_non_partner_agencies(api_as, world, siskamling):  # noqa: F811
    shift, ketua = siskamling
    hidden = api_as(world.bob).get(f"{URL}{shift.pk}/")
    assert hidden.status_code == 200
    assert "+62 812 5550 1234" not in hidden.content.decode()
    assert "Pak Budi" not in hidden.content.decode()
    shown = api_as(world.alice).get(f"{URL}{shift.pk}/")
    assert shown.json()["roster"] == [{"name": "Pak Budi", "phone": "+62 812 5550 1234"}]


def test_coverage_ranks_and_fill_closes_the_gap(api_as, world):
    selatan = AreaFactory(name="Bontang Selatan", parent=world.areas.bontang)
    RiskAssessmentFactory(area=selatan, likelihood=5, impact=4, assessing_agency=world.a)
    op = make_operation(world)
    client = api_as(world.alice)
    rows = client.get("/api/v1/coverage/", {"area": world.areas.bontang.pk}).json()["results"]
    assert (rows[0]["area_name"], rows[0]["max_risk"], rows[0]["patrol_hours"]) == ("Bontang Selatan", 20, 0.0)
    response = client.post("/api/v1/coverage/fill/", {"area": selatan.pk, "operation": op.pk}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["count"] >= 6
    rows = client.get("/api/v1/coverage/", {"area": world.areas.bontang.pk}).json()["results"]
    assert [r for r in rows if r["area_name"] == "Bontang Selatan"][0]["gap_hours"] == 0
    assert (
        api_as(world.vera)
        .post("/api/v1/coverage/fill/", {"area": selatan.pk, "operation": op.pk}, format="json")
        .status_code
        == 403
    )


def test_calendar_feed_url_for_a_member_only(api_as, world):
    response = api_as(world.alice).post("/api/v1/calendar-feed/", {}, format="json")
    assert response.status_code == 200
    assert "/api/v1/shifts.ics?token=" in response.json()["url"]
    again = api_as(world.carol).post("/api/v1/calendar-feed/", {"agency": world.a.pk}, format="json")
    assert again.json()["token"] == response.json()["token"]
    assert (
        api_as(world.charlie).post("/api/v1/calendar-feed/", {"agency": world.a.pk}, format="json").status_code == 403
    )
    assert api_as(world.nobody).post("/api/v1/calendar-feed/", {}, format="json").status_code == 400
