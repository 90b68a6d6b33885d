"""Threats and alerts, the writes (docs/architecture.md, "The core flow"):

1. `threat_log`, `threat_update`, `threat_cancel` and `threat_from_incident` commit the threat,
   its CAP message and its timeline entry, and queue the `threat_fan_out` task on commit. If the
   broker is down the liaison still sees success: the threat is saved with `fanned_out_revision <
   revision`, and `alerts_sweep` fans it out once the broker is back.
2. `fanout.threat_fan_out` resolves the recipient agencies in the database, creates their alerts
   and deliveries with INSERT ... ON CONFLICT DO NOTHING (so a repeat or a crashed-and-retried run
   creates nothing twice), then queues the channel sends in batches, never one task a recipient.
3. `deliveries.deliveries_send` claims a batch with one conditional UPDATE (queued/retrying ->
   sending, stamped with a claim token), sends with timeouts, and records the outcomes: permanent
   errors fail at once, temporary ones retry with exponential backoff and jitter up to a bound
   (the `deliver_batch` task queues the retries).
4. `escalation.alerts_sweep` (beat) re-queues deliveries stuck in queued, sending or retrying, fans
   out threats that missed their fan-out, and escalates alerts nobody acknowledged in time.

Who may do what is decided in `selectors.py` (`can_log_threat`, `can_manage_threat`,
`can_acknowledge_alert`), on the capabilities of agencies/roles.py.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency, Area, Classification
from agencies.roles import roles_for
from agencies.services import acting_agency
from common.services import model_update, signed_in, timeline_append
from common.tasks import queue_after_commit
from common.types import User
from incidents.models import Alert, Category, Delivery, Incident, QuickResponse, Threat, ThreatEvent, ThreatMessage

from . import tasks
from .deliveries import deliveries_cancel_withdrawn
from .selectors import (
    ACKNOWLEDGE_DENIED,
    CHANGE_DENIED,
    WITHDRAWN,
    account,
    alert_is_withdrawn,
    can_acknowledge_alert,
    can_manage_threat,
)

# The senders, re-exported for the features that send through the same channels (bulletins): a
# feature outside this package reaches them through its services (the feature_packages contract).
from .transports import OutgoingEmail as OutgoingEmail
from .transports import TransportError as TransportError
from .transports import email_send_batch as email_send_batch
from .transports import sms_gateway as sms_gateway

THREAT_FIELDS = (
    "headline",
    "description",
    "instruction",
    "headline_en",
    "description_en",
    "instruction_en",
    "category",
    "severity",
    "urgency",
    "certainty",
    "classification",
    "effective_at",
    "onset_at",
    "expires_at",
    "cap_status",
)


def cap_sender() -> str:
    return getattr(settings, "SINERGI_CAP_SENDER", "sinergi@sinergi.example.id")


def new_cap_identifier() -> str:
    return f"sinergi-{uuid.uuid4().hex}"


def threat_event(threat: Threat, **event: Any) -> None:
    """A line of the threat's timeline (the portal's services and the CAP import alike;
    `common.services.timeline_append`)."""
    timeline_append(ThreatEvent, threat=threat, **event)


def threat_message_record(threat: Threat, *, xml: str = "") -> ThreatMessage:
    """The CAP message of the threat's current revision, with the identity the threat holds now
    (`xml`: the document as received, for an imported alert)."""
    return ThreatMessage.objects.create(
        threat=threat,
        revision=threat.revision,
        identifier=threat.identifier,
        sender=threat.sender,
        sent_at=threat.sent_at,
        msg_type=threat.msg_type,
        xml=xml,
    )


def queue_fan_out(threat_id: int) -> None:
    """After commit, queue the fan-out. A broker that is down must not fail the request: the
    threat keeps `fanned_out_revision < revision` and `alerts_sweep` fans it out."""
    queue_after_commit(tasks.threat_fan_out, (threat_id,))


def _validate(threat: Threat, *, areas: Sequence[Area] | None, named: Sequence[Agency] | None) -> None:
    errors: dict[str, list[str]] = {}
    if areas is not None and not areas and not threat.cap_areas:
        errors["areas"] = [_("Choose at least one area.")]
    if threat.expires_at and threat.effective_at and threat.expires_at <= threat.effective_at:
        errors["expires_at"] = [_("The threat must expire after it takes effect.")]
    if threat.classification == Classification.SECRET and named is not None and not named:
        errors["named_agencies"] = [_("A secret threat goes to named agencies only: name at least one.")]
    if errors:
        raise ValidationError(errors)
    threat.full_clean(exclude=["identifier", "sender", "sent_at"])


@transaction.atomic
def threat_log(
    *,
    actor: User,
    headline: str,
    category: Category,
    areas: Sequence[Area],
    issuing_agency: Agency | None = None,
    named_agencies: Sequence[Agency] = (),
    incident: Incident | None = None,
    **fields: Any,
) -> Threat:
    """Log a threat for the actor's agency; its alerts go out after commit. Atomic."""
    agency = acting_agency(actor=actor, agency=issuing_agency, roles=roles_for("threat.log"), field="issuing_agency")
    now = timezone.now()
    threat = Threat(
        identifier=new_cap_identifier(),
        sender=cap_sender(),
        sent_at=now,
        headline=headline,
        category=category,
        issuing_agency=agency,
        incident=incident,
        created_by=signed_in(actor),
        **{k: v for k, v in fields.items() if k in THREAT_FIELDS},
    )
    threat.effective_at = threat.effective_at or now
    _validate(threat, areas=list(areas), named=list(named_agencies))
    threat.save()
    threat.areas.set(areas)
    threat.named_agencies.set(named_agencies)
    threat_message_record(threat)
    threat_event(threat, actor=actor, agency=agency, kind=ThreatEvent.Kind.LOGGED, message=headline)
    queue_fan_out(threat.pk)
    return threat


def _require_change(actor: User, threat: Threat) -> Agency | None:
    """Staff, or an acting member of the issuing agency (`can_manage_threat`); anyone else is
    refused (403). The agency acting is the issuing one."""
    if not can_manage_threat(user=actor, threat=threat):
        raise PermissionDenied(CHANGE_DENIED)
    return threat.issuing_agency


def _new_revision(threat: Threat, msg_type: str, *, xml: str = "", identifier: str = "", sender: str = "") -> None:
    threat.revision += 1
    threat.msg_type = msg_type
    threat.identifier = identifier or new_cap_identifier()
    threat.sender = sender or cap_sender()
    threat.sent_at = timezone.now()
    threat_message_record(threat, xml=xml)


@transaction.atomic
def threat_update(
    *,
    actor: User,
    threat: Threat,
    areas: Sequence[Area] | None = None,
    named_agencies: Sequence[Agency] | None = None,
    **fields: Any,
) -> Threat:
    """Change a live threat: a CAP Update that reaches every recipient again."""
    threat = Threat.objects.select_for_update().get(pk=threat.pk)
    agency = _require_change(actor, threat)
    if threat.is_cancelled:
        raise ValidationError({"msg_type": _("This threat was cancelled; log a new one.")})
    changed = model_update(instance=threat, fields=fields, allowed=THREAT_FIELDS)
    changes: dict[str, Any] = {key: str(new) for key, (_old, new) in changed.items()}
    _validate(threat, areas=list(areas) if areas is not None else None, named=named_agencies)
    _new_revision(threat, Threat.MsgType.UPDATE)
    threat.save()
    if areas is not None:
        threat.areas.set(areas)
        changes["areas"] = [a.pk for a in areas]
    if named_agencies is not None:
        threat.named_agencies.set(named_agencies)
    # An agency that may no longer read the threat (made secret, or no longer named) gets
    # nothing more: its alert reads as withdrawn and its pending deliveries are cancelled now.
    deliveries_cancel_withdrawn(threat_id=threat.pk)
    threat_event(threat, actor=actor, agency=agency, kind=ThreatEvent.Kind.UPDATED, data={"changes": changes})
    queue_fan_out(threat.pk)
    return threat


@transaction.atomic
def threat_cancel(*, actor: User, threat: Threat, reason: str = "") -> Threat:
    """Cancel a threat: a CAP Cancel that tells every recipient. Cancelling twice changes nothing."""
    threat = Threat.objects.select_for_update().get(pk=threat.pk)
    agency = _require_change(actor, threat)
    if threat.is_cancelled:
        return threat
    _new_revision(threat, Threat.MsgType.CANCEL)
    if reason:
        threat.instruction = reason
    threat.save()
    threat_event(threat, actor=actor, agency=agency, kind=ThreatEvent.Kind.CANCELLED, message=reason)
    queue_fan_out(threat.pk)
    return threat


def threat_from_incident(*, actor: User, incident: Incident, **overrides: Any) -> Threat:
    """Raise a threat from an incident: its category, severity, urgency, area and classification."""
    fields: dict[str, Any] = {
        "headline": incident.title,
        "description": incident.description,
        "category": incident.category,
        "severity": incident.severity,
        "urgency": incident.urgency,
        "classification": incident.classification,
        "areas": [incident.area],
    }
    fields.update(overrides)
    return threat_log(actor=actor, incident=incident, **fields)


# --- Acknowledgement -------------------------------------------------------------------------


@transaction.atomic
def alert_acknowledge(*, actor: User, alert: Alert, response: str = "", quick_response: str = "") -> Alert:
    """Any member of the alerted agency acknowledges for it. Repeating it changes nothing.

    `quick_response` is a QuickResponse code (stored as the code, shown in the reader's
    language); `response` is free text, kept as typed.
    """
    if not can_acknowledge_alert(user=actor, alert=alert):
        raise PermissionDenied(ACKNOWLEDGE_DENIED)
    if alert_is_withdrawn(alert_id=alert.pk):
        raise ValidationError({"alert": [WITHDRAWN]})
    response = (response or "").strip()
    if len(response) > 2000:
        raise ValidationError({"response": _("A response has at most 2000 characters.")})
    quick_response = quick_response or ""
    if quick_response and quick_response not in QuickResponse.values:
        raise ValidationError(
            {
                "quick_response": _("Unknown quick response %(value)s: use one of %(codes)s.")
                % {"value": quick_response, "codes": ", ".join(QuickResponse.values)}
            }
        )
    now = timezone.now()
    changed = Alert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=now, acknowledged_by=actor, response=response, quick_response=quick_response
    )
    alert.refresh_from_db()
    if changed:
        timeline_append(
            ThreatEvent,
            threat_id=alert.threat_id,
            actor=actor,
            agency=alert.agency,
            kind=ThreatEvent.Kind.ACKNOWLEDGED,
            message=response,
            data={"alert": alert.pk, "quick_response": quick_response},
        )
    return alert


def inbox_mark_read(*, user: User, delivery_ids: Sequence[int]) -> int:
    return Delivery.objects.filter(
        pk__in=list(delivery_ids), user=account(user), channel=Delivery.Channel.IN_APP, read_at__isnull=True
    ).update(read_at=timezone.now())


def inbox_mark_alerts_read(*, user: User, alert_ids: Sequence[int] | None = None) -> int:
    """Mark read the user's in-app deliveries of these alerts (every delivery of each: an
    update or an escalation is read with the alert), or of all alerts with None (the one
    inbox's "mark all read"). Returns how many deliveries changed."""
    qs = Delivery.objects.filter(user=account(user), channel=Delivery.Channel.IN_APP, read_at__isnull=True)
    if alert_ids is not None:
        qs = qs.filter(alert_id__in=list(alert_ids))
    return qs.update(read_at=timezone.now())
