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
