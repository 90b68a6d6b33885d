"""Every KPI table of an evaluation as XLSX (one sheet for the KPIs, one per breakdown and one
for the heat map) and as CSV (one table at a time). Cells hold numbers as numbers, with a
number format by unit (a spreadsheet sums them), names as text made safe against formula
injection (common.spreadsheets); headers in the reader's language. Built from the frozen
snapshot through `presenters.figures`, so the figures match the page and the PDF."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import override, pgettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from common.spreadsheets import spreadsheet_cell

from ..presenters import Figures, Heat, Table, figures

if TYPE_CHECKING:
    from coordination.models import Evaluation

# Excel number formats by unit: a count with thousands, a percent (0-100) with one decimal, an
# index with two; minutes whole.
FORMATS = {"count": "#,##0", "percent": "0.0", "minutes": "#,##0", "hours": "0.0", "index": "0.00"}
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _units() -> dict[str, str]:
    return {
        "count": _("number"),
        "percent": "%",
        "minutes": pgettext("duration", "minutes"),
        "hours": pgettext("duration", "hours"),
        "index": _("index (25-100)"),
    }


def _light_names() -> dict[str, str]:
    return {"green": _("On target"), "amber": _("Near target"), "red": _("Off target")}


def _trend_names() -> dict[str, str]:
    return {"up": _("up"), "down": _("down"), "flat": _("unchanged")}


def _kpi_rows(block: Figures) -> Iterator[tuple[list[Any], str | None]]:
    """The KPI table: a header, then one row per KPI with the unit that formats its numbers."""
    yield (
        [
            _("Section"),
            _("Indicator"),
            pgettext("measure", "Unit"),
            block.period_label or _("This period"),
            _("Previous period"),
            _("A year before"),
            _("Target"),
            _("Status"),
            _("Trend"),
            _("Key"),
        ],
        None,
    )
    units, lights, trends = _units(), _light_names(), _trend_names()
    for section in block.sections:
        for kpi in section.kpis:
            yield (
                [
                    section.title,
                    kpi.label,
                    units.get(kpi.unit, kpi.unit),
                    kpi.value,
                    kpi.previous_value,
                    kpi.year_before_value,
                    kpi.target_value,
                    lights.get(kpi.light or "", ""),
                    trends.get(kpi.trend or "", ""),
                    kpi.key,
                ],
                kpi.unit,
            )


def _table_rows(table: Table) -> Iterator[list[Any]]:
    yield [c.label for c in table.columns]
    for row in table.rows:
        yield [cell.value for cell in row]


def _heat_rows(heat: Heat) -> Iterator[list[Any]]:
    yield [heat.row_label, *heat.categories]
    for name, cells in heat.rows:
        yield [name, *(c.value for c in cells)]


def _tables(block: Figures) -> dict[str, Table | Heat]:
    found: dict[str, Table | Heat] = {}
    for section in block.sections:
        for table in section.tables:
            found[table.key] = table
        if section.heat is not None:
            found[section.heat.key] = section.heat
    return found


def _sheet_title(title: str, taken: set[str]) -> str:
    # Excel's limits: 31 characters, none of []:*?/\ ; a repeated name gets a number.
    base = _SHEET_FORBIDDEN.sub(" ", title).strip()[:31] or "Sheet"
    name, i = base, 2
    while name.lower() in taken:
        name, i = f"{base[:27]} {i}", i + 1
    taken.add(name.lower())
    return name


def _fill(sheet: Any, rows: Iterator[list[Any]], formats: list[str | None] | None = None) -> None:
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="E9EEF4")
    widths: dict[int, int] = {}
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c, value=spreadsheet_cell(value))
            widths[c] = max(widths.get(c, 8), min(len(str(value if value is not None else "")) + 2, 60))
            if r == 1:
                cell.font = bold
                cell.fill = header_fill
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            elif formats and c - 1 < len(formats) and formats[c - 1] and isinstance(value, (int, float)):
                cell.number_format = FORMATS.get(formats[c - 1] or "", "General")
    for c, width in widths.items():
        sheet.column_dimensions[get_column_letter(c)].width = width
    sheet.freeze_panes = "B2"


def evaluation_xlsx(*, evaluation: Evaluation, language: str) -> bytes:
    """The evaluation's KPI table and every breakdown as one workbook (a sheet each)."""
    block = figures(evaluation.snapshot, language=language)
    book = Workbook()
    with override(block.language):
        sheet = book.active
        assert sheet is not None
        taken: set[str] = set()
        sheet.title = _sheet_title(_("Indicators"), taken)
        kpi_rows = list(_kpi_rows(block))
        _fill(sheet, iter([row for row, _unit in kpi_rows]))
        # Numbers of each KPI row take their unit's format (columns 4 to 7).
        for r, (_row, unit) in enumerate(kpi_rows[1:], start=2):
            for c in range(4, 8):
                cell = sheet.cell(row=r, column=c)
                if isinstance(cell.value, (int, float)):
                    cell.number_format = FORMATS.get(unit or "", "General")
        for table in _tables(block).values():
            sheet = book.create_sheet(_sheet_title(table.title, taken))
            if isinstance(table, Heat):
                _fill(sheet, _heat_rows(table), [None] + ["count"] * len(table.categories))
            else:
                _fill(sheet, _table_rows(table), [c.unit for c in table.columns])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_tables(*, evaluation: Evaluation) -> list[str]:
    """The table names `evaluation_csv` accepts for this evaluation: "kpis", then its breakdowns."""
    return ["kpis", *_tables(figures(evaluation.snapshot, language="en"))]


def evaluation_csv(*, evaluation: Evaluation, table: str, language: str) -> str:
    """One table as CSV: "kpis", or the key of a breakdown the evaluation holds. Numbers are
    written plainly (a dot for decimals, no thousands), headers and names in `language`.
    Raises ValueError for any other name (the view answers 404)."""
    block = figures(evaluation.snapshot, language=language)
    with override(block.language):
        if table == "kpis":
            rows: Iterator[list[Any]] = (row for row, _unit in _kpi_rows(block))
        else:
            found = _tables(block).get(table)
            if found is None:
                raise ValueError(f"no table {table!r} in this evaluation")
            rows = _heat_rows(found) if isinstance(found, Heat) else _table_rows(found)
        text = io.StringIO()
        writer = csv.writer(text)
        for row in rows:
            writer.writerow(["" if v is None else spreadsheet_cell(v) for v in row])
    return text.getvalue()
