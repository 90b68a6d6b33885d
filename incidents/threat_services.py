"""Threats and the alert fan-out (docs/architecture.md, "The core flow").

1. `threat_log`, `threat_update`, `threat_cancel` and `threat_from_incident` commit the threat,
   its CAP message and its timeline entry, and queue `threat_fan_out` on commit. If the broker
   is down the liaison still sees success: the threat is saved with `fanned_out_revision <
   revision`, and `alerts_sweep` fans it out once the broker is back.
2. `threat_fan_out` resolves the recipient agencies in the database, creates their alerts and
   deliveries with INSERT ... ON CONFLICT DO NOTHING (so a repeat or a crashed-and-retried run
   creates nothing twice), then queues the channel sends in batches, never one task a recipient.
3. `deliveries_send` claims a batch with one conditional UPDATE (queued/retrying -> sending,
   stamped with a claim token), sends with timeouts, and records the outcomes: permanent errors
   fail at once, temporary ones retry with exponential backoff and jitter up to a bound.
4. `alerts_sweep` (beat) re-queues deliveries stuck in queued, sending or retrying, fans out
   threats that missed their fan-out, and escalates alerts nobody acknowledged in time.
"""

from __future__ import annotations

import logging
import random
import secrets
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import RedisError

from agencies.models import Agency, Area, Classification, Membership, Severity, Subscription, SubscriptionCategory
from agencies.roles import has_capability
from agencies.selectors import user_agency_ids

from .models import (
    Alert,
    Category,
    Certainty,
    Delivery,
    Incident,
    QuickResponse,
    Threat,
    ThreatEvent,
    ThreatMessage,
    Urgency,
)
from .services import ACTING_ROLES, acting_agency
from .transports import (
    WEBHOOK_THREADS,
    OutgoingEmail,
    TransportError,
    email_send_batch,
    sms_gateway,
    webhook_post,
)

logger = logging.getLogger(__name__)

# What publishing a task raises when the broker is away (kombu wraps most of them).
BROKER_ERRORS = (KombuOperationalError, RedisError, OSError)

D = Delivery.Status

# Batch sizes of the channel sends. One task per batch: a worker on two cores runs ~120 tiny
# tasks a second, so 10,000 one-recipient tasks would take ~80 s where 50 batches of 200 take
# well under a second of task overhead (measured in bench/fanout.py).
SEND_BATCH: dict[str, int] = {Delivery.Channel.EMAIL: 100, Delivery.Channel.SMS: 100, Delivery.Channel.WEBHOOK: 200}
# Webhook outcomes are written every this many sends (see deliveries_send).
RECORD_EVERY = 20
# Roles that receive email and SMS; every active member gets the in-app alert.
NOTIFIED_ROLES = (Membership.Role.COMMANDER, Membership.Role.LIAISON)

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


def _event(threat: Threat, *, actor: Any, agency: Agency | None, kind: str, message: str = "", data=None) -> None:
    ThreatEvent.objects.create(
        threat=threat,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_agency=agency,
        kind=kind,
        message=message,
        data=data or {},
    )


def _queue_fan_out(threat_id: int) -> None:
    """After commit, queue the fan-out. A broker that is down must not fail the request."""

    def _send() -> None:
        from .tasks import threat_fan_out

        try:
            threat_fan_out.apply_async((threat_id,), retry=False)
        except BROKER_ERRORS:
            logger.warning("broker unavailable: threat %s will be fanned out by the sweep", threat_id, exc_info=True)

    transaction.on_commit(_send)


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
    actor: Any,
    headline: str,
    category: Category,
    areas: Sequence[Area],
    issuing_agency: Agency | None = None,
    named_agencies: Sequence[Agency] = (),
    incident: Incident | None = None,
    **fields: Any,
) -> Threat:
    """Log a threat for the actor's agency; its alerts go out after commit. Atomic."""
    agency = acting_agency(actor=actor, agency=issuing_agency, roles=ACTING_ROLES, field="issuing_agency")
    now = timezone.now()
    threat = Threat(
        identifier=new_cap_identifier(),
        sender=cap_sender(),
        sent_at=now,
        headline=headline,
        category=category,
        issuing_agency=agency,
        incident=incident,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **{k: v for k, v in fields.items() if k in THREAT_FIELDS},
    )
    threat.effective_at = threat.effective_at or now
    _validate(threat, areas=list(areas), named=list(named_agencies))
    threat.save()
    threat.areas.set(areas)
    threat.named_agencies.set(named_agencies)
    ThreatMessage.objects.create(
        threat=threat, revision=1, identifier=threat.identifier, sender=threat.sender, sent_at=now, msg_type="Alert"
    )
    _event(threat, actor=actor, agency=agency, kind=ThreatEvent.Kind.LOGGED, message=headline)
    _queue_fan_out(threat.pk)
    return threat


def can_log_threat(*, user: Any) -> bool:
    """Staff, or a member whose role may log threats (not a viewer): whom `threat_log` lets through."""
    return has_capability(user=user, capability="threat.log")


def can_manage_threat(*, user: Any, threat: Threat) -> bool:
    """Staff, or an acting member of the issuing agency: whom `threat_update` and `threat_cancel` let through."""
    return has_capability(user=user, capability="threat.manage", agency_ids=[threat.issuing_agency_id])


def _require_issuer(actor: Any, threat: Threat) -> Agency | None:
    """Staff, or an acting member of the issuing agency; anyone else is refused (403)."""
    if actor.is_authenticated and actor.is_staff:
        return threat.issuing_agency
    if threat.issuing_agency is None or threat.issuing_agency_id not in user_agency_ids(user=actor):
        raise PermissionDenied(_("Only the issuing agency may change this threat."))
    return acting_agency(actor=actor, agency=threat.issuing_agency, roles=ACTING_ROLES, field="issuing_agency")


def _new_revision(threat: Threat, msg_type: str, *, xml: str = "", identifier: str = "", sender: str = "") -> None:
    threat.revision += 1
    threat.msg_type = msg_type
    threat.identifier = identifier or new_cap_identifier()
    threat.sender = sender or cap_sender()
    threat.sent_at = timezone.now()
    ThreatMessage.objects.create(
        threat=threat,
        revision=threat.revision,
        identifier=threat.identifier,
        sender=threat.sender,
        sent_at=threat.sent_at,
        msg_type=msg_type,
        xml=xml,
    )


@transaction.atomic
def threat_update(
    *,
    actor: Any,
    threat: Threat,
    areas: Sequence[Area] | None = None,
    named_agencies: Sequence[Agency] | None = None,
    **fields: Any,
) -> Threat:
    """Change a live threat: a CAP Update that reaches every recipient again."""
    threat = Threat.objects.select_for_update().get(pk=threat.pk)
    agency = _require_issuer(actor, threat)
    if threat.is_cancelled:
        raise ValidationError({"msg_type": _("This threat was cancelled; log a new one.")})
    changes: dict[str, Any] = {}
    for key, value in fields.items():
        if key in THREAT_FIELDS and getattr(threat, key) != value:
            changes[key] = str(value)
            setattr(threat, key, value)
    _validate(threat, areas=list(areas) if areas is not None else None, named=named_agencies)
    _new_revision(threat, Threat.MsgType.UPDATE)
    threat.save()
    if areas is not None:
        threat.areas.set(areas)
        changes["areas"] = [a.pk for a in areas]
    if named_agencies is not None:
        threat.named_agencies.set(named_agencies)
    _event(threat, actor=actor, agency=agency, kind=ThreatEvent.Kind.UPDATED, data={"changes": changes})
    _queue_fan_out(threat.pk)
    return threat


@transaction.atomic
def threat_cancel(*, actor: Any, threat: Threat, reason: str = "") -> Threat:
    """Cancel a threat: a CAP Cancel that tells every recipient. Cancelling twice changes nothing."""
    threat = Threat.objects.select_for_update().get(pk=threat.pk)
    agency = _require_issuer(actor, threat)
    if threat.is_cancelled:
        return threat
    _new_revision(threat, Threat.MsgType.CANCEL)
    if reason:
        threat.instruction = reason
    threat.save()
    _event(threat, actor=actor, agency=agency, kind=ThreatEvent.Kind.CANCELLED, message=reason)
    _queue_fan_out(threat.pk)
    return threat


def threat_from_incident(*, actor: Any, incident: Incident, **overrides: Any) -> Threat:
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


# --- Recipients ----------------------------------------------------------------------------


@dataclass
class Recipients:
    reasons: dict[int, str] = field(default_factory=dict)
    email: set[int] = field(default_factory=set)
    sms: set[int] = field(default_factory=set)
    webhooks: list[tuple[int, int, str]] = field(default_factory=list)  # (agency, subscription, url)


def _area_overlap_q(prefix: str, areas: Iterable[Area]) -> Q:
    """Rows whose area (`prefix`__path) contains one of `areas` or lies inside one of them."""
    q = Q()
    for area in areas:
        q |= Q(**{f"{prefix}path__in": area.ancestor_paths}) | Q(**{f"{prefix}path__startswith": area.path})
    return q


def threat_recipients(threat: Threat) -> Recipients:
    """Who must hear of the threat, resolved in the database:

    - subscriptions matching the category (or its parent), an area overlapping the threat's,
      and a minimum severity at or below the threat's;
    - agencies whose jurisdiction overlaps the threat's areas, for Severe and Extreme threats;
    - agencies the issuer names;
    never an inactive agency nor the issuer itself; a secret threat goes to named agencies only.
    """
    result = Recipients()
    areas = list(threat.areas.all())
    active = Agency.objects.filter(is_active=True)
    if threat.issuing_agency_id:
        active = active.exclude(pk=threat.issuing_agency_id)
    named = set(active.filter(named_in_threats=threat).values_list("pk", flat=True))
    for agency_id in named:
        result.reasons[agency_id] = Alert.Reason.NAMED
        result.email.add(agency_id)
    if threat.classification == Classification.SECRET:
        return result

    if areas:
        codes = [threat.category.code]
        if threat.category.parent is not None:
            codes.append(threat.category.parent.code)
        has_codes = SubscriptionCategory.objects.filter(subscription=OuterRef("pk"))
        matches_code = SubscriptionCategory.objects.filter(subscription=OuterRef("pk"), code__in=codes)
        subs = (
            Subscription.objects.filter(is_active=True, agency__in=active, min_severity__lte=threat.severity)
            .filter(~Exists(has_codes) | Exists(matches_code))
            .filter(pk__in=Subscription.objects.filter(_area_overlap_q("areas__", areas)).values("pk"))
            .values_list("pk", "agency_id", "channel_email", "channel_sms", "channel_webhook", "webhook_url")
        )
        for sub_id, agency_id, email, sms, webhook, url in subs:
            result.reasons.setdefault(agency_id, Alert.Reason.SUBSCRIPTION)
            if email:
                result.email.add(agency_id)
            if sms:
                result.sms.add(agency_id)
            if webhook and url:
                result.webhooks.append((agency_id, sub_id, url))

        if threat.severity >= Severity.SEVERE:
            covering = (
                active.filter(pk__in=Agency.objects.filter(_area_overlap_q("jurisdiction__", areas)).values("pk"))
                .values_list("pk", flat=True)
                .distinct()
            )
            for agency_id in covering:
                if agency_id not in result.reasons:
                    result.reasons[agency_id] = Alert.Reason.JURISDICTION
                    result.email.add(agency_id)
                if threat.severity >= Severity.EXTREME:
                    result.sms.add(agency_id)
    return result


# --- Fan-out -------------------------------------------------------------------------------


@dataclass
class FanOutResult:
    threat_id: int
    revision: int
    alerts: int = 0
    deliveries: int = 0
    queued_batches: int = 0
    skipped: bool = False


def _insert_member_deliveries(
    *,
    threat_id: int,
    revision: int,
    channel: str,
    alert_filter_sql: str,
    roles: Sequence[str] | None,
    address_sql: str,
    status: str,
    key_prefix: str = "user:",
    escalation_level: int = 0,
    extra_where: str = "",
    extra_params: Sequence[Any] = (),
) -> int:
    """One INSERT ... SELECT of the deliveries of every member of the alerted agencies.

    ON CONFLICT DO NOTHING on the (alert, revision, channel, recipient) unique index makes it
    idempotent. PostgreSQL writes 10,000 such rows in ~30 ms, where building them in Python and
    bulk_create-ing them takes ~10x longer (bench/fanout.py).
    """
    now = timezone.now()
    sent_at = now if status == D.SENT else None
    role_sql = ""
    params: list[Any] = [revision, channel, escalation_level, status, now, sent_at, now, threat_id]
    if roles:
        role_sql = " AND m.role IN (" + ", ".join(["%s"] * len(roles)) + ")"
        params.extend(roles)
    params.extend(extra_params)
    sql = f"""
        INSERT INTO incidents_delivery
            (alert_id, revision, channel, recipient_key, user_id, subscription_id, address,
             escalation_level, status, attempts, last_error, next_attempt_at, claimed_at,
             claim_token, sent_at, read_at, created_at)
        SELECT a.id, %s, %s, '{key_prefix}' || CAST(m.user_id AS TEXT), m.user_id, NULL, {address_sql},
               %s, %s, 0, '', %s, NULL, '', %s, NULL, %s
        FROM incidents_alert a
        JOIN agencies_membership m ON m.agency_id = a.agency_id AND m.is_active
        JOIN auth_user u ON u.id = m.user_id AND u.is_active
        WHERE a.threat_id = %s {alert_filter_sql}{role_sql}{extra_where}
        ON CONFLICT DO NOTHING
    """  # noqa: S608 - every value is a parameter; the interpolated parts are constants of this module
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        inserted = max(cursor.rowcount, 0)
    if inserted:
        _check_foreign_keys_by_index()
    return inserted


def threat_fan_out(*, threat_id: int) -> FanOutResult:
    """Create the alerts and deliveries of the threat's current revision, and queue the sends.

    Two short transactions, so that what travels (email, SMS, webhooks) is queued before the
    largest insert, the in-app rows of every member, is written:

    1. alerts and the queued email/SMS/webhook deliveries; commit; queue their sends;
    2. the in-app deliveries, and `fanned_out_revision` = revision.

    Idempotent: every insert is ON CONFLICT DO NOTHING, so a second run (or a run after a
    crash between the two phases, which leaves `fanned_out_revision` behind for the sweep)
    inserts nothing twice and re-queues only what is still pending. The threat row is locked
    in each phase, so two workers running the same fan-out at once serialise.
    """
    with transaction.atomic():
        threat = Threat.objects.select_for_update(of=("self",)).select_related("category__parent").get(pk=threat_id)
        revision = threat.revision
        result = FanOutResult(threat_id=threat_id, revision=revision)
        if threat.fanned_out_revision >= revision:
            result.skipped = True
            return result
        recipients = threat_recipients(threat)
        Alert.objects.bulk_create(
            [Alert(threat=threat, agency_id=a, reason=r, revision=revision) for a, r in recipients.reasons.items()],
            ignore_conflicts=True,
            batch_size=2000,
        )
        Alert.objects.filter(threat=threat).update(revision=revision)
        result.alerts = len(recipients.reasons)
        result.deliveries += _insert_outgoing_deliveries(threat, revision, recipients)
    result.queued_batches = deliveries_queue(threat_id=threat_id, revision=revision)

    with transaction.atomic():
        threat = Threat.objects.select_for_update(of=("self",)).get(pk=threat_id)
        if threat.revision != revision or threat.fanned_out_revision >= revision:
            return result  # a newer revision (or another worker) took over
        result.deliveries += _insert_member_deliveries(
            threat_id=threat.pk,
            revision=revision,
            channel=Delivery.Channel.IN_APP,
            alert_filter_sql="",
            roles=None,
            address_sql="''",
            status=D.SENT,
        )
        Threat.objects.filter(pk=threat.pk).update(fanned_out_revision=revision)
        ThreatEvent.objects.create(
            threat=threat,
            kind=ThreatEvent.Kind.FANNED_OUT,
            data={"revision": revision, "alerts": result.alerts, "deliveries": result.deliveries},
        )
    return result


def _check_foreign_keys_by_index() -> None:
    """Run the transaction's pending (deferred) foreign-key checks now, planned without
    sequential scans: for the deliveries just inserted, one index look-up in `incidents_alert`
    and `auth_user` per row, whatever the planner believes of those tables.

    PostgreSQL checks each inserted delivery's foreign keys with a plan it makes once per
    connection and keeps until the table's statistics change. On a fresh database, where
    ANALYZE last saw `incidents_alert` with a handful of rows, that plan is a sequential scan
    of a table thought tiny, and every fan-out adds alerts that the scan then reads again for
    each of its 10,000 rows: 76 ms grew to 449 ms over eight fan-outs, until a VACUUM ANALYZE.
    Measured with the same 10,000-row INSERT ... SELECT eight times (alerts table analyzed
    when it held 4 rows): the checks read 0.5 M, 1.5 M, ... 7.5 M alert rows per fan-out by
    sequential scans (32.4 M in all); with this, 10,000 index look-ups each time and no scan,
    from the first fan-out on. ANALYZE-ing inside the fan-out whenever the table has doubled
    was measured too: still 12.7 M rows scanned, since on a table of a few hundred rows the
    planner rightly prefers a scan for one look-up, not knowing it runs 10,000 of them; so the
    plan is pinned instead. bench/fanout.py --fresh-only: 30,021 sequential scans of
    incidents_alert over eight fan-outs before, 21 after (bench/README.md).

    Cost: three statements (~0.3 ms); the checks themselves would run at commit anyway. Django
    does the same SET CONSTRAINTS pair in connection.check_constraints(). Only inside a
    transaction (outside one, each statement was checked when it committed).
    """
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('enable_seqscan')")
        (previous,) = cursor.fetchone()
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the pending checks run here
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute("SELECT set_config('enable_seqscan', %s, true)", [previous])


def _insert_outgoing_deliveries(threat: Threat, revision: int, recipients: Recipients) -> int:
    """The queued email, SMS and webhook deliveries of a fan-out; returns how many were new."""
    created = 0
    in_email = _agency_filter_sql(recipients.email)
    in_sms = _agency_filter_sql(recipients.sms)
    if in_email:
        created += _insert_member_deliveries(
            threat_id=threat.pk,
            revision=revision,
            channel=Delivery.Channel.EMAIL,
            alert_filter_sql=in_email,
            roles=NOTIFIED_ROLES,
            address_sql="u.email",
            status=D.QUEUED,
            extra_where=" AND u.email <> ''",
        )
    if in_sms:
        created += _insert_member_deliveries(
            threat_id=threat.pk,
            revision=revision,
            channel=Delivery.Channel.SMS,
            alert_filter_sql=in_sms,
            roles=NOTIFIED_ROLES,
            address_sql="m.phone",
            status=D.QUEUED,
            extra_where=" AND m.phone <> ''",
        )
    if recipients.webhooks:
        alert_ids = dict(Alert.objects.filter(threat=threat).values_list("agency_id", "pk"))
        now = timezone.now()
        hooks = [
            Delivery(
                alert_id=alert_ids[agency_id],
                revision=revision,
                channel=Delivery.Channel.WEBHOOK,
                recipient_key=f"subscription:{sub_id}",
                subscription_id=sub_id,
                address=url,
                next_attempt_at=now,
            )
            for agency_id, sub_id, url in recipients.webhooks
            if agency_id in alert_ids
        ]
        created += len(Delivery.objects.bulk_create(hooks, ignore_conflicts=True, batch_size=2000))
        _check_foreign_keys_by_index()
    return created


def _agency_filter_sql(agency_ids: set[int]) -> str:
    """An SQL condition on a.agency_id. The ids are integers from the database, never user input."""
    if not agency_ids:
        return ""
    return " AND a.agency_id IN (" + ",".join(str(int(i)) for i in sorted(agency_ids)) + ")"


def deliveries_queue(
    *, threat_id: int | None = None, revision: int | None = None, ids: Iterable[int] | None = None
) -> int:
    """Queue send tasks for pending deliveries, in batches by channel. Returns the batch count."""
    from .tasks import deliver_batch

    qs = Delivery.objects.filter(status__in=[D.QUEUED, D.RETRYING]).exclude(channel=Delivery.Channel.IN_APP)
    if threat_id is not None:
        qs = qs.filter(alert__threat_id=threat_id)
    if revision is not None:
        qs = qs.filter(revision=revision)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    by_channel: dict[str, list[int]] = defaultdict(list)
    for pk, channel in qs.order_by("pk").values_list("pk", "channel"):
        by_channel[channel].append(pk)
    batches = 0
    for channel, pks in by_channel.items():
        size = SEND_BATCH.get(channel, 100)
        for start in range(0, len(pks), size):
            try:
                deliver_batch.apply_async((channel, pks[start : start + size]), retry=False)
            except BROKER_ERRORS:  # the sweep re-queues what could not be queued
                logger.warning("broker unavailable: %s deliveries left for the sweep", len(pks) - start, exc_info=True)
                return batches
            batches += 1
    return batches


# --- Sending -------------------------------------------------------------------------------


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


def deliveries_send(*, channel: str, ids: Sequence[int]) -> SendResult:
    """Claim and send a batch of one channel's deliveries; record every outcome."""
    claimed = deliveries_claim(ids=ids)
    result = SendResult(skipped=len(ids) - len(claimed))
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
                chunk = claimed[start : start + RECORD_EVERY]
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
        _schedule_retry(claimed[0].channel, retry_at)
    return result


def _schedule_retry(channel: str, retry_at: list[tuple[int, datetime]]) -> None:
    """Queue the retries for their due time; if the broker refuses, the sweep picks them up."""
    from .tasks import deliver_batch

    latest = max(when for _pk, when in retry_at)
    countdown = max(0.0, (latest - timezone.now()).total_seconds())
    try:
        deliver_batch.apply_async((channel, [pk for pk, _when in retry_at]), countdown=countdown, retry=False)
    except BROKER_ERRORS:
        logger.warning("could not schedule %s retries; the sweep will", len(retry_at), exc_info=True)


# --- Acknowledgement and escalation --------------------------------------------------------


@transaction.atomic
def alert_acknowledge(*, actor: Any, alert: Alert, response: str = "", quick_response: str = "") -> Alert:
    """Any member of the alerted agency acknowledges for it. Repeating it changes nothing.

    `quick_response` is a QuickResponse code (stored as the code, shown in the reader's
    language); `response` is free text, kept as typed.
    """
    if (
        not (actor.is_authenticated and actor.is_staff)
        and not Membership.objects.filter(
            user=actor, agency_id=alert.agency_id, is_active=True, agency__is_active=True
        ).exists()
    ):
        raise PermissionDenied(_("Only members of the alerted agency may acknowledge this alert."))
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
        ThreatEvent.objects.create(
            threat_id=alert.threat_id,
            actor=actor,
            actor_agency=alert.agency,
            kind=ThreatEvent.Kind.ACKNOWLEDGED,
            message=response,
            data={"alert": alert.pk, "quick_response": quick_response},
        )
    return alert


def inbox_mark_read(*, user: Any, delivery_ids: Sequence[int]) -> int:
    return Delivery.objects.filter(
        pk__in=list(delivery_ids), user=user, channel=Delivery.Channel.IN_APP, read_at__isnull=True
    ).update(read_at=timezone.now())


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
        level = alert.escalation_level + 1
        threat = alert.threat
        revision = threat.revision
        now = timezone.now()
        created = 0
        if level == 1:
            filt = f" AND a.id = {int(alert.pk)}"
            for channel, address, extra in (
                (Delivery.Channel.IN_APP, "''", ""),
                (Delivery.Channel.EMAIL, "u.email", " AND u.email <> ''"),
                (Delivery.Channel.SMS, "m.phone", " AND m.phone <> ''"),
            ):
                created += _insert_member_deliveries(
                    threat_id=threat.pk,
                    revision=revision,
                    channel=channel,
                    alert_filter_sql=filt,
                    roles=(Membership.Role.COMMANDER,),
                    address_sql=address,
                    status=D.SENT if channel == Delivery.Channel.IN_APP else D.QUEUED,
                    key_prefix="esc1:user:",
                    escalation_level=1,
                    extra_where=extra,
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
                created += _insert_member_deliveries(
                    threat_id=threat.pk,
                    revision=revision,
                    channel=Delivery.Channel.IN_APP,
                    alert_filter_sql=filt,
                    roles=None,
                    address_sql="''",
                    status=D.SENT,
                    key_prefix="esc2:user:",
                    escalation_level=2,
                )
                created += _insert_member_deliveries(
                    threat_id=threat.pk,
                    revision=revision,
                    channel=Delivery.Channel.EMAIL,
                    alert_filter_sql=filt,
                    roles=NOTIFIED_ROLES,
                    address_sql="u.email",
                    status=D.QUEUED,
                    key_prefix="esc2:user:",
                    escalation_level=2,
                    extra_where=" AND u.email <> ''",
                )
        Alert.objects.filter(pk=alert.pk).update(escalation_level=level, escalated_at=now)
        ThreatEvent.objects.create(
            threat=threat,
            actor_agency=alert.agency,
            kind=ThreatEvent.Kind.ESCALATED,
            data={"alert": alert.pk, "level": level, "deliveries": created},
        )
    deliveries_queue(threat_id=threat.pk, revision=revision)
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
        threat_fan_out(threat_id=threat_id)
        result.fanned_out += 1

    stuck_sending = now - timedelta(seconds=float(getattr(settings, "CELERY_TASK_TIME_LIMIT", 150)) + 30)
    # A worker killed mid-send leaves rows in sending: give them back (or fail them at the bound).
    result.failed += Delivery.objects.filter(
        status=D.SENDING, claimed_at__lt=stuck_sending, attempts__gte=max_attempts()
    ).update(status=D.FAILED, last_error="worker lost while sending")
    Delivery.objects.filter(status=D.SENDING, claimed_at__lt=stuck_sending).update(
        status=D.RETRYING, next_attempt_at=now
    )
    pending = Delivery.objects.filter(
        Q(status=D.QUEUED, created_at__lt=now - grace) | Q(status=D.RETRYING, next_attempt_at__lte=now)
    ).exclude(channel=Delivery.Channel.IN_APP)
    ids = list(pending.values_list("pk", flat=True)[:20000])
    if ids:
        deliveries_queue(ids=ids)
        result.requeued = len(ids)

    for alert_id, severity, created_at, escalated_at in (
        Alert.objects.filter(acknowledged_at__isnull=True, escalation_level__lt=2)
        .exclude(threat__msg_type=Threat.MsgType.CANCEL)
        .values_list("pk", "threat__severity", "created_at", "escalated_at")[:5000]
    ):
        since = escalated_at or created_at
        if since + escalation_delay(severity) <= now and alert_escalate(alert_id=alert_id):
            result.escalated += 1
    return result
