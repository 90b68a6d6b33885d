"""Sending deliveries: claim a batch, send it through the transports, record every outcome.

`deliveries_send` claims a batch with one conditional UPDATE (queued/retrying -> sending,
stamped with a claim token), sends with timeouts, and records the outcomes: permanent errors
fail at once, temporary ones retry with exponential backoff and jitter up to a bound. The
retries are returned in `SendResult.retries`; the `deliver_batch` task queues them.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Severity
from incidents.models import Certainty, Delivery, Urgency

from .selectors import alert_withdrawn
from .transports import WEBHOOK_THREADS, OutgoingEmail, TransportError, email_send_batch, sms_gateway, webhook_post

D = Delivery.Status

# Webhook outcomes are written every this many sends (see deliveries_send).
RECORD_EVERY = 20


def retry_delay(attempts: int) -> float:
    """Exponential backoff with full jitter: base x 2^(attempts-1), capped, times 0.5..1.5."""
    base = float(getattr(settings, "SINERGI_RETRY_BASE_SECONDS", 30))
    cap = float(getattr(settings, "SINERGI_RETRY_MAX_SECONDS", 3600))
    return min(cap, base * (2 ** max(attempts - 1, 0))) * (0.5 + random.random())  # noqa: S311


def max_attempts() -> int:
    return int(getattr(settings, "SINERGI_DELIVERY_MAX_ATTEMPTS", 6))


def deliveries_claim(*, ids: Sequence[int]) -> list[Delivery]:
    """Claim the deliveries among `ids` that are due, with one conditional UPDATE.

    Only rows still queued or retrying (and due) move to sending; the claim token tells this
    worker which rows it won when another worker claims the same ids at the same moment.
    """
    token = secrets.token_hex(8)
    now = timezone.now()
    Delivery.objects.filter(pk__in=list(ids), status__in=[D.QUEUED, D.RETRYING]).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    ).update(status=D.SENDING, claim_token=token, claimed_at=now, attempts=F("attempts") + 1)
    return list(
        Delivery.objects.filter(claim_token=token, status=D.SENDING).select_related(
            "alert__threat__category", "alert__agency", "subscription", "user"
        )
    )


PENDING = (D.QUEUED, D.SENDING, D.RETRYING)
WITHDRAWN_ERROR = "withdrawn: the agency may no longer read the threat"


def deliveries_cancel_withdrawn(*, threat_id: int | None = None, ids: Sequence[int] | None = None) -> int:
    """Cancel the pending deliveries (of a threat, or among `ids`) whose alert is withdrawn:
    its agency may no longer read the threat (`selectors.alert_live_q`). Called when a threat
    changes (`services.threat_update`), by the fan-out, and by the senders before they send.
    Returns how many were cancelled."""
    qs = Delivery.objects.filter(status__in=PENDING).alias(withdrawn=alert_withdrawn("alert__")).filter(withdrawn=True)
    if threat_id is not None:
        qs = qs.filter(alert__threat_id=threat_id)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(status=D.CANCELLED, last_error=WITHDRAWN_ERROR, next_attempt_at=None)


def _still_readable(claimed: list[Delivery], result: SendResult) -> list[Delivery]:
    """The claimed deliveries whose agency may still read the threat, read just before they
    are sent; the others are cancelled (`deliveries_cancel_withdrawn`), so that a threat made
    secret after its fan-out sends nothing more to an agency that lost the right to read it."""
    if not claimed:
        return claimed
    cancelled = deliveries_cancel_withdrawn(ids=[d.pk for d in claimed])
    if not cancelled:
        return claimed
    result.cancelled += cancelled
    live = set(Delivery.objects.filter(pk__in=[d.pk for d in claimed], status=D.SENDING).values_list("pk", flat=True))
    return [d for d in claimed if d.pk in live]


def delivery_payload(delivery: Delivery) -> dict[str, Any]:
    """The JSON a webhook receives (documented in the README)."""
    alert = delivery.alert
    threat = alert.threat
    site = getattr(settings, "SITE_URL", "").rstrip("/")
    return {
        "event": f"threat.{threat.msg_type.lower()}",
        "delivery": delivery.pk,
        "revision": delivery.revision,
        "escalation_level": delivery.escalation_level,
        "threat": {
            "id": threat.pk,
            "identifier": threat.identifier,
            "sender": threat.sender,
            "sent": threat.sent_at.isoformat(),
            "msg_type": threat.msg_type,
            "headline": threat.headline,
            "description": threat.description,
            "instruction": threat.instruction,
            "category": threat.category.code,
            "severity": Severity(threat.severity).name.title(),
            "urgency": Urgency(threat.urgency).name.title(),
            "certainty": Certainty(threat.certainty).name.title(),
            "classification": threat.classification,
            "expires": threat.expires_at.isoformat() if threat.expires_at else None,
            "url": f"{site}/threats/{threat.pk}/",
            "cap_url": f"{site}/api/v1/threats/{threat.pk}/cap.xml",
        },
        "alert": {
            "id": alert.pk,
            "agency": alert.agency.code,
            "acknowledge_url": f"{site}/api/v1/alerts/{alert.pk}/acknowledge/",
        },
    }


def _message_text(delivery: Delivery) -> tuple[str, str]:
    threat = delivery.alert.threat
    prefix = {"Update": _("UPDATE"), "Cancel": _("CANCELLED")}.get(threat.msg_type, _("ALERT"))
    severity = Severity(threat.severity).label
    subject = f"[Sinergi {prefix}] {severity}: {threat.headline}"
    site = getattr(settings, "SITE_URL", "").rstrip("/")
    body = "\n\n".join(
        part
        for part in (
            threat.headline,
            threat.description,
            threat.instruction,
            _("Open and acknowledge: %(url)s") % {"url": f"{site}/alerts/{delivery.alert_id}/"},
        )
        if part
    )
    return subject, body


@dataclass
class SendResult:
    sent: int = 0
    failed: int = 0
    retrying: int = 0
    skipped: int = 0
    cancelled: int = 0
    # The deliveries to send again and when they are due, recorded chunk by chunk: the
    # `deliver_batch` task queues them (if the broker refuses, the sweep picks them up).
    retries: list[tuple[list[int], datetime]] = field(default_factory=list)


def deliveries_send(*, channel: str, ids: Sequence[int]) -> SendResult:
    """Claim and send a batch of one channel's deliveries; record every outcome."""
    claimed = deliveries_claim(ids=ids)
    result = SendResult(skipped=len(ids) - len(claimed))
    claimed = _still_readable(claimed, result)
    if not claimed:
        return result
    outcome: dict[int, TransportError | None] = {}
    if channel == Delivery.Channel.EMAIL:
        messages = []
        for d in claimed:
            subject, body = _message_text(d)
            messages.append(OutgoingEmail(key=d.pk, to=d.address, subject=subject, body=body))
        outcome = email_send_batch(messages)
    elif channel == Delivery.Channel.SMS:
        gateway = sms_gateway()
        for d in claimed:
            subject, _body = _message_text(d)
            try:
                gateway.send(to=d.address, text=subject)
                outcome[d.pk] = None
            except TransportError as exc:
                outcome[d.pk] = exc
    elif channel == Delivery.Channel.WEBHOOK:
        # Sent by a few threads at once (a slow partner must not hold the others up), and
        # recorded every RECORD_EVERY sends rather than once at the end of the batch: a worker
        # killed mid-batch then leaves at most that many sent-but-unrecorded webhooks, which the
        # sweep sends again (receivers dedupe on X-Sinergi-Delivery).
        def post(d: Delivery) -> TransportError | None:
            try:
                webhook_post(
                    url=d.address,
                    secret=d.subscription.webhook_secret if d.subscription else "",
                    payload=delivery_payload(d),
                    delivery_id=d.pk,
                    event=f"threat.{d.alert.threat.msg_type.lower()}",
                )
            except TransportError as exc:
                return exc
            return None

        with ThreadPoolExecutor(max_workers=WEBHOOK_THREADS) as executor:
            for start in range(0, len(claimed), RECORD_EVERY):
                # Read again before each chunk: a batch of slow webhooks takes a while.
                chunk = _still_readable(claimed[start : start + RECORD_EVERY], result)
                _record(chunk, dict(zip([d.pk for d in chunk], executor.map(post, chunk), strict=True)), result)
        return result
    else:
        outcome = {d.pk: TransportError(f"unknown channel {channel}", permanent=True) for d in claimed}
    return _record(claimed, outcome, result)


def _record(claimed: list[Delivery], outcome: dict[int, TransportError | None], result: SendResult) -> SendResult:
    now = timezone.now()
    sent_ids = [d.pk for d in claimed if outcome.get(d.pk) is None]
    if sent_ids:
        result.sent += Delivery.objects.filter(pk__in=sent_ids, status=D.SENDING).update(
            status=D.SENT, sent_at=now, last_error="", next_attempt_at=None
        )
    retry_at: list[tuple[int, datetime]] = []
    for d in claimed:
        error = outcome.get(d.pk)
        if error is None:
            continue
        if error.permanent or d.attempts >= max_attempts():
            Delivery.objects.filter(pk=d.pk, status=D.SENDING).update(status=D.FAILED, last_error=error.message[:500])
            result.failed += 1
        else:
            when = now + timedelta(seconds=retry_delay(d.attempts))
            Delivery.objects.filter(pk=d.pk, status=D.SENDING).update(
                status=D.RETRYING, last_error=error.message[:500], next_attempt_at=when
            )
            retry_at.append((d.pk, when))
            result.retrying += 1
    if retry_at:
        result.retries.append(([pk for pk, _when in retry_at], max(when for _pk, when in retry_at)))
    return result
