"""Patrol services and selectors: recurrence, conflicts, overrides, coverage, check-ins, rosters."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import translation

from agencies.models import Agency, Classification, Membership, TimeZoneChoice
from coordination.models import (
    AgencyCapacity,
    Checkpoint,
    ConflictOverride,
    JointOperation,
    Participation,
    PatrolShift,
    RosterEntry,
)
from coordination.patrols import conflicts as patrol_conflicts
from coordination.patrols import coverage as patrol_coverage
from coordination.patrols import selectors as patrol_selectors
from coordination.patrols import services as patrol_services
from tests.factories import (
    AgencyFactory,
    AreaFactory,
    IncidentFactory,
    MembershipFactory,
    PartnershipFactory,
    RiskAssessmentFactory,
    UserFactory,
)

UTC = datetime.UTC


def dt(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)


def make_operation(world, *, classification=Classification.RESTRICTED, lead=None, participants=(), name="Patroli"):
    op = JointOperation.objects.create(
        name=name,
        kind=JointOperation.Kind.JOINT_PATROL,
        lead_agency=lead or world.a,
        classification=classification,
    )
    for agency in participants:
        Participation.objects.create(operation=op, agency=agency)
    return op


def make_shift(world, op, *, start, hours=6, title="", contributions=(), areas=(), user=None, **kwargs):
    return patrol_services.shift_create(
        user=user or world.admin,
        operation=op,
        title=title,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=hours),
        areas=list(areas),
        contributions=list(contributions),
        **kwargs,
    )


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English (the msgids); Bahasa Indonesia is the default."""
    with translation.override("en"):
        yield


def unit(agency, name="Sabhara 1", headcount=10, vehicles=1):
    return {"agency": agency, "unit_name": name, "headcount": headcount, "vehicles": vehicles}


# --- Recurrence ----------------------------------------------------------------------------


def test_a_nightly_plan_runs_across_the_month_end_in_wita(world):
    op = make_operation(world)
    shifts = patrol_services.patrol_plan_generate(
        user=world.alice,
        operation=op,
        first_date=datetime.date(2026, 1, 30),
        days=4,
        start_time=datetime.time(22, 0),
        end_time=datetime.time(4, 0),
        areas=[world.areas.bontang],
    )
    saved = list(PatrolShift.objects.filter(series=shifts[0].series).order_by("starts_at"))
    assert [s.starts_at for s in saved] == [
        dt(2026, 1, 30, 14),
        dt(2026, 1, 31, 14),
        dt(2026, 2, 1, 14),
        dt(2026, 2, 2, 14),
    ]
    assert [s.ends_at for s in saved] == [
        dt(2026, 1, 30, 20),
        dt(2026, 1, 31, 20),
        dt(2026, 2, 1, 20),
        dt(2026, 2, 2, 20),
    ]
    assert len(shifts[0].series) == 16
    assert all(list(s.areas.all()) == [world.areas.bontang] for s in saved)


def test_a_nightly_plan_in_wit_starts_at_13_utc(world):
    jayapura = AreaFactory(name="Kota Jayapura", timezone=TimeZoneChoice.WIT)
    op = make_operation(world)
    shifts = patrol_services.patrol_plan_generate(
        user=world.alice,
        operation=op,
        first_date=datetime.date(2026, 2, 27),
        days=3,
        start_time=datetime.time(22, 0),
        end_time=datetime.time(4, 0),
        areas=[jayapura],
    )
    assert [s.starts_at for s in shifts] == [dt(2026, 2, 27, 13), dt(2026, 2, 28, 13), dt(2026, 3, 1, 13)]
    assert shifts[-1].ends_at == dt(2026, 3, 1, 19)


def test_a_plan_in_wib_starts_at_15_utc(world):
    jakarta = AreaFactory(name="Jakarta Utara", timezone=TimeZoneChoice.WIB)
    op = make_operation(world)
    shifts = patrol_services.patrol_plan_generate(
        user=world.alice,
        operation=op,
        first_date=datetime.date(2026, 12, 31),
        days=2,
        start_time=datetime.time(22, 0),
        end_time=datetime.time(4, 0),
        areas=[jakarta],
    )
    assert [s.starts_at for s in shifts] == [dt(2026, 12, 31, 15), dt(2027, 1, 1, 15)]


def test_a_viewer_cannot_generate_a_plan(world):
    op = make_operation(world)
    with pytest.raises(PermissionDenied):
        patrol_services.patrol_plan_generate(
            user=world.vera,
            operation=op,
            first_date=datetime.date(2026, 1, 30),
            days=2,
            start_time=datetime.time(22, 0),
            end_time=datetime.time(4, 0),
        )
    assert PatrolShift.objects.count() == 0


# --- Conflicts -----------------------------------------------------------------------------


def test_a_unit_on_two_overlapping_shifts_is_a_conflict_saying_what_clashes(world):
    op = make_operation(world)
    make_shift(
        world,
        op,
        start=dt(2026, 1, 30, 14),
        title="Malam Guntung",
        contributions=[unit(world.a)],
        areas=[world.areas.bontang],
    )
    with pytest.raises(patrol_conflicts.ShiftConflictError) as exc:
        make_shift(
            world,
            op,
            start=dt(2026, 1, 30, 16),
            title="Malam Pelabuhan",
            contributions=[unit(world.a)],
            areas=[world.areas.bontang],
        )
    [conflict] = exc.value.conflicts
    assert conflict["kind"] == "unit_double_booked"
    assert conflict["unit"] == "Sabhara 1"
    assert conflict["message"] == (
        'Unit "Sabhara 1" of Polres Bontang is on "Malam Pelabuhan" (31 Jan 2026 00:00 to 31 Jan 2026 06:00 WITA) and '
        'on "Malam Guntung" (30 Jan 2026 22:00 to 31 Jan 2026 04:00 WITA) at the same time.'
    )
    assert PatrolShift.objects.count() == 1


def test_a_clash_with_a_shift_the_planner_may_not_see_does_not_name_it(world):
    """B's unit is on a secret operation of C's; A's planner booking the same unit learns that
    the unit is busy and when, never the secret shift's title."""
    secret = make_operation(world, classification=Classification.SECRET, lead=world.c, participants=[world.b])
    make_shift(world, secret, start=dt(2026, 1, 30, 14), title="Penyergapan gudang", contributions=[unit(world.b)])
    mine = make_operation(world, participants=[world.b])
    with pytest.raises(patrol_conflicts.ShiftConflictError) as exc:
        make_shift(world, mine, start=dt(2026, 1, 30, 16), contributions=[unit(world.b)], user=world.carol)
    [conflict] = exc.value.conflicts
    assert "Penyergapan" not in conflict["message"]
    assert "another shift you may not see" in conflict["message"]


def test_back_to_back_shifts_of_one_unit_do_not_clash(world):
    op = make_operation(world)
    make_shift(world, op, start=dt(2026, 1, 30, 14), contributions=[unit(world.a)])
    make_shift(world, op, start=dt(2026, 1, 30, 20), contributions=[unit(world.a)])
    assert PatrolShift.objects.count() == 2


def test_an_agency_over_its_declared_personnel_is_a_conflict(world):
    AgencyCapacity.objects.create(agency=world.a, personnel=20)
    op = make_operation(world)
    make_shift(
        world,
        op,
        start=dt(2026, 1, 30, 14),
        title="A",
        contributions=[unit(world.a, "Sabhara 1", 12)],
        areas=[world.areas.bontang],
    )
    with pytest.raises(patrol_conflicts.ShiftConflictError) as exc:
        make_shift(
            world,
            op,
            start=dt(2026, 1, 30, 15),
            title="B",
            contributions=[unit(world.a, "Sabhara 2", 9)],
            areas=[world.areas.bontang],
        )
    [conflict] = exc.value.conflicts
    assert conflict["kind"] == "over_capacity"
    assert (conflict["committed"], conflict["capacity"]) == (21, 20)
    assert conflict["message"] == (
        "Polres Bontang commits 21 personnel at 30 Jan 2026 23:00 WITA, more than the 20 it declared available."
    )
    assert len(conflict["shifts"]) == 2


def test_an_override_saves_the_clash_and_records_who_and_why(world):
    op = make_operation(world)
    first = make_shift(world, op, start=dt(2026, 1, 30, 14), contributions=[unit(world.a)])
    second = make_shift(
        world,
        op,
        start=dt(2026, 1, 30, 16),
        contributions=[unit(world.a)],
        user=world.alice,
        override_reason="Kapolres minta",
    )
    override = ConflictOverride.objects.get()
    assert (override.shift, override.user, override.reason) == (second, world.alice, "Kapolres minta")
    assert override.conflicts[0]["shifts"] == [second.pk, first.pk]
    assert override.conflicts[0]["kind"] == "unit_double_booked"


def test_conflict_list_finds_clashes_in_a_window(world):
    op = make_operation(world)
    make_shift(world, op, start=dt(2026, 1, 30, 14), contributions=[unit(world.a)])
    make_shift(world, op, start=dt(2026, 1, 30, 16), contributions=[unit(world.a)], override_reason="ok")
    found = patrol_conflicts.conflict_list(user=world.alice, start=dt(2026, 1, 30), end=dt(2026, 2, 1))
    assert [c["kind"] for c in found] == ["unit_double_booked"]
    assert patrol_conflicts.conflict_list(user=world.alice, start=dt(2026, 2, 2), end=dt(2026, 2, 3)) == []


def test_counting_conflicts_finds_the_same_ones_as_describing_them(world):
    """The calendar counts conflicts with describe=False (a lighter query, epoch times): the
    same clashes, pair by pair and stretch by stretch, at the window's edges too."""
    AgencyCapacity.objects.create(agency=world.a, personnel=20)
    op = make_operation(world)
    shifts = [
        make_shift(world, op, start=dt(2026, 1, 29, 20), contributions=[unit(world.a, "Sabhara 1", 12)]),
        make_shift(
            world, op, start=dt(2026, 1, 30, 0), contributions=[unit(world.a, "sabhara 1 ", 9)], override_reason="ok"
        ),
        make_shift(world, op, start=dt(2026, 1, 30, 6), contributions=[unit(world.a, "Sabhara 1", 4)]),
        make_shift(
            world,
            op,
            start=dt(2026, 1, 30, 8),
            contributions=[unit(world.a, "Sabhara 2", 18), unit(world.b, "Sabhara 1", 2)],
            override_reason="ok",
        ),
        make_shift(world, op, start=dt(2026, 1, 31, 10), contributions=[unit(world.b, "Sabhara 1", 2)]),
        # Python folds the Kelvin sign to "k": one unit, as the sweep compares names.
        make_shift(world, op, start=dt(2026, 1, 31, 12), contributions=[unit(world.b, "\u212a9 1", 2)]),
        make_shift(
            world, op, start=dt(2026, 1, 31, 14), contributions=[unit(world.b, "\tk9 1", 2)], override_reason="ok"
        ),
    ]
    ids = [s.pk for s in shifts]

    def found(describe, **kwargs):
        return [(c["kind"], c["shifts"]) for c in patrol_conflicts.conflicts_compute(describe=describe, **kwargs)]

    windows = [
        (dt(2026, 1, 29), dt(2026, 2, 2)),
        (dt(2026, 1, 30, 2), dt(2026, 1, 30, 6)),
        (dt(2026, 1, 30, 3), dt(2026, 1, 30, 8)),
        (dt(2026, 1, 30, 12), dt(2026, 2, 1)),
    ]
    kinds = set()
    for start, end in windows:
        for only in (None, {ids[1]}, {ids[3], ids[4]}):
            light = found(False, start=start, end=end, only_shift_ids=only)
            assert light == found(True, start=start, end=end, only_shift_ids=only)
            kinds |= {kind for kind, _ in light}
    assert kinds == {"unit_double_booked", "over_capacity"}
    kelvin = found(False, start=dt(2026, 1, 31), end=dt(2026, 2, 1), only_shift_ids={ids[5]})
    assert kelvin == [("unit_double_booked", [ids[5], ids[6]])]


def test_end_before_start_is_refused(world):
    op = make_operation(world)
    with pytest.raises(ValidationError):
        patrol_services.shift_create(
            user=world.alice, operation=op, starts_at=dt(2026, 1, 30, 14), ends_at=dt(2026, 1, 30, 13)
        )
    assert PatrolShift.objects.count() == 0


# --- Coverage ------------------------------------------------------------------------------


@pytest.fixture
def city(world):
    selatan = AreaFactory(name="Bontang Selatan", parent=world.areas.bontang)
    barat = AreaFactory(name="Bontang Barat", parent=world.areas.bontang)
    RiskAssessmentFactory(area=selatan, likelihood=5, impact=4, assessing_agency=world.a)
    RiskAssessmentFactory(area=world.areas.guntung, likelihood=2, impact=3, assessing_agency=world.a)
    return selatan, barat


NOW = dt(2026, 3, 1, 2)


def test_a_risk_20_area_without_patrols_ranks_first(world, city):
    selatan, barat = city
    op = make_operation(world)
    make_shift(world, op, start=dt(2026, 3, 1, 14), hours=6, areas=[world.areas.guntung])
    rows = patrol_coverage.coverage_list(user=world.alice, city=world.areas.bontang, now=NOW)
    assert [r["area_name"] for r in rows] == ["Bontang Selatan", "Bontang Utara", "Bontang Barat"]
    top = rows[0]
    assert (top["max_risk"], top["patrol_hours"], top["target_hours"], top["gap_hours"]) == (20, 0.0, 40, 40.0)
    assert (rows[1]["max_risk"], rows[1]["patrol_hours"], rows[1]["gap_hours"]) == (6, 6.0, 6.0)
    assert rows[2]["gap_hours"] == 0


def test_recent_incidents_raise_the_target(world, city):
    selatan, _ = city
    IncidentFactory(area=selatan, occurred_at=NOW - datetime.timedelta(days=3))
    rows = patrol_coverage.coverage_list(user=world.alice, city=world.areas.bontang, now=NOW)
    assert (rows[0]["area_name"], rows[0]["recent_incidents"], rows[0]["target_hours"]) == ("Bontang Selatan", 1, 41)


def test_fill_turns_the_gap_into_shifts_and_the_area_drops(world, city):
    selatan, _ = city
    op = make_operation(world)
    shifts = patrol_services.coverage_fill(user=world.alice, area=selatan, operation=op, now=NOW)
    assert len(shifts) == 7
    assert shifts[0].starts_at == dt(2026, 3, 1, 14)  # 22:00 WITA tonight
    assert {a for s in shifts for a in s.areas.all()} == {selatan}
    gaps = patrol_coverage.coverage_gaps(user=world.alice, city=world.areas.bontang, now=NOW)
    assert "Bontang Selatan" not in [r["area_name"] for r in gaps]


# --- Check-ins -----------------------------------------------------------------------------


@pytest.fixture
def route(world):
    op = make_operation(world)
    start = dt(2026, 1, 30, 14)
    shift = make_shift(
        world,
        op,
        start=start,
        contributions=[unit(world.a)],
        checkpoints=[
            {"name": "Pelabuhan", "latitude": Decimal("0.13"), "longitude": Decimal("117.49"), "planned_at": start},
            {
                "name": "Pasar",
                "latitude": Decimal("0.14"),
                "longitude": Decimal("117.50"),
                "planned_at": start + datetime.timedelta(hours=1),
            },
            {
                "name": "Terminal",
                "latitude": Decimal("0.15"),
                "longitude": Decimal("117.51"),
                "planned_at": start + datetime.timedelta(hours=2),
            },
            {
                "name": "Masjid",
                "latitude": Decimal("0.16"),
                "longitude": Decimal("117.52"),
                "planned_at": start + datetime.timedelta(hours=5),
            },
        ],
    )
    return shift


def test_checkpoints_are_on_time_late_missed_or_pending(world, route, settings):
    settings.SINERGI_CHECKIN_TOLERANCE_MINUTES = 15
    cps = list(route.checkpoints.order_by("order"))
    patrol_services.checkin_create(
        user=world.alice,
        shift=route,
        checkpoint=cps[0],
        latitude=Decimal("0.13"),
        longitude=Decimal("117.49"),
        at=cps[0].planned_at + datetime.timedelta(minutes=14),
    )
    patrol_services.checkin_create(
        user=world.alice,
        shift=route,
        checkpoint=cps[1],
        latitude=Decimal("0.14"),
        longitude=Decimal("117.50"),
        at=cps[1].planned_at + datetime.timedelta(minutes=16),
    )
    shift = patrol_selectors.shift_get(user=world.alice, pk=route.pk)
    now = cps[2].planned_at + datetime.timedelta(minutes=16)
    statuses = [(s["checkpoint"].name, s["status"]) for s in patrol_selectors.checkpoint_statuses(shift=shift, now=now)]
    assert statuses == [("Pelabuhan", "on_time"), ("Pasar", "late"), ("Terminal", "missed"), ("Masjid", "pending")]


def test_a_non_contributing_member_cannot_check_in(world, route):
    with pytest.raises(PermissionDenied):
        patrol_services.checkin_create(
            user=world.bob, shift=route, checkpoint=None, latitude=Decimal("0.1"), longitude=Decimal("117.4")
        )
    with pytest.raises(PermissionDenied):
        patrol_services.checkin_create(
            user=world.vera, shift=route, checkpoint=None, latitude=Decimal("0.1"), longitude=Decimal("117.4")
        )
    assert route.check_ins.count() == 0


# --- Visibility and rosters ----------------------------------------------------------------


def test_confidential_shifts_are_for_lead_participants_and_info_sharing_partners(world):
    op = make_operation(world, classification=Classification.CONFIDENTIAL)
    shift = make_shift(world, op, start=dt(2026, 1, 30, 14))
    assert list(patrol_selectors.shift_list(user=world.bob)) == [shift]  # B shares information with A
    assert list(patrol_selectors.shift_list(user=world.charlie)) == []
    assert list(patrol_selectors.shift_list(user=world.nobody)) == []


def test_secret_shifts_are_for_lead_and_participants_only(world):
    op = make_operation(world, classification=Classification.SECRET, participants=[world.c])
    make_shift(world, op, start=dt(2026, 1, 30, 14))
    assert patrol_selectors.shift_list(user=world.bob).count() == 0
    assert patrol_selectors.shift_list(user=world.charlie).count() == 1
    assert patrol_selectors.shift_list(user=world.alice).count() == 1


@pytest.fixture
def siskamling(world):
    group = AgencyFactory(name="Siskamling RT 05", kind=Agency.Kind.COMMUNITY)
    ketua = MembershipFactory(user=UserFactory(username="ketua"), agency=group, role=Membership.Role.LIAISON).user
    PartnershipFactory(title="Polres-RT05", agencies=[world.a, group], joint_patrol=True)
    op = make_operation(world, lead=group, name="Ronda RT 05")
    shift = make_shift(
        world,
        op,
        start=dt(2026, 1, 30, 14),
        kind=PatrolShift.Kind.COMMUNITY_WATCH,
        contributions=[unit(group, "Regu 1", 4, 0)],
        roster=[{"name": "Pak Budi", "phone": "+62 812 5550 1234"}],
    )
    return shift, ketua


def test_a_roster_is_for_the_group_and_its_police_partners(world, siskamling):
    shift, ketua = siskamling
    shift = PatrolShift.objects.select_related("operation__lead_agency").get(pk=shift.pk)
    assert patrol_selectors.roster_visible(user=ketua, shift=shift)
    assert patrol_selectors.roster_visible(user=world.alice, shift=shift)  # police partner
    assert not patrol_selectors.roster_visible(user=world.bob, shift=shift)  # A's partner, not the group's
    assert not patrol_selectors.roster_visible(user=world.charlie, shift=shift)
    assert RosterEntry.objects.filter(shift=shift).count() == 1


def test_checkpoint_outside_indonesia_is_refused(world):
    op = make_operation(world)
    with pytest.raises(ValidationError):
        make_shift(
            world,
            op,
            start=dt(2026, 1, 30, 14),
            checkpoints=[{"name": "Paris", "latitude": Decimal("48.85"), "longitude": Decimal("2.35")}],
        )
    assert PatrolShift.objects.count() == 0
    assert Checkpoint.objects.count() == 0


def test_the_change_accessor_hides_an_unseen_shift_and_refuses_a_seen_one(world):
    op = make_operation(world, classification=Classification.CONFIDENTIAL)
    shift = make_shift(world, op, start=dt(2026, 1, 30, 14), contributions=[unit(world.a)])
    with pytest.raises(Http404):
        patrol_selectors.shift_get_for_change(user=world.charlie, pk=shift.pk)
    with pytest.raises(PermissionDenied):  # an information-sharing partner reads, but plans nothing
        patrol_selectors.shift_get_for_change(user=world.bob, pk=shift.pk)
    assert patrol_selectors.shift_get_for_change(user=world.carol, pk=shift.pk) == shift


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


def test_the_shift_page_hides_roster_phones_from_non_partners(client, world, siskamling):
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
def test_the_coverage_page_ranks_and_one_click_fills(client, world, city):
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
