"""What each KPI is. The snapshot stores numbers under these keys; every label, unit and rule
for the traffic light lives here, so a frozen evaluation renders in either language.

A KPI's value is a number or None (nothing to measure: no alert in the period has no
acknowledgement time). Units: "count", "percent" (0-100), "minutes", "hours", "index" (SKM,
25-100). `better` says which way is good ("higher", "lower", or None for a figure that is
neither, such as the number of incidents); a KPI with a target and a direction gets a light.
`public` marks the figures the public summary may show.

Breakdowns (the tables and plots under the KPI table) are declared the same way: their
columns, each with its unit, and the chart that draws them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# How far past its target a KPI may be and still be amber rather than red (10 %).
AMBER_MARGIN = Decimal("0.10")


@dataclass(frozen=True)
class Kpi:
    key: str
    section: str
    label: Promise
    unit: str
    better: str | None = None
    default_target: Decimal | None = None
    public: bool = False
    # Only evaluations of this scope kind show it ("partnership"), or every scope (None).
    scope: str | None = None


@dataclass(frozen=True)
class Column:
    key: str
    label: Promise
    # "text" (a name; translatable names are stored as {"id": ..., "en": ...}), "count",
    # "percent", "minutes", "hours", "index", "month" (YYYY-MM).
    unit: str


@dataclass(frozen=True)
class Breakdown:
    key: str
    section: str
    title: Promise
    columns: tuple[Column, ...]
    # "line" (a trend over months), "bar", "heat" (rows x columns of counts), or None (table only).
    chart: str | None = None
    public: bool = False
    scope: str | None = None


SECTIONS: dict[str, Promise] = {
    "incidents": _("Incidents and response"),
    "reports": _("Citizens' reports"),
    "alerts": _("Alerts"),
    "operations": _("Joint operations"),
    "patrols": _("Patrols"),
    "risks": _("Risk register"),
    "programmes": _("Community programmes and follow-up"),
    "voice": _("The community's voice"),
    "partnership": _("Working together"),
}

D = Decimal
KPIS: dict[str, Kpi] = {
    k.key: k
    for k in (
        # Incidents of the period (occurred in it), and how fast they were handled.
        Kpi("incidents.total", "incidents", _("Incidents"), "count", public=True),
        Kpi("incidents.verify_median", "incidents", _("Reported to verified, median"), "minutes", "lower", D(30)),
        Kpi("incidents.verify_p90", "incidents", _("Reported to verified, 90th percentile"), "minutes", "lower"),
        Kpi("incidents.respond_median", "incidents", _("Reported to responding, median"), "minutes", "lower", D(60)),
        Kpi("incidents.respond_p90", "incidents", _("Reported to responding, 90th percentile"), "minutes", "lower"),
        Kpi("incidents.resolve_median", "incidents", _("Reported to resolved, median"), "hours", "lower", D(24)),
        Kpi("incidents.resolve_p90", "incidents", _("Reported to resolved, 90th percentile"), "hours", "lower"),
        Kpi(
            "incidents.within_target",
            "incidents",
            _("Responded to within the target time of their severity"),
            "percent",
            "higher",
            D(80),
            public=True,
        ),
        Kpi("incidents.resolved_share", "incidents", _("Resolved or closed"), "percent", "higher", public=True),
        # Citizens' reports received in the period.
        Kpi("reports.total", "reports", _("Citizens' reports"), "count", public=True),
        Kpi("reports.moderation_median", "reports", _("Time to moderation, median"), "minutes", "lower", D(60)),
        Kpi(
            "reports.moderated_within_target",
            "reports",
            _("Moderated within the target time"),
            "percent",
            "higher",
            D(90),
            public=True,
        ),
        Kpi("reports.verified_share", "reports", _("Verified"), "percent", None, public=True),
        Kpi("reports.spam_share", "reports", _("Rejected as spam"), "percent", "lower"),
        Kpi("reports.questions_answered", "reports", _("Questions to reporters answered"), "percent", "higher"),
        # Alerts of the period's threats.
        Kpi("alerts.total", "alerts", _("Alerts sent to agencies"), "count"),
        Kpi("alerts.delivered_email", "alerts", _("E-mail deliveries that succeeded"), "percent", "higher", D(98)),
        Kpi("alerts.delivered_sms", "alerts", _("SMS deliveries that succeeded"), "percent", "higher", D(98)),
        Kpi("alerts.delivered_webhook", "alerts", _("Webhook deliveries that succeeded"), "percent", "higher", D(98)),
        Kpi("alerts.delivered_in_app", "alerts", _("In-app deliveries that succeeded"), "percent", "higher", D(99)),
        Kpi("alerts.ack_median", "alerts", _("Time to acknowledge, median"), "minutes", "lower", D(15)),
        Kpi("alerts.ack_p90", "alerts", _("Time to acknowledge, 90th percentile"), "minutes", "lower", D(60)),
        Kpi("alerts.escalated", "alerts", _("Alerts escalated"), "count", "lower"),
        Kpi("alerts.unacknowledged", "alerts", _("Alerts never acknowledged"), "count", "lower", D(0)),
        # Joint operations and patrols.
        Kpi("operations.held", "operations", _("Joint operations held"), "count", "higher"),
        Kpi("operations.agencies", "operations", _("Agencies taking part"), "count", "higher"),
        Kpi("operations.sitreps_on_time", "operations", _("Situation reports on time"), "percent", "higher", D(90)),
        Kpi("patrols.shifts_held", "patrols", _("Patrol shifts held"), "count", "higher"),
        Kpi("patrols.checkins_on_time", "patrols", _("Check-ins on time"), "percent", "higher", D(90)),
        Kpi("patrols.checkins_late", "patrols", _("Check-ins late"), "count", "lower"),
        Kpi("patrols.checkins_missed", "patrols", _("Check-ins missed"), "count", "lower"),
        Kpi(
            "patrols.high_risk_coverage",
            "patrols",
            _("High-risk area-days with a patrol"),
            "percent",
            "higher",
            D(80),
        ),
        Kpi("patrols.conflicts_overridden", "patrols", _("Patrol conflicts overridden"), "count", "lower"),
        # The risk register.
        Kpi("risks.reviews_overdue", "risks", _("Risk reviews overdue"), "count", "lower", D(0)),
        Kpi("risks.scores_up", "risks", _("Risk scores that rose"), "count", "lower"),
        Kpi("risks.scores_down", "risks", _("Risk scores that fell"), "count", "higher"),
        # Programmes and every parent's action items.
        Kpi("programmes.held", "programmes", _("Programmes held"), "count", "higher", public=True),
        Kpi("programmes.held_share", "programmes", _("Programmes held of those planned"), "percent", "higher", D(90)),
        Kpi(
            "programmes.reach",
            "programmes",
            _("People reached of those targeted"),
            "percent",
            "higher",
            D(80),
            public=True,
        ),
        Kpi("actions.closed_on_time", "programmes", _("Action items closed on time"), "percent", "higher", D(80)),
        Kpi("actions.overdue", "programmes", _("Action items overdue"), "count", "lower", D(0)),
        # The community's voice.
        Kpi("voice.skm_index", "voice", _("Public satisfaction index (SKM)"), "index", "higher", D("76.61"), True),
        Kpi("voice.skm_responses", "voice", _("SKM responses"), "count", "higher", public=True),
        Kpi("voice.programme_responses", "voice", _("Survey answers on programmes"), "count", "higher"),
        # What the agencies of a partnership did together.
        Kpi(
            "partnership.operations",
            "partnership",
            _("Joint operations together"),
            "count",
            "higher",
            scope="partnership",
        ),
        Kpi("partnership.bulletins", "partnership", _("Bulletins shared"), "count", "higher", scope="partnership"),
        Kpi("partnership.alerts", "partnership", _("Alerts between them"), "count", None, scope="partnership"),
        Kpi(
            "partnership.ack_median",
            "partnership",
            _("Time to acknowledge each other's alerts, median"),
            "minutes",
            "lower",
            D(15),
            scope="partnership",
        ),
        Kpi("partnership.exercises", "partnership", _("Joint exercises"), "count", "higher", scope="partnership"),
        Kpi("partnership.programmes", "partnership", _("Joint programmes"), "count", "higher", scope="partnership"),
    )
}

_TEXT = "text"
BREAKDOWNS: dict[str, Breakdown] = {
    b.key: b
    for b in (
        Breakdown(
            "incidents_by_month",
            "incidents",
            _("Incidents per month"),
            (
                Column("month", _("Month"), "month"),
                Column("count", _("Incidents"), "count"),
                Column("previous", _("A year before"), "count"),
            ),
            chart="line",
            public=True,
        ),
        Breakdown(
            "incidents_by_category",
            "incidents",
            _("Incidents by category"),
            (
                Column("category", _("Category"), _TEXT),
                Column("count", _("Incidents"), "count"),
                Column("previous", _("Previous period"), "count"),
            ),
            chart="bar",
            public=True,
        ),
        Breakdown(
            "incidents_by_area",
            "incidents",
            _("Incidents by area"),
            (
                Column("area", _("Area"), _TEXT),
                Column("count", _("Incidents"), "count"),
                Column("previous", _("Previous period"), "count"),
            ),
            chart="bar",
            public=True,
        ),
        Breakdown(
            "incidents_heat",
            "incidents",
            _("Incidents by area and category"),
            # rows: areas; "values" holds one list of counts per row, in the order of "categories".
            (Column("area", _("Area"), _TEXT),),
            chart="heat",
        ),
        Breakdown(
            "response_by_severity",
            "incidents",
            _("Response times by severity"),
            (
                Column("severity", _("Severity"), _TEXT),
                Column("count", _("Incidents"), "count"),
                Column("respond_median", _("To responding, median"), "minutes"),
                Column("respond_p90", _("To responding, 90th percentile"), "minutes"),
                Column("target", _("Target time"), "minutes"),
                Column("within_target", _("Within the target"), "percent"),
            ),
        ),
        Breakdown(
            "delivery_by_channel",
            "alerts",
            _("Deliveries by channel"),
            (
                Column("channel", _("Channel"), _TEXT),
                Column("sent", _("Sent"), "count"),
                Column("failed", _("Failed"), "count"),
                Column("success", _("Success"), "percent"),
            ),
            chart="bar",
        ),
        Breakdown(
            "ack_by_agency",
            "alerts",
            _("Acknowledgement by agency"),
            (
                Column("agency", _("Agency"), _TEXT),
                Column("alerts", _("Alerts"), "count"),
                Column("median", _("Median"), "minutes"),
                Column("p90", _("90th percentile"), "minutes"),
                Column("escalated", _("Escalated"), "count"),
                Column("unacknowledged", _("Unacknowledged"), "count"),
            ),
            chart="bar",
        ),
        Breakdown(
            "reach_by_group",
            "programmes",
            _("Reach by target group"),
            (
                Column("group", _("Target group"), _TEXT),
                Column("planned", _("Planned"), "count"),
                Column("attended", _("Attended"), "count"),
                Column("reach", _("Reach"), "percent"),
            ),
            chart="bar",
            public=True,
        ),
        Breakdown(
            "skm_by_agency",
            "voice",
            _("Satisfaction index by agency"),
            (
                Column("agency", _("Agency"), _TEXT),
                Column("responses", _("Responses"), "count"),
                Column("index", _("Index"), "index"),
            ),
            chart="bar",
            public=True,
        ),
        Breakdown(
            "skm_by_service",
            "voice",
            _("Satisfaction index by service"),
            (
                Column("service", _("Service"), _TEXT),
                Column("responses", _("Responses"), "count"),
                Column("index", _("Index"), "index"),
            ),
            chart="bar",
            public=True,
        ),
        Breakdown(
            "partnership_pairs",
            "partnership",
            _("Alerts between the partners"),
            (
                Column("from", _("From"), _TEXT),
                Column("to", _("To"), "text"),
                Column("alerts", _("Alerts"), "count"),
                Column("median", _("Acknowledged in, median"), "minutes"),
            ),
            scope="partnership",
        ),
    )
}


def light(kpi: Kpi, value: float | Decimal | None, target: float | Decimal | None) -> str | None:
    """ "green" when the value meets its target, "amber" when it misses by at most 10 % of the
    target, "red" beyond; None without a value, a target or a direction."""
    if value is None or target is None or kpi.better is None:
        return None
    value, target = Decimal(str(value)), Decimal(str(target))
    margin = abs(target) * AMBER_MARGIN
    if kpi.better == "higher":
        return "green" if value >= target else "amber" if value >= target - margin else "red"
    return "green" if value <= target else "amber" if value <= target + margin else "red"


def trend(value: float | None, previous: float | None) -> str | None:
    """ "up", "down" or "flat" against the previous period; None when either is missing."""
    if value is None or previous is None:
        return None
    return "up" if value > previous else "down" if value < previous else "flat"


def kpis_for(scope_kind: str) -> list[Kpi]:
    """The KPIs an evaluation of this scope shows, in the registry's order."""
    return [k for k in KPIS.values() if k.scope in (None, scope_kind)]
