"""The engine's lanes side by side (PostgreSQL, outside a transaction): the same figures as one
connection reading in turn, one instant for every lane even while others write, the
connections closed after, and the services computing before their transaction so that they
take that path."""

from __future__ import annotations

import threading

import pytest
import time_machine
from django.db import connection, connections, transaction

from coordination.evaluations import services
from coordination.evaluations.kpis import compute, incidents
from coordination.evaluations.kpis.compute import compute_snapshot

from .kpi_world import NOW, Q3, build, incident, scope_of

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the lanes run side by side on PostgreSQL only"),
]


@pytest.fixture
def w():
    with time_machine.travel(NOW, tick=False):
        yield build()


def _figures(snap: dict) -> dict:
    return {k: v for k, v in snap.items() if k != "computed_at"}


def _backends() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        return cursor.fetchone()[0]


@pytest.mark.parametrize("kind", ["city", "agency_a", "area_d1", "partnership"])
def test_side_by_side_gives_the_figures_of_one_connection(w, kind, monkeypatch):
    lanes_seen: list[str] = []
    read_range = incidents.read_range

    def spy(ctx, b):
        lanes_seen.append(threading.current_thread().name)
        return read_range(ctx, b)

    monkeypatch.setattr(incidents, "read_range", spy)
    with time_machine.travel(NOW, tick=False):
        before = _backends()
        side_by_side = compute_snapshot(scope=scope_of(w, kind), period=Q3, targets={})
        assert any(name.startswith("kpi-lane") for name in lanes_seen)  # it did run on other threads
        assert _backends() == before  # their connections are closed
        lanes_seen.clear()
        with transaction.atomic():
            in_turn = compute_snapshot(scope=scope_of(w, kind), period=Q3, targets={})
        assert not any(name.startswith("kpi-lane") for name in lanes_seen)
    assert _figures(side_by_side) == _figures(in_turn)
    assert side_by_side["kpis"]["incidents.total"]["value"] > 0


def test_every_lane_reads_the_instant_the_computation_began(w, monkeypatch):
    """An incident committed while the lanes run counts in none of them: the lane that reads
    the period's incidents starts after it was committed, yet reads the exported snapshot."""
    scope = scope_of(w, "city")
    with time_machine.travel(NOW, tick=False):
        base = _figures(compute_snapshot(scope=scope, period=Q3, targets={}))
    original = compute.lanes

    def lanes(ctx):
        # Before the lanes start, another connection commits an incident of the period.
        writer = threading.Thread(target=_commit_incident, args=(w,))
        writer.start()
        writer.join()
        return original(ctx)

    monkeypatch.setattr(compute, "lanes", lanes)
    with time_machine.travel(NOW, tick=False):
        during = _figures(compute_snapshot(scope=scope, period=Q3, targets={}))
    monkeypatch.setattr(compute, "lanes", original)
    with time_machine.travel(NOW, tick=False):
        after = _figures(compute_snapshot(scope=scope, period=Q3, targets={}))
    # Every figure, those of the other lanes' connections too (the breakdowns by area and
    # category are read on one of them).
    assert during == base
    assert after["kpis"]["incidents.total"]["value"] == base["kpis"]["incidents.total"]["value"] + 1
    assert after["breakdowns"]["incidents_by_area"] != base["breakdowns"]["incidents_by_area"]


def _commit_incident(w) -> None:
    try:
        with time_machine.travel(NOW, tick=False):
            incident(w, "2026-08-20 10:00", area=w.d1, reporting_agency=w.a)
    finally:
        connections["default"].close()


def test_the_services_compute_before_their_transaction(w, monkeypatch):
    """Recomputing a draft runs the engine outside a transaction (so side by side), then saves
    under the lock."""
    from agencies.models import Membership
    from coordination.models import Evaluation
    from tests.factories import MembershipFactory, UserFactory

    analyst = MembershipFactory(user=UserFactory(username="analyst"), agency=w.a, role=Membership.Role.LIAISON).user
    seen: list[bool] = []
    real = compute_snapshot

    def spy(**kwargs):
        seen.append(connection.in_atomic_block)
        return real(**kwargs)

    monkeypatch.setattr(services, "compute_snapshot", spy)
    with time_machine.travel(NOW, tick=False):
        ev = services.evaluation_create(
            actor=analyst, period_kind="quarter", period_start=Q3.start, scope_kind="agency", scope_agency=w.a
        )
        services.evaluation_recompute(actor=analyst, evaluation=Evaluation.objects.get(pk=ev.pk))
    assert seen == [False, False]
    assert Evaluation.objects.get(pk=ev.pk).snapshot["kpis"]["incidents.total"]["value"] > 0


def test_a_lane_without_a_connection_runs_in_turn(w, monkeypatch, caplog):
    """When another connection cannot be had, the figures are the same, read on the caller's."""
    from django.db import OperationalError

    with time_machine.travel(NOW, tick=False):
        expected = _figures(compute_snapshot(scope=scope_of(w, "agency_a"), period=Q3, targets={}))

    def refused(sections, ctx, snapshot):
        raise OperationalError("FATAL: sorry, too many clients already")

    monkeypatch.setattr(compute, "_lane", refused)
    with time_machine.travel(NOW, tick=False):
        got = _figures(compute_snapshot(scope=scope_of(w, "agency_a"), period=Q3, targets={}))
    assert got == expected
    assert "could not read side by side" in caplog.text
