"""An evaluation's tables as XLSX and CSV: numbers stay numbers with a format, headers in the
reader's language, names made safe against formula injection, unknown tables refused."""

import csv
import io
from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import override
from openpyxl import load_workbook

from coordination.evaluations.kpis.definitions import BREAKDOWNS, KPIS, kpis_for
from coordination.evaluations.reports.exports import csv_tables, evaluation_csv, evaluation_xlsx
from coordination.models import Evaluation
from tests.coordination.evaluations.report_snapshot import full_snapshot


def _evaluation(**snapshot_changes) -> Evaluation:
    snapshot = full_snapshot(rows=30)
    snapshot.update(snapshot_changes)
    return Evaluation(period_kind="quarter", scope_kind="city", snapshot=snapshot)


def test_the_workbook_has_the_kpi_sheet_and_one_per_breakdown_with_numbers_as_numbers():
    book = load_workbook(io.BytesIO(evaluation_xlsx(evaluation=_evaluation(), language="en")))
    city = [b for b in BREAKDOWNS.values() if b.scope is None]
    assert len(book.sheetnames) == 1 + len(city)
    assert book.sheetnames[0] == "Indicators"
    sheet = book["Indicators"]
    header = [c.value for c in sheet[1]]
    assert header[:7] == ["Section", "Indicator", "Unit", "Q3 2026", "Previous period", "A year before", "Target"]
    assert sheet["A1"].font.bold
    rows = {row[9]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert list(rows) == [k.key for k in kpis_for("city")]
    total = rows["incidents.total"]
    with override("en"):
        assert (total[1], total[3], total[4], total[5]) == (str(KPIS["incidents.total"].label), 1234, 1100, 980)
    share = rows["incidents.within_target"]
    assert (share[3], share[6], share[7], share[8]) == (85.25, 80.0, "On target", "down")
    cells = {c.value: c for c in sheet["J"]}
    row = cells["incidents.within_target"].row
    assert sheet.cell(row=row, column=4).number_format == "0.0"
    assert sheet.cell(row=cells["incidents.total"].row, column=4).number_format == "#,##0"


def test_a_breakdown_sheet_reads_back_with_its_values():
    book = load_workbook(io.BytesIO(evaluation_xlsx(evaluation=_evaluation(), language="id")))

    def titled(english: str) -> Any:
        """The sheet of a table, named in the reader's language (at most 31 characters)."""
        with translation.override("id"):
            return book[translation.gettext(english)[:31].strip()]

    sheet = titled("Response times by severity")
    values = list(sheet.iter_rows(values_only=True))
    assert values[1][0] == "Ekstrem" and values[1][1] == 40 and values[1][2] == 20.0
    assert sheet.cell(row=2, column=6).number_format == "0.0"
    areas = titled("Incidents by area")
    assert areas.max_row == 31 and areas.cell(row=2, column=1).value == "Bontang Utara"
    heat = titled("Incidents by area and category")
    assert [c.value for c in heat[1]][1] == "Pencurian" and isinstance(heat.cell(row=2, column=2).value, int)


def test_text_that_looks_like_a_formula_is_written_as_text():
    evaluation = _evaluation()
    evaluation.snapshot["breakdowns"]["incidents_by_area"]["rows"][0][0] = '=HYPERLINK("http://x","y")'
    evaluation.snapshot["breakdowns"]["ack_by_agency"]["rows"][0][0] = "@SUM(A1)"
    book = load_workbook(io.BytesIO(evaluation_xlsx(evaluation=evaluation, language="en")))
    assert book["Incidents by area"].cell(row=2, column=1).value == '\'=HYPERLINK("http://x","y")'
    assert book["Incidents by area"].cell(row=2, column=1).data_type == "s"
    rows = list(csv.reader(io.StringIO(evaluation_csv(evaluation=evaluation, table="ack_by_agency", language="en"))))
    assert rows[1][0] == "'@SUM(A1)"


def test_the_kpi_csv_parses_with_plain_numbers_and_translated_headers():
    text = evaluation_csv(evaluation=_evaluation(), table="kpis", language="id")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][3] == "Triwulan III 2026"
    by_key = {r[9]: r for r in rows[1:]}
    assert by_key["incidents.total"][3] == "1234" and by_key["incidents.within_target"][3] == "85.25"
    assert by_key["incidents.total"][6] == ""  # no target: an empty cell, not "None"
    assert len(rows) == 1 + len(kpis_for("city"))


@pytest.mark.parametrize("key", [b.key for b in BREAKDOWNS.values() if b.scope is None])
def test_every_breakdown_of_the_scope_exports_as_csv(key):
    rows = list(csv.reader(io.StringIO(evaluation_csv(evaluation=_evaluation(), table=key, language="en"))))
    assert len(rows) > 1
    if BREAKDOWNS[key].chart != "heat":
        with override("en"):
            assert rows[0] == [str(c.label) for c in BREAKDOWNS[key].columns]


@pytest.mark.parametrize("table", ["nope", "partnership_pairs", "", "KPIS"])
def test_an_unknown_table_is_refused(table):
    with pytest.raises(ValueError):
        evaluation_csv(evaluation=_evaluation(), table=table, language="en")


def test_the_tables_offered_are_those_that_export():
    evaluation = _evaluation()
    del evaluation.snapshot["breakdowns"]["skm_by_service"]
    names = csv_tables(evaluation=evaluation)
    assert names[0] == "kpis" and "skm_by_service" not in names and "incidents_heat" in names
    for name in names:
        evaluation_csv(evaluation=evaluation, table=name, language="en")


def test_an_empty_snapshot_exports_headers_only():
    evaluation = Evaluation(snapshot={})
    book = load_workbook(io.BytesIO(evaluation_xlsx(evaluation=evaluation, language="en")))
    assert book.sheetnames == ["Indicators"] and book["Indicators"].max_row == 1
    assert len(list(csv.reader(io.StringIO(evaluation_csv(evaluation=evaluation, table="kpis", language="en"))))) == 1
