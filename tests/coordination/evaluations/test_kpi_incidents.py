"""Incidents and response times, and citizens' reports, against hand-computed values of the
world in kpi_world.py (Q3 2026; previous Q2 2026; year before Q3 2025)."""

from __future__ import annotations

import pytest
import time_machine

from agencies.models import Severity
from coordination.evaluations.kpis.base import label_cell

from .kpi_world import NOW, build, incident, snapshot, tri

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    with time_machine.travel(NOW, tick=False):
        yield build()


def test_incidents_count_what_occurred_in_each_range_and_never_secret_or_rejected_ones(w):
    s = snapshot(w)
    assert tri(s, "incidents.total") == (3, 1, 2)


def test_response_times_are_medians_and_90th_percentiles_from_reported(w):
    k = snapshot(w)["kpis"]
    # verified after 10, 30, 60 min; responding after 20, 50; resolved after 2 h.
    assert (k["incidents.verify_median"]["value"], k["incidents.verify_median"]["n"]) == (30.0, 3)
    assert k["incidents.verify_p90"]["value"] == 54.0  # 30 + (60 - 30) x 0.8
    assert (k["incidents.respond_median"]["value"], k["incidents.respond_median"]["n"]) == (35.0, 2)
    assert k["incidents.respond_p90"]["value"] == 47.0
    assert k["incidents.resolve_median"]["value"] == 2.0 and k["incidents.resolve_p90"]["value"] == 2.0
    assert k["incidents.verify_median"]["previous"] == 20.0
    assert k["incidents.verify_median"]["year_before"] is None


def test_within_target_counts_every_incident_and_the_target_of_its_severity(w):
    k = snapshot(w)["kpis"]
    # extreme after 20 min (target 15): no; moderate after 50 (60): yes; never responded: no.
    assert k["incidents.within_target"]["value"] == 33.33
    assert k["incidents.within_target"]["light"] == "red"
    assert k["incidents.resolved_share"]["value"] == 33.33
    assert k["incidents.verify_median"]["light"] == "green"  # 30 against 30, lower is better


@pytest.mark.parametrize(
    "kind, expected",
    [("agency_a", (2, 1, 0)), ("agency_b", (2, 0, 2)), ("area_d1", (2, 1, 0)), ("partnership", (1, 0, 0))],
)
def test_each_scope_selects_its_incidents(w, kind, expected):
    assert tri(snapshot(w, kind), "incidents.total") == expected


def test_breakdowns_by_month_category_area_heat_and_severity(w):
    b = snapshot(w)["breakdowns"]
    assert b["incidents_by_month"]["rows"] == [["2026-07", 2, 1], ["2026-08", 1, 0], ["2026-09", 0, 1]]
    theft = {"id": w.theft.name_id, "en": w.theft.name_en}
    fire = {"id": w.fire.name_id, "en": w.fire.name_en}
    assert b["incidents_by_category"]["rows"] == [[theft, 2, 1], [fire, 1, 0]]
    # The village V1 rolls up into its district D1.
    assert b["incidents_by_area"]["rows"] == [["Bontang Utara", 2, 1], ["Bontang Selatan", 1, 0]]
    assert b["incidents_heat"] == {
        "rows": [["Bontang Utara"], ["Bontang Selatan"]],
        "categories": [theft, fire],
        "values": [[2, 0], [0, 1]],
    }
    assert b["response_by_severity"]["rows"] == [
        [label_cell(Severity.EXTREME.label), 1, 20.0, 20.0, 15, 0.0],
        [label_cell(Severity.MODERATE.label), 2, 50.0, 50.0, 60, 50.0],
    ]


def test_an_area_scope_groups_its_incidents_one_level_down(w):
    rows = snapshot(w, "area_d1")["breakdowns"]["incidents_by_area"]["rows"]
    assert rows == [["Bontang Utara", 1, 1], ["Guntung", 1, 0]]  # ties by name


def test_reports_moderation_spam_verified_and_questions(w):
    k = snapshot(w)["kpis"]
    assert tri({"kpis": k}, "reports.total") == (3, 1, 0)
    assert k["reports.moderation_median"]["value"] == 165.0  # 30 and 300 minutes
    assert k["reports.moderation_median"]["n"] == 2
    assert k["reports.moderated_within_target"]["value"] == 33.33  # 4 h target; one still waits
    assert k["reports.verified_share"]["value"] == 33.33
    assert k["reports.spam_share"]["value"] == 33.33
    assert k["reports.questions_answered"]["value"] == 50.0


@pytest.mark.parametrize(
    "kind, expected", [("agency_a", (2, 1, 0)), ("area_d1", (2, 1, 0)), ("partnership", (1, 0, 0))]
)
def test_reports_by_jurisdiction_area_or_shared_incident(w, kind, expected):
    assert tri(snapshot(w, kind), "reports.total") == expected


def test_a_month_is_the_citys_month(w):
    """The months are those of the city's clock (Asia/Jakarta, UTC+7): 31 July 17:30 UTC is
    already 1 August there, 16:30 UTC still July."""
    before = tri(snapshot(w), "incidents.total")[0]
    incident(w, "2026-07-31 16:30", area=w.d1, reporting_agency=w.a)
    incident(w, "2026-07-31 17:30", area=w.d1, reporting_agency=w.a)
    rows = snapshot(w)["breakdowns"]["incidents_by_month"]["rows"]
    assert rows == [["2026-07", 3, 1], ["2026-08", 2, 0], ["2026-09", 0, 1]]
    assert tri(snapshot(w), "incidents.total")[0] == before + 2
