"""Programmes, action items and the community's voice (SKM), against hand-computed values of
the world in kpi_world.py."""

from __future__ import annotations

import pytest
import time_machine

from coordination.evaluations.kpis.base import label_cell
from coordination.models import Survey, TargetGroup

from .kpi_world import NOW, build, snapshot, tri

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    with time_machine.travel(NOW, tick=False):
        yield build()


def test_programmes_held_against_planned_and_reach(w):
    s = snapshot(w)
    assert tri(s, "programmes.held") == (1, 1, 0)
    assert tri(s, "programmes.held_share") == (33.33, 100.0, None)
    assert tri(s, "programmes.reach") == (93.33, 50.0, None)  # 140 of 150; 20 of 40
    G = TargetGroup.Group
    assert s["breakdowns"]["reach_by_group"]["rows"] == [
        [label_cell(G.STUDENTS.label), 100, 80, 80.0],
        [label_cell(G.RESIDENTS.label), 50, 60, 120.0],
    ]


def test_action_items_closed_on_time_and_overdue(w):
    s = snapshot(w)
    assert s["kpis"]["actions.closed_on_time"]["value"] == 33.33
    assert s["kpis"]["actions.closed_on_time"]["n"] == 3  # the secret exercise's item is not one
    assert tri(s, "actions.overdue") == (1, 0, 0)
    b = snapshot(w, "agency_b")
    assert b["kpis"]["actions.closed_on_time"]["value"] == 0.0


def test_the_satisfaction_index_uses_the_regulations_formula(w):
    s = snapshot(w)
    # U1: 4, 3, 2 -> 3; U2: 3, 3, 2 -> 8/3; (3 + 8/3) / 2 x 25 = 70.83. Q2: every answer 1 -> 25.
    assert tri(s, "voice.skm_index") == (70.83, 25.0, None)
    assert tri(s, "voice.skm_responses") == (3, 1, 0)
    assert tri(s, "voice.programme_responses") == (1, 0, 0)
    assert s["breakdowns"]["skm_by_agency"]["rows"] == [["Polres Bontang", 2, 81.25], ["BPBD Bontang", 1, 50.0]]
    S = Survey.Service
    assert s["breakdowns"]["skm_by_service"]["rows"] == [
        [label_cell(S.REPORT_HANDLING.label), 2, 81.25],
        [label_cell(S.PROGRAMME.label), 1, 50.0],
    ]


@pytest.mark.parametrize(
    "kind, held, skm",
    [("agency_a", (1, 1, 0), 81.25), ("agency_b", (1, 0, 0), 50.0), ("partnership", (1, 0, 0), 70.83)],
)
def test_programme_and_voice_scopes(w, kind, held, skm):
    s = snapshot(w, kind)
    assert tri(s, "programmes.held") == held
    assert s["kpis"]["voice.skm_index"]["value"] == skm
