"""Celery tasks of the incidents app: they take ids, load rows and call a service.

`acks_late` everywhere: a worker killed mid-task leaves its message unacknowledged, so the
broker hands it to another worker; every task is idempotent (a status column, a conditional
UPDATE, a unique index), so running it twice is harmless.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from celery import shared_task

from . import threat_services


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def threat_fan_out(threat_id: int) -> dict[str, Any]:
    """Create a threat's alerts and deliveries and queue its sends (idempotent per revision)."""
    return asdict(threat_services.threat_fan_out(threat_id=threat_id))


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deliver_batch(channel: str, delivery_ids: list[int]) -> dict[str, Any]:
    """Claim and send a batch of deliveries of one channel (only those still due)."""
    return asdict(threat_services.deliveries_send(channel=channel, ids=delivery_ids))


@shared_task(acks_late=True, ignore_result=True)
def alerts_sweep() -> dict[str, Any]:
    """Periodic (beat): fan out missed threats, re-queue stuck deliveries, escalate alerts."""
    return asdict(threat_services.alerts_sweep())
