"""Celery tasks of citizens' reports: they take ids and call the feature's functions (imported
inside the task, so that services and tasks form no import circle). Names are pinned: the
messages already queued carry them."""

from __future__ import annotations

import logging

from celery import shared_task

from common.tasks import queue_now

logger = logging.getLogger(__name__)

# A message a transport refused for a while is tried again after 1, 2, 4, 8 then 16 minutes.
NOTIFY_ATTEMPTS = 5


@shared_task(name="incidents.reports.tasks.report_question_notify", acks_late=True, ignore_result=True)
def report_question_notify(question_id: int, attempt: int = 1) -> str:
    """Tell the reporter by e-mail or SMS that a moderator's question waits (once per question:
    `notify.question_notify` claims it). A temporary failure queues another attempt."""
    from incidents.threats.services import TransportError

    from . import notify

    try:
        return notify.question_notify(question_id=question_id)
    except TransportError as error:
        if attempt < NOTIFY_ATTEMPTS:
            queue_now(report_question_notify, (question_id, attempt + 1), countdown=60 * 2 ** (attempt - 1))
            return "retry"
        logger.error("report question %s: reporter not told after %s attempts (%s)", question_id, attempt, error)
        return "failed"


# The sweep leaves a question's own task a few minutes, and gives up on a question after a day.
SWEEP_AFTER_MINUTES = 5
SWEEP_WITHIN_HOURS = 24
SWEEP_BATCH = 200


@shared_task(name="incidents.reports.tasks.report_questions_sweep", acks_late=True, ignore_result=True)
def report_questions_sweep() -> int:
    """Periodic (beat): queue the notice of every unanswered question asked in the last day that
    nobody has told its reporter yet (its task was lost with the broker, or gave up for a while),
    at most SWEEP_BATCH a run; the claim in `notify.question_notify` sends each notice once."""
    import datetime

    from django.utils import timezone

    from incidents.models import ReportQuestion

    now = timezone.now()
    ids = list(
        ReportQuestion.objects.filter(
            notified_at__isnull=True,
            answered_at__isnull=True,
            asked_at__lt=now - datetime.timedelta(minutes=SWEEP_AFTER_MINUTES),
            asked_at__gte=now - datetime.timedelta(hours=SWEEP_WITHIN_HOURS),
        )
        .exclude(report__contact="")
        .order_by("asked_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    for question_id in ids:
        queue_now(report_question_notify, (question_id,))
    return len(ids)
