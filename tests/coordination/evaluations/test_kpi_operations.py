"""Joint operations, patrols (shifts, check-ins, high-risk coverage, overrides) and the risk
register, against hand-computed values of the world in kpi_world.py."""

from __future__ import annotations

import pytest
import time_machine

from .kpi_world import NOW, build, snapshot, tri

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    with time_machine.travel(NOW, tick=False):
        yield build()


def test_operations_held_agencies_and_sitreps(w):
    s = snapshot(w)
    # op1 held (A leads, B takes part); op2 only planned; op3 secret.
    assert tri(s, "operations.held") == (1, 1, 0)
    assert tri(s, "operations.agencies") == (2, 1, 0)
    # filed 1 h and 3 h after the end of their period (grace 2 h).
    assert s["kpis"]["operations.sitreps_on_time"]["value"] == 50.0
    assert s["kpis"]["operations.sitreps_on_time"]["n"] == 2


def test_patrol_shifts_and_check_ins(w):
    s = snapshot(w)
    assert tri(s, "patrols.shifts_held") == (2, 0, 0)
    # sh1's checkpoints: on time, late, missed, and one without a planned time checked in.
    assert s["kpis"]["patrols.checkins_on_time"]["value"] == 50.0
    assert s["kpis"]["patrols.checkins_on_time"]["n"] == 4
    assert tri(s, "patrols.checkins_late") == (1, 0, 0)
    assert tri(s, "patrols.checkins_missed") == (1, 0, 0)
    assert tri(s, "patrols.conflicts_overridden") == (1, 0, 0)


def test_high_risk_coverage_counts_area_days_with_a_patrol_over_the_area_or_around_it(w):
    k = snapshot(w)["kpis"]["patrols.high_risk_coverage"]
    # V1 is high-risk (16) from January: 92 days in Q3; the patrol over D1 (V1's district) ran on
    # 16 July in WIB; the secret operation's patrol over V1 does not count.
    assert (k["value"], k["previous"], k["year_before"], k["n"]) == (1.09, 0.0, None, 92)


@pytest.mark.parametrize(
    "kind, held, shifts",
    [("agency_a", (1, 1, 0), (1, 0, 0)), ("agency_b", (1, 0, 0), (1, 0, 0)), ("area_d1", (0, 0, 0), (1, 0, 0))],
)
def test_operation_and_patrol_scopes(w, kind, held, shifts):
    s = snapshot(w, kind)
    assert tri(s, "operations.held") == held
    assert tri(s, "patrols.shifts_held") == shifts


def test_risk_reviews_overdue_at_each_ranges_end_and_scores_moving(w):
    s = snapshot(w)
    # Q3's end: rk2 (due 1 Sept.); rk1 was re-assessed by rk3. Q2's end: rk1 (due 30 June).
    assert tri(s, "risks.reviews_overdue") == (1, 1, 0)
    assert tri(s, "risks.scores_down") == (1, 0, 0)  # rk3 (9) after rk1 (16)
    assert tri(s, "risks.scores_up") == (0, 0, 0)
    assert tri(snapshot(w, "agency_b"), "risks.reviews_overdue") == (1, 0, 0)
