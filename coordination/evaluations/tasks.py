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
    from django.utils import timezone

    from coordination.models import Evaluation

    from . import selectors, services

    created = 0
    for series, period in selectors.series_due(today=timezone.localdate()):
        if services.evaluation_schedule(series=series, period=period) is not None:
            created += 1
    recomputed = 0
    for pk in selectors.open_draft_ids():
        try:
            services.evaluation_recompute(actor=None, evaluation=Evaluation.objects.get(pk=pk))
        except Exception:  # one broken draft must not stop the others: logged, retried tomorrow
            logger.exception("evaluation %s: recompute failed", pk)
            continue
        recomputed += 1
    return {"created": created, "recomputed": recomputed}
