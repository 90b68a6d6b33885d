"""Alerts: one per threat and recipient agency, and their deliveries.

What counts: alerts created (`created_at`) in the range, never those of a secret threat. Scopes:
the city, every alert; an agency, the alerts sent to it; an area, the alerts of threats with an
area that is it or lies under it; a partnership, the alerts one party's threat sent to another
party (issuing agency and recipient both parties, not the same).

- Time to acknowledge: `created_at` to `acknowledged_at`, median and 90th percentile over the
  acknowledged alerts; per recipient agency in `ack_by_agency`.
- Escalated: alerts escalated at least once (`escalation_level` > 0). Never acknowledged:
  `acknowledged_at` still empty.
- Deliveries that succeeded, per channel: deliveries of those alerts that were sent, of those
  sent or failed (queued, retrying and cancelled ones are not an outcome yet).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q

from agencies.models import Agency
from incidents.models import Alert, Delivery, Threat

from .base import (
    SECRET,
    Ctx,
    Minutes,
    Percentile,
    Percentiles,
    bucket,
    fold,
    in_ranges,
    label_cell,
    num,
    share,
    sum_columns,
)

CHANNELS = {
    "alerts.delivered_email": Delivery.Channel.EMAIL,
    "alerts.delivered_sms": Delivery.Channel.SMS,
    "alerts.delivered_webhook": Delivery.Channel.WEBHOOK,
    "alerts.delivered_in_app": Delivery.Channel.IN_APP,
}


def alert_q(ctx: Ctx, prefix: str = "") -> Q:
    q = ~Q(**{f"{prefix}threat__classification": SECRET})
    if ctx.kind == "agency":
        q &= Q(**{f"{prefix}agency_id": ctx.scope.agency_id})
    elif ctx.kind == "area":
        areas = Threat.areas.through.objects.filter(
            threat_id=OuterRef(f"{prefix}threat_id"), area__path__startswith=ctx.area_path
        )
        q &= Q(Exists(areas))
    elif ctx.kind == "partnership":
        q &= Q(**{f"{prefix}threat__issuing_agency_id__in": ctx.parties, f"{prefix}agency_id__in": ctx.parties}) & ~Q(
            **{f"{prefix}agency_id": F(f"{prefix}threat__issuing_agency_id")}
        )
    return q


def _ack(qs: Any) -> Any:
    minutes = Minutes("acknowledged_at", "created_at")
    return qs.annotate(
        n=Count("id"),
        acked=Count("acknowledged_at"),
        pct=Percentiles(minutes, (0.5, 0.9)),
        escalated=Count("id", filter=Q(escalation_level__gt=0)),
        unacked=Count("id", filter=Q(acknowledged_at__isnull=True)),
    )


def compute(ctx: Ctx) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    alerts = Alert.objects.filter(alert_q(ctx), in_ranges(ctx, "created_at")).order_by()
    # Conditional aggregation: one scan, each range's figures FILTERed, median and p90 from one sort.
    aggs: dict[str, Any] = {}
    for b, (start, end) in enumerate(ctx.ranges):
        f = Q(created_at__gte=start, created_at__lt=end)
        aggs[f"n_{b}"] = Count("id", filter=f)
        aggs[f"acked_{b}"] = Count("acknowledged_at", filter=f)
        aggs[f"pct_{b}"] = Percentiles(Minutes("acknowledged_at", "created_at"), (0.5, 0.9), filter=f)
        aggs[f"escalated_{b}"] = Count("id", filter=f & Q(escalation_level__gt=0))
        aggs[f"unacked_{b}"] = Count("id", filter=f & Q(acknowledged_at__isnull=True))
    row = alerts.aggregate(**aggs)
    by_b: dict[int, dict[str, Any]] = {}
    for b in range(len(ctx.ranges)):
        median, p90 = row[f"pct_{b}"] or (None, None)
        by_b[b] = {k: row[f"{k}_{b}"] for k in ("n", "acked", "escalated", "unacked")} | {"median": median, "p90": p90}
    cur = by_b.get(ctx.current, {})

    def tri(key: str, n: Any = None, zero: bool = False) -> dict[str, Any]:
        values = ctx.tri({b: num(r[key]) for b, r in by_b.items()})
        if zero:
            values = {k: v or 0 for k, v in values.items()}
        return {**values, "n": n}

    kpis: dict[str, dict[str, Any]] = {
        "alerts.total": tri("n", zero=True),
        "alerts.ack_median": tri("median", cur.get("acked")),
        "alerts.ack_p90": tri("p90", cur.get("acked")),
        "alerts.escalated": tri("escalated", zero=True),
        "alerts.unacknowledged": tri("unacked", zero=True),
    }
    deliveries = (
        Delivery.objects.filter(alert_q(ctx, "alert__"), in_ranges(ctx, "alert__created_at"))
        .order_by()
        .annotate(b=bucket(ctx, "alert__created_at"))
        .values("b", "channel")
        .annotate(
            sent=Count("id", filter=Q(status=Delivery.Status.SENT)),
            failed=Count("id", filter=Q(status=Delivery.Status.FAILED)),
        )
    )
    outcome: dict[tuple[int, str], tuple[int, int]] = {
        (r["b"], r["channel"]): (r["sent"], r["failed"]) for r in deliveries
    }
    for key, channel in CHANNELS.items():
        per_b = {}
        for (b, ch), (sent, failed) in outcome.items():
            if ch == channel:
                per_b[b] = share(sent, sent + failed)
        sent, failed = outcome.get((ctx.current, channel), (0, 0))
        kpis[key] = {**ctx.tri(per_b), "n": sent + failed or None}
    channel_rows = []
    for channel in Delivery.Channel:
        sent, failed = outcome.get((ctx.current, channel.value), (0, 0))
        if sent + failed:
            channel_rows.append([label_cell(channel.label), sent + failed, failed, share(sent, sent + failed)])
    breakdowns: dict[str, Any] = {"delivery_by_channel": {"rows": channel_rows}}
    start, end = ctx.ranges[ctx.current]
    current = alerts.filter(created_at__gte=start, created_at__lt=end)
    per_agency = list(_ack(current.values("agency_id")))
    for r in per_agency:
        r["median"], r["p90"] = r.pop("pct") or (None, None)
    names = dict(Agency.objects.filter(pk__in=[r["agency_id"] for r in per_agency]).values_list("pk", "name"))
    rows = [
        [names.get(r["agency_id"], ""), r["n"], num(r["median"]), num(r["p90"]), r["escalated"], r["unacked"]]
        for r in sorted(per_agency, key=lambda r: names.get(r["agency_id"], ""))
    ]
    breakdowns["ack_by_agency"] = {
        "rows": fold(rows, size=lambda r: r[1], combine=lambda rest: sum_columns(rest, (1, 4, 5), 6))
    }
    if ctx.kind == "partnership":
        pairs = current.values("threat__issuing_agency_id", "agency_id").annotate(
            n=Count("id"), median=Percentile(Minutes("acknowledged_at", "created_at"), 0.5)
        )
        pair_rows = [
            [
                ctx.party_names.get(r["threat__issuing_agency_id"], ""),
                ctx.party_names.get(r["agency_id"], ""),
                r["n"],
                num(r["median"]),
            ]
            for r in sorted(pairs, key=lambda r: (-r["n"], r["threat__issuing_agency_id"], r["agency_id"]))
        ]
        breakdowns["partnership_pairs"] = {
            "rows": fold(pair_rows, size=lambda r: r[2], combine=lambda rest: sum_columns(rest, (2,), 4))
        }
        ctx.shared["alerts"] = {"total": kpis["alerts.total"], "ack_median": kpis["alerts.ack_median"]}
    return kpis, breakdowns
