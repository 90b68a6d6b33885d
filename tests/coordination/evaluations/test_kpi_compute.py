"""The snapshot as a whole: its shape (every KPI of the scope, every breakdown), targets and
lights, an empty period, a year (whose previous period is the year before), the 30-row cap, the
query count, nothing but figures and names in it, and the same numbers on PostgreSQL and SQLite."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
import time_machine
from django.db import connection

from coordination.evaluations.kpis.base import Percentile, Scope, fold, percentile_cont, sum_columns
from coordination.evaluations.kpis.compute import compute_snapshot
from coordination.evaluations.kpis.definitions import BREAKDOWNS, kpis_for
from coordination.evaluations.kpis.targets import targets_for
from coordination.evaluations.periods import Period
from coordination.models import Evaluation, KpiTarget
from incidents.models import Incident
from tests.factories import AgencyFactory, IncidentFactory

from .kpi_world import NOW, Q3, build, incident, snapshot, tri

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    with time_machine.travel(NOW, tick=False):
        yield build()


@pytest.mark.parametrize("kind", ["city", "agency_a", "area_d1", "partnership"])
def test_the_snapshot_has_every_kpi_and_breakdown_of_its_scope(w, kind):
    s = snapshot(w, kind)
    scope_kind = s["scope"]["kind"]
    assert list(s["kpis"]) == [k.key for k in kpis_for(scope_kind)]
    assert set(s["breakdowns"]) == {k for k, b in BREAKDOWNS.items() if b.scope in (None, scope_kind)}
    for entry in s["kpis"].values():
        assert set(entry) == {"value", "previous", "year_before", "target", "light", "n"}
    assert s["version"] == 1
    assert s["period"] == {"kind": "quarter", "start": "2026-07-01", "end": "2026-09-30"}
    assert s["previous"]["start"] == "2026-04-01" and s["year_before"]["start"] == "2025-07-01"
    json.dumps(s)  # numbers and strings only


def test_the_scope_entry_names_what_was_evaluated(w):
    assert snapshot(w, "agency_a")["scope"] == {"kind": "agency", "id": w.a.pk, "name": "Polres Bontang"}
    assert snapshot(w, "area_d1")["scope"] == {"kind": "area", "id": w.d1.pk, "name": "Bontang Utara"}
    assert snapshot(w)["scope"] == {"kind": "city", "id": None, "name": None}


def test_the_snapshot_holds_no_title_or_text_of_any_record(w):
    Incident.objects.update(title="TOKEN-TITLE", description="TOKEN-TEXT")
    text = json.dumps(snapshot(w))
    assert "TOKEN" not in text and "Where?" not in text and "/incidents/" not in text


def test_a_secret_record_changes_no_figure(w):
    before = snapshot(w)
    with time_machine.travel(NOW, tick=False):
        incident(w, "2026-07-25 00:00", verify=1, respond=2, resolve_h=1, area=w.d1, reporting_agency=w.a,
                 classification="secret")  # fmt: skip
    after = snapshot(w)
    assert after["kpis"] == before["kpis"]
    assert after["breakdowns"] == before["breakdowns"]


def test_targets_the_agencys_before_the_citys_before_the_default(django_assert_num_queries):
    a, b = AgencyFactory(), AgencyFactory()
    KpiTarget.objects.create(kpi="alerts.ack_median", agency=None, value=Decimal("20"))
    KpiTarget.objects.create(kpi="alerts.ack_median", agency=a, value=Decimal("10"))
    KpiTarget.objects.create(kpi="incidents.total", agency=a, value=Decimal("500"))
    with django_assert_num_queries(1):
        for_a = targets_for(agency_id=a.pk)
    assert for_a["alerts.ack_median"] == Decimal("10")
    assert for_a["incidents.total"] == Decimal("500")
    assert for_a["alerts.ack_p90"] == Decimal("60")  # the default
    for_b = targets_for(agency_id=b.pk)
    assert for_b["alerts.ack_median"] == Decimal("20") and "incidents.total" not in for_b
    assert targets_for(agency_id=None)["alerts.ack_median"] == Decimal("20")


def test_a_target_sets_the_light(w):
    s = snapshot(w, targets={"incidents.verify_median": Decimal("28"), "incidents.within_target": Decimal("35")})
    # 30 against 28 (lower is better): within 10 % -> amber; 33.33 against 35 -> amber.
    assert s["kpis"]["incidents.verify_median"]["light"] == "amber"
    assert s["kpis"]["incidents.within_target"]["light"] == "amber"
    assert s["kpis"]["incidents.verify_median"]["target"] == 28
    # A KPI without a target (none given, no default) has no light.
    assert s["kpis"]["incidents.verify_p90"]["target"] is None
    assert s["kpis"]["incidents.verify_p90"]["light"] is None


def test_an_empty_period_gives_nones_and_zeros_not_errors(w):
    s = snapshot(w, period=Period.containing("month", dt.date(2024, 2, 1)))
    k = s["kpis"]
    assert tri(s, "incidents.total") == (0, 0, 0)
    assert k["incidents.verify_median"]["value"] is None and k["incidents.verify_median"]["light"] is None
    assert k["voice.skm_index"]["value"] is None
    assert k["patrols.high_risk_coverage"]["value"] is None
    assert s["breakdowns"]["incidents_by_category"]["rows"] == []
    assert s["breakdowns"]["incidents_heat"] == {"rows": [], "categories": [], "values": []}
    assert s["breakdowns"]["incidents_by_month"]["rows"] == [["2024-02", 0, 0]]


def test_a_years_previous_period_is_the_year_before(w):
    s = snapshot(w, period=Period.containing("year", dt.date(2026, 1, 1)))
    assert s["previous"] == s["year_before"]
    # 2026: i1, i2, i3 and i6; 2025: two.
    assert tri(s, "incidents.total") == (4, 2, 2)
    assert len(s["breakdowns"]["incidents_by_month"]["rows"]) == 12


def test_a_long_breakdown_keeps_29_rows_and_folds_the_rest_into_others():
    rows = [[f"Area {i:02d}", i, 1] for i in range(40)]
    out = fold(rows, size=lambda r: r[1], combine=lambda rest: sum_columns(rest, (1, 2), 3))
    assert len(out) == 30
    assert out[0] == ["Area 39", 39, 1]
    assert out[-1] == [{"id": "Lainnya", "en": "Others"}, sum(range(11)), 11]


def test_the_query_count_does_not_grow_with_the_data(w, django_assert_max_num_queries):
    # A partnership's quarter: three ranges, a query each for the incidents' aggregates.
    with django_assert_max_num_queries(44) as few:
        snapshot(w, "partnership")
    small = len(few.captured_queries)
    with time_machine.travel(NOW, tick=False):
        for day in range(1, 20):
            incident(
                w, f"2026-08-{day:02d} 00:00", verify=day, area=w.d2, reporting_agency=w.a, involved_agencies=[w.b]
            )
    with django_assert_max_num_queries(small):
        snapshot(w, "partnership")


def test_scope_from_an_evaluation():
    ev = Evaluation(scope_kind="area", scope_area_id=7, period_kind="month")
    assert Scope.from_evaluation(ev) == Scope(kind="area", area_id=7)


def test_percentile_cont_interpolates_as_postgresql_does():
    assert percentile_cont([10, 30, 60], 0.5) == 30
    assert percentile_cont([10, 30, 60], 0.9) == pytest.approx(54)
    assert percentile_cont([20, 50], 0.5) == 35
    assert percentile_cont([], 0.5) is None


def test_the_database_percentile_matches_the_python_one():
    """On SQLite `kpi_percentile`, on PostgreSQL percentile_cont: the same numbers."""
    values = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9]
    agency = AgencyFactory()
    for v in values:
        IncidentFactory(
            reporting_agency=agency, severity=v % 5, urgency=0, occurred_at=dt.datetime(2026, 1, v, tzinfo=dt.UTC)
        )
    got = Incident.objects.filter(reporting_agency=agency).aggregate(
        p50=Percentile("occurred_at__day", 0.5), p90=Percentile("occurred_at__day", 0.9)
    )
    assert got["p50"] == pytest.approx(percentile_cont([float(v) for v in values], 0.5))
    assert got["p90"] == pytest.approx(percentile_cont([float(v) for v in values], 0.9))
    assert connection.vendor in ("sqlite", "postgresql")


def test_compute_snapshot_reads_only(w, django_assert_max_num_queries):
    with django_assert_max_num_queries(40) as queries:
        compute_snapshot(scope=Scope("city"), period=Q3, targets={})
    # PostgreSQL: one transaction (a savepoint inside the test's) whose SET LOCAL gives the sorts memory.
    allowed = ("SELECT", "SAVEPOINT", "RELEASE SAVEPOINT", "SET LOCAL WORK_MEM")
    assert all(q["sql"].lstrip().upper().startswith(allowed) for q in queries.captured_queries)
