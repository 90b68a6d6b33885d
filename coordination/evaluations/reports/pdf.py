"""The evaluation as a PDF a head of office signs (ReportLab: pure pip, no system library).

A4: a cover (title, scope and period, the owner agency, status, reviewed and published dates;
a draft carries a "DRAF"/"DRAFT" watermark on every page), the contents with page numbers
(`multiBuild` runs the layout until the numbers settle), the summary, per section the KPI table
with lights and trend arrows drawn as shapes, its plots and tables and the heat map, the
findings (numbered) with their actions, the previous period's actions (done, on time), and a
signature block. Header and footer on every page after the cover, with "page x / y".

Text is set in Bitstream Vera, which ships inside ReportLab: the standard Helvetica has no
"≥", "≤" or en dash outside Latin-1, and Vera has every letter Indonesian and English use.
Everything is in the chosen language (`override`), and every figure comes from
`presenters.figures`, so the PDF says what the page says.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override, pgettext
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Table as RLTable
from reportlab.platypus.tableofcontents import TableOfContents

from ..periods import MONTH_NAMES_EN, MONTH_NAMES_ID, Period
from ..presenters import EMPTY, Figures, Heat, Section, Table, figures
from .pdf_drawings import BOLD, FONT, Arrow, Lamp, chart, heat_legend

if TYPE_CHECKING:
    from coordination.models import ActionItem, Evaluation, EvaluationFinding

NAVY = colors.HexColor("#0b2e4f")
LINE = colors.HexColor("#ced4da")
HEAD = colors.HexColor("#e9eef4")
MUTED = colors.HexColor("#6c757d")
MARGIN = 18 * mm
WIDTH = A4[0] - 2 * MARGIN


def _fonts() -> None:
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    for name, file in ((FONT, "Vera.ttf"), (BOLD, "VeraBd.ttf"), ("VeraIt", "VeraIt.ttf"), ("VeraBI", "VeraBI.ttf")):
        pdfmetrics.registerFont(TTFont(name, file))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic="VeraIt", boldItalic="VeraBI")


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=FONT, fontSize=9, leading=12)
    return {
        "base": base,
        "small": ParagraphStyle("small", base, fontSize=7.5, leading=9.5),
        "muted": ParagraphStyle("muted", base, fontSize=8, leading=10, textColor=MUTED),
        "cell": ParagraphStyle("cell", base, fontSize=7.5, leading=9),
        "head": ParagraphStyle("head", base, fontName=BOLD, fontSize=7.5, leading=9),
        "h1": ParagraphStyle(
            "h1", base, fontName=BOLD, fontSize=14, leading=18, spaceBefore=6, spaceAfter=8, textColor=NAVY
        ),
        "h2": ParagraphStyle("h2", base, fontName=BOLD, fontSize=10, leading=13, spaceBefore=8, spaceAfter=4),
        "title": ParagraphStyle("title", base, fontName=BOLD, fontSize=24, leading=30, textColor=NAVY),
        "subtitle": ParagraphStyle("subtitle", base, fontSize=14, leading=19),
        "toc1": ParagraphStyle("toc1", base, fontSize=10, leading=16, leftIndent=0),
        "toc2": ParagraphStyle("toc2", base, fontSize=8.5, leading=12, leftIndent=14, textColor=MUTED),
        "center": ParagraphStyle("center", base, alignment=TA_CENTER),
    }


class _Doc(BaseDocTemplate):
    """Headings announce themselves to the contents (`TOCEntry`) as they are laid out."""

    def afterFlowable(self, flowable: Flowable) -> None:  # noqa: N802 (ReportLab's hook)
        level = getattr(flowable, "toc_level", None)
        if level is not None:
            key = f"h{id(flowable)}"
            self.canv.bookmarkPage(key)
            self.notify("TOCEntry", (level, flowable.getPlainText(), self.page, key))  # type: ignore[attr-defined]


def _heading(text: str, style: ParagraphStyle, level: int) -> Paragraph:
    paragraph = Paragraph(escape(text), style)
    paragraph.toc_level = level  # type: ignore[attr-defined]
    return paragraph


def _numbered_canvas(header: str, footer: str, page_word: str, watermark: str | None) -> type[Canvas]:
    """A canvas that keeps its pages until the end, so that each footer can say "x / y"."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 (ReportLab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._decorate(total)
                super().showPage()
            super().save()

        def _decorate(self, total: int) -> None:
            page = self.getPageNumber()
            width, height = A4
            if watermark:
                self.saveState()
                self.setFont(BOLD, 110)
                self.setFillColor(colors.Color(0.86, 0.21, 0.27, alpha=0.13))
                self.translate(width / 2, height / 2)
                self.rotate(45)
                self.drawCentredString(0, -35, watermark)
                self.restoreState()
            if page == 1:
                return
            self.saveState()
            self.setFont(FONT, 7.5)
            self.setFillColor(MUTED)
            self.drawString(MARGIN, height - 11 * mm, header)
            self.setStrokeColor(LINE)
            self.setLineWidth(0.5)
            self.line(MARGIN, height - 12.5 * mm, width - MARGIN, height - 12.5 * mm)
            self.line(MARGIN, 13 * mm, width - MARGIN, 13 * mm)
            self.drawString(MARGIN, 9 * mm, footer)
            self.drawRightString(width - MARGIN, 9 * mm, f"{page_word} {page} / {total}")
            self.restoreState()

    return NumberedCanvas


# --- dates and names ------------------------------------------------------------------------


def long_date(day: dt.date | dt.datetime | None, language: str) -> str:
    """'6 Desember 2026' / '6 December 2026' (a date-time in the portal's zone)."""
    if day is None:
        return EMPTY
    if isinstance(day, dt.datetime):
        day = timezone.localtime(day).date() if timezone.is_aware(day) else day.date()
    names = MONTH_NAMES_EN if language == "en" else MONTH_NAMES_ID
    return f"{day.day} {names[day.month - 1]} {day.year}"


def report_title(evaluation: Evaluation, block: Figures) -> str:
    """The evaluation's own title, or "Evaluasi <scope> <period>" / "Evaluation of <scope>, <period>"."""
    if evaluation.title:
        return evaluation.title
    scope = block.scope_name or (
        pgettext("evaluation title", "the city") if block.scope_kind == "city" else evaluation.get_scope_kind_display()
    )
    try:
        period = Period(evaluation.period_kind, evaluation.period_start, evaluation.period_end).label(block.language)
    except (KeyError, ValueError, TypeError):
        period = block.period_label
    return _("Evaluation of %(scope)s, %(period)s") % {"scope": scope, "period": period or block.period_label}


# --- tables ---------------------------------------------------------------------------------


def _grid(data: list[list[Any]], widths: list[float], numeric: Sequence[int] = (), zebra: bool = True) -> RLTable:
    table = RLTable(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    style = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), 7.5),
        ("BACKGROUND", (0, 0), (-1, 0), HEAD),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, NAVY),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, LINE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    for column in numeric:
        style.append(("ALIGN", (column, 0), (column, -1), "RIGHT"))
    if zebra:
        for row in range(2, len(data), 2):
            style.append(("BACKGROUND", (0, row), (-1, row), colors.HexColor("#f8f9fa")))
    table.setStyle(TableStyle(style))
    return table


def _p(text: Any, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(str(text)), style)


def _kpi_table(section: Section, block: Figures, s: dict[str, ParagraphStyle]) -> RLTable:
    small = ParagraphStyle("kh", s["head"], fontSize=7, leading=8.5)

    def head(label: str, sub: str = "") -> Paragraph:
        extra = f"<br/><font color='#6c757d' name='{FONT}'>{escape(sub)}</font>" if sub else ""
        return Paragraph(f"{escape(label)}{extra}", ParagraphStyle("h", small, alignment=2))

    rows: list[list[Any]] = [
        [
            _p(_("Indicator"), small),
            head(block.period_label or _("This period")),
            head(_("Previous period"), block.previous_label),
            head(_("A year before"), block.year_before_label),
            head(_("Target")),
            _p(_("Status"), small),
            Paragraph(escape(_("Trend")), ParagraphStyle("t", small, alignment=TA_CENTER)),
        ]
    ]
    for kpi in section.kpis:
        label = escape(kpi.label) + (f" <font color='#6c757d'>(n\u00a0=\u00a0{kpi.n})</font>" if kpi.n else "")
        rows.append(
            [
                Paragraph(label, s["cell"]),
                Paragraph(f"<b>{escape(kpi.display)}</b>", ParagraphStyle("v", s["cell"], alignment=2)),
                kpi.previous,
                kpi.year_before,
                kpi.target,
                Lamp(kpi.light, kpi.light_label),
                Arrow(kpi.trend, kpi.trend_good),
            ]
        )
    widths = [0.0, 56, 56, 56, 48, 66, 30]
    widths[0] = WIDTH - sum(widths[1:])
    return _grid(rows, widths, numeric=(1, 2, 3, 4), zebra=False)


def _breakdown_table(table: Table, s: dict[str, ParagraphStyle]) -> RLTable:
    header = [
        Paragraph(escape(c.label), ParagraphStyle("h", s["head"], alignment=2 if c.numeric else 0))
        for c in table.columns
    ]
    body = [[_p(cell.display, s["cell"]) if not cell.numeric else cell.display for cell in row] for row in table.rows]
    numeric = [i for i, c in enumerate(table.columns) if c.numeric]
    first = WIDTH * (0.34 if len(table.columns) > 3 else 0.46)
    rest = (WIDTH - first) / max(len(table.columns) - 1, 1)
    return _grid([header, *body], [first] + [rest] * (len(table.columns) - 1), numeric=numeric)


def _heat_table(heat: Heat, s: dict[str, ParagraphStyle]) -> RLTable:
    small = ParagraphStyle("hh", s["head"], fontSize=6.5, leading=8, alignment=TA_CENTER)
    header = [_p(heat.row_label, s["head"])] + [_p(c, small) for c in heat.categories]
    body = [[_p(name, s["cell"])] + [c.display for c in cells] for name, cells in heat.rows]
    first = WIDTH * 0.24
    rest = (WIDTH - first) / max(len(heat.categories), 1)
    table = _grid([header, *body], [first] + [rest] * len(heat.categories), zebra=False)
    style = [("ALIGN", (1, 0), (-1, -1), "CENTER"), ("GRID", (1, 1), (-1, -1), 0.25, colors.white)]
    for r, (_name, cells) in enumerate(heat.rows, start=1):
        for c, cell in enumerate(cells, start=1):
            style.append(("BACKGROUND", (c, r), (c, r), colors.HexColor(cell.background)))
            style.append(("TEXTCOLOR", (c, r), (c, r), colors.HexColor(cell.foreground)))
    table.setStyle(TableStyle(style))
    return table


# --- the story ------------------------------------------------------------------------------


def _cover(evaluation: Evaluation, block: Figures, title: str, s: dict[str, ParagraphStyle]) -> list[Flowable]:
    language = block.language
    facts = [
        (_("Agency"), evaluation.owner_agency.name),
        (_("Scope"), block.scope_name or evaluation.get_scope_kind_display()),
        (_("Period"), block.period_label),
        *([(_("Parties"), ", ".join(block.parties))] if block.parties else []),
        (_("Status"), evaluation.get_status_display()),
        (pgettext("evaluation", "Reviewed"), long_date(evaluation.reviewed_at, language)),
        (_("Published"), long_date(evaluation.published_at, language)),
        (_("Figures computed"), long_date(evaluation.computed_at or block.computed_at, language)),
    ]
    table = RLTable([[_p(k, s["muted"]), _p(v, s["base"])] for k, v in facts], colWidths=[45 * mm, WIDTH - 45 * mm])
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, LINE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (0, -1), 0),
            ]
        )
    )
    band = RLTable([[""]], colWidths=[WIDTH], rowHeights=[4])
    band.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), NAVY)]))
    return [
        Spacer(1, 40 * mm),
        _p(_("Periodic evaluation").upper(), s["muted"]),
        Spacer(1, 4 * mm),
        _p(title, s["title"]),
        Spacer(1, 4 * mm),
        _p(evaluation.owner_agency.name, s["subtitle"]),
        Spacer(1, 8 * mm),
        band,
        Spacer(1, 10 * mm),
        table,
        NextPageTemplate("body"),
        PageBreak(),
    ]


def _contents(s: dict[str, ParagraphStyle]) -> list[Flowable]:
    toc = TableOfContents()
    toc.levelStyles = [s["toc1"], s["toc2"]]
    toc.dotsMinLevel = 0
    return [_p(_("Contents"), s["h1"]), toc, PageBreak()]


def _sections(block: Figures, s: dict[str, ParagraphStyle], number: int) -> tuple[list[Flowable], int]:
    story: list[Flowable] = []
    for section in block.sections:
        number += 1
        story += [CondPageBreak(60 * mm), _heading(f"{number}. {section.title}", s["h1"], 0)]
        if section.kpis:
            story.append(_kpi_table(section, block, s))
        for table in section.tables:
            heading = _heading(table.title, s["h2"], 1)
            if not table.rows:
                story += [heading, _p(_("Nothing to show for this period."), s["muted"])]
                continue
            drawing = chart(table, block.language, WIDTH)
            # The title stays with its chart (or the table's first rows) on one page.
            if drawing is not None:
                story += [KeepTogether([heading, drawing, Spacer(1, 3 * mm)])]
            else:
                story += [CondPageBreak(40 * mm), heading]
            story.append(_breakdown_table(table, s))
        if section.heat is not None:
            heat = section.heat
            story += [CondPageBreak(60 * mm), _heading(heat.title, s["h2"], 1), _heat_table(heat, s), Spacer(1, 2 * mm)]
            story.append(heat_legend(heat.legend, _("Scale"), WIDTH))
    return story, number


def _action_rows(actions: Sequence[ActionItem], language: str, s: dict[str, ParagraphStyle], previous: bool) -> RLTable:
    header = [_("Action"), _("Owner"), _("Due"), _("Status")]
    if previous:
        header += [_("Done"), _("On time")]
    rows: list[list[Any]] = [[_p(h, s["head"]) for h in header]]
    for action in actions:
        row = [
            _p(action.description, s["cell"]),
            _p(action.owner_agency.name, s["cell"]),
            _p(long_date(action.due_date, language), s["cell"]),
            _p(action.get_status_display(), s["cell"]),
        ]
        if previous:
            done = action.status == "done"
            closed = timezone.localtime(action.closed_at).date() if action.closed_at else None
            on_time = EMPTY if not done or closed is None else (_("yes") if closed <= action.due_date else _("no"))
            row += [_("yes") if done else _("no"), on_time]
        rows.append(row)
    widths = [WIDTH * 0.42, WIDTH * 0.22, WIDTH * 0.18, WIDTH * 0.18]
    if previous:
        widths = [WIDTH * 0.33, WIDTH * 0.19, WIDTH * 0.16, WIDTH * 0.12, WIDTH * 0.09, WIDTH * 0.11]
    return _grid(rows, widths)


def _findings(
    findings: Sequence[EvaluationFinding],
    actions: Sequence[ActionItem],
    block: Figures,
    s: dict[str, ParagraphStyle],
    number: int,
) -> tuple[list[Flowable], int]:
    number += 1
    story: list[Flowable] = [PageBreak(), _heading(f"{number}. {_('Findings and actions')}", s["h1"], 0)]
    labels = {k.key: k.label for k in block.kpis}
    by_finding: dict[int, list[ActionItem]] = {}
    loose: list[ActionItem] = []
    for action in actions:
        finding = next((f for f in findings if action.finding_id is not None and f.pk == action.finding_id), None)
        if finding is None:
            finding = next((f for f in findings if getattr(action, "finding", None) is f), None)
        (by_finding.setdefault(id(finding), []) if finding is not None else loose).append(action)
    if not findings:
        story.append(_p(_("No findings were recorded."), s["muted"]))
    for i, finding in enumerate(findings, start=1):
        about = labels.get(finding.kpi, "")
        parts: list[Flowable] = [
            Paragraph(
                f"<b>{_('Finding')} {i}.</b> "
                + escape(finding.text).replace("\n", "<br/>")
                + (f" <font color='#6c757d'>({escape(about)})</font>" if about else ""),
                s["base"],
            ),
            Spacer(1, 2 * mm),
        ]
        mine = by_finding.get(id(finding), [])
        parts.append(_action_rows(mine, block.language, s, False) if mine else _p(_("No action decided."), s["muted"]))
        story += [KeepTogether(parts), Spacer(1, 5 * mm)]
    if loose:
        story += [_heading(_("Other actions"), s["h2"], 1), _action_rows(loose, block.language, s, False)]
    return story, number


def _signature(evaluation: Evaluation, block: Figures, s: dict[str, ParagraphStyle]) -> Flowable:
    agency = evaluation.owner_agency
    area = getattr(agency, "headquarters_area", None)
    place = area.name if area is not None else "…………………"
    day = evaluation.published_at or evaluation.reviewed_at
    when = long_date(day, block.language) if day else "……………………… " + str(timezone.localdate().year)
    rows = [
        [_p(f"{place}, {when}", s["base"])],
        [_p(_("Head of %(agency)s") % {"agency": agency.name}, s["base"])],
        [Spacer(1, 22 * mm)],  # room for the signature and the stamp
        [_p(_("Name") + ":", s["base"])],
        [_p("NIP/NRP:", s["base"])],
    ]
    table = RLTable(rows, colWidths=[80 * mm], hAlign="RIGHT")
    # The line to sign on, above the name.
    table.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("LINEBELOW", (0, 2), (0, 2), 0.6, colors.black)]))
    return KeepTogether([Spacer(1, 10 * mm), _heading(_("Signature"), s["h2"], 1), table])


def evaluation_pdf(
    *,
    evaluation: Evaluation,
    findings: Sequence[EvaluationFinding],
    actions: Sequence[ActionItem],
    previous_actions: Sequence[ActionItem],
    language: str,
) -> bytes:
    """The report as PDF bytes in `language` ("id" or "en"). Reads the evaluation's frozen
    snapshot and the rows passed in (the caller's selectors decide who may read them); no
    query of its own beyond the owner agency and its headquarters area."""
    _fonts()
    block = figures(evaluation.snapshot or {}, language=language)
    with override(block.language):
        s = _styles()
        title = report_title(evaluation, block)
        draft = evaluation.status == "draft"
        buffer = io.BytesIO()
        doc = _Doc(
            buffer,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=20 * mm,
            bottomMargin=20 * mm,
            title=title,
            author=evaluation.owner_agency.name,
            lang=block.language,
        )
        frame = Frame(MARGIN, 18 * mm, WIDTH, A4[1] - 36 * mm, id="body")
        doc.addPageTemplates([PageTemplate("cover", [frame]), PageTemplate("body", [frame])])
        story = _cover(evaluation, block, title, s) + _contents(s)
        number = 0
        if evaluation.summary:
            number += 1
            story += [_heading(f"{number}. {_('Summary')}", s["h1"], 0)]
            story += [_p(paragraph, s["base"]) for paragraph in evaluation.summary.split("\n") if paragraph.strip()]
        figures_story, number = _sections(block, s, number)
        story += figures_story
        if not block.sections:
            story.append(_p(_("No figures have been computed for this evaluation yet."), s["muted"]))
        findings_story, number = _findings(findings, actions, block, s, number)
        story += findings_story
        number += 1
        story += [CondPageBreak(60 * mm), _heading(f"{number}. {_('Actions of the previous period')}", s["h1"], 0)]
        if previous_actions:
            story.append(_action_rows(previous_actions, block.language, s, True))
            done = [a for a in previous_actions if a.status == "done"]
            story.append(
                _p(
                    _("%(done)s of %(total)s actions done.") % {"done": len(done), "total": len(previous_actions)},
                    s["muted"],
                )
            )
        else:
            story.append(_p(_("The previous period had no actions."), s["muted"]))
        story.append(_signature(evaluation, block, s))
        header = f"{title} · {evaluation.owner_agency.name}"
        footer = _("Sinergi · printed %(date)s") % {"date": long_date(timezone.localdate(), block.language)}
        watermark = _("DRAFT") if draft else None
        doc.multiBuild(story, canvasmaker=_numbered_canvas(header, footer, _("Page"), watermark))
    return buffer.getvalue()
