"""The evaluation's PDF: what a reader finds in it (pypdf's text), in either language, and that
every page renders (pypdfium2), saved as PNG under test-results/evaluation-pdf/ to look at."""

import datetime as dt
import io
import os
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import time_machine
from django.utils.translation import gettext as _
from django.utils.translation import override, pgettext
from pypdf import PdfReader

from coordination.evaluations.kpis.definitions import SECTIONS, kpis_for
from coordination.evaluations.periods import Period
from coordination.evaluations.reports.pdf import evaluation_pdf, long_date
from coordination.models import ActionItem, Evaluation, EvaluationFinding
from tests.coordination.evaluations.report_snapshot import ACTIONS, FINDINGS, PREVIOUS, sample_report
from tests.factories import AgencyFactory, AreaFactory

PAGES = (
    Path(os.environ.get("SINERGI_SCREENSHOTS") or Path(__file__).resolve().parents[3] / "test-results")
    / "evaluation-pdf"
)
NOW = "2026-10-10 10:00 +08:00"


def _pages(data: bytes) -> list[str]:
    # Table cells and wrapped lines come out with their own spacing: compare on single spaces.
    return [" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(data)).pages]


def _flat(text: str) -> str:
    return " ".join(text.split())


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("language", ["id", "en"])
def test_the_report_holds_cover_contents_kpis_findings_and_signature(language):
    report = sample_report()
    data = evaluation_pdf(language=language, **report)
    assert data.startswith(b"%PDF")
    pages = _pages(data)
    text = " ".join(pages)
    with override(language):
        period = "Triwulan III 2026" if language == "id" else "Q3 2026"
        title = _("Evaluation of %(scope)s, %(period)s") % {
            "scope": pgettext("evaluation title", "the city"),
            "period": period,
        }
        assert title in pages[0] and "Polres Bontang" in pages[0]
        assert long_date(dt.date(2026, 10, 7), language) in pages[0]  # published
        assert _("Contents") in pages[1]
        # The contents list every section with the page it starts on.
        for index, key in enumerate(k for k in SECTIONS if k != "partnership"):
            assert f"{index + 2}. {SECTIONS[key]}" in pages[1]
        for kpi in kpis_for("city"):
            assert _flat(str(kpi.label)) in text, kpi.key
        for finding in FINDINGS:
            assert finding in text
        for action in ACTIONS + PREVIOUS:
            assert action in text
        assert _("Head of %(agency)s") % {"agency": "Polres Bontang"} in pages[-1]
        assert "NIP/NRP" in pages[-1] and f"Bontang, {long_date(dt.date(2026, 10, 7), language)}" in pages[-1]
        assert f"{_('Page')} 2 / {len(pages)}" in pages[1]
        assert _("DRAFT") not in text
    assert ("1.234" if language == "id" else "1,234") in text
    assert 8 <= len(pages) <= 20


@time_machine.travel(NOW, tick=False)
def test_a_draft_is_watermarked_on_every_page():
    data = evaluation_pdf(language="en", **sample_report(status="draft"))
    pages = _pages(data)
    assert all("DRAFT" in page for page in pages)
    assert "Draft" in pages[0]


@time_machine.travel(NOW, tick=False)
def test_the_previous_periods_actions_say_whether_done_and_on_time():
    text = " ".join(_pages(evaluation_pdf(language="en", **sample_report())))
    assert f"{PREVIOUS[0]} BPBD Kota Bontang 31 August 2026 Done yes yes" in text
    assert f"{PREVIOUS[1]} Polres Bontang 31 July 2026 Done yes no" in text
    assert "2 of 3 actions done." in text


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_saved_findings_keep_their_actions_and_an_evaluations_own_title_is_used():
    area = AreaFactory(name="Kota Bontang")
    agency = AgencyFactory(name="Kodim 0908/Bontang", headquarters_area=area)
    report = sample_report(agency=agency)
    evaluation: Evaluation = report["evaluation"]
    evaluation.title = "Evaluasi Keamanan Kota Bontang 2026"
    evaluation.scope_key = "city"
    evaluation.save()
    findings = []
    for finding in report["findings"]:
        finding.evaluation = evaluation
        finding.save()
        findings.append(EvaluationFinding.objects.get(pk=finding.pk))  # fresh: no cached action
    action = ActionItem.objects.create(
        evaluation=evaluation,
        finding=findings[1],
        description="Uji coba operator cadangan",
        owner_agency=agency,
        due_date=dt.date(2026, 12, 1),
    )
    actions = list(ActionItem.objects.filter(pk=action.pk))
    text = " ".join(
        _pages(
            evaluation_pdf(
                evaluation=evaluation, findings=findings, actions=actions, previous_actions=[], language="id"
            )
        )
    )
    assert "Evaluasi Keamanan Kota Bontang 2026" in text
    second = text.index(FINDINGS[1])
    assert second < text.index("Uji coba operator cadangan") < text.index(FINDINGS[2])
    assert "Kota Bontang, 7 Oktober 2026" in text


@time_machine.travel(NOW, tick=False)
def test_an_evaluation_without_figures_still_prints():
    report = sample_report()
    report["evaluation"].snapshot = {}
    report.update(findings=[], actions=[], previous_actions=[])
    text = " ".join(_pages(evaluation_pdf(language="en", **report)))
    assert "No figures have been computed for this evaluation yet." in text
    assert "No findings were recorded." in text


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("language", ["id", "en"])
def test_every_page_of_a_year_with_30_row_breakdowns_renders(language):
    year = Period("year", dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    status = "draft" if language == "id" else "published"
    data = evaluation_pdf(language=language, **sample_report(period=year, rows=30, status=status))
    document = pdfium.PdfDocument(data)
    try:
        assert 10 <= len(document) <= 30
        PAGES.mkdir(parents=True, exist_ok=True)
        for index in range(len(document)):
            image = document[index].render(scale=1.3).to_pil()
            # Something is printed on every page: not a blank sheet.
            assert image.convert("L").getextrema()[0] < 100
            image.save(PAGES / f"year-{language}-p{index + 1:02d}.png")
    finally:
        document.close()


@time_machine.travel(NOW, tick=False)
def test_a_partnerships_report_has_its_section_and_names_it_in_the_title():
    report = sample_report(scope_kind="partnership")
    report["evaluation"].snapshot["scope"]["name"] = "Kemitraan Keamanan Pelabuhan"
    text = " ".join(_pages(evaluation_pdf(language="en", **report)))
    assert "Evaluation of Kemitraan Keamanan Pelabuhan, Q3 2026" in text
    assert "10. Working together" in text and "Alerts between the partners" in text
    assert "Polres Bontang, Kodim 0908/Bontang, BPBD Kota Bontang" in text  # the parties, on the cover


@time_machine.travel(NOW, tick=False)
def test_markup_in_findings_and_names_is_printed_as_text():
    report = sample_report()
    report["findings"][0].text = "Laporan <b>tebal</b> & <script>alert(1)</script> tanpa tutup <i"
    report["evaluation"].snapshot["breakdowns"]["incidents_by_area"]["rows"][0][0] = "Bontang <Utara> & Co"
    text = " ".join(_pages(evaluation_pdf(language="id", **report)))
    assert "Laporan <b>tebal</b> & <script>alert(1)</script> tanpa tutup <i" in text
    assert "Bontang <Utara> & Co" in text


def _shapes(node):
    """Every shape a ReportLab drawing holds, groups opened."""
    for child in getattr(node, "contents", None) or []:
        yield child
        yield from _shapes(child)


@pytest.mark.parametrize("kind", ["line", "bar"])
def test_a_missing_value_is_not_drawn_as_zero(kind):
    """A period without data (None) is no point of the line and no bar, a dash; never a zero."""
    from types import SimpleNamespace

    from reportlab.graphics.shapes import PolyLine, String

    from coordination.evaluations.reports.pdf import _fonts
    from coordination.evaluations.reports.pdf_drawings import chart

    _fonts()
    config = {
        "type": kind,
        "data": {"labels": ["Jan", "Feb", "Mar"], "datasets": [{"label": "2026", "data": [5, None, 3]}]},
        "options": {"scales": {"y": {}}},
    }
    drawing = chart(SimpleNamespace(chart=config), "en", 400)
    plot = next(s for s in drawing.contents if hasattr(s, "data"))
    shapes = list(_shapes(plot.draw()))
    if kind == "line":
        # The line breaks at February: January and March each a run of one point (a marker), no
        # segment through a zero or across the gap.
        assert plot.data == [[5.0, None, None], [None, None, 3.0]]
        assert all(len(s.points) <= 2 for s in shapes if isinstance(s, PolyLine))
    else:
        assert plot.data == [[5.0, None, 3.0]]
        # February's dash: a Label (drawn as a String), not a bar of height zero.
        texts = [getattr(s, "_text", None) or (s.text if isinstance(s, String) else None) for s in shapes]
        assert texts.count("–") == 1
