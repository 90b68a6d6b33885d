"""Joint operations and patrols.

Operations: those that started (`starts_at`) in the range and were held (status active,
completed or reviewed now), never a secret one. Scopes: an agency, those it leads or takes part
in; an area, those with an area that is it or lies under it; a partnership, those two or more of
its parties led or took part in. Agencies taking part: the distinct lead and participating
agencies of the operations held. Situation reports on time: sitreps whose reported period ended
(`period_end`) in the range, of the scope's operations, filed (`created_at`) no later than
SITREP_GRACE after that end.

Patrols: shifts that started in the range, of operations neither secret nor cancelled. Scopes:
an agency, shifts it contributes a unit to or whose operation it leads; an area, shifts with an
area that is it or lies under it; a partnership, shifts two or more of its parties contribute to
(or lead). A shift is held once it has ended. Check-ins are judged per checkpoint of those
shifts, as the check-in page does (`coordination.patrols.selectors.checkpoint_statuses`): on
time when its first check-in came no later than the tolerance after its planned time (any
check-in when it has none), late after that, missed when none came and the tolerance after the
planned time (else after the shift's end) has passed; pending ones are not counted. "Check-ins on
time" is on time / (on time + late + missed). Conflicts overridden: planners' overrides saved
(`at`) in the range on shifts of the scope.

High-risk coverage: the high-risk areas are the areas of the scope's risk assessments (not
secret) made before the range's end that score at least HIGH_RISK_SCORE (as the coverage page; a
later, lower re-assessment does not take an area off the list within the range); an area-day
is covered when a shift (any agency's, not of a secret or cancelled operation) over that area, a
wider area containing it or a smaller one inside it, ran on that day (portal zone, from the day
it started to the day it ended). Days after today are not counted.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, DateTimeField, Exists, ExpressionWrapper, F, OuterRef, Q
from django.db.models.functions import Coalesce, TruncDate

from coordination.models import (
    CheckIn,
    Checkpoint,
    ConflictOverride,
    JointOperation,
    Participation,
    PatrolShift,
    ShiftContribution,
    SitRep,
)
from coordination.patrols.selectors import tolerance
from incidents.models import RiskAssessment

from .base import SECRET, Ctx, bucket, in_ranges, pairs_q, paths_q, raw_rows, share

HELD = (JointOperation.Status.ACTIVE, JointOperation.Status.COMPLETED, JointOperation.Status.REVIEWED)
SITREP_GRACE = dt.timedelta(hours=2)
# As coordination.patrols.coverage: a risk scoring 10 or more (of 25) is high.
HIGH_RISK_SCORE = 10


def _op_touch(prefix: str) -> Any:
    def touch(agency_id: int) -> Q:
        part = Participation.objects.filter(
            operation_id=OuterRef(f"{prefix}pk" if prefix else "pk"), agency_id=agency_id
        )
        return Q(**{f"{prefix}lead_agency_id": agency_id}) | Q(Exists(part))

    return touch


def operation_q(ctx: Ctx, prefix: str = "") -> Q:
    q = ~Q(**{f"{prefix}classification": SECRET})
    touch = _op_touch(prefix)
    if ctx.kind == "agency":
        q &= touch(ctx.scope.agency_id)  # type: ignore[arg-type]
    elif ctx.kind == "area":
        areas = JointOperation.areas.through.objects.filter(
            jointoperation_id=OuterRef(f"{prefix}pk" if prefix else "pk"), area__path__startswith=ctx.area_path
        )
        q &= Q(Exists(areas))
    elif ctx.kind == "partnership":
        q &= pairs_q(ctx.parties, touch)
    return q


def _shift_touch(agency_id: int) -> Q:
    units = ShiftContribution.objects.filter(shift_id=OuterRef("pk"), agency_id=agency_id)
    return Q(operation__lead_agency_id=agency_id) | Q(Exists(units))


def shift_q(ctx: Ctx) -> Q:
    q = ~Q(operation__classification=SECRET) & ~Q(operation__status=JointOperation.Status.CANCELLED)
    if ctx.kind == "agency":
        q &= _shift_touch(ctx.scope.agency_id)  # type: ignore[arg-type]
    elif ctx.kind == "area":
        areas = PatrolShift.areas.through.objects.filter(
            patrolshift_id=OuterRef("pk"), area__path__startswith=ctx.area_path
        )
        q &= Q(Exists(areas))
    elif ctx.kind == "partnership":
        q &= pairs_q(ctx.parties, _shift_touch)
    return q


def compute(ctx: Ctx) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    kpis: dict[str, dict[str, Any]] = {}
    held = JointOperation.objects.filter(operation_q(ctx), in_ranges(ctx, "starts_at"), status__in=HELD).order_by()
    count: dict[int, int] = defaultdict(int)
    agencies: dict[int, set[int]] = defaultdict(set)
    for row in held.annotate(b=bucket(ctx, "starts_at")).values("b", "lead_agency_id").annotate(c=Count("id")):
        count[row["b"]] += row["c"]
        agencies[row["b"]].add(row["lead_agency_id"])
    parts = (
        Participation.objects.filter(operation__in=held.values("pk"))
        .annotate(b=bucket(ctx, "operation__starts_at"))
        .values_list("b", "agency_id")
        .distinct()
        .order_by()
    )
    for b, agency_id in parts:
        agencies[b].add(agency_id)
    kpis["operations.held"] = {**_zero(ctx.tri(count)), "n": None}
    kpis["operations.agencies"] = {**_zero(ctx.tri({b: len(a) for b, a in agencies.items()})), "n": None}
    sitreps = {
        r["b"]: r
        for r in SitRep.objects.filter(operation_q(ctx, "operation__"), in_ranges(ctx, "period_end"))
        .order_by()
        .annotate(b=bucket(ctx, "period_end"))
        .values("b")
        .annotate(n=Count("id"), on_time=Count("id", filter=Q(created_at__lte=F("period_end") + SITREP_GRACE)))
    }
    kpis["operations.sitreps_on_time"] = {
        **ctx.tri({b: share(r["on_time"], r["n"]) for b, r in sitreps.items()}),
        "n": sitreps.get(ctx.current, {}).get("n"),
    }
    kpis.update(_patrols(ctx))
    ctx.shared["operations_held"] = kpis["operations.held"]
    return kpis, {}


def _zero(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v or 0 for k, v in values.items()}


def _patrols(ctx: Ctx) -> dict[str, dict[str, Any]]:
    shifts = PatrolShift.objects.filter(shift_q(ctx), in_ranges(ctx, "starts_at")).order_by()
    held = {
        r["b"]: r["c"]
        for r in shifts.filter(ends_at__lte=ctx.now)
        .annotate(b=bucket(ctx, "starts_at"))
        .values("b")
        .annotate(c=Count("id"))
    }
    tol = tolerance()
    # Two scans without a correlated subquery: the checkpoints whose time to check in has passed,
    # and the check-ins of the scope's checkpoints (which checkpoints have one, one in time, and
    # one while due). late = visited - on time; missed = due - due and visited.
    scoped = shifts.values("pk")
    ranges = [Q(shift__starts_at__gte=s, shift__starts_at__lt=e) for s, e in ctx.ranges]
    due_q = Q(deadline__lt=ctx.now)
    deadline = ExpressionWrapper(Coalesce("planned_at", "shift__ends_at") + tol, output_field=DateTimeField())
    due = (
        Checkpoint.objects.filter(shift__in=scoped)
        .order_by()
        .annotate(deadline=deadline)
        .aggregate(**{f"due_{b}": Count("id", filter=r & due_q) for b, r in enumerate(ranges)})
    )
    on_time_q = Q(checkpoint__planned_at__isnull=True) | Q(at__lte=F("checkpoint__planned_at") + tol)
    cp_deadline = ExpressionWrapper(
        Coalesce("checkpoint__planned_at", "checkpoint__shift__ends_at") + tol, output_field=DateTimeField()
    )
    visits: dict[str, Any] = {}
    for b, (s, e) in enumerate(ctx.ranges):
        r = Q(checkpoint__shift__starts_at__gte=s, checkpoint__shift__starts_at__lt=e)
        visits[f"any_{b}"] = Count("checkpoint_id", distinct=True, filter=r)
        visits[f"on_time_{b}"] = Count("checkpoint_id", distinct=True, filter=r & on_time_q)
        visits[f"due_{b}"] = Count("checkpoint_id", distinct=True, filter=r & due_q)
    visited = (
        CheckIn.objects.filter(checkpoint__shift__in=scoped)
        .order_by()
        .annotate(deadline=cp_deadline)
        .aggregate(**visits)
    )
    checks = {
        b: {
            "on_time": visited[f"on_time_{b}"],
            "late": visited[f"any_{b}"] - visited[f"on_time_{b}"],
            "missed": due[f"due_{b}"] - visited[f"due_{b}"],
        }
        for b in range(len(ctx.ranges))
        if due[f"due_{b}"] or visited[f"any_{b}"]
    }
    overrides = {
        r["b"]: r["c"]
        for r in ConflictOverride.objects.filter(shift__in=PatrolShift.objects.filter(shift_q(ctx)).values("pk"))
        .filter(in_ranges(ctx, "at"))
        .order_by()
        .annotate(b=bucket(ctx, "at"))
        .values("b")
        .annotate(c=Count("id"))
    }
    judged = {b: r["on_time"] + r["late"] + r["missed"] for b, r in checks.items()}
    return {
        "patrols.shifts_held": {**_zero(ctx.tri(held)), "n": None},
        "patrols.checkins_on_time": {
            **ctx.tri({b: share(r["on_time"], judged[b]) for b, r in checks.items()}),
            "n": judged.get(ctx.current),
        },
        "patrols.checkins_late": {**_zero(ctx.tri({b: r["late"] for b, r in checks.items()})), "n": None},
        "patrols.checkins_missed": {**_zero(ctx.tri({b: r["missed"] for b, r in checks.items()})), "n": None},
        "patrols.high_risk_coverage": _coverage(ctx),
        "patrols.conflicts_overridden": {**_zero(ctx.tri(overrides)), "n": None},
    }


def risk_scope_q(ctx: Ctx) -> Q:
    """Risk assessments of the scope: an area's under it; an agency's in its jurisdiction or
    assessed by it; a partnership's in a party's jurisdiction or assessed by a party."""
    q = ~Q(classification=SECRET)
    if ctx.kind == "area":
        q &= Q(area_path__startswith=ctx.area_path)
    elif ctx.kind == "agency":
        q &= paths_q("area_path", ctx.agency_paths) | Q(assessing_agency_id=ctx.scope.agency_id)
    elif ctx.kind == "partnership":
        q &= paths_q("area_path", ctx.party_paths) | Q(assessing_agency_id__in=ctx.parties)
    return q


def _coverage(ctx: Ctx) -> dict[str, Any]:
    today = ctx.now.astimezone(ctx.zone).date()
    last_end = max(end for _s, end in ctx.days)
    # (area path, assessed on) of every high-risk assessment up to the last range's end.
    risky = list(
        RiskAssessment.objects.filter(risk_scope_q(ctx), score__gte=HIGH_RISK_SCORE, assessed_on__lt=last_end)
        .values_list("area_path", "assessed_on")
        .distinct()
        .order_by()
    )
    high: dict[int, set[str]] = {}
    for b, (_start, end) in enumerate(ctx.days):
        high[b] = {path for path, on in risky if on < end}
    all_high = set().union(*high.values()) if high else set()
    if not all_high:
        return {"value": None, "previous": None, "year_before": None, "n": None}
    # Each high-risk path under each of its ancestors' paths, to find the ones a shift's area contains.
    under: dict[str, set[str]] = defaultdict(set)
    for path in all_high:
        parts = [p for p in path.split("/") if p]
        for i in range(1, len(parts) + 1):
            under["/" + "/".join(parts[:i]) + "/"].add(path)
    shifts = (
        PatrolShift.objects.filter(
            ~Q(operation__classification=SECRET) & ~Q(operation__status=JointOperation.Status.CANCELLED),
            in_ranges(ctx, "starts_at"),
        )
        .order_by()
        .annotate(
            b=bucket(ctx, "starts_at"),
            d0=TruncDate("starts_at", tzinfo=ctx.zone),
            d1=TruncDate(F("ends_at") - dt.timedelta(microseconds=1), tzinfo=ctx.zone),
        )
        .values_list("b", "areas__path", "d0", "d1")
        .distinct()
    )
    covered: dict[int, set[tuple[str, dt.date]]] = defaultdict(set)
    hits_of: dict[tuple[int, str], set[str]] = {}  # many shifts patrol the same area

    def high_risk_hits(b: int, path: str) -> set[str]:
        """The high-risk paths of range b that a shift in `path` covers: under it, or above it."""
        hits = set(under.get(path, ()))
        parts = [p for p in path.split("/") if p]
        for i in range(1, len(parts)):
            ancestor = "/" + "/".join(parts[:i]) + "/"
            if ancestor in all_high:
                hits.add(ancestor)
        return hits & high[b]

    for b, path, d0, d1 in raw_rows(shifts):
        if not path:
            continue
        if (b, path) not in hits_of:
            hits_of[(b, path)] = high_risk_hits(b, path)
        hits = hits_of[(b, path)]
        if not hits:
            continue
        if isinstance(d0, str):  # SQLite
            d0, d1 = dt.date.fromisoformat(d0), dt.date.fromisoformat(d1)
        start, end = ctx.days[b]
        day = max(d0, start)
        while day <= d1 and day < end:
            for h in hits:
                covered[b].add((h, day))
            day += dt.timedelta(days=1)
    values: dict[int, float | None] = {}
    n_current = None
    for b, (start, end) in enumerate(ctx.days):
        days = (min(end, today + dt.timedelta(days=1)) - start).days
        area_days = len(high[b]) * max(days, 0)
        values[b] = share(len([1 for h, d in covered[b] if d <= today]), area_days)
        if b == ctx.current:
            n_current = area_days or None
    return {**ctx.tri(values), "n": n_current}
