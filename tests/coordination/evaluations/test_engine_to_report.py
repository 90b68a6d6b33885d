"""The engine's snapshots, not a sample, through everything that renders them: the figures of
the page (both languages, public or not), the PDF, the XLSX and every CSV table, for each scope
kind of the hand-computed world. The engine and the renderers were written against one contract;
this holds them to it."""

from __future__ import annotations

import csv
import io

import pytest
import time_machine
from openpyxl import load_workbook

from coordination.evaluations.presenters import figures
from coordination.evaluations.reports.exports import csv_tables, evaluation_csv, evaluation_xlsx
from coordination.evaluations.reports.pdf import evaluation_pdf
from coordination.models import Evaluation

from .kpi_world import NOW, Q3, build, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), time_machine.travel(NOW, tick=False):
        from django.db import transaction

        with transaction.atomic():
            w = build()
            snaps = {kind: snapshot(w, kind) for kind in ("city", "agency_a", "area_d1", "partnership")}
            yield w, snaps
            transaction.set_rollback(True)


@pytest.mark.parametrize("kind", ["city", "agency_a", "area_d1", "partnership"])
def test_an_engine_snapshot_renders_everywhere(world, kind):
    w, snaps = world
    snap = snaps[kind]
    scope = snap["scope"]["kind"]
    evaluation = Evaluation(
        owner_agency=w.a,
        period_kind="quarter",
        period_start=Q3.start,
        period_end=Q3.end,
        scope_kind=scope,
        status="published",
        snapshot=snap,
    )
    for language in ("id", "en"):
        shown = figures(snap, language=language)
        rows = [row for section in shown.sections for row in section.kpis]
        # Every KPI the engine computed is a row of the page, with its value formatted.
        assert len(rows) == len(snap["kpis"])
        incidents = next(r for r in rows if r.key == "incidents.total")
        assert incidents.value == snap["kpis"]["incidents.total"]["value"]
        assert incidents.display == str(incidents.value)
        public = figures(snap, language=language, public_only=True)
        assert 0 < sum(len(s.kpis) for s in public.sections) < len(rows)
        pdf = evaluation_pdf(evaluation=evaluation, findings=[], actions=[], previous_actions=[], language=language)
        assert pdf.startswith(b"%PDF") and len(pdf) > 5000
        book = load_workbook(io.BytesIO(evaluation_xlsx(evaluation=evaluation, language=language)))
        assert len(book.sheetnames) >= 2
        for table in csv_tables(evaluation=evaluation):
            parsed = list(
                csv.reader(io.StringIO(evaluation_csv(evaluation=evaluation, table=table, language=language)))
            )
            assert parsed and parsed[0]
