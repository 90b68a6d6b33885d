"""Escalation and the sweep: alerts nobody acknowledged go one level up; the beat's safety net.

`alerts_sweep` (the `alerts_sweep` task, run by beat) re-queues deliveries stuck in queued,
sending or retrying, fans out threats that missed their fan-out, and escalates alerts nobody
acknowledged within their severity's delay (`alert_escalate`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from agencies.models import Agency, Classification, Severity
from agencies.roles import roles_for
from incidents.models import Alert, Delivery, Threat, ThreatEvent

from . import deliveries, fanout
from .fanout import insert_member_deliveries
from .selectors import alert_live_q

D = Delivery.Status


ESCALATION_DEFAULT_MINUTES = {
    Severity.EXTREME: 5,
    Severity.SEVERE: 15,
    Severity.MODERATE: 60,
    Severity.MINOR: 240,
    Severity.UNKNOWN: 240,
}


def escalation_delay(severity: int) -> timedelta:
    minutes = getattr(settings, "SINERGI_ESCALATION_MINUTES", {})
    name = Severity(severity).name.lower()
    return timedelta(minutes=float(minutes.get(name, ESCALATION_DEFAULT_MINUTES[Severity(severity)])))


def alert_escalate(*, alert_id: int) -> int:
    """Take an unacknowledged alert one level up; returns the new level (0 = nothing to do).

    Level 1: the agency's commanders (in-app, email, SMS) and its duty contact (email, SMS).
    Level 2: the parent agency is alerted as well (in-app, and email to its commanders and
    liaisons). The level is recorded on the alert and on the threat's timeline.
    """
    with transaction.atomic():
        alert = Alert.objects.select_for_update().select_related("agency", "threat").get(pk=alert_id)
        if alert.acknowledged_at is not None or alert.threat.is_cancelled or alert.escalation_level >= 2:
            return 0
        if not Alert.objects.filter(alert_live_q(), pk=alert.pk).exists():
            return 0  # withdrawn: the agency may no longer read the threat, nothing to escalate
        level = alert.escalation_level + 1
        threat = alert.threat
        revision = threat.revision
        now = timezone.now()
        created = 0
        if level == 1:
            filt = f" AND a.id = {int(alert.pk)}"
            for channel in (Delivery.Channel.IN_APP, Delivery.Channel.EMAIL, Delivery.Channel.SMS):
                created += insert_member_deliveries(
                    threat_id=threat.pk,
                    revision=revision,
                    channel=channel,
                    alert_filter_sql=filt,
                    roles=roles_for("alert.escalation_notified"),
                    key_prefix="esc1:user:",
                    escalation_level=1,
                )
            duty = []
            if alert.agency.duty_email:
                duty.append((Delivery.Channel.EMAIL, alert.agency.duty_email))
            if alert.agency.duty_phone:
                duty.append((Delivery.Channel.SMS, alert.agency.duty_phone))
            created += len(
                Delivery.objects.bulk_create(
                    [
                        Delivery(
                            alert=alert,
                            revision=revision,
                            channel=channel,
                            recipient_key=f"duty:{alert.agency_id}",
                            address=address,
                            escalation_level=1,
                            next_attempt_at=now,
                        )
                        for channel, address in duty
                    ],
                    ignore_conflicts=True,
                )
            )
        else:
            parent_id = alert.agency.parent_id
            # A secret threat reaches the named agencies only: never widen it to a parent.
            if (
                parent_id
                and threat.classification != Classification.SECRET
                and Agency.objects.filter(pk=parent_id, is_active=True).exists()
            ):
                Alert.objects.bulk_create(
                    [Alert(threat=threat, agency_id=parent_id, reason=Alert.Reason.ESCALATION, revision=revision)],
                    ignore_conflicts=True,
                )
                parent_alert = Alert.objects.get(threat=threat, agency_id=parent_id)
                filt = f" AND a.id = {int(parent_alert.pk)}"
                created += insert_member_deliveries(
                    threat_id=threat.pk,
                    revision=revision,
                    channel=Delivery.Channel.IN_APP,
                    alert_filter_sql=filt,
                    roles=None,
                    key_prefix="esc2:user:",
                    escalation_level=2,
                )
                created += insert_member_deliveries(
                    threat_id=threat.pk,
                    revision=revision,
                    channel=Delivery.Channel.EMAIL,
                    alert_filter_sql=filt,
                    roles=roles_for("alert.notified"),
                    key_prefix="esc2:user:",
                    escalation_level=2,
                )
        Alert.objects.filter(pk=alert.pk).update(escalation_level=level, escalated_at=now)
        ThreatEvent.objects.create(
            threat=threat,
            actor_agency=alert.agency,
            kind=ThreatEvent.Kind.ESCALATED,
            data={"alert": alert.pk, "level": level, "deliveries": created},
        )
    fanout.deliveries_queue(threat_id=threat.pk, revision=revision)
    return level


@dataclass
class SweepResult:
    fanned_out: int = 0
    requeued: int = 0
    failed: int = 0
    escalated: int = 0


def alerts_sweep() -> SweepResult:
    """The periodic safety net (beat). The database is the source of truth:

    - threats whose latest revision was never fanned out (the broker was down) are fanned out;
    - deliveries stuck in queued (a lost message), sending (a killed worker) or retrying past
      their due time are queued again; the claim makes a duplicate message harmless;
    - alerts not acknowledged within their severity's delay are escalated one level.
    """
    result = SweepResult()
    now = timezone.now()
    grace = timedelta(seconds=float(getattr(settings, "SINERGI_SWEEP_GRACE_SECONDS", 30)))
    for threat_id in Threat.objects.filter(
        fanned_out_revision__lt=F("revision"), updated_at__lt=now - grace
    ).values_list("pk", flat=True)[:100]:
        fanout.threat_fan_out(threat_id=threat_id)
        result.fanned_out += 1

    stuck_sending = now - timedelta(seconds=float(getattr(settings, "CELERY_TASK_TIME_LIMIT", 150)) + 30)
    # A worker killed mid-send leaves rows in sending: give them back (or fail them at the bound).
    result.failed += Delivery.objects.filter(
        status=D.SENDING, claimed_at__lt=stuck_sending, attempts__gte=deliveries.max_attempts()
    ).update(status=D.FAILED, last_error="worker lost while sending")
    Delivery.objects.filter(status=D.SENDING, claimed_at__lt=stuck_sending).update(
        status=D.RETRYING, next_attempt_at=now
    )
    pending = Delivery.objects.filter(
        Q(status=D.QUEUED, created_at__lt=now - grace) | Q(status=D.RETRYING, next_attempt_at__lte=now)
    ).exclude(channel=Delivery.Channel.IN_APP)
    ids = list(pending.values_list("pk", flat=True)[:20000])
    if ids:
        fanout.deliveries_queue(ids=ids)
        result.requeued = len(ids)

    for alert_id, severity, created_at, escalated_at in (
        Alert.objects.filter(acknowledged_at__isnull=True, escalation_level__lt=2)
        .exclude(threat__msg_type=Threat.MsgType.CANCEL)
        .filter(alert_live_q())
        .values_list("pk", "threat__severity", "created_at", "escalated_at")[:5000]
    ):
        since = escalated_at or created_at
        if since + escalation_delay(severity) <= now and alert_escalate(alert_id=alert_id):
            result.escalated += 1
    return result
