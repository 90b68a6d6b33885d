"""Celery tasks of meetings: the invitation e-mails (`notify.send`), queued by the services once
the change is committed; a message the mail server refused for now is tried again after 1, 2,
4, 8 then 16 minutes, to the refused recipients only. Names are pinned."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task

from common.tasks import queue_now

logger = logging.getLogger(__name__)


@shared_task(name="coordination.meetings.tasks.meeting_email", acks_late=True, ignore_result=True)
def meeting_email(
    meeting_id: int,
    kind: str,
    rows: list[list[int | None]],
    exclude_user_id: int | None = None,
    only: list[int] | None = None,
    attempt: int = 1,
) -> dict[str, Any]:
    from . import notify

    sent = notify.send(
        meeting_id=meeting_id,
        kind=kind,
        rows=[(int(agency), user) for agency, user in rows],  # type: ignore[arg-type]
        exclude_user_id=exclude_user_id,
        only=only,
    )
    if sent.retry:
        if attempt <= notify.RETRY_ATTEMPTS:
            queue_now(
                meeting_email,
                (meeting_id, kind, rows, exclude_user_id, sent.retry, attempt + 1),
                countdown=60 * 2 ** (attempt - 1),
            )
        else:
            logger.error("meeting %s e-mails given up after %s attempts: %s", meeting_id, attempt, len(sent.retry))
    return {"email": sent.email, "failed": sent.failed}
