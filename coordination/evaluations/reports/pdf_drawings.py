"""The PDF's pictures, drawn with ReportLab's own graphics (pure Python, no system library):
the traffic light as a coloured shape with its word (circle, triangle, square: read without
colour), the trend as an arrow, and the charts (line for a trend with the year before dashed,
bars for the lists, horizontal once the names are many)."""

from __future__ import annotations

from typing import Any

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend, LineSwatch
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.charts.textlabels import NA_Label
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

from ..presenters import LIGHT_COLOURS, PALETTE, Table, number

FONT = "Vera"
BOLD = "VeraBd"
GREY = colors.HexColor("#6c757d")
GOOD = colors.HexColor("#198754")
BAD = colors.HexColor("#dc3545")


class Lamp(Flowable):
    """The light: a green circle, an amber triangle or a red square, then its word (wrapped
    onto a second line when the column is narrow)."""

    def __init__(self, light: str | None, label: str, size: float = 7) -> None:
        super().__init__()
        self.light, self.label, self.size = light, label, size
        self.lines = [label]
        self.width, self.height = 8.0, size + 2

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        if not self.light:
            return 8, self.size + 2
        room = max(available_width - 9, 20)
        lines: list[str] = []
        for word in self.label.split():
            if lines and stringWidth(f"{lines[-1]} {word}", FONT, self.size) <= room:
                lines[-1] = f"{lines[-1]} {word}"
            else:
                lines.append(word)
        self.lines = lines or [""]
        self.width = 9 + max(stringWidth(line, FONT, self.size) for line in self.lines)
        self.height = len(self.lines) * (self.size + 1.5) + 1
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        if not self.light:
            c.setFillColor(GREY)
            c.setFont(FONT, self.size)
            c.drawString(0, 1.5, "–")
            return
        top = self.height - (self.size + 1.5)  # the shape sits beside the first line
        c.setFillColor(colors.HexColor(LIGHT_COLOURS[self.light]))
        c.setStrokeColor(colors.HexColor("#343a40"))
        c.setLineWidth(0.4)
        r = 3.2
        if self.light == "green":
            c.circle(r, top + r + 1, r, stroke=1, fill=1)
        elif self.light == "amber":
            path = c.beginPath()
            path.moveTo(0, top + 1)
            path.lineTo(2 * r, top + 1)
            path.lineTo(r, top + 1 + 2 * r)
            path.close()
            c.drawPath(path, stroke=1, fill=1)
        else:
            c.rect(0.3, top + 1.3, 2 * r - 0.6, 2 * r - 0.6, stroke=1, fill=1)
        c.setFillColor(colors.black)
        c.setFont(FONT, self.size)
        for i, line in enumerate(self.lines):
            c.drawString(2 * r + 2.5, top + 1.5 - i * (self.size + 1.5), line)


class Arrow(Flowable):
    """The trend: up, down or flat; green when better, red when worse, grey when neither."""

    def __init__(self, trend: str | None, good: bool | None) -> None:
        super().__init__()
        self.trend, self.good = trend, good
        self.width, self.height = 10, 9

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        colour = GOOD if self.good is True else BAD if self.good is False else GREY
        c.setStrokeColor(colour)
        c.setFillColor(colour)
        c.setLineWidth(1.2)
        if self.trend is None:
            c.setFont(FONT, 7)
            c.drawString(2, 1.5, "–")
            return
        if self.trend == "flat":
            c.line(0, 4.5, 7, 4.5)
            head = [(10, 4.5), (6, 7.5), (6, 1.5)]
        elif self.trend == "up":
            c.line(5, 0, 5, 6)
            head = [(5, 9), (2, 5), (8, 5)]
        else:
            c.line(5, 9, 5, 3)
            head = [(5, 0), (2, 4), (8, 4)]
        path = c.beginPath()
        path.moveTo(*head[0])
        for point in head[1:]:
            path.lineTo(*point)
        path.close()
        c.drawPath(path, stroke=0, fill=1)


def _values(series: dict[str, Any]) -> list[float | None]:
    """The series' numbers; a missing value stays None, which is drawn as no bar (a dash on the
    axis) and as a gap in a line (`_runs`): a period without data is not a zero."""
    return [float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None for v in series["data"]]


def _runs(series: list[float | None]) -> list[list[float | None]]:
    """A line's series cut at its gaps: one row per run of values, None elsewhere, since
    ReportLab's line chart joins the points on either side of a None."""
    runs: list[list[float | None]] = []
    current: list[float | None] | None = None
    for i, value in enumerate(series):
        if value is None:
            current = None
            continue
        if current is None:
            current = [None] * len(series)
            runs.append(current)
        current[i] = value
    return runs


def _legend(drawing: Drawing, datasets: list[dict[str, Any]], x: float, y: float, dashed: bool = False) -> None:
    if len(datasets) < 2:
        return
    legend = Legend()
    legend.x, legend.y = x, y
    legend.fontName, legend.fontSize = FONT, 7
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.deltax = 110
    legend.dx, legend.dy = 14 if dashed else 8, 4 if dashed else 6
    legend.colorNamePairs = [(colors.HexColor(PALETTE[i % len(PALETTE)]), d["label"]) for i, d in enumerate(datasets)]
    if dashed:
        swatches = []
        for i, d in enumerate(datasets):
            swatch = LineSwatch()
            swatch.strokeColor = colors.HexColor(PALETTE[i % len(PALETTE)])
            swatch.strokeWidth = 1.5
            swatch.strokeDashArray = (3, 2) if i else None
            swatches.append((swatch, d["label"]))
        legend.colorNamePairs = swatches
    drawing.add(legend)


def _nice(top: float) -> float:
    """A round axis end a little above the highest value (120 for 117, 1,500 for 1,234)."""
    step = 10 ** max(len(str(int(top))) - 1, 0)
    return next(step * f for f in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10, 12, 15, 20) if step * f >= top * 1.05)


def _axis_format(language: str, unit_max: float) -> Any:
    decimals = 0 if unit_max >= 5 else 1
    return lambda value: number(value, decimals, language)


def chart(table: Table, language: str, width: float) -> Drawing | None:
    """The table's chart as a drawing `width` wide, or None when it has none."""
    config = table.chart
    if not config:
        return None
    labels = [str(label) for label in config["data"]["labels"]]
    datasets = config["data"]["datasets"]
    data = [_values(d) for d in datasets]
    top = max((v for series in data for v in series if v is not None), default=0.0) or 1.0
    horizontal = config["options"].get("indexAxis") == "y"
    if horizontal:
        label_width = min(max(stringWidth(label, FONT, 7) for label in labels) + 8, width * 0.35)
        bar_room = 7 * len(datasets) + 4
        plot_height = max(60, len(labels) * bar_room)
        drawing = Drawing(width, plot_height + 40)
        plot: Any = HorizontalBarChart()
        plot.x, plot.y = label_width, 28
        plot.width, plot.height = width - label_width - 10, plot_height
        # Drawn from the bottom up: reverse the names and the series so the list reads as the table.
        plot.data = [list(reversed(series)) for series in reversed(data)]
        plot.categoryAxis.categoryNames = list(reversed(labels))
        plot.categoryAxis.labels.boxAnchor = "e"
        plot.categoryAxis.labels.dx = -3
        plot.barSpacing = 0.5
        plot.groupSpacing = 3
    elif config["type"] == "line":
        slanted = len(labels) > 6  # twelve months: slanted names, and room for them above the legend
        drawing = Drawing(width, 165 if slanted else 150)
        plot = HorizontalLineChart()
        plot.x, plot.y, plot.width, plot.height = 38, 48 if slanted else 32, width - 50, 105
        # Each series' runs as rows of their own, drawn alike; a point on each value, so that a
        # value alone between two gaps shows too.
        rows = [(i, run) for i, series in enumerate(data) for run in _runs(series)]
        plot.data = [run for _i, run in rows] or [[None] * len(labels)]
        plot.categoryAxis.categoryNames = labels
        plot.categoryAxis.labels.angle = 30 if len(labels) > 6 else 0
        plot.categoryAxis.labels.boxAnchor = "ne" if len(labels) > 6 else "n"
        plot.joinedLines = 1
        for row, (i, _run) in enumerate(rows):
            colour = colors.HexColor(PALETTE[i % len(PALETTE)])
            plot.lines[row].strokeColor = colour
            plot.lines[row].strokeWidth = 1.8
            plot.lines[row].symbol = makeMarker("FilledCircle", size=3.5, fillColor=colour, strokeColor=colour)
            if i:
                plot.lines[row].strokeDashArray = (4, 3)
    else:
        slanted = len(labels) > 4
        drawing = Drawing(width, 165 if slanted else 150)
        plot = VerticalBarChart()
        plot.x, plot.y, plot.width, plot.height = 40, 48 if slanted else 32, width - 50, 105
        plot.data = data
        plot.categoryAxis.categoryNames = labels
        plot.categoryAxis.labels.angle = 20 if len(labels) > 4 else 0
        plot.categoryAxis.labels.boxAnchor = "ne" if len(labels) > 4 else "n"
        plot.barSpacing = 1
        plot.groupSpacing = 8
    plot.categoryAxis.labels.fontName = FONT
    plot.categoryAxis.labels.fontSize = 7
    plot.valueAxis.labels.fontName = FONT
    plot.valueAxis.labels.fontSize = 7
    plot.valueAxis.valueMin = 0
    value_axis = config["options"]["scales"]["x" if horizontal else "y"]
    if "max" in value_axis:
        plot.valueAxis.valueMax = value_axis["max"]
    else:
        plot.valueAxis.valueMax = _nice(top)
    plot.valueAxis.labelTextFormat = _axis_format(language, top)
    plot.valueAxis.visibleGrid = 1
    plot.valueAxis.gridStrokeColor = colors.HexColor("#dee2e6")
    plot.valueAxis.gridStrokeWidth = 0.4
    if config["type"] == "bar":
        plot.naLabel = NA_Label()
        plot.naLabel.text = "–"
        plot.naLabel.fontName, plot.naLabel.fontSize = FONT, 7
        plot.naLabel.boxAnchor, plot.naLabel.dy = "s", 1  # on the axis, where the bar would start
        for i in range(len(datasets)):
            j = len(datasets) - 1 - i if horizontal else i
            plot.bars[i].fillColor = colors.HexColor(PALETTE[j % len(PALETTE)])
            plot.bars[i].strokeColor = None
    drawing.add(plot)
    _legend(drawing, datasets, plot.x, 8, dashed=config["type"] == "line")
    return drawing


def heat_legend(cells: list[Any], label: str, width: float) -> Drawing:
    """The heat map's scale: a row of shaded boxes with their counts."""
    drawing = Drawing(width, 16)
    drawing.add(String(0, 4, label, fontName=FONT, fontSize=7, fillColor=GREY))
    x = stringWidth(label, FONT, 7) + 6
    for cell in cells:
        drawing.add(Rect(x, 1, 24, 12, fillColor=colors.HexColor(cell.background), strokeColor=GREY, strokeWidth=0.3))
        drawing.add(
            String(
                x + 12,
                4,
                cell.display,
                fontName=FONT,
                fontSize=7,
                textAnchor="middle",
                fillColor=colors.HexColor(cell.foreground),
            )
        )
        x += 26
    return drawing
