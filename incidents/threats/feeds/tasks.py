"""Celery tasks of the CAP feeds: a beat dispatcher queues one poll per due source; each poll
has a hard time limit, so one source that hangs never holds up the others (they run in their
own tasks, and the fetch itself has a deadline: SINERGI_CAP_FEEDS_TIMEOUT per request).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from celery import shared_task

from common.tasks import queue_now

# A poll fetches an index and up to its entries' documents, each within the request timeout;
# past this the worker kills it (the claim expires after poll.CLAIM_TTL and the next beat retries).
POLL_TIME_LIMIT = 300


@shared_task(name="incidents.threats.feeds.cap_sources_dispatch", ignore_result=True)
def cap_sources_dispatch() -> dict[str, Any]:
    """Periodic (beat): queue a poll for each source that is due."""
    from . import poll

    due = poll.cap_sources_due()
    for source_id in due:
        queue_now(cap_source_poll, (source_id,))
    return {"queued": len(due)}


@shared_task(
    name="incidents.threats.feeds.cap_source_poll",
    acks_late=True,
    ignore_result=True,
    time_limit=POLL_TIME_LIMIT,
    soft_time_limit=POLL_TIME_LIMIT - 30,
)
def cap_source_poll(source_id: int) -> dict[str, Any]:
    """Poll one source (idempotent: a claimed source is skipped, a fetched entry never imported twice)."""
    from . import poll

    return asdict(poll.cap_source_poll(source_id=source_id))
