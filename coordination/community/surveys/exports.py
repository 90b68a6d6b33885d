"""Survey results as CSV and XLSX (openpyxl): the same rows in both, one table of sections
(questions with their distributions, the SKM index per element, months, areas), so that a
spreadsheet opens either. Built from `selectors.survey_results` (aggregates only)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook

from common.spreadsheets import spreadsheet_cell

from .selectors import Results
from .skm import element_name


def result_rows(results: Results, language: str = "id") -> Iterator[list[Any]]:
    yield [_("Survey"), results.survey.title]
    yield [_("Respondents"), results.respondents]
    if results.index is not None:
        yield []
        yield [_("Element"), _("Name"), _("Answers"), "NRR", "IKM", _("Grade")]
        for e in results.index.elements:
            yield [e.code, element_name(e.code, language), e.count, e.nrr_display, e.ikm, e.grade or ""]
        yield [_("Overall"), "", results.index.respondents, "", results.index.ikm, results.index.grade or ""]
    yield []
    yield [_("Question"), _("Answer"), _("Count"), _("Percent"), _("Mean")]
    for r in results.questions:
        yield [r.question.text, "", r.answered, "", r.mean if r.mean is not None else ""]
        for bar in r.bars:
            yield ["", bar.label, bar.count, bar.percent, ""]
    yield []
    yield [_("Month"), _("Responses"), _("Score")]
    for month, n, score in results.trend:
        yield [month.strftime("%Y-%m"), n, score if score is not None else ""]
    if results.by_area:
        yield []
        yield [_("Area"), _("Answers"), _("Score")]
        for name, n, score in results.by_area:
            yield [name or _("No area"), n, score if score is not None else ""]


def results_response(results: Results, fmt: str) -> HttpResponse:
    name = f"survei-{results.survey.pk}"
    rows = [[spreadsheet_cell(v) for v in row] for row in result_rows(results)]
    if fmt == "xlsx":
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = "Hasil"
        for row in rows:
            sheet.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        response = HttpResponse(
            buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    else:
        text = io.StringIO()
        csv.writer(text).writerows(rows)
        response = HttpResponse(text.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
