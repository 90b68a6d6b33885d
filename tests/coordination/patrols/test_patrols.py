"""Patrol services and selectors: recurrence, coverage, check-ins, visibility, rosters (conflicts
and overrides: test_conflicts.py; the pages: test_patrol_pages.py)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import translation

from agencies.models import Agency, Classification, Membership, TimeZoneChoice
from coordination.models import (
    Checkpoint,
    JointOperation,
    Participation,
    PatrolShift,
    RosterEntry,
)
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
