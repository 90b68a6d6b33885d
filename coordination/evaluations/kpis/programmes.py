"""Community programmes and every parent's action items.

Programmes: those planned to start (`starts_at`) in the range, whatever became of them. Scopes:
an agency, those it organises or is a partner of; an area, those held in it or under it; a
partnership, those two or more of its parties organise or partner. Held: status held or reported
now; "held of those planned" is held / all of the range's programmes (cancelled ones included).
Reach: over the target groups of the programmes held, the people who attended / the people
planned (groups whose attendance was not recorded are left out); per group in `reach_by_group`.

Action items (of exercises, meetings, programmes and evaluations): those due (`due_date`) in
the range, never those of a secret exercise. Scopes: an agency, the items it owns; an area, the
items of a programme or meeting held in it, of an exercise with an area in it, of an evaluation
of it or of an area in it; a partnership, the items a party owns. Closed on time: marked done
(`closed_at`, portal zone) on or before the due date, of every item due. Overdue: still not done
and their due date passed (before today).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import TruncDate

from coordination.models import ActionItem, Exercise, Programme, TargetGroup

from .base import SECRET, Ctx, bucket, fold, in_ranges, label_cell, pairs_q, share, sum_columns

HELD = (Programme.Status.HELD, Programme.Status.REPORTED)


def _touch(prefix: str) -> Any:
    def touch(agency_id: int) -> Q:
        partners = Programme.partners.through.objects.filter(
            programme_id=OuterRef(f"{prefix}pk" if prefix else "pk"), agency_id=agency_id
        )
        return Q(**{f"{prefix}organiser_id": agency_id}) | Q(Exists(partners))

    return touch


def programme_q(ctx: Ctx, prefix: str = "") -> Q:
    touch = _touch(prefix)
    if ctx.kind == "agency":
        return touch(ctx.scope.agency_id)  # type: ignore[arg-type]
    if ctx.kind == "area":
        return Q(**{f"{prefix}area__path__startswith": ctx.area_path})
    if ctx.kind == "partnership":
        return pairs_q(ctx.parties, touch)
    return Q()


def action_q(ctx: Ctx) -> Q:
    q = ~Q(exercise__classification=SECRET)
    if ctx.kind == "agency":
        q &= Q(owner_agency_id=ctx.scope.agency_id)
    elif ctx.kind == "partnership":
        q &= Q(owner_agency_id__in=ctx.parties)
    elif ctx.kind == "area":
        exercise_areas = Exercise.areas.through.objects.filter(
            exercise_id=OuterRef("exercise_id"), area__path__startswith=ctx.area_path
        )
        q &= (
            Q(programme__area__path__startswith=ctx.area_path)
            | Q(meeting__area__path__startswith=ctx.area_path)
            | Q(evaluation__scope_area__path__startswith=ctx.area_path)
            | Q(Exists(exercise_areas))
        )
    return q


def compute(ctx: Ctx) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    programmes = Programme.objects.filter(programme_q(ctx), in_ranges(ctx, "starts_at")).order_by()
    counts = {
        r["b"]: r
        for r in programmes.annotate(b=bucket(ctx, "starts_at"))
        .values("b")
        .annotate(n=Count("id"), held=Count("id", filter=Q(status__in=HELD)))
    }
    groups = (
        TargetGroup.objects.filter(programme__in=programmes.filter(status__in=HELD).values("pk"), actual__isnull=False)
        .order_by()
        .annotate(b=bucket(ctx, "programme__starts_at"))
        .values("b", "group")
        .annotate(planned=Sum("planned"), attended=Sum("actual"))
    )
    reach: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    group_rows = []
    labels = dict(TargetGroup.Group.choices)
    for r in groups:
        reach[r["b"]][0] += r["planned"] or 0
        reach[r["b"]][1] += r["attended"] or 0
        if r["b"] == ctx.current:
            group_rows.append(
                [
                    label_cell(labels.get(r["group"], r["group"])),
                    r["planned"],
                    r["attended"],
                    share(r["attended"], r["planned"]),
                ]
            )

    def combine(rest: list[list[Any]]) -> list[Any]:
        row = sum_columns(rest, (1, 2), 4)
        row[3] = share(row[2], row[1])
        return row

    held = ctx.tri({b: r["held"] for b, r in counts.items()})
    kpis: dict[str, dict[str, Any]] = {
        "programmes.held": {**{k: v or 0 for k, v in held.items()}, "n": None},
        "programmes.held_share": {
            **ctx.tri({b: share(r["held"], r["n"]) for b, r in counts.items()}),
            "n": counts.get(ctx.current, {}).get("n"),
        },
        "programmes.reach": {
            **ctx.tri({b: share(a, p) for b, (p, a) in reach.items()}),
            "n": reach[ctx.current][0] or None if ctx.current in reach else None,
        },
    }
    today = ctx.now.astimezone(ctx.zone).date()
    actions = {
        r["b"]: r
        for r in ActionItem.objects.filter(action_q(ctx), in_ranges(ctx, "due_date", dates=True))
        .order_by()
        .annotate(b=bucket(ctx, "due_date", dates=True), closed_on=TruncDate("closed_at", tzinfo=ctx.zone))
        .values("b")
        .annotate(
            n=Count("id"),
            on_time=Count(
                "id", filter=Q(status=ActionItem.Status.DONE, closed_on__isnull=False, closed_on__lte=F("due_date"))
            ),
            overdue=Count("id", filter=~Q(status=ActionItem.Status.DONE) & Q(due_date__lt=today)),
        )
    }
    kpis["actions.closed_on_time"] = {
        **ctx.tri({b: share(r["on_time"], r["n"]) for b, r in actions.items()}),
        "n": actions.get(ctx.current, {}).get("n"),
    }
    overdue = ctx.tri({b: r["overdue"] for b, r in actions.items()})
    kpis["actions.overdue"] = {**{k: v or 0 for k, v in overdue.items()}, "n": None}
    ctx.shared["programmes_held"] = kpis["programmes.held"]
    rows = fold(group_rows, size=lambda r: r[1], combine=combine)
    return kpis, {"reach_by_group": {"rows": rows}}
