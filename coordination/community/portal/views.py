"""The public portal's pages: no login, Bahasa Indonesia first, phone first, on the citizens'
small layout (templates/incidents/reports/public_base.html: Bootstrap's CSS only, no icon font,
no htmx); every page reads without JavaScript and posts its forms normally.

- `/` for a visitor (`home`; the desk hands an anonymous request to it, see
  `coordination/desk/views.py`): report an event, follow a report, then the sections of
  `selectors.SECTIONS` (the current public alerts first);
- /peringatan/ (`public-alerts`): the current public alerts, paged, each with its severity,
  areas, times in the zone of its first area and the issuing agency;
- /peringatan/peta/ (`public-alert-map`): the same alerts on a map (static/js/sinergi_map.js,
  deferred: the list under the map is the page before any script runs).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from common.pagination import paginate
from common.views import map_settings

from . import selectors


def home(request: HttpRequest) -> HttpResponse:
    """The visitor's home (`/` when not signed in)."""
    return render(request, "coordination/community/portal/home.html", {"sections": selectors.home_sections(request)})


@require_GET
def alert_list(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.public_alert_list(), selectors.ALERT_PAGE_SIZE)
    for alert in page.object_list:
        alert.zone = selectors.alert_zone(alert)
    return render(request, "coordination/community/portal/alert_list.html", {"page": page})


@require_GET
def alert_map(request: HttpRequest) -> HttpResponse:
    alerts = selectors.public_alerts(limit=selectors.MAP_ALERT_LIMIT)
    return render(
        request,
        "coordination/community/portal/alert_map.html",
        {"alerts": alerts, "points": selectors.public_alert_points(alerts), **map_settings()},
    )
