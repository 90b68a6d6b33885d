"""Cells for CSV and XLSX files that people open in a spreadsheet.

A spreadsheet runs a cell that starts with "=", "+", "-" or "@" (and, in some, a tab or a
carriage return) as a formula: text that came from users (a citizen's report, a survey's
answer, an agency's name) is written with a leading apostrophe, which shows it as typed
(CSV / formula injection, OWASP). Numbers stay numbers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value: str | None) -> str:
    """The text, with a leading apostrophe when a spreadsheet would run it as a formula."""
    value = value or ""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def spreadsheet_cell(value: Any) -> Any:
    """A value for a CSV or XLSX cell: numbers and None as they are, text made safe, anything
    else as its (safe) text."""
    if value is None or isinstance(value, (bool, int, float, Decimal)):
        return value
    return spreadsheet_text(value if isinstance(value, str) else str(value))
