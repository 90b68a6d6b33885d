"""Celery tasks of the threats: they take ids, call a service, and own the retries.

`acks_late` everywhere: a worker killed mid-task leaves its message unacknowledged, so the
broker hands it to another worker; every task is idempotent (a status column, a conditional
UPDATE, a unique index), so running it twice is harmless.

The services import this module to queue work (through `common.tasks`); the tasks import the
services inside their functions, so that there is no import circle. The names are pinned to
the ones the tasks had when they lived in `incidents/tasks.py`: beat's schedule
(config/settings.py) and the messages already queued carry them. Celery's autodiscovery finds
this module (config/celery.py, `task_packages`).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from celery import shared_task
from django.utils import timezone

from common.tasks import queue_now


@shared_task(name="incidents.tasks.threat_fan_out", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def threat_fan_out(threat_id: int) -> dict[str, Any]:
    """Create a threat's alerts and deliveries and queue its sends (idempotent per revision)."""
    from . import fanout

    return asdict(fanout.threat_fan_out(threat_id=threat_id))


@shared_task(name="incidents.tasks.deliver_batch", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deliver_batch(channel: str, delivery_ids: list[int]) -> dict[str, Any]:
    """Claim and send a batch of deliveries of one channel (only those still due); queue the
    temporary failures again for when their retry is due (if the broker refuses, the sweep
    picks them up)."""
    from . import deliveries

    result = deliveries.deliveries_send(channel=channel, ids=delivery_ids)
    for ids, due in result.retries:
        queue_now(deliver_batch, (channel, ids), countdown=max(0.0, (due - timezone.now()).total_seconds()))
    outcome = asdict(result)
    del outcome["retries"]
    return outcome


@shared_task(name="incidents.tasks.alerts_sweep", acks_late=True, ignore_result=True)
def alerts_sweep() -> dict[str, Any]:
    """Periodic (beat): fan out missed threats, re-queue stuck deliveries, escalate alerts."""
    from . import escalation

    return asdict(escalation.alerts_sweep())
