"""A realistic snapshot for the presenters, the PDF and the exports: every KPI and every
breakdown of the definitions, translatable names in both languages, as the engine writes it
(JSON numbers, lights from `definitions.light`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from coordination.evaluations.kpis.definitions import BREAKDOWNS, KPIS, kpis_for, light
from coordination.evaluations.periods import Period

# A value per unit, then the previous period's and the year before's.
SAMPLE = {
    "count": (1234, 1100, 980),
    "percent": (85.25, 88.0, 70.5),
    "minutes": (95.0, 80.0, 125.0),
    "hours": (26.5, 30.0, 22.0),
    "index": (78.52, 76.0, 74.1),
}

CATEGORIES = [
    {"id": "Pencurian", "en": "Theft"},
    {"id": "Narkotika", "en": "Narcotics"},
    {"id": "Kebakaran", "en": "Fire"},
    {"id": "Banjir", "en": "Flood"},
    {"id": "Kecelakaan lalu lintas", "en": "Traffic accident"},
    {"id": "Aktivitas mencurigakan", "en": "Suspicious activity"},
]
SEVERITIES = [{"id": "Ekstrem", "en": "Extreme"}, {"id": "Berat", "en": "Severe"}, {"id": "Sedang", "en": "Moderate"}]
CHANNELS = [
    {"id": "Surel", "en": "E-mail"},
    {"id": "SMS", "en": "SMS"},
    {"id": "Webhook", "en": "Webhook"},
    {"id": "Di aplikasi", "en": "In-app"},
]
GROUPS = [{"id": "Pelajar", "en": "Students"}, {"id": "Warga", "en": "Residents"}, {"id": "Pekerja", "en": "Workers"}]
SERVICES = [{"id": "Laporan kehilangan", "en": "Loss report"}, {"id": "SKCK", "en": "Police clearance"}]
AGENCIES = ["Polres Bontang", "Kodim 0908/Bontang", "BPBD Kota Bontang", "Damkar Bontang", "Satpol PP Bontang"]


def _areas(n: int) -> list[str]:
    base = ["Bontang Utara", "Bontang Selatan", "Bontang Barat"]
    return [base[i] if i < len(base) else f"Kelurahan {i + 1:02d}" for i in range(n)]


def _names(names: list[Any], n: int) -> list[Any]:
    return [names[i % len(names)] if i < len(names) else f"{names[i % len(names)]} {i + 1}" for i in range(n)]


def _cell(column_unit: str, key: str, i: int, n: int) -> Any:
    if column_unit == "count":
        base = 40 + 7 * ((i * 13) % n) + (1000 if key in ("sent", "planned", "attended") else 0)
        # The previous period and the year before differ from the period itself.
        if key == "failed":
            return 3 + i % 9
        return base - 5 - (i * 11) % 17 if key in ("previous", "attended") else base
    if column_unit == "percent":
        return round(70 + (i * 3.7) % 30, 2)
    if column_unit == "minutes":
        return float(20 + (i * 17) % 140)
    if column_unit == "hours":
        return 12.5 + i
    if column_unit == "index":
        return round(66 + (i * 5.3) % 30, 2)
    return None


def _text_column(breakdown: str, key: str, n: int, areas: list[str]) -> list[Any]:
    if key == "area":
        return areas[:n]
    if key in ("agency", "from"):
        return _names(AGENCIES, n)
    if key == "to":
        return _names(AGENCIES[1:] + AGENCIES[:1], n)
    if key == "category":
        return [
            CATEGORIES[i] if i < len(CATEGORIES) else {"id": f"Kategori {i}", "en": f"Category {i}"} for i in range(n)
        ]
    if key == "severity":
        return SEVERITIES[:n]
    if key == "channel":
        return CHANNELS[:n]
    if key == "group":
        return GROUPS[:n]
    if key == "service":
        return SERVICES[:n]
    raise AssertionError(f"no sample names for {breakdown}.{key}")


def full_snapshot(*, scope_kind: str = "city", rows: int = 12, period: Period | None = None) -> dict[str, Any]:
    """Every KPI of the scope kind and every breakdown; `rows` rows for the breakdowns that
    list areas, agencies or categories (the year's worst case: 30)."""
    period = period or Period("quarter", dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    kpis: dict[str, Any] = {}
    for i, kpi in enumerate(kpis_for(scope_kind)):
        value, previous, year_before = SAMPLE[kpi.unit]
        if kpi.unit == "count":
            value, previous, year_before = value + i, previous + i, year_before + i
        target = float(kpi.default_target) if kpi.default_target is not None else None
        kpis[kpi.key] = {
            "value": value,
            "previous": previous,
            "year_before": year_before,
            "target": target,
            "light": light(kpi, Decimal(str(value)), kpi.default_target),
            "n": 120,
        }
    areas = _areas(rows)
    breakdowns: dict[str, Any] = {}
    for breakdown in BREAKDOWNS.values():
        if breakdown.scope not in (None, scope_kind):
            continue
        if breakdown.chart == "heat":
            categories = CATEGORIES
            breakdowns[breakdown.key] = {
                "rows": [[a] for a in areas],
                "categories": categories,
                "values": [[(i * 7 + j * 3) % 23 for j in range(len(categories))] for i in range(len(areas))],
            }
            continue
        first = breakdown.columns[0]
        if first.unit == "month":
            labels: list[Any] = [m.strftime("%Y-%m") for m in period.months()]
        else:
            limit = {"severity": 3, "channel": 4, "group": 3, "service": 2}.get(first.key, rows)
            labels = _text_column(breakdown.key, first.key, limit, areas)
        table = []
        for i, label in enumerate(labels):
            row = [label]
            for column in breakdown.columns[1:]:
                if column.unit == "text":
                    row.append(_text_column(breakdown.key, column.key, len(labels), areas)[i])
                else:
                    row.append(_cell(column.unit, column.key, i, max(len(labels), 1)))
            table.append(row)
        breakdowns[breakdown.key] = {"rows": table}
    return {
        "version": 1,
        "period": period.as_dict(),
        "previous": period.previous().as_dict(),
        "year_before": period.year_before().as_dict(),
        "scope": {
            "kind": scope_kind,
            "id": None if scope_kind == "city" else 12,
            "name": None if scope_kind == "city" else "Polres Bontang",
            "agencies": [{"id": 3, "name": n} for n in AGENCIES[:3]] if scope_kind == "partnership" else [],
        },
        "computed_at": "2026-10-01T00:05:00+00:00",
        "kpis": kpis,
        "breakdowns": breakdowns,
    }


def kpi_count() -> int:
    return len(KPIS)


def sample_report(
    *,
    agency: Any = None,
    period: Period | None = None,
    rows: int = 12,
    status: str = "published",
    scope_kind: str = "city",
) -> dict[str, Any]:
    """Unsaved Evaluation, findings, actions and the previous period's actions around
    `full_snapshot`: the keyword arguments of `evaluation_pdf` (bar the language). Pass a saved
    `agency` to save none of them anyway; models are only read."""
    from agencies.models import Agency, Area
    from coordination.models import ActionItem, Evaluation, EvaluationFinding

    period = period or Period("quarter", dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    agency = agency or Agency(name="Polres Bontang", headquarters_area=Area(name="Bontang"))
    partner = Agency(name="BPBD Kota Bontang")
    at = dt.datetime(2026, 10, 5, 3, 0, tzinfo=dt.UTC)
    evaluation = Evaluation(
        owner_agency=agency,
        period_kind=period.kind,
        period_start=period.start,
        period_end=period.end,
        scope_kind=scope_kind,
        status=status,
        snapshot=full_snapshot(rows=rows, period=period, scope_kind=scope_kind),
        summary="Waktu tanggap membaik; moderasi laporan warga masih lambat.\nTim menambah petugas piket.",
        computed_at=dt.datetime(2026, 10, 1, 0, 5, tzinfo=dt.UTC),
        reviewed_at=at if status != "draft" else None,
        published_at=at + dt.timedelta(days=2) if status == "published" else None,
    )
    findings = [
        EvaluationFinding(evaluation=evaluation, kpi="reports.moderation_median", position=1, text=FINDINGS[0]),
        EvaluationFinding(evaluation=evaluation, kpi="alerts.delivered_sms", position=2, text=FINDINGS[1]),
        EvaluationFinding(evaluation=evaluation, kpi="", position=3, text=FINDINGS[2]),
    ]
    actions = [
        ActionItem(
            evaluation=evaluation,
            finding=findings[0],
            description=ACTIONS[0],
            owner_agency=agency,
            due_date=dt.date(2026, 11, 30),
        ),
        ActionItem(
            evaluation=evaluation,
            finding=findings[1],
            description=ACTIONS[1],
            owner_agency=partner,
            due_date=dt.date(2026, 12, 31),
            status="in_progress",
        ),
        ActionItem(evaluation=evaluation, description=ACTIONS[2], owner_agency=partner, due_date=dt.date(2026, 11, 15)),
    ]
    previous_actions = [
        ActionItem(
            evaluation=evaluation,
            description=PREVIOUS[0],
            owner_agency=partner,
            due_date=dt.date(2026, 8, 31),
            status="done",
            closed_at=dt.datetime(2026, 8, 20, 2, 0, tzinfo=dt.UTC),
        ),
        ActionItem(
            evaluation=evaluation,
            description=PREVIOUS[1],
            owner_agency=agency,
            due_date=dt.date(2026, 7, 31),
            status="done",
            closed_at=dt.datetime(2026, 9, 2, 2, 0, tzinfo=dt.UTC),
        ),
        ActionItem(
            evaluation=evaluation,
            description=PREVIOUS[2],
            owner_agency=agency,
            due_date=dt.date(2026, 9, 15),
            status="in_progress",
        ),
    ]
    return {"evaluation": evaluation, "findings": findings, "actions": actions, "previous_actions": previous_actions}


FINDINGS = (
    "Moderasi laporan warga melebihi target satu jam pada akhir pekan.",
    "Pengiriman SMS gagal saat gangguan operator pada bulan Agustus.",
    "Cakupan patroli di daerah berisiko tinggi sudah baik.",
)
ACTIONS = (
    "Tambah petugas moderasi pada Sabtu dan Minggu",
    "Tambahkan operator SMS cadangan",
    "Perbarui daftar kontak piket semua instansi",
)
PREVIOUS = (
    "Latihan gabungan penanganan banjir",
    "Pasang CCTV di simpang Jl. Ahmad Yani",
    "Sosialisasi aplikasi pelaporan di sekolah",
)
