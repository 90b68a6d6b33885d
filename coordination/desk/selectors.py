"""Reads of the desk: what needs the member now, block by block, each through the accessor of
the feature it shows (so it shows only what the user may read), each a count and a handful
of rows, in a number of queries that does not grow with the data.

The scope: a member looks at one of their agencies at a time (`?agency=`, their first by
default); staff see the whole city (or one agency they belong to). Counts stop at
`COUNT_BOUND` ("100+"): a desk tells what needs doing, the lists behind its links count
exactly.

Blocks of other features plug in through `HOOKS`: a function of (user, scope, counts) returning
a `Block` (with `extra["template"]`, the block's partial) or None, registered when the app is
ready (`coordination.apps`): the meetings' "upcoming meetings" today. `counts` is the desk's
`Counts`: a hook hands it its block's count (`tally`) instead of counting alone.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Window, prefetch_related_objects
from django.urls import reverse
from django.utils import timezone

from agencies import selectors as agency_selectors
from agencies.models import Agency, Area
from agencies.roles import agencies_with
from common.types import User
from coordination.bulletins.selectors import desk_bulletins
from coordination.exercises.selectors import overdue_action_items
from coordination.models import CheckIn
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
THREAT_TEXTS = ("description", "instruction", "description_en", "instruction_en", "cap_areas")
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


HOOKS: list[Callable[[User, Scope, Counts | None], Block | None]] = []


class Counts:
    """The desk's counts in one query: each block adds its queryset (`add`) and `run` reads
    them all as scalar subqueries of one SELECT, then hands each its figure. Eleven COUNT
    queries were a quarter of the desk's queries, each compiled, sent and waited for alone.
    A block called without one (the benchmark times each alone) counts at once."""

    def __init__(self) -> None:
        self._pending: list[tuple[QuerySet[Any], int | None, Callable[[int], None]]] = []

    def add(self, qs: QuerySet[Any], done: Callable[[int], None], *, bound: int | None = COUNT_BOUND + 1) -> None:
        """Count `qs` (up to `bound` rows; None: all) and call `done` with the figure."""
        self._pending.append((qs, bound, done))

    def run(self) -> None:
        pending, self._pending = self._pending, []
        parts: list[str] = []
        params: list[Any] = []
        counted = []
        for qs, bound, done in pending:
            inner = qs.order_by().values("pk")
            if bound is not None:
                inner = inner[:bound]
            try:
                sql, inner_params = inner.query.sql_with_params()
            except EmptyResultSet:  # qs.none(): nothing to ask the database
                done(0)
                continue
            # Django's own compiled SQL; the values stay parameters (as `QuerySet.count` nests it).
            parts.append(f"(SELECT COUNT(*) FROM ({sql}) desk_count_{len(parts)})")  # noqa: S608
            params.extend(inner_params)
            counted.append(done)
        if not parts:
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(parts), params)
            row = cursor.fetchone()
        for done, n in zip(counted, row, strict=True):
            done(int(n))


def tally(
    counts: Counts | None, qs: QuerySet[Any], done: Callable[[int], None], bound: int | None = COUNT_BOUND + 1
) -> None:
    """Count `qs` with the desk's other counts (`counts`), or now when there is none."""
    if counts is not None:
        counts.add(qs, done, bound=bound)
        return
    alone = Counts()
    alone.add(qs, done, bound=bound)
    alone.run()


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
    # The user's agencies as the directory reads them (member counts) with their jurisdiction:
    # the scope's paths and the desk's agency card both come from these two queries.
    choices = (
        list(
            agency_selectors.agency_list(user=user)
            .filter(pk__in=ids, is_active=True)
            .prefetch_related(Prefetch("jurisdiction", queryset=Area.objects.only("id", "name", "level", "path")))
        )
        if ids
        else []
    )
    chosen = next((a for a in choices if str(a.pk) == str(agency_id)), None)
    if chosen is None and not (staff and (agency_id in (None, "", "all") or not choices)):
        chosen = choices[0] if choices else None
    if staff and agency_id == "all":
        chosen = None
    paths = None
    if chosen is not None:
        paths = [area.path for area in chosen.jurisdiction.all()]
    elif not staff:
        paths = []
    return Scope(agency=chosen, choices=choices, staff=staff, paths=paths)


# --- The blocks ----------------------------------------------------------------------------


def alerts_waiting(*, user: User, scope: Scope, counts: Counts | None = None) -> Block:
    """Alerts waiting for the agency's acknowledgement, the most severe and oldest first; each
    row `can_acknowledge` by the rule `alert_acknowledge` applies. The count is a window count
    over the rows the sort by the threat's severity reads anyway (all the waiting ones)."""
    qs = threat_selectors.alert_list(user=user).filter(threat_selectors.alert_waiting_q())
    if scope.agency is not None:
        qs = qs.filter(agency=scope.agency)
    rows = list(
        qs.select_related(None)
        .select_related("threat", "agency")
        # The block shows a threat's headline and severity: its texts and CAP areas would be
        # carried through the sort of every waiting alert for nothing.
        .defer(*(f"threat__{f}" for f in THREAT_TEXTS))
        .annotate(n_waiting=Window(Count("pk")))
        .order_by("-threat__severity", "created_at", "id")[:ROWS]
    )
    for alert in rows:
        alert.can_acknowledge = threat_selectors.can_acknowledge_alert(user=user, alert=alert)  # type: ignore[attr-defined]
    count = getattr(rows[0], "n_waiting", 0) if rows else 0
    return Block("alerts", count, rows, reverse("inbox") + "?kind=alert&needs_ack=on")


def reports_waiting(*, user: User, scope: Scope, counts: Counts | None = None) -> Block:
    """Citizens' reports waiting for moderation in the jurisdiction, oldest first, each with
    its age against the moderation target."""
    qs = citizen_report_list(user=user, status="new").filter(_area_q(scope.paths, "area_path"))
    rows = list(qs.order_by("created_at", "id")[:ROWS])
    now = timezone.now()
    for report in rows:
        report.age = now - report.created_at  # type: ignore[attr-defined]
        report.overdue = report.age > MODERATION_TARGET  # type: ignore[attr-defined]
    block = Block(
        "reports", 0, rows, reverse("report-queue"), {"target_hours": int(MODERATION_TARGET.total_seconds() // 3600)}
    )
    tally(counts, qs, partial(setattr, block, "count"))
    return block


def incidents_moved(
    *, user: User, scope: Scope, since: datetime.datetime | None, counts: Counts | None = None
) -> Block:
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
    block = Block("incidents", 0, rows, reverse("incident-list"), {"since": since})
    tally(counts, qs, partial(setattr, block, "count"))
    return block


def operations_to_approve(*, user: User, scope: Scope, counts: Counts | None = None) -> Block:
    """Planned operations led by an agency where the user approves (a commander; staff: all)."""
    qs = operation_list(user=user).filter(status="planned")
    if not scope.staff or scope.agency is not None:
        approving = agencies_with(user=user, capability="operation.approve")
        if scope.agency is not None:
            approving &= {scope.agency.pk}
        qs = qs.filter(lead_agency_id__in=approving)
    rows = list(qs.order_by("starts_at", "id")[:ROWS])
    block = Block("operations", 0, rows, reverse("operation-list") + "?status=planned")
    tally(counts, qs, partial(setattr, block, "count"))
    return block


def shifts_soon(*, user: User, scope: Scope, counts: Counts | None = None) -> Block:
    """The agency's shifts in the next 48 hours (running ones included), soonest first, and
    those of the last 48 hours that started without any check-in of the agency (missed).
    The block shows a shift's title, operation and first area only: the areas of both lists
    come in one query, and the units (`shift_list`'s other prefetch) not at all."""
    now = timezone.now()
    filters: dict[str, Any] = {"from": now, "to": now + datetime.timedelta(hours=48)}
    if scope.agency is not None:
        filters["agency"] = scope.agency
    qs = shift_list(user=user, filters=filters).select_related(None).select_related("operation").prefetch_related(None)
    rows = list(qs.order_by("starts_at", "id")[:ROWS])
    # Missed: no check-in (of the agency) at all; an anti-join on the check-ins' shift index
    # rather than "not among the same visible shifts that have one" (the visibility rule, the
    # window and the agency's units planned and compiled twice).
    checked = CheckIn.objects.filter(shift_id=OuterRef("pk"))
    if scope.agency is not None:
        checked = checked.filter(agency_id=scope.agency.pk)
    missed_filters = {**filters, "from": now - datetime.timedelta(hours=48), "to": now}
    missed_qs = (
        shift_list(user=user, filters=missed_filters)
        .select_related(None)
        .select_related("operation")
        .prefetch_related(None)
        .filter(starts_at__lt=now)
        .exclude(Exists(checked))
    )
    missed = list(missed_qs.order_by("-starts_at", "-id")[:ROWS])
    prefetch_related_objects(
        [*rows, *missed], Prefetch("areas", queryset=Area.objects.only("id", "name", "level", "path", "timezone"))
    )
    block = Block("shifts", 0, rows, reverse("patrol-calendar"), {"missed": missed, "missed_count": 0})
    tally(counts, qs, partial(setattr, block, "count"))
    tally(counts, missed_qs, partial(block.extra.__setitem__, "missed_count"))
    return block


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


def action_items_overdue(*, user: User, scope: Scope, counts: Counts | None = None) -> Block:
    """Action items (of exercises and meetings) owned by the agency, not done, due before
    today; the link opens the owner's action-items page."""
    qs = overdue_action_items(user=user)
    if scope.agency is not None:
        qs = qs.filter(owner_agency=scope.agency)
    rows = list(qs.order_by("due_date", "id")[:ROWS])
    block = Block("actions", 0, rows, reverse("action-item-list") + "?overdue=true")
    tally(counts, qs, partial(setattr, block, "count"))
    return block


def desk_map(*, user: User, scope: Scope) -> dict[str, Any]:
    """Open incidents with a point and the areas of active threats in the jurisdiction (the
    whole city for staff), the latest `MAP_POINTS` of each, as plain data for the map script."""
    now = timezone.now()
    # The points from `incident_open_area_idx` alone; each one's reference by a subquery in the
    # select list, which PostgreSQL evaluates after the sort and limit (for the 200 kept), as a
    # second query did.
    reference = Incident.objects.filter(pk=OuterRef("pk")).order_by().values("reference")[:1]
    incidents: list[dict[str, Any]] = [
        dict(row)
        for row in incident_list(user=user)
        .select_related(None)
        .filter(status__in=OPEN_STATUSES, latitude__isnull=False)
        .filter(_area_q(scope.paths, "area_path"))
        .annotate(ref=Subquery(reference))
        .order_by("-occurred_at", "-id")
        .values(
            "id", "severity", "latitude", "longitude", "classification", "reporting_agency_id", "lead_agency_id", "ref"
        )[:MAP_POINTS]
    ]
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
                "ref": i["ref"] or "",
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


def last_30_days(*, user: User, scope: Scope, counts: Counts | None = None) -> dict[str, int]:
    """Four numbers: incidents in the jurisdiction (readable ones), alerts the agency received,
    of them acknowledged, and citizens' reports received in the jurisdiction (exact counts,
    with the desk's other counts when `counts` is given)."""
    since = timezone.now() - datetime.timedelta(days=30)
    incidents = incident_list(user=user).filter(occurred_at__gte=since).filter(_area_q(scope.paths, "area_path"))
    alerts = threat_selectors.alert_list(user=user).filter(created_at__gte=since)
    if scope.agency is not None:
        alerts = alerts.filter(agency=scope.agency)
    reports = citizen_report_list(user=user).filter(created_at__gte=since).filter(_area_q(scope.paths, "area_path"))
    numbers = {"incidents": 0, "alerts": 0, "acknowledged": 0, "reports": 0}
    own = counts or Counts()
    for key, qs in (
        ("incidents", incidents),
        ("alerts", alerts),
        ("acknowledged", alerts.filter(acknowledged_at__isnull=False)),
        ("reports", reports),
    ):
        own.add(qs, partial(numbers.__setitem__, key), bound=None)
    if counts is None:
        own.run()
    return numbers


def desk(*, user: User, agency_id: Any = None, since: datetime.datetime | None = None) -> dict[str, Any]:
    """Everything the desk shows, for `user` looking at `agency_id` (see `desk_scope`)."""
    scope = desk_scope(user=user, agency_id=agency_id)
    counts = Counts()  # the blocks' counts and the four numbers, read in one query at the end
    blocks = [
        alerts_waiting(user=user, scope=scope, counts=counts),
        reports_waiting(user=user, scope=scope, counts=counts),
        incidents_moved(user=user, scope=scope, since=since, counts=counts),
        operations_to_approve(user=user, scope=scope, counts=counts),
        shifts_soon(user=user, scope=scope, counts=counts),
        action_items_overdue(user=user, scope=scope, counts=counts),
        bulletins_waiting(user=user, scope=scope),
    ]
    hooked = [b for hook in HOOKS if (b := hook(user, scope, counts)) is not None]
    numbers = last_30_days(user=user, scope=scope, counts=counts)
    counts.run()
    return {
        "scope": scope,
        "blocks": {b.key: b for b in blocks + hooked},
        "hooked": hooked,
        "map": desk_map(user=user, scope=scope),
        "numbers": numbers,
    }
