"""The figures of a snapshot as the page, the public summary, the PDF and the exports read
them: formatting by unit and language, lights and arrows, public-only filtering, old or partial
snapshots that must never crash, and the partial that renders them."""

import copy
import json

import pytest
from django.template.loader import render_to_string
from django.utils.translation import override

from coordination.evaluations.kpis.definitions import BREAKDOWNS, KPIS, SECTIONS, kpis_for
from coordination.evaluations.presenters import duration, figures, formatted, number
from tests.coordination.evaluations.report_snapshot import full_snapshot


def _row(block, key):
    return next(k for k in block.kpis if k.key == key)


@pytest.mark.parametrize(
    ("value", "unit", "language", "expected"),
    [
        (1234567, "count", "id", "1.234.567"),
        (1234567, "count", "en", "1,234,567"),
        (12.5, "count", "id", "12,5"),
        (85.25, "percent", "id", "85,3%"),
        (85.25, "percent", "en", "85.3%"),
        (0, "percent", "en", "0.0%"),
        (45, "minutes", "id", "45 m"),
        (45, "minutes", "en", "45 min"),
        (80, "minutes", "id", "1 j 20 m"),
        (80, "minutes", "en", "1 h 20 min"),
        (120, "minutes", "en", "2 h"),
        (1500.4, "minutes", "id", "25 j"),
        (26.54, "hours", "id", "26,5 j"),
        (26.54, "hours", "en", "26.5 h"),
        (1234.5, "hours", "id", "1.234,5 j"),
        (88.31, "index", "id", "88,31 (A)"),
        (88.3, "index", "en", "88.30 (B)"),
        (76.6, "index", "en", "76.60 (C)"),
        (64.99, "index", "id", "64,99 (D)"),
        ("2026-08", "month", "id", "Agu 2026"),
        ("2026-08", "month", "en", "Aug 2026"),
        ({"id": "Pencurian", "en": "Theft"}, "text", "id", "Pencurian"),
        ({"id": "Pencurian", "en": "Theft"}, "text", "en", "Theft"),
        ({"id": "Pencurian"}, "text", "en", "Pencurian"),
        ("Bontang Utara", "text", "en", "Bontang Utara"),
        (None, "count", "id", "–"),
        (None, "minutes", "en", "–"),
        ("not a number", "percent", "en", "–"),
    ],
)
def test_a_value_reads_by_its_unit_in_the_readers_language(value, unit, language, expected):
    assert formatted(value, unit, language) == expected


def test_numbers_round_half_up_and_keep_their_sign():
    assert number(2.25, 1, "en") == "2.3"
    assert number(-1234.5, 1, "id") == "-1.234,5"
    assert duration(-90, "en") == "-1 h 30 min"


def test_sections_come_in_the_registrys_order_with_the_scopes_kpis_only():
    block = figures(full_snapshot(), language="en")
    assert [s.key for s in block.sections] == [k for k in SECTIONS if k != "partnership"]
    assert [k.key for k in block.kpis] == [k.key for k in kpis_for("city")]
    partnership = figures(full_snapshot(scope_kind="partnership"), language="en")
    assert partnership.sections[-1].key == "partnership"
    assert [t.key for t in partnership.sections[-1].tables] == ["partnership_pairs"]


def test_a_kpi_row_carries_label_values_target_light_and_trend():
    snapshot = full_snapshot()
    snapshot["kpis"]["incidents.verify_median"].update(value=95, previous=80, year_before=125, target=30, light="red")
    snapshot["kpis"]["incidents.within_target"].update(value=85.25, previous=88, target=80, light="green")
    with override("en"):
        label = str(KPIS["incidents.verify_median"].label)
    row = _row(figures(snapshot, language="en"), "incidents.verify_median")
    assert (row.label, row.display, row.previous, row.year_before, row.target) == (
        label,
        "1 h 35 min",
        "1 h 20 min",
        "2 h 5 min",
        "≤ 30 min",
    )
    assert (row.light, row.light_label, row.n) == ("red", "Off target", 120)
    # Slower than before, and lower is better: an arrow up, marked worse.
    assert (row.trend, row.trend_good) == ("up", False)
    assert "worse" in row.trend_label
    share = _row(figures(snapshot, language="id"), "incidents.within_target")
    assert (share.display, share.target, share.light, share.trend, share.trend_good) == (
        "85,3%",
        "≥ 80,0%",
        "green",
        "down",
        False,
    )


def test_a_figure_without_a_direction_has_a_neutral_trend_and_no_light():
    snapshot = full_snapshot()
    snapshot["kpis"]["incidents.total"].update(value=10, previous=5)
    row = _row(figures(snapshot, language="en"), "incidents.total")
    assert (row.trend, row.trend_good, row.light, row.target, row.n) == ("up", None, None, "–", None)


def test_the_skm_index_shows_its_grade():
    snapshot = full_snapshot()
    snapshot["kpis"]["voice.skm_index"].update(value=88.31, previous=76.6, target=76.61)
    row = _row(figures(snapshot, language="id"), "voice.skm_index")
    assert (row.display, row.grade, row.previous, row.target) == ("88,31 (A)", "A", "76,60 (C)", "≥ 76,61")


def test_an_older_snapshot_without_a_light_gets_it_from_the_definitions():
    snapshot = full_snapshot()
    del snapshot["kpis"]["incidents.within_target"]["light"]
    snapshot["kpis"]["incidents.within_target"].update(value=75, target=80)
    assert _row(figures(snapshot, language="en"), "incidents.within_target").light == "amber"


def test_public_only_keeps_the_public_kpis_and_breakdowns():
    block = figures(full_snapshot(), language="id", public_only=True)
    assert {k.key for k in block.kpis} == {k.key for k in kpis_for("city") if k.public}
    assert {t.key for t in block.tables} == {b.key for b in BREAKDOWNS.values() if b.public and b.chart != "heat"}
    assert all(s.heat is None for s in block.sections)
    assert "alerts" not in [s.key for s in block.sections]


def test_missing_kpis_and_breakdowns_show_nothing_and_never_crash():
    snapshot = full_snapshot()
    del snapshot["kpis"]["incidents.total"]
    del snapshot["breakdowns"]["incidents_by_area"]
    del snapshot["breakdowns"]["incidents_heat"]["values"]
    snapshot["breakdowns"]["skm_by_agency"] = {"rows": [["Polres Bontang"], "junk", [None, None, None, "extra"]]}
    snapshot["breakdowns"]["unknown_breakdown"] = {"rows": [[1, 2]]}
    snapshot["kpis"]["unknown.kpi"] = {"value": 1}
    snapshot["kpis"]["alerts.total"] = {"value": "n/a"}
    block = figures(snapshot, language="en")
    keys = [k.key for k in block.kpis]
    assert "incidents.total" not in keys and "unknown.kpi" not in keys
    assert _row(block, "alerts.total").display == "–"
    assert "incidents_by_area" not in [t.key for t in block.tables]
    heat = block.sections[0].heat
    assert heat is not None and all(c.display == "–" for _name, cells in heat.rows for c in cells)
    skm = next(t for t in block.tables if t.key == "skm_by_agency")
    assert [[c.display for c in row] for row in skm.rows] == [["Polres Bontang", "–", "–"], ["–", "–", "–"]]


@pytest.mark.parametrize("snapshot", [{}, {"kpis": None, "breakdowns": []}, {"period": {"kind": "decade"}}, None])
def test_an_empty_or_broken_snapshot_gives_no_sections(snapshot):
    block = figures(snapshot, language="en")
    assert block.sections == [] and block.period_label == ""


def test_periods_are_labelled_in_the_readers_language():
    block = figures(full_snapshot(), language="id")
    assert (block.period_label, block.previous_label, block.year_before_label) == (
        "Triwulan III 2026",
        "Triwulan II 2026",
        "Triwulan III 2025",
    )


def test_breakdown_cells_are_translated_and_formatted():
    block = figures(full_snapshot(), language="id")
    table = next(t for t in block.tables if t.key == "response_by_severity")
    assert [c.unit for c in table.columns][2] == "minutes"
    assert table.rows[0][0].display == "Ekstrem" and table.rows[0][0].value == "Ekstrem"
    assert table.rows[0][2].display == "20 m" and table.rows[0][2].value == 20.0
    english = figures(full_snapshot(), language="en")
    assert next(t for t in english.tables if t.key == "response_by_severity").rows[0][0].display == "Extreme"


def test_charts_are_json_payloads_with_the_year_before_as_a_second_line():
    block = figures(full_snapshot(rows=30), language="en")
    trend = next(t for t in block.tables if t.key == "incidents_by_month").chart
    json.dumps(trend)
    assert trend["type"] == "line"
    assert trend["data"]["labels"] == ["Jul 2026", "Aug 2026", "Sep 2026"]
    assert [d["label"] for d in trend["data"]["datasets"]] == ["Incidents", "A year before"]
    assert trend["data"]["datasets"][1]["borderDash"]
    areas = next(t for t in block.tables if t.key == "incidents_by_area").chart
    # Thirty names read as horizontal bars.
    assert areas["type"] == "bar" and areas["options"]["indexAxis"] == "y" and len(areas["data"]["labels"]) == 30
    skm = next(t for t in block.tables if t.key == "skm_by_service").chart
    assert [d["label"] for d in skm["data"]["datasets"]] == ["Index"] and skm["options"]["scales"]["y"]["max"] == 100
    assert next(t for t in block.tables if t.key == "response_by_severity").chart is None


def test_the_heat_map_shades_by_count():
    block = figures(full_snapshot(), language="en")
    heat = block.sections[0].heat
    assert heat.categories[0] == "Theft" and heat.rows[0][0] == "Bontang Utara"
    cells = [c for _name, row in heat.rows for c in row]
    top = max(cells, key=lambda c: c.value)
    none = min(cells, key=lambda c: c.value)
    assert (top.value, top.level, top.foreground) == (heat.maximum, 1.0, "#ffffff")
    assert (none.value, none.level, none.background) == (0, 0.0, "#f4f8fc")


def test_the_partial_renders_lights_with_words_arrows_with_text_and_chart_json():
    block = figures(full_snapshot(), language="en")
    html = render_to_string("coordination/evaluations/partials/figures.html", {"figures": block})
    assert html.count('data-light="red"') == sum(1 for k in block.kpis if k.light == "red")
    assert "Off target</span>" in html
    assert '<span class="visually-hidden">Up on the previous period: worse</span>' in html
    assert html.count("data-chart-config=") == sum(1 for t in block.tables if t.chart)
    assert 'id="chart-incidents_by_month" type="application/json"' in html
    assert "<script>" not in html and "onclick" not in html
    assert "Bontang Utara" in html and "background-color: #" in html


def test_the_partial_escapes_names_from_the_snapshot():
    snapshot = full_snapshot()
    snapshot["breakdowns"]["incidents_by_area"]["rows"][0][0] = "<img src=x onerror=alert(1)></script>"
    html = render_to_string(
        "coordination/evaluations/partials/figures.html", {"figures": figures(snapshot, language="en")}
    )
    assert "<img src=x" not in html
    # In the chart's JSON too: json_script escapes the brackets, so the name cannot end the script.
    assert "\\u003Cimg src=x onerror=alert(1)\\u003E\\u003C/script\\u003E" in html


def test_the_partial_says_so_when_there_is_nothing():
    html = render_to_string("coordination/evaluations/partials/figures.html", {"figures": figures({}, language="en")})
    assert 'data-testid="figures-empty"' in html


def test_the_snapshot_is_not_changed():
    snapshot = full_snapshot()
    before = copy.deepcopy(snapshot)
    figures(snapshot, language="en", public_only=True)
    assert snapshot == before
