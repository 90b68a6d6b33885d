"""Celery tasks of evaluations, run by beat (config/settings.py CELERY_BEAT_SCHEDULE). Names
are pinned.

`evaluations_schedule` runs daily just after midnight (portal time): for every recurring
series (owner agency, scope, period kind; the latest evaluation marked `recurring`) whose last
ended period has no evaluation yet, it drafts one (origin scheduled), so a period's draft exists
the morning after it ends, and a day the beat missed is caught up the next. Idempotent: the
unique constraint (owner, period kind, period start, scope) holds one per period. Then it
recomputes every open draft, so a draft read in the morning shows yesterday's data; reviewed
and published evaluations are never touched.
"""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="coordination.evaluations.tasks.evaluations_schedule", ignore_result=True)
def evaluations_schedule() -> dict[str, int]:
    from django.db.models import Max
    from django.utils import timezone

    from coordination.models import Evaluation

    from . import services
    from .periods import Period

    today = timezone.localdate()
    created = 0
    latest = (
        Evaluation.objects.filter(recurring=True)
        .values("owner_agency_id", "scope_key", "period_kind")
        .annotate(last=Max("period_start"))
    )
    for series in latest:
        period = Period.last_ended(series["period_kind"], today)
        if period.start <= series["last"]:
            continue
        row = Evaluation.objects.filter(
            owner_agency_id=series["owner_agency_id"],
            scope_key=series["scope_key"],
            period_kind=series["period_kind"],
            period_start=series["last"],
        ).select_related("owner_agency", "scope_agency", "scope_area", "scope_partnership")[0]
        if not row.owner_agency.is_active:
            continue
        if services.evaluation_schedule(series=row, period=period) is not None:
            created += 1
    recomputed = 0
    for evaluation in Evaluation.objects.filter(status=Evaluation.Status.DRAFT).order_by("id").iterator():
        try:
            services.evaluation_recompute(actor=None, evaluation=evaluation)
        except Exception:  # one broken draft must not stop the others: logged, retried tomorrow
            logger.exception("evaluation %s: recompute failed", evaluation.pk)
            continue
        recomputed += 1
    return {"created": created, "recomputed": recomputed}
