"""Reads of the public portal: the current public alerts, and the sections of the visitor's home.

Everything here is public: no user is taken, because there is none. The alerts are the
threats' own public selection (`incidents.threats.selectors.public_threats`: public, not a
draft or a test, not expired), without the cancelled ones.

Sections: the visitor's home at `/` shows, after "report" and "follow a report", one block per
callable of `SECTIONS`, in order. A callable takes the request and answers a `Section` (its
template and context) or None when it has nothing to show (no upcoming programme, no open
survey); the section's template reads its context as `section` (`{{ section.programmes }}`).
Other features register theirs in `coordination/apps.py` `ready()`, like the desk's
`HOOKS`; each reads through its own selectors and must stay a bounded number of queries:

    from coordination.community.portal.selectors import SECTIONS, Section

    def public_programmes_section(request):
        rows = public_upcoming(limit=3)
        return Section("programmes", "coordination/community/programmes/partials/public_section.html",
                       {"programmes": rows}) if rows else None
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.utils.translation import get_language

from agencies.models import Area
from incidents.models import Threat
from incidents.threats.selectors import public_threats

# The home page lists at most this many alerts, the most severe first; the list page pages by
# ALERT_PAGE_SIZE; the map draws at most MAP_ALERT_LIMIT (every public alert in force, in practice).
HOME_ALERT_LIMIT = 5
ALERT_PAGE_SIZE = 20
MAP_ALERT_LIMIT = 200


@dataclass(frozen=True)
class Section:
    """One block of the visitor's home: `key` names it (data-section in the page)."""

    key: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)


SectionHook = Callable[[HttpRequest], "Section | None"]
SECTIONS: list[SectionHook] = []


def home_sections(request: HttpRequest) -> list[Section]:
    """The registered sections that have something to show, in registration order."""
    sections = [hook(request) for hook in SECTIONS]
    return [section for section in sections if section is not None]


def public_alert_list() -> QuerySet[Threat]:
    """The current public alerts, most severe and newest first, with what a visitor is shown:
    the category, the issuing agency, the CAP source (the warning service an alert came from,
    incidents/threats/feeds/) and the areas (with their zone and centre), prefetched."""
    return (
        public_threats()
        .exclude(msg_type=Threat.MsgType.CANCEL)
        .select_related("issuing_agency", "cap_source")
        .prefetch_related(None)
        .prefetch_related(
            Prefetch(
                "areas",
                queryset=Area.objects.only("id", "name", "level", "timezone", "centroid_lat", "centroid_lon").order_by(
                    "name", "id"
                ),
            ),
        )
        .order_by("-severity", "-sent_at", "-id")
    )


def alert_zone(threat: Threat) -> str:
    """The zone an alert's times show in: its first area's (WIB, WITA, WIT), else the portal's."""
    first = next(iter(threat.areas.all()), None)  # prefetched
    return (first.timezone if first is not None else "") or settings.TIME_ZONE


def public_alerts(*, limit: int) -> list[Threat]:
    """At most `limit` current public alerts, each with `zone` set for its times (two queries)."""
    alerts = list(public_alert_list()[:limit])
    for alert in alerts:
        alert.zone = alert_zone(alert)  # type: ignore[attr-defined]
    return alerts


def headline(threat: Threat) -> str:
    """The alert's headline in the reader's language (the English one when there is one)."""
    return threat.headline_en if get_language() == "en" and threat.headline_en else threat.headline


def _number(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def public_alert_points(alerts: list[Threat]) -> list[dict[str, Any]]:
    """The map's data for alerts read by `public_alerts`: one point per area of each alert
    that has a centre (text only, never HTML; the page writes it with json_script). An alert
    of no located area is not drawn (the list under the map shows every alert). No query."""
    points: list[dict[str, Any]] = []
    for alert in alerts:
        for area in alert.areas.all():
            lat, lon = _number(area.centroid_lat), _number(area.centroid_lon)
            if lat is None or lon is None:
                continue
            points.append(
                {
                    "id": alert.pk,
                    "severity": alert.severity,
                    "headline": headline(alert),
                    "area": area.name,
                    "lat": lat,
                    "lon": lon,
                }
            )
    return points


def alerts_section(request: HttpRequest) -> Section:
    """The home's own section: the current public alerts (always shown: "no alert in force" is
    news too). Registered through `SECTIONS` like any other feature's."""
    return Section(
        "alerts",
        "coordination/community/portal/partials/alerts_section.html",
        {"alerts": public_alerts(limit=HOME_ALERT_LIMIT)},
    )
