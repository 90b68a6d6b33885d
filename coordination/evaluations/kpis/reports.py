"""Citizens' reports.

What counts: reports received (`created_at`) in the range. Scopes: the city, every report; an
area, those located in it or under it (`area_path` prefix); an agency, those located in its
jurisdiction (the reports its moderators answer for); a partnership, those verified into an
incident two or more of its parties took part in (and never into a secret incident).

- Time to moderation: from `created_at` to `moderated_at`, median over the moderated ones.
- Moderated within the target time: moderated no later than SINERGI_REPORT_MODERATION_TARGET_HOURS
  (4 h, the desk's target) after receipt, of every report received (one still waiting is not).
- Verified / rejected as spam: the report's status now is verified / spam, of every report.
- Questions to reporters answered: the moderators' questions asked (`asked_at`) in the range,
  about reports of the scope, that the reporter has answered, of every question asked.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Q

from incidents.models import CitizenReport, Incident, ReportQuestion

from .base import Ctx, Minutes, Percentile, bucket, in_ranges, num, paths_q, share
from .incidents import incident_q

R = CitizenReport.Status


def moderation_target() -> dt.timedelta:
    return dt.timedelta(hours=getattr(settings, "SINERGI_REPORT_MODERATION_TARGET_HOURS", 4))


def report_q(ctx: Ctx, prefix: str = "") -> Q:
    if ctx.kind == "area":
        return Q(**{f"{prefix}area_path__startswith": ctx.area_path})
    if ctx.kind == "agency":
        return paths_q(f"{prefix}area_path", ctx.agency_paths)
    if ctx.kind == "partnership":
        return Q(**{f"{prefix}incident__in": Incident.objects.filter(incident_q(ctx)).values("pk")})
    return Q()


def compute(ctx: Ctx) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    target = moderation_target()
    rows = (
        CitizenReport.objects.filter(report_q(ctx), in_ranges(ctx, "created_at"))
        .order_by()
        .annotate(b=bucket(ctx, "created_at"))
        .values("b")
        .annotate(
            n=Count("id"),
            moderated=Count("moderated_at"),
            median=Percentile(Minutes("moderated_at", "created_at"), 0.5),
            within=Count("id", filter=Q(moderated_at__lte=F("created_at") + target)),
            verified=Count("id", filter=Q(status=R.VERIFIED)),
            spam=Count("id", filter=Q(status=R.SPAM)),
        )
    )
    by_b = {row["b"]: row for row in rows}
    questions = {
        row["b"]: row
        for row in ReportQuestion.objects.filter(report_q(ctx, "report__"), in_ranges(ctx, "asked_at"))
        .order_by()
        .annotate(b=bucket(ctx, "asked_at"))
        .values("b")
        .annotate(n=Count("id"), answered=Count("answered_at"))
    }
    cur = by_b.get(ctx.current, {})

    def tri(fn: Any, n: Any, rows: dict[int, Any] = by_b) -> dict[str, Any]:
        return {**ctx.tri({b: fn(r) for b, r in rows.items()}), "n": n}

    total = ctx.tri({b: r["n"] for b, r in by_b.items()})
    kpis = {
        "reports.total": {**{k: v or 0 for k, v in total.items()}, "n": None},
        "reports.moderation_median": tri(lambda r: num(r["median"]), cur.get("moderated")),
        "reports.moderated_within_target": tri(lambda r: share(r["within"], r["n"]), cur.get("n")),
        "reports.verified_share": tri(lambda r: share(r["verified"], r["n"]), cur.get("n")),
        "reports.spam_share": tri(lambda r: share(r["spam"], r["n"]), cur.get("n")),
        "reports.questions_answered": tri(
            lambda r: share(r["answered"], r["n"]), questions.get(ctx.current, {}).get("n"), questions
        ),
    }
    return kpis, {}
