"""The patrol pages: calendar, shift forms, coverage, check-in, feed (moved from test_patrols.py)."""

import datetime
import re
from decimal import Decimal

import pytest

from agencies.models import Classification
from coordination.models import (
    AgencyCapacity,
    ConflictOverride,
    PatrolShift,
)
from coordination.patrols import services as patrol_services

from .test_patrols import _english, city, dt, make_operation, make_shift, siskamling, unit  # noqa: F401

# --- Pages ---------------------------------------------------------------------------------

PAGES = ["/patrols/", "/patrols/shifts/new/", "/patrols/generate/", "/patrols/coverage/"]


@pytest.mark.parametrize("url", PAGES)
def test_pages_send_anonymous_visitors_to_login(client, world, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("url", PAGES)
def test_pages_render_for_a_liaison(client, world, url):
    make_operation(world)  # the planning pages are for who may plan some operation's shifts
    client.force_login(world.alice)
    assert client.get(url).status_code == 200


def test_the_calendar_shows_shifts_with_conflict_badges_in_week_and_month(client, world):
    op = make_operation(world)
    make_shift(
        world,
        op,
        start=dt(2026, 1, 30, 14),
        title="Malam Guntung",
        contributions=[unit(world.a)],
        areas=[world.areas.guntung],
    )
    make_shift(
        world,
        op,
        start=dt(2026, 1, 30, 16),
        title="Malam Pelabuhan",
        contributions=[unit(world.a)],
        override_reason="ok",
    )
    client.force_login(world.alice)
    week = client.get("/patrols/", {"view": "week", "date": "2026-01-30"}).content.decode()
    assert "Malam Guntung" in week and "Malam Pelabuhan" in week
    assert week.count('data-testid="conflict-badge"') == 2
    assert "22:00–04:00" in week  # WITA, the zone of A's jurisdiction, not WIB
    month = client.get("/patrols/", {"view": "month", "date": "2026-01-15", "kind": "joint_patrol"}).content.decode()
    assert month.count('data-testid="shift-block"') == 2
    filtered = client.get("/patrols/", {"date": "2026-01-30", "agency": world.b.pk}, headers={"HX-Request": "true"})
    assert 'data-testid="shift-block"' not in filtered.content.decode()
    assert "<html" not in filtered.content.decode()


def test_the_calendar_runs_a_bounded_number_of_queries(client, world, django_assert_max_num_queries):
    AgencyCapacity.objects.create(agency=world.a, personnel=1000)
    op = make_operation(world)
    for i in range(3):
        patrol_services.patrol_plan_generate(
            user=world.admin,
            operation=op,
            first_date=datetime.date(2026, 1, 1),
            days=31,
            start_time=datetime.time(8 + 4 * i),
            end_time=datetime.time(11 + 4 * i),
            areas=[world.areas.guntung],
            contributions=[unit(world.a, f"Regu {i}")],
        )
    patrol_services.patrol_plan_generate(
        user=world.admin,
        operation=op,
        first_date=datetime.date(2026, 1, 1),
        days=31,
        start_time=datetime.time(22),
        end_time=datetime.time(4),
        areas=[world.areas.bontang_utara],
        contributions=[unit(world.b, "Tim"), unit(world.a, "Sabhara 9")],
    )
    assert PatrolShift.objects.count() == 124
    patrol_services.patrol_plan_generate(
        user=world.admin,
        operation=op,
        first_date=datetime.date(2026, 1, 1),
        days=31,
        start_time=datetime.time(14),
        end_time=datetime.time(15),
        areas=[world.areas.guntung],
    )
    patrol_services.patrol_plan_generate(
        user=world.admin,
        operation=op,
        first_date=datetime.date(2026, 1, 1),
        days=31,
        start_time=datetime.time(16),
        end_time=datetime.time(17),
        areas=[world.areas.guntung],
    )
    patrol_services.patrol_plan_generate(
        user=world.admin,
        operation=op,
        first_date=datetime.date(2026, 1, 1),
        days=31,
        start_time=datetime.time(18),
        end_time=datetime.time(19),
        areas=[world.areas.guntung],
    )
    assert PatrolShift.objects.count() == 217
    client.force_login(world.alice)
    # 20 for the grid and the agency filter (the agencies the user works beside; see
    # tests/test_page_scale.py for N vs 3N), then the user's roles (1), whether they may plan any
    # shift (1), their agencies with their calendar feeds (1, the subscribe box) and the page
    # being served before the navbar filled the roles cache (1). The partners are read 4 times:
    # a per-request cache of the user's agencies is the house issue's work.
    with django_assert_max_num_queries(24):
        response = client.get("/patrols/", {"view": "month", "date": "2026-01-15"})
    # Seven shifts a day: a month draws four of each day and folds the rest into "+3 more".
    page = response.content.decode()
    assert page.count('data-testid="shift-block"') == 31 * 4
    assert page.count('data-testid="calendar-more"') == 31
    assert re.search(r'data-testid="calendar-count">\s*217 ', page)  # every shift counts


def test_an_outsider_gets_404_on_a_confidential_shift_page(client, world):
    op = make_operation(world, classification=Classification.CONFIDENTIAL)
    shift = make_shift(world, op, start=dt(2026, 1, 30, 14), title="Rahasia")
    client.force_login(world.charlie)
    assert client.get(f"/patrols/shifts/{shift.pk}/").status_code == 404
    assert "Rahasia" not in client.get("/patrols/", {"date": "2026-01-30"}).content.decode()


def test_the_shift_page_hides_roster_phones_from_non_partners(client, world, siskamling):  # noqa: F811
    shift, ketua = siskamling
    client.force_login(world.bob)
    page = client.get(f"/patrols/shifts/{shift.pk}/").content.decode()
    assert "+62 812 5550 1234" not in page and "Pak Budi" not in page
    client.force_login(world.alice)
    assert "+62 812 5550 1234" in client.get(f"/patrols/shifts/{shift.pk}/").content.decode()


def test_the_shift_page_shows_route_statuses_and_overrides(client, world):
    op = make_operation(world)
    make_shift(world, op, start=dt(2026, 1, 30, 14), contributions=[unit(world.a)])
    shift = make_shift(
        world,
        op,
        start=dt(2026, 1, 30, 16),
        contributions=[unit(world.a)],
        override_reason="Kapolres minta",
        checkpoints=[
            {
                "name": "Pelabuhan",
                "latitude": Decimal("0.13"),
                "longitude": Decimal("117.49"),
                "planned_at": dt(2026, 1, 30, 17),
            }
        ],
    )
    client.force_login(world.alice)
    page = client.get(f"/patrols/shifts/{shift.pk}/").content.decode()
    assert "Kapolres minta" in page
    assert 'data-testid="conflict"' in page
    assert 'data-testid="missed-count"' in page


def _form(world, op, **extra):
    data = {
        "operation": op.pk,
        "kind": "joint_patrol",
        "title": "Patroli pasar",
        "area": world.areas.guntung.pk,
        "starts_at": "2026-01-30T22:00",
        "ends_at": "2026-01-31T04:00",
        "notes": "",
        "units-TOTAL_FORMS": "3",
        "units-INITIAL_FORMS": "0",
        "units-MIN_NUM_FORMS": "0",
        "units-MAX_NUM_FORMS": "20",
        "units-0-agency": world.a.pk,
        "units-0-unit_name": "Sabhara 1",
        "units-0-headcount": "10",
        "units-0-vehicles": "1",
    }
    data.update(extra)
    return data


def test_the_new_shift_page_saves_in_the_areas_zone(client, world):
    op = make_operation(world)
    client.force_login(world.alice)
    response = client.post("/patrols/shifts/new/", _form(world, op))
    shift = PatrolShift.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/patrols/shifts/{shift.pk}/"
    assert shift.starts_at == dt(2026, 1, 30, 14)
    assert shift.contributions.get().unit_name == "Sabhara 1"


def test_the_new_shift_page_shows_clashes_and_saves_only_with_an_override(client, world):
    op = make_operation(world)
    make_shift(world, op, start=dt(2026, 1, 30, 15), title="Sore", contributions=[unit(world.a)])
    client.force_login(world.alice)
    response = client.post("/patrols/shifts/new/", _form(world, op))
    assert response.status_code == 400
    assert 'data-testid="conflict"' in response.content.decode() and "Sore" in response.content.decode()
    assert PatrolShift.objects.count() == 1
    response = client.post("/patrols/shifts/new/", _form(world, op, override="on", override_reason="Darurat"))
    assert response.status_code == 302
    override = ConflictOverride.objects.get()
    assert (override.user, override.reason) == (world.alice, "Darurat")


def test_a_viewer_cannot_create_shifts_on_the_pages(client, world):
    op = make_operation(world)
    client.force_login(world.vera)
    assert client.post("/patrols/shifts/new/", _form(world, op)).status_code == 403
    gen = {
        "operation": op.pk,
        "kind": "joint_patrol",
        "area": world.areas.guntung.pk,
        "first_date": "2026-01-30",
        "days": "3",
        "start_time": "22:00",
        "end_time": "04:00",
        "units-TOTAL_FORMS": "0",
        "units-INITIAL_FORMS": "0",
    }
    assert client.post("/patrols/generate/", gen).status_code == 403
    assert PatrolShift.objects.count() == 0


def test_the_generate_page_plans_a_series(client, world):
    op = make_operation(world)
    client.force_login(world.alice)
    gen = {
        "operation": op.pk,
        "kind": "joint_patrol",
        "area": world.areas.guntung.pk,
        "first_date": "2026-01-30",
        "days": "3",
        "start_time": "22:00",
        "end_time": "04:00",
        "units-TOTAL_FORMS": "0",
        "units-INITIAL_FORMS": "0",
    }
    assert client.post("/patrols/generate/", gen).status_code == 302
    assert sorted(PatrolShift.objects.values_list("starts_at", flat=True)) == [
        dt(2026, 1, 30, 14),
        dt(2026, 1, 31, 14),
        dt(2026, 2, 1, 14),
    ]


@pytest.mark.dates
def test_the_coverage_page_ranks_and_one_click_fills(client, world, city):  # noqa: F811
    selatan, _ = city
    op = make_operation(world)
    client.force_login(world.alice)
    page = client.get("/patrols/coverage/", {"area": world.areas.bontang.pk}).content.decode()
    assert page.index("Bontang Selatan") < page.index("Bontang Utara")
    response = client.post("/patrols/coverage/fill/", {"area": selatan.pk, "operation": op.pk})
    assert response.status_code == 302
    assert PatrolShift.objects.filter(areas=selatan).count() >= 6
    client.force_login(world.vera)
    assert client.post("/patrols/coverage/fill/", {"area": selatan.pk, "operation": op.pk}).status_code == 403
