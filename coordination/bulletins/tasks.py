"""Celery tasks of bulletins: they take ids, call the feature's functions (imported inside the
task, so that services and tasks form no import circle), and are idempotent (conditional
UPDATEs on the recipient rows). Names are pinned: beat's schedule (config/settings.py) and the
messages already queued carry them.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from celery import shared_task

from common.tasks import queue_now

if TYPE_CHECKING:
    from . import notify as notify_types

logger = logging.getLogger(__name__)


@shared_task(name="coordination.bulletins.tasks.bulletin_notify", acks_late=True, ignore_result=True)
def bulletin_notify(bulletin_id: int, event: str) -> dict[str, Any]:
    """E-mail and SMS of an issued, amended or withdrawn bulletin to the subscribed recipients
    (issued and amended: each agency once per version)."""
    from coordination.models import Bulletin, BulletinRecipient

    from . import notify

    bulletin = Bulletin.objects.filter(pk=bulletin_id).first()
    if bulletin is None:
        return {}
    if event in ("issued", "amended"):
        agency_ids = notify.claim_issue_notices(bulletin=bulletin)
    else:
        agency_ids = list(BulletinRecipient.objects.filter(bulletin=bulletin).values_list("agency_id", flat=True))
    return _retry_later(notify.send_external(bulletin_id=bulletin_id, agency_ids=agency_ids, event=event))


@shared_task(name="coordination.bulletins.tasks.bulletin_remind_send", acks_late=True, ignore_result=True)
def bulletin_remind_send(bulletin_id: int, agency_ids: list[int], escalation: bool) -> dict[str, Any]:
    """The e-mail and SMS of one bulletin's reminders (or escalations to the commanders)."""
    from . import notify

    event = "escalation" if escalation else "reminder"
    sent = notify.send_external(bulletin_id=bulletin_id, agency_ids=agency_ids, event=event, commanders_only=escalation)
    return _retry_later(sent)


def _retry_later(sent: notify_types.Sent, attempt: int = 1) -> dict[str, Any]:
    """Queue the messages a transport refused for another try (`notify.RETRY_ATTEMPTS` in all,
    waiting 1, 2, 4... minutes), or log them given up."""
    from . import notify

    if sent.retry:
        if attempt <= notify.RETRY_ATTEMPTS:
            queue_now(bulletin_messages_retry, (sent.retry, attempt), countdown=60 * 2 ** (attempt - 1))
        else:
            logger.error("bulletin messages given up after %s attempts: %s", attempt - 1, len(sent.retry))
    return {key: value for key, value in asdict(sent).items() if key != "retry"}


@shared_task(name="coordination.bulletins.tasks.bulletin_messages_retry", acks_late=True, ignore_result=True)
def bulletin_messages_retry(messages: list[dict[str, str]], attempt: int) -> dict[str, Any]:
    """Another try of the e-mails and SMS a transport refused (`attempt` counts from 1)."""
    from . import notify

    return _retry_later(notify.deliver(messages), attempt + 1)


@shared_task(name="coordination.bulletins.tasks.bulletins_remind", acks_late=True, ignore_result=True)
def bulletins_remind() -> dict[str, Any]:
    """Periodic (beat): remind agencies whose acknowledgement is late, then their commanders;
    one send task per bulletin and step, never one per recipient."""
    from . import reminders

    result = reminders.bulletins_remind()
    for bulletin_id, agency_ids in result.reminded.items():
        queue_now(bulletin_remind_send, (bulletin_id, agency_ids, False))
    for bulletin_id, agency_ids in result.escalated.items():
        queue_now(bulletin_remind_send, (bulletin_id, agency_ids, True))
    return {"reminded": sum(map(len, result.reminded.values())), "escalated": sum(map(len, result.escalated.values()))}
