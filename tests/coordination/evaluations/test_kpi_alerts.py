"""Alerts, deliveries, acknowledgement, and what a partnership's parties did together, against
hand-computed values of the world in kpi_world.py."""

from __future__ import annotations

import pytest
import time_machine

from coordination.evaluations.kpis.base import label_cell
from incidents.models import Delivery

from .kpi_world import NOW, build, snapshot, tri

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    with time_machine.travel(NOW, tick=False):
        yield build()


def test_alerts_acknowledgement_escalation_and_never_a_secret_threats(w):
    k = snapshot(w)["kpis"]
    assert tri({"kpis": k}, "alerts.total") == (3, 1, 0)
    # acknowledged after 5 and 25 minutes; the third never.
    assert (k["alerts.ack_median"]["value"], k["alerts.ack_median"]["n"]) == (15.0, 2)
    assert k["alerts.ack_p90"]["value"] == 23.0
    assert k["alerts.ack_median"]["previous"] == 10.0
    assert k["alerts.escalated"]["value"] == 2
    assert k["alerts.unacknowledged"]["value"] == 1
    assert k["alerts.unacknowledged"]["light"] == "red"  # target 0; 1 is more than 10 % past it


def test_delivery_success_per_channel_counts_outcomes_only(w):
    s = snapshot(w)
    k = s["kpis"]
    assert k["alerts.delivered_email"]["value"] == 100.0 and k["alerts.delivered_email"]["n"] == 2
    assert k["alerts.delivered_sms"]["value"] == 0.0
    assert k["alerts.delivered_in_app"]["value"] == 100.0
    assert k["alerts.delivered_webhook"]["value"] is None  # only a queued one
    C = Delivery.Channel
    assert s["breakdowns"]["delivery_by_channel"]["rows"] == [
        [label_cell(C.IN_APP.label), 1, 0, 100.0],
        [label_cell(C.EMAIL.label), 2, 0, 100.0],
        [label_cell(C.SMS.label), 1, 1, 0.0],
    ]


def test_acknowledgement_by_agency(w):
    rows = snapshot(w)["breakdowns"]["ack_by_agency"]["rows"]
    assert sorted(rows) == sorted(
        [
            ["BPBD Bontang", 1, 5.0, 5.0, 0, 0],
            ["Lanal Bontang", 1, 25.0, 25.0, 1, 0],
            ["Polres Bontang", 1, None, None, 1, 1],
        ]
    )


@pytest.mark.parametrize(
    "kind, expected", [("agency_b", (1, 1, 0)), ("area_d1", (2, 0, 0)), ("partnership", (2, 1, 0))]
)
def test_alert_scopes(w, kind, expected):
    assert tri(snapshot(w, kind), "alerts.total") == expected


def test_a_partnership_sees_what_its_parties_did_together(w):
    s = snapshot(w, "partnership")
    assert s["scope"]["agencies"] == sorted(
        [{"id": w.a.pk, "name": w.a.name}, {"id": w.b.pk, "name": w.b.name}], key=lambda a: a["name"]
    )
    assert tri(s, "partnership.operations") == (1, 0, 0)
    assert tri(s, "partnership.bulletins") == (1, 1, 0)
    assert tri(s, "partnership.alerts") == (2, 1, 0)
    assert s["kpis"]["partnership.ack_median"]["value"] == 5.0
    assert tri(s, "partnership.exercises") == (1, 0, 0)
    assert tri(s, "partnership.programmes") == (1, 0, 0)
    # A's threat alerted B (acknowledged in 5 min), B's alerted A (never); ties by issuer's id.
    assert s["breakdowns"]["partnership_pairs"]["rows"] == [
        ["Polres Bontang", "BPBD Bontang", 1, 5.0],
        ["BPBD Bontang", "Polres Bontang", 1, None],
    ]


def test_partnership_kpis_only_in_a_partnerships_evaluation(w):
    s = snapshot(w)
    assert not any(k.startswith("partnership.") for k in s["kpis"])
    assert "partnership_pairs" not in s["breakdowns"]
