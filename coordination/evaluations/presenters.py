"""How an evaluation's figures read: the snapshot (numbers and keys only, see `kpis.definitions`)
turned into labelled, formatted rows, tables, a heat map and Chart.js payloads in the reader's
language. The detail page, the public summary, the PDF and the exports all draw from the one
`Figures`, so a value never reads differently in two places.

Numbers are formatted here rather than by Django's localisation: a published report must read
the same whatever the server's settings (Indonesian writes 1.234,5; English 1,234.5). A snapshot
written by an older engine may lack a KPI or a breakdown, or carry one this code no longer
knows: what is missing shows nothing, what is unknown is skipped, and nothing raises.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import override, pgettext

# The SKM grade bands live with the surveys (the feature is read through its selectors).
from coordination.community.surveys.selectors import skm

from .kpis.definitions import BREAKDOWNS, SECTIONS, Breakdown, Column, Kpi, kpis_for, light, trend
from .periods import MONTH_NAMES_EN, MONTH_NAMES_ID, Period

EMPTY = "–"  # an en dash where a value is missing (nothing to measure)

# Series colours of the charts (the portal's navy and amber, then distinct hues that stay
# apart for the common colour-vision deficiencies: Okabe-Ito).
PALETTE = ("#0b2e4f", "#e69f00", "#56b4e9", "#009e73", "#cc79a7", "#d55e00")
# The heat map's scale, from no incident (white) to the most (deep blue).
HEAT_LOW = (0xF4, 0xF8, 0xFC)
HEAT_HIGH = (0x08, 0x30, 0x6B)
LIGHT_COLOURS = {"green": "#198754", "amber": "#f2a900", "red": "#dc3545"}

# Which numeric columns of a breakdown its bar chart draws (the others stay in the table).
CHART_SERIES: dict[str, tuple[str, ...]] = {
    "incidents_by_month": ("count", "previous"),
    "incidents_by_category": ("count", "previous"),
    "incidents_by_area": ("count", "previous"),
    "delivery_by_channel": ("success",),  # sent and failed differ a hundredfold: one bar of the share
    "ack_by_agency": ("median", "p90"),
    "reach_by_group": ("planned", "attended"),
    "skm_by_agency": ("index",),
    "skm_by_service": ("index",),
}
NUMERIC = ("count", "percent", "minutes", "hours", "index")


@dataclass(frozen=True)
class KpiRow:
    key: str
    label: str
    unit: str
    value: int | float | None
    display: str
    previous: str
    year_before: str
    target: str
    light: str | None  # "green", "amber", "red" or None
    light_label: str
    trend: str | None  # "up", "down", "flat" or None
    # True when the trend is an improvement, False when it is worse, None when neither.
    trend_good: bool | None
    trend_label: str
    grade: str | None = None  # the SKM index's grade (A-D)
    n: int | None = None
    # The raw numbers behind previous, year_before and target (for spreadsheets).
    previous_value: int | float | None = None
    year_before_value: int | float | None = None
    target_value: int | float | None = None

    @property
    def light_colour(self) -> str:
        return LIGHT_COLOURS.get(self.light or "", "#6c757d")


@dataclass(frozen=True)
class Cell:
    value: Any  # the raw number (or text) for spreadsheets
    display: str
    numeric: bool


@dataclass(frozen=True)
class Header:
    key: str
    label: str
    unit: str

    @property
    def numeric(self) -> bool:
        return self.unit in NUMERIC


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    columns: list[Header]
    rows: list[list[Cell]]
    chart: dict[str, Any] | None = None  # a Chart.js configuration


@dataclass(frozen=True)
class HeatCell:
    value: int | float | None
    display: str
    level: float  # 0 (none) to 1 (the highest count of the table)
    background: str
    foreground: str


@dataclass(frozen=True)
class Heat:
    key: str
    title: str
    row_label: str
    categories: list[str]
    rows: list[tuple[str, list[HeatCell]]]
    maximum: int | float
    legend: list[HeatCell] = field(default_factory=list)


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    kpis: list[KpiRow]
    tables: list[Table]
    heat: Heat | None = None


@dataclass(frozen=True)
class Figures:
    language: str
    public_only: bool
    scope_kind: str
    scope_name: str
    period_label: str
    previous_label: str
    year_before_label: str
    computed_at: dt.datetime | None
    sections: list[Section]
    # A partnership's parties (their names), empty for other scopes.
    parties: list[str] = field(default_factory=list)

    @property
    def tables(self) -> list[Table]:
        return [t for s in self.sections for t in s.tables]

    @property
    def kpis(self) -> list[KpiRow]:
        return [k for s in self.sections for k in s.kpis]


# --- numbers --------------------------------------------------------------------------------


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _float(value: Any) -> int | float | None:
    """A number for a spreadsheet: whole numbers as int (a count reads 1234, not 1234.0)."""
    amount = _decimal(value)
    if amount is None:
        return None
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def number(value: Any, decimals: int, language: str) -> str:
    """`value` with `decimals` places and the language's separators: 1.234,5 (id), 1,234.5 (en)."""
    amount = _decimal(value)
    if amount is None:
        return EMPTY
    amount = amount.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = f"{abs(amount):,.{decimals}f}"
    if language != "en":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return ("-" if amount < 0 else "") + text


def _count(value: Any, language: str) -> str:
    amount = _decimal(value)
    if amount is None:
        return EMPTY
    return number(amount, 0 if amount == amount.to_integral_value() else 1, language)


def duration(minutes: Any, language: str) -> str:
    """'45 m' / '45 min' under an hour, '1 j 20 m' / '1 h 20 min' past it."""
    amount = _decimal(minutes)
    if amount is None:
        return EMPTY
    whole = int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    hours, rest = divmod(abs(whole), 60)
    sign = "-" if whole < 0 else ""
    h, m = ("h", "min") if language == "en" else ("j", "m")
    if not hours:
        return f"{sign}{rest} {m}"
    return f"{sign}{number(hours, 0, language)} {h}" + (f" {rest} {m}" if rest else "")


def month_label(value: Any, language: str) -> str:
    """'2026-07' as 'Jul 2026' (en) / 'Jul 2026' (id, 'Agu', 'Okt', 'Des')."""
    try:
        year, month = (int(part) for part in str(value).split("-")[:2])
        names = MONTH_NAMES_EN if language == "en" else MONTH_NAMES_ID
        return f"{names[month - 1][:3]} {year}"
    except (ValueError, IndexError):
        return str(value) if value is not None else EMPTY


def text(value: Any, language: str) -> str:
    """A proper name as it is; a translatable name ({"id": ..., "en": ...}) in the reader's language."""
    if value is None:
        return EMPTY
    if isinstance(value, dict):
        other = "id" if language == "en" else "en"
        return str(value.get(language) or value.get(other) or EMPTY)
    return str(value)


def formatted(value: Any, unit: str, language: str) -> str:
    """A value of a KPI or a breakdown column, by its unit."""
    if unit == "text":
        return text(value, language)
    if unit == "month":
        return month_label(value, language)
    if _decimal(value) is None:
        return EMPTY
    if unit == "count":
        return _count(value, language)
    if unit == "percent":
        return number(value, 1, language) + "%"
    if unit == "minutes":
        return duration(value, language)
    if unit == "hours":
        return number(value, 1, language) + (" h" if language == "en" else " j")
    if unit == "index":
        letter = skm.grade(_decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))  # type: ignore[union-attr]
        return f"{number(value, 2, language)} ({letter})"
    return str(value)


def _raw(value: Any, unit: str, language: str) -> Any:
    """What a spreadsheet cell holds: the number itself, a name as text."""
    if unit == "text":
        return text(value, language) if value is not None else None
    if unit == "month":
        return str(value) if value is not None else None
    amount = _decimal(value)
    if amount is None:
        return None
    return int(amount) if amount == amount.to_integral_value() and unit == "count" else float(amount)


# --- KPIs -----------------------------------------------------------------------------------


def _light_label(key: str | None) -> str:
    return {"green": _("On target"), "amber": _("Near target"), "red": _("Off target")}.get(key or "", "")


def _trend_label(direction: str | None, good: bool | None) -> str:
    if direction is None:
        return ""
    words = {"up": _("Up on the previous period"), "down": _("Down on the previous period")}
    label = words.get(direction, _("Unchanged from the previous period"))
    if good is True:
        return _("%(trend)s: better") % {"trend": label}
    if good is False:
        return _("%(trend)s: worse") % {"trend": label}
    return label


def _kpi_row(kpi: Kpi, entry: dict[str, Any], language: str) -> KpiRow:
    value = entry.get("value")
    previous = entry.get("previous")
    target = entry.get("target")
    if _decimal(value) is None:
        value = None
    # The engine stores the light it computed; an older snapshot without one gets it here.
    lamp = entry["light"] if "light" in entry else light(kpi, _decimal(value), _decimal(target))
    if lamp not in LIGHT_COLOURS:
        lamp = None
    direction = trend(_decimal(value), _decimal(previous))  # type: ignore[arg-type]
    good: bool | None = None
    if direction in ("up", "down") and kpi.better:
        good = (direction == "up") == (kpi.better == "higher")
    # An index's target reads as a number: the grade letter belongs to a measured value.
    target_text = formatted(target, "count" if kpi.unit == "index" else kpi.unit, language)
    if kpi.unit == "index" and target_text != EMPTY:
        target_text = number(target, 2, language)
    if target_text != EMPTY and kpi.better:
        target_text = ("≥ " if kpi.better == "higher" else "≤ ") + target_text
    grade = None
    if kpi.unit == "index" and _decimal(value) is not None:
        grade = skm.grade(_decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))  # type: ignore[union-attr]
    n = entry.get("n")
    return KpiRow(
        key=kpi.key,
        label=str(kpi.label),
        unit=kpi.unit,
        value=_float(value),
        display=formatted(value, kpi.unit, language),
        previous=formatted(previous, kpi.unit, language),
        year_before=formatted(entry.get("year_before"), kpi.unit, language),
        target=target_text,
        light=lamp,
        light_label=_light_label(lamp),
        trend=direction,
        trend_good=good,
        trend_label=_trend_label(direction, good),
        grade=grade,
        # The sample behind a median or a share; a count is its own sample.
        n=n if isinstance(n, int) and kpi.unit != "count" else None,
        previous_value=_float(previous),
        year_before_value=_float(entry.get("year_before")),
        target_value=_float(target),
    )


# --- breakdowns -----------------------------------------------------------------------------


def _rows(data: Any) -> list[list[Any]]:
    rows = data.get("rows") if isinstance(data, dict) else None
    return [list(r) for r in rows if isinstance(r, (list, tuple))] if isinstance(rows, list) else []


def _chart(breakdown: Breakdown, headers: list[Header], rows: list[list[Any]], language: str) -> dict[str, Any] | None:
    if breakdown.chart not in ("line", "bar") or not rows:
        return None
    first = headers[0]
    labels = [formatted(r[0], first.unit, language) for r in rows]
    keys = CHART_SERIES.get(breakdown.key) or tuple(h.key for h in headers if h.numeric)
    datasets: list[dict[str, Any]] = []
    for index, header in enumerate(headers):
        if header.key not in keys:
            continue
        colour = PALETTE[len(datasets) % len(PALETTE)]
        values = [float(v) if _decimal(v) is not None else None for v in (r[index] for r in rows)]
        series: dict[str, Any] = {
            "label": header.label,
            "data": values,
            "backgroundColor": colour,
            "maxBarThickness": 48,
        }
        series["borderColor"] = colour
        if breakdown.chart == "line":
            series.update(tension=0.2, fill=False, pointRadius=3, pointStyle="line")
            if len(datasets):  # the year before: dashed, so it reads apart without colour
                series["borderDash"] = [6, 4]
        datasets.append(series)
    if not datasets:
        return None
    units = {h.unit for h in headers if h.key in keys}
    horizontal = breakdown.chart == "bar" and len(rows) > 8
    value_axis: dict[str, Any] = {"beginAtZero": True, "title": {"display": True, "text": _unit_name(units)}}
    if units & {"index", "percent"} == units:
        value_axis.update(min=0, max=100)
    if units == {"count"}:
        value_axis["ticks"] = {"precision": 0}
    scales = {"x": {}, "y": value_axis} if not horizontal else {"x": value_axis, "y": {}}
    return {
        "type": breakdown.chart,
        "data": {"labels": labels, "datasets": datasets},
        "options": {
            # Chart.js formats its ticks in this locale, not the browser's.
            "locale": "en-GB" if language == "en" else "id-ID",
            "indexAxis": "y" if horizontal else "x",
            "plugins": {
                "legend": {
                    "display": len(datasets) > 1,
                    "position": "bottom",
                    "labels": {"usePointStyle": breakdown.chart == "line"},
                }
            },
            "scales": scales,
        },
        # The canvas box's height in rem: a long horizontal list gets a row per name.
        "height": max(14, round(len(rows) * 1.6 + 4)) if horizontal else 16,
    }


def _unit_name(units: set[str]) -> str:
    if len(units) != 1:
        return ""
    return {
        "count": _("Number"),
        "percent": _("Percent"),
        # "Minutes" alone is a meeting's minutes (notulen) elsewhere in the portal.
        "minutes": pgettext("duration", "Minutes"),
        "hours": pgettext("duration", "Hours"),
        "index": _("Index (25-100)"),
    }.get(next(iter(units)), "")


def _table(breakdown: Breakdown, data: Any, language: str) -> Table | None:
    if not isinstance(data, dict) or "rows" not in data:
        return None
    rows = _rows(data)
    columns: tuple[Column, ...] = breakdown.columns
    headers = [Header(c.key, str(c.label), c.unit) for c in columns]
    width = len(columns)
    rows = [(r + [None] * width)[:width] for r in rows]
    cells = [
        [Cell(_raw(v, c.unit, language), formatted(v, c.unit, language), c.unit in NUMERIC) for v, c in pairs]
        for pairs in (zip(r, columns, strict=True) for r in rows)
    ]
    return Table(breakdown.key, str(breakdown.title), headers, cells, _chart(breakdown, headers, rows, language))


def _shade(level: float) -> tuple[str, str]:
    rgb = [round(lo + (hi - lo) * level) for lo, hi in zip(HEAT_LOW, HEAT_HIGH, strict=True)]
    return "#{:02x}{:02x}{:02x}".format(*rgb), ("#ffffff" if level > 0.5 else "#212529")


def heat_cell(value: Any, maximum: float, language: str) -> HeatCell:
    amount = _decimal(value)
    level = float(amount) / maximum if amount is not None and maximum > 0 else 0.0
    level = min(max(level, 0.0), 1.0)
    background, foreground = _shade(level)
    number_value = (
        (int(amount) if amount == amount.to_integral_value() else float(amount)) if amount is not None else None
    )
    return HeatCell(number_value, _count(value, language), level, background, foreground)


def _heat(breakdown: Breakdown, data: Any, language: str) -> Heat | None:
    if not isinstance(data, dict):
        return None
    names = [text(r[0] if r else None, language) for r in _rows(data)]
    categories = [text(c, language) for c in data.get("categories") or []]
    values = data.get("values") or []
    grid: list[list[Any]] = []
    for i in range(len(names)):
        line = values[i] if i < len(values) and isinstance(values[i], list) else []
        grid.append([(line[j] if j < len(line) else None) for j in range(len(categories))])
    numbers = [float(v) for line in grid for v in line if _decimal(v) is not None]
    maximum = max(numbers, default=0.0)
    rows = [(name, [heat_cell(v, maximum, language) for v in line]) for name, line in zip(names, grid, strict=True)]
    steps = [round(maximum * s / 4) for s in range(5)] if maximum else []
    legend = [heat_cell(v, maximum, language) for v in dict.fromkeys(steps)]
    top: int | float = int(maximum) if maximum == int(maximum) else maximum
    return Heat(breakdown.key, str(breakdown.title), str(breakdown.columns[0].label), categories, rows, top, legend)


# --- the whole ------------------------------------------------------------------------------


def _period_label(data: Any, language: str) -> str:
    try:
        return Period.from_dict(data).label(language)
    except (TypeError, KeyError, ValueError):
        return ""


def _computed_at(value: Any) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def figures(snapshot: dict[str, Any], *, language: str, public_only: bool = False) -> Figures:
    """The snapshot's figures in `language` ("id" or "en"), sections in SECTIONS' order; with
    `public_only`, only the KPIs and breakdowns marked public (the public summary)."""
    language = "en" if (language or "").startswith("en") else "id"
    snapshot = snapshot if isinstance(snapshot, dict) else {}
    scope = _mapping(snapshot.get("scope"))
    scope_kind = str(scope.get("kind") or "city")
    values = _mapping(snapshot.get("kpis"))
    breakdowns = _mapping(snapshot.get("breakdowns"))
    with override(language):
        rows: dict[str, list[KpiRow]] = {key: [] for key in SECTIONS}
        for kpi in kpis_for(scope_kind):
            entry = values.get(kpi.key)
            if not isinstance(entry, dict) or (public_only and not kpi.public) or kpi.section not in rows:
                continue
            rows[kpi.section].append(_kpi_row(kpi, entry, language))
        tables: dict[str, list[Table]] = {key: [] for key in SECTIONS}
        heats: dict[str, Heat] = {}
        for breakdown in BREAKDOWNS.values():
            if breakdown.scope not in (None, scope_kind) or (public_only and not breakdown.public):
                continue
            if breakdown.key not in breakdowns or breakdown.section not in tables:
                continue
            if breakdown.chart == "heat":
                heat = _heat(breakdown, breakdowns[breakdown.key], language)
                if heat is not None and heat.rows and heat.categories:
                    heats[breakdown.section] = heat
                continue
            table = _table(breakdown, breakdowns[breakdown.key], language)
            if table is not None:
                tables[breakdown.section].append(table)
        sections = [
            Section(key, str(title), rows[key], tables[key], heats.get(key))
            for key, title in SECTIONS.items()
            if rows[key] or tables[key] or key in heats
        ]
        return Figures(
            language=language,
            public_only=public_only,
            scope_kind=scope_kind,
            scope_name=str(scope.get("name") or ""),
            period_label=_period_label(snapshot.get("period"), language),
            previous_label=_period_label(snapshot.get("previous"), language),
            year_before_label=_period_label(snapshot.get("year_before"), language),
            computed_at=_computed_at(snapshot.get("computed_at")),
            sections=sections,
            parties=[str(a["name"]) for a in scope.get("agencies") or [] if isinstance(a, dict) and a.get("name")],
        )
