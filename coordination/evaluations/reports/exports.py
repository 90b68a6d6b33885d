# PLACEHOLDER (evalflow): replaced by evalreport's file at merge
"""The evaluation's tables as XLSX (one sheet per table) and CSV (EVAL_CONTRACT.md): a placeholder."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook

from coordination.models import Evaluation

from ..kpis.definitions import BREAKDOWNS, KPIS


def evaluation_xlsx(*, evaluation: Evaluation, language: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "kpis"
    for key, data in (evaluation.snapshot.get("kpis") or {}).items():
        sheet.append([key, data.get("value")])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def evaluation_csv(*, evaluation: Evaluation, table: str, language: str) -> str:
    if table != "kpis" and table not in BREAKDOWNS:
        raise ValueError(table)
    out = io.StringIO()
    writer = csv.writer(out)
    if table == "kpis":
        for key, data in (evaluation.snapshot.get("kpis") or {}).items():
            if key in KPIS:
                writer.writerow([key, data.get("value")])
    return out.getvalue()
