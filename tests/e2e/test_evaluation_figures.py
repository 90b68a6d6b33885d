"""An evaluation's figures in a real browser: the partial (figures.html) rendered with a full
sample snapshot into a page whose assets come from the live server's static files, so that
Chart.js and static/js/evaluation_charts.js draw every canvas as they will on the detail and
public summary pages (those pages are the workflow's; this checks the block they include).
Screenshots in test-results/screenshots/evaluation-figures-*.png."""

import pytest
from django.template import Context, Template

from coordination.evaluations.presenters import figures
from tests.coordination.evaluations.report_snapshot import full_snapshot

PAGE = Template(
    """{% load static %}<!doctype html><html lang="{{ language }}"><head><meta charset="utf-8">
<base href="{{ base }}/">
<link rel="stylesheet" href="{% static 'vendor/bootstrap/css/bootstrap.min.css' %}">
<link rel="stylesheet" href="{% static 'vendor/bootstrap-icons/bootstrap-icons.min.css' %}">
<link rel="stylesheet" href="{% static 'css/sinergi.css' %}"></head>
<body class="bg-body-tertiary"><main class="container py-3">
{% include "coordination/evaluations/partials/figures.html" %}</main>
<script src="{% static 'vendor/chart.js/chart.umd.min.js' %}"></script>
<script src="{% static 'js/evaluation_charts.js' %}"></script></body></html>"""
)


@pytest.mark.parametrize(("language", "public_only"), [("id", False), ("en", False), ("id", True)])
def test_every_chart_of_the_figures_is_drawn_with_its_tables(page, live_server, shot, language, public_only):
    block = figures(full_snapshot(rows=12), language=language, public_only=public_only)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # Same origin as the static files, so that the icon font loads (fonts obey CORS).
    page.goto(f"{live_server.url}/static/css/sinergi.css")
    page.set_content(PAGE.render(Context({"figures": block, "language": language, "base": live_server.url})))
    page.wait_for_load_state("networkidle")

    charts = [t for t in block.tables if t.chart]
    assert charts
    assert page.locator("canvas[data-drawn]").count() == len(charts)
    # Every canvas is shown and has been painted (Chart.js sizes it to its box).
    for canvas in page.locator("canvas[data-chart-config]").all():
        assert canvas.is_visible()
        assert canvas.bounding_box()["height"] > 100
    assert not errors
    lights = page.locator("[data-light]")
    assert lights.count() == sum(1 for k in block.kpis if k.light)
    assert page.locator("[data-trend] .visually-hidden").first.inner_text()
    if public_only:
        assert page.locator("[data-testid=heat-incidents_heat]").count() == 0
    else:
        assert page.locator("[data-testid=heat-incidents_heat] tbody tr").count() == 12
    shot(f"evaluation-figures-{language}{'-public' if public_only else ''}")


def test_the_figures_read_on_a_phone(page, live_server, shot):
    """390 px: the KPI table scrolls sideways inside its card, the page itself does not."""
    page.set_viewport_size({"width": 390, "height": 844})
    block = figures(full_snapshot(rows=30), language="id", public_only=True)
    page.goto(f"{live_server.url}/static/css/sinergi.css")
    page.set_content(PAGE.render(Context({"figures": block, "language": "id", "base": live_server.url})))
    page.wait_for_load_state("networkidle")
    shot("evaluation-figures-phone")
    wide = page.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 392"
        " && !e.closest('.table-responsive'))"
        ".slice(0, 5).map(e => e.tagName + '.' + e.className)"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, wide
    assert page.locator("canvas[data-drawn]").count() == sum(1 for t in block.tables if t.chart)
