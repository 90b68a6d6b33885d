"""What the parties of a partnership did together (partnership scope only).

- Joint operations together: the operations section's "held" under the partnership scope (two or
  more parties led or took part in them).
- Bulletins shared: bulletins sent (`created_at`) in the range by one party and received by
  another, not withdrawn, never secret.
- Alerts between them, and how fast each acknowledged the other: the alerts section under the
  partnership scope (a party's threat alerting another party); per pair in `partnership_pairs`.
- Joint exercises: exercises that started in the range, two or more parties leading or taking
  part, never secret.
- Joint programmes: the programmes section's "held" under the partnership scope.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, OuterRef, Q

from coordination.models import Bulletin, BulletinRecipient, Exercise

from .base import SECRET, Ctx, bucket, in_ranges, pairs_q


def _exercise_touch(agency_id: int) -> Q:
    took_part = Exercise.participants.through.objects.filter(exercise_id=OuterRef("pk"), agency_id=agency_id)
    return Q(lead_agency_id=agency_id) | Q(Exists(took_part))


def compute(ctx: Ctx) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    if ctx.kind != "partnership":
        return {}, {}
    received = BulletinRecipient.objects.filter(bulletin_id=OuterRef("pk"), agency_id__in=ctx.parties).exclude(
        agency_id=OuterRef("issuing_agency_id")
    )
    bulletins = {
        r["b"]: r["c"]
        for r in Bulletin.objects.filter(
            ~Q(classification=SECRET),
            Q(Exists(received)),
            in_ranges(ctx, "created_at"),
            issuing_agency_id__in=ctx.parties,
            status=Bulletin.Status.SENT,
        )
        .order_by()
        .annotate(b=bucket(ctx, "created_at"))
        .values("b")
        .annotate(c=Count("id"))
    }
    exercises = {
        r["b"]: r["c"]
        for r in Exercise.objects.filter(
            ~Q(classification=SECRET), pairs_q(ctx.parties, _exercise_touch), in_ranges(ctx, "starts_at")
        )
        .order_by()
        .annotate(b=bucket(ctx, "starts_at"))
        .values("b")
        .annotate(c=Count("id"))
    }

    def zero(values: dict[str, Any]) -> dict[str, Any]:
        return {**{k: v or 0 for k, v in values.items()}, "n": None}

    alerts = ctx.shared.get("alerts", {})
    none = {"value": None, "previous": None, "year_before": None, "n": None}
    return {
        "partnership.operations": dict(ctx.shared.get("operations_held", none)),
        "partnership.bulletins": zero(ctx.tri(bulletins)),
        "partnership.alerts": dict(alerts.get("total", none)),
        "partnership.ack_median": dict(alerts.get("ack_median", none)),
        "partnership.exercises": zero(ctx.tri(exercises)),
        "partnership.programmes": dict(ctx.shared.get("programmes_held", none)),
    }, {}
