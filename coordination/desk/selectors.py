"""Reads of the desk: what needs the member now, block by block, each through the accessor of
the feature it shows (so it shows only what the user may read), each a count and a handful
of rows, in a number of queries that does not grow with the data.

The scope: a member looks at one of their agencies at a time (`?agency=`, their first by
default); staff see the whole city (or one agency they belong to). Counts stop at
`COUNT_BOUND` ("100+"): a desk tells what needs doing, the lists behind its links count
exactly.

Blocks registered by features that do not exist yet (meetings) plug in through `HOOKS`: a
function of (user, scope) returning a `Block` or None; none is registered today, so the desk
shows nothing for them rather than an empty promise.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Window
from django.urls import reverse
from django.utils import timezone

from agencies import selectors as agency_selectors
from agencies.models import Agency, Area
from agencies.roles import agencies_with
from common.types import User
from coordination.bulletins.selectors import desk_bulletins
from coordination.exercises.selectors import overdue_action_items
from coordination.operations.selectors import operation_list
from coordination.patrols.selectors import shift_list
from incidents.models import Incident, Threat
from incidents.reports.selectors import citizen_report_list
from incidents.selectors import incident_list
from incidents.threats import selectors as threat_selectors

ROWS = 5  # rows a block shows; its link opens the rest
COUNT_BOUND = 100
MAP_POINTS = 200
AUDIT_FIELDS = ("classification", "reporting_agency_id", "lead_agency_id")
OPEN_STATUSES = ("reported", "verified", "responding", "contained")
# Citizens' reports should be moderated within this time (SINERGI_REPORT_MODERATION_TARGET_HOURS).
MODERATION_TARGET = datetime.timedelta(hours=getattr(settings, "SINERGI_REPORT_MODERATION_TARGET_HOURS", 4))


@dataclass
class Scope:
    """Whose desk: one agency of the user's (`agency`), or the whole city (staff, None)."""

    agency: Agency | None
    choices: list[Agency]
    staff: bool
    paths: list[str] | None  # the agency's jurisdiction (area paths); None: everywhere

    @property
    def agency_ids(self) -> set[int] | None:
        return {self.agency.pk} if self.agency else None


@dataclass
class Block:
    key: str
    count: int
    rows: list[Any]
    url: str
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def more(self) -> bool:
        return self.count > COUNT_BOUND


HOOKS: list[Callable[[User, Scope], Block | None]] = []


def _count(qs: QuerySet[Any]) -> int:
    return qs[: COUNT_BOUND + 1].count()


def _area_q(paths: list[str] | None, field_name: str) -> Q:
    if paths is None:
        return Q()
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for path in paths:
        q |= Q(**{f"{field_name}__startswith": path})
    return q


def desk_scope(*, user: User, agency_id: Any = None) -> Scope:
    """The agency the desk shows: one of the user's (`agency_id` if theirs, else the first by
    name); staff without one (or asking for none) see the whole city."""
    staff = agency_selectors.user_is_staff(user)
    ids = agency_selectors.user_agency_ids(user=user)
    choices = list(Agency.objects.filter(pk__in=ids, is_active=True).order_by("name")) if ids else []
    chosen = next((a for a in choices if str(a.pk) == str(agency_id)), None)
    if chosen is None and not (staff and (agency_id in (None, "", "all") or not choices)):
        chosen = choices[0] if choices else None
    if staff and agency_id == "all":
        chosen = None
    paths = None
    if chosen is not None:
        paths = list(Area.objects.filter(agencies_with_jurisdiction=chosen).values_list("path", flat=True))
    elif not staff:
        paths = []
    return Scope(agency=chosen, choices=choices, staff=staff, paths=paths)


# --- The blocks ----------------------------------------------------------------------------


def alerts_waiting(*, user: User, scope: Scope) -> Block:
    """Alerts waiting for the agency's acknowledgement, the most severe and oldest first; each
    row `can_acknowledge` by the rule `alert_acknowledge` applies."""
    qs = threat_selectors.alert_list(user=user).filter(threat_selectors.alert_waiting_q())
    if scope.agency is not None:
        qs = qs.filter(agency=scope.agency)
    rows = list(
        qs.select_related(None)
        .select_related("threat", "agency")
        .order_by("-threat__severity", "created_at", "id")[:ROWS]
    )
    for alert in rows:
        alert.can_acknowledge = threat_selectors.can_acknowledge_alert(user=user, alert=alert)  # type: ignore[attr-defined]
    return Block("alerts", _count(qs), rows, reverse("inbox") + "?kind=alert&needs_ack=on")


def reports_waiting(*, user: User, scope: Scope) -> Block:
    """Citizens' reports waiting for moderation in the jurisdiction, oldest first, each with
    its age against the moderation target."""
    qs = citizen_report_list(user=user, status="new").filter(_area_q(scope.paths, "area_path"))
    rows = list(qs.order_by("created_at", "id")[:ROWS])
    now = timezone.now()
    for report in rows:
        report.age = now - report.created_at  # type: ignore[attr-defined]
        report.overdue = report.age > MODERATION_TARGET  # type: ignore[attr-defined]
    count = _count(qs)
    return Block(
        "reports",
        count,
        rows,
        reverse("report-queue"),
        {"target_hours": int(MODERATION_TARGET.total_seconds() // 3600)},
    )


def incidents_moved(*, user: User, scope: Scope, since: datetime.datetime | None) -> Block:
    """Open incidents the agency leads or is involved in, changed since the user last looked
    (`since`; the last 7 days the first time), latest change first."""
    since = since or timezone.now() - datetime.timedelta(days=7)
    qs = incident_list(user=user).filter(status__in=OPEN_STATUSES, updated_at__gt=since)
    if scope.agency is not None:
        # The agency's incidents first (led: the lead_agency index; involved: the through
        # table's agency index), then their status and time: an OR of the two over the whole
        # table read a million incidents (13 s) before it found the agency's few.
        led = Incident.objects.filter(lead_agency_id=scope.agency.pk).order_by().values("pk")
        involved = Incident.involved_agencies.through.objects.filter(agency_id=scope.agency.pk).values("incident_id")
        qs = qs.filter(pk__in=led.union(involved))
    rows = list(qs.select_related(None).select_related("category", "area").order_by("-updated_at", "-id")[:ROWS])
    return Block("incidents", _count(qs), rows, reverse("incident-list"), {"since": since})


def operations_to_approve(*, user: User, scope: Scope) -> Block:
    """Planned operations led by an agency where the user approves (a commander; staff: all)."""
    qs = operation_list(user=user).filter(status="planned")
    if not scope.staff or scope.agency is not None:
        approving = agencies_with(user=user, capability="operation.approve")
        if scope.agency is not None:
            approving &= {scope.agency.pk}
        qs = qs.filter(lead_agency_id__in=approving)
    rows = list(qs.order_by("starts_at", "id")[:ROWS])
    return Block("operations", _count(qs), rows, reverse("operation-list") + "?status=planned")


def shifts_soon(*, user: User, scope: Scope) -> Block:
    """The agency's shifts in the next 48 hours (running ones included), soonest first, and
    those of the last 48 hours that started without any check-in of the agency (missed)."""
    now = timezone.now()
    filters: dict[str, Any] = {"from": now, "to": now + datetime.timedelta(hours=48)}
    if scope.agency is not None:
        filters["agency"] = scope.agency
    qs = shift_list(user=user, filters=filters)
    rows = list(qs.order_by("starts_at", "id")[:ROWS])
    checked = Q(check_ins__isnull=False)
    if scope.agency is not None:
        checked = Q(check_ins__agency=scope.agency)
    missed_filters = {**filters, "from": now - datetime.timedelta(hours=48), "to": now}
    missed_qs = (
        shift_list(user=user, filters=missed_filters)
        .filter(starts_at__lt=now)
        .exclude(pk__in=shift_list(user=user, filters=missed_filters).filter(checked).values("pk"))
    )
    missed = list(missed_qs.order_by("-starts_at", "-id")[:ROWS])
    return Block(
        "shifts",
        _count(qs),
        rows,
        reverse("patrol-calendar"),
        {"missed": missed, "missed_count": _count(missed_qs)},
    )


def bulletins_waiting(*, user: User, scope: Scope) -> Block:
    """Bulletins the agency received that the user has not read, or that wait for the agency's
    acknowledgement (those first), each row `can_acknowledge` by the bulletins' rule; the
    whole city's view (staff without an agency) has none: bulletins are received by agencies."""
    qs = desk_bulletins(user=user, agency_id=scope.agency.pk if scope.agency else None)
    # The rows and the three figures (the block's count, unread, waiting) in one query: the
    # figures as window counts over the rows the sort reads anyway. A second query for them
    # read the agency's received bulletins and planned the reading rule a second time.
    rows = list(
        qs.select_related(None)
        .select_related("issuing_agency")
        .defer("body", "releasable_body")
        .annotate(
            n_total=Window(Count("pk")),
            n_unread=Window(Count("pk", filter=Q(is_unread=True))),
            n_waiting=Window(Count("pk", filter=Q(is_waiting=True))),
        )[:ROWS]
    )
    first = rows[0] if rows else None
    counts = {
        "total": getattr(first, "n_total", 0),
        "unread": getattr(first, "n_unread", 0),
        "waiting": getattr(first, "n_waiting", 0),
    }
    listing = reverse("bulletin-list")
    return Block(
        "bulletins",
        counts["total"],
        rows,
        listing + "?box=unread",
        {"unread": counts["unread"], "waiting": counts["waiting"], "waiting_url": listing + "?box=awaiting"},
    )


def action_items_overdue(*, user: User, scope: Scope) -> Block:
    qs = overdue_action_items(user=user)
    if scope.agency is not None:
        qs = qs.filter(owner_agency=scope.agency)
    rows = list(qs.order_by("due_date", "id")[:ROWS])
    return Block("actions", _count(qs), rows, reverse("exercise-list"))


def desk_map(*, user: User, scope: Scope) -> dict[str, Any]:
    """Open incidents with a point and the areas of active threats in the jurisdiction (the
    whole city for staff), the latest `MAP_POINTS` of each, as plain data for the map script."""
    now = timezone.now()
    # Two steps: the points from `incident_open_area_idx` alone, then the names of those 200.
    spots: list[dict[str, Any]] = [
        dict(row)
        for row in incident_list(user=user)
        .select_related(None)
        .filter(status__in=OPEN_STATUSES, latitude__isnull=False)
        .filter(_area_q(scope.paths, "area_path"))
        .order_by("-occurred_at", "-id")
        .values("id", "severity", "latitude", "longitude", "classification", "reporting_agency_id", "lead_agency_id")[
            :MAP_POINTS
        ]
    ]
    names = (
        dict(Incident.objects.filter(pk__in=[p["id"] for p in spots]).values_list("id", "reference")) if spots else {}
    )
    incidents = [{**p, "reference": names.get(p["id"], "")} for p in spots]
    threats = (
        threat_selectors.threat_list(user=user)
        .exclude(msg_type=Threat.MsgType.CANCEL)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .filter(
            Exists(
                Threat.areas.through.objects.filter(threat_id=OuterRef("pk")).filter(_area_q(scope.paths, "area__path"))
            )
        )
        .order_by("-sent_at", "-id")[:MAP_POINTS]
    )
    through = Threat.areas.through.objects.filter(threat__in=threats, area__centroid_lat__isnull=False)
    points = through.values(
        "threat_id", "threat__headline", "threat__severity", "area__centroid_lat", "area__centroid_lon"
    )
    return {
        # What the audit of the desk names (`views._audit`): the points' records, not the JSON.
        "audit": [SimpleNamespace(pk=i["id"], **{k: i[k] for k in AUDIT_FIELDS}) for i in incidents],
        "incidents": [
            {
                "id": i["id"],
                "ref": i["reference"],
                "severity": i["severity"],
                "lat": float(i["latitude"] or 0),
                "lon": float(i["longitude"] or 0),
            }
            for i in incidents
        ],
        "threats": [
            {
                "id": t["threat_id"],
                "title": t["threat__headline"],
                "severity": t["threat__severity"],
                "lat": float(t["area__centroid_lat"] or 0),
                "lon": float(t["area__centroid_lon"] or 0),
            }
            for t in points[: MAP_POINTS * 2]
        ],
    }


def last_30_days(*, user: User, scope: Scope) -> dict[str, int]:
    """Four numbers: incidents in the jurisdiction (readable ones), alerts the agency received,
    of them acknowledged, and citizens' reports received in the jurisdiction."""
    since = timezone.now() - datetime.timedelta(days=30)
    incidents = incident_list(user=user).filter(occurred_at__gte=since).filter(_area_q(scope.paths, "area_path"))
    alerts = threat_selectors.alert_list(user=user).filter(created_at__gte=since)
    if scope.agency is not None:
        alerts = alerts.filter(agency=scope.agency)
    reports = citizen_report_list(user=user).filter(created_at__gte=since).filter(_area_q(scope.paths, "area_path"))
    return {
        "incidents": incidents.order_by().count(),
        "alerts": alerts.order_by().count(),
        "acknowledged": alerts.order_by().filter(acknowledged_at__isnull=False).count(),
        "reports": reports.order_by().count(),
    }


def desk(*, user: User, agency_id: Any = None, since: datetime.datetime | None = None) -> dict[str, Any]:
    """Everything the desk shows, for `user` looking at `agency_id` (see `desk_scope`)."""
    scope = desk_scope(user=user, agency_id=agency_id)
    blocks = [
        alerts_waiting(user=user, scope=scope),
        reports_waiting(user=user, scope=scope),
        incidents_moved(user=user, scope=scope, since=since),
        operations_to_approve(user=user, scope=scope),
        shifts_soon(user=user, scope=scope),
        action_items_overdue(user=user, scope=scope),
        bulletins_waiting(user=user, scope=scope),
    ]
    hooked = [b for hook in HOOKS if (b := hook(user, scope)) is not None]
    return {
        "scope": scope,
        "blocks": {b.key: b for b in blocks + hooked},
        "hooked": hooked,
        "map": desk_map(user=user, scope=scope),
        "numbers": last_30_days(user=user, scope=scope),
    }
