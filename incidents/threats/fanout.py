"""The fan-out: who hears of a threat, their alerts and deliveries, and the queuing of the sends.

`threat_fan_out` resolves the recipient agencies in the database (`threat_recipients`), creates
their alerts and deliveries with INSERT ... ON CONFLICT DO NOTHING (so a repeat or a
crashed-and-retried run creates nothing twice), then queues the channel sends in batches
(`deliveries_queue`), never one task a recipient. Escalation (escalation.py) reuses
`insert_member_deliveries` for the members it reaches.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from agencies.models import Agency, Area, Classification, Severity, Subscription, SubscriptionCategory
from agencies.roles import roles_for
from common.tasks import queue_now
from incidents.models import Alert, Delivery, Threat, ThreatEvent

from . import tasks
from .deliveries import deliveries_cancel_withdrawn
from .selectors import alert_withdrawn

D = Delivery.Status

# Batch sizes of the channel sends. One task per batch: a worker on two cores runs ~120 tiny
# tasks a second, so 10,000 one-recipient tasks would take ~80 s where 50 batches of 200 take
# well under a second of task overhead (measured in bench/fanout.py).
SEND_BATCH: dict[str, int] = {Delivery.Channel.EMAIL: 100, Delivery.Channel.SMS: 100, Delivery.Channel.WEBHOOK: 200}


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


# Per channel of a member's delivery: the column its address is read from, its first status
# (in-app is delivered as it is written, the others are queued for the senders), and the
# condition that skips members without such an address.
MEMBER_CHANNELS: dict[str, tuple[str, str, str]] = {
    Delivery.Channel.IN_APP: ("''", D.SENT, ""),
    Delivery.Channel.EMAIL: ("u.email", D.QUEUED, " AND u.email <> ''"),
    Delivery.Channel.SMS: ("m.phone", D.QUEUED, " AND m.phone <> ''"),
}


def insert_member_deliveries(
    *,
    threat_id: int,
    revision: int,
    channel: str,
    alert_filter_sql: str,
    roles: Sequence[str] | None,
    key_prefix: str = "user:",
    escalation_level: int = 0,
) -> int:
    """One INSERT ... SELECT of the deliveries of every member of the alerted agencies.

    ON CONFLICT DO NOTHING on the (alert, revision, channel, recipient) unique index makes it
    idempotent. PostgreSQL writes 10,000 such rows in ~30 ms, where building them in Python and
    bulk_create-ing them takes ~10x longer (bench/fanout.py). The channel says where the address
    comes from and whether the rows are queued or already sent (`MEMBER_CHANNELS`).
    """
    address_sql, status, extra_where = MEMBER_CHANNELS[channel]
    # Never to the members of an agency that may no longer read the threat (a withdrawn alert,
    # `selectors.alert_live_q`): usually none, so one small query and no clause.
    withdrawn = list(
        Alert.objects.filter(threat_id=threat_id)
        .alias(withdrawn=alert_withdrawn())
        .filter(withdrawn=True)
        .values_list("pk", flat=True)
    )
    if withdrawn:
        alert_filter_sql += " AND a.id NOT IN (" + ",".join(str(int(i)) for i in withdrawn) + ")"
    now = timezone.now()
    sent_at = now if status == D.SENT else None
    role_sql = ""
    params: list[Any] = [revision, channel, escalation_level, status, now, sent_at, now, threat_id]
    if roles:
        role_sql = " AND m.role IN (" + ", ".join(["%s"] * len(roles)) + ")"
        params.extend(roles)
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
        deliveries_cancel_withdrawn(threat_id=threat_id)
        result.alerts = len(recipients.reasons)
        result.deliveries += _insert_outgoing_deliveries(threat, revision, recipients)
    result.queued_batches = deliveries_queue(threat_id=threat_id, revision=revision)

    with transaction.atomic():
        threat = Threat.objects.select_for_update(of=("self",)).get(pk=threat_id)
        if threat.revision != revision or threat.fanned_out_revision >= revision:
            return result  # a newer revision (or another worker) took over
        result.deliveries += insert_member_deliveries(
            threat_id=threat.pk,
            revision=revision,
            channel=Delivery.Channel.IN_APP,
            alert_filter_sql="",
            roles=None,
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
    for channel, agency_ids in ((Delivery.Channel.EMAIL, recipients.email), (Delivery.Channel.SMS, recipients.sms)):
        in_agencies = _agency_filter_sql(agency_ids)
        if in_agencies:
            created += insert_member_deliveries(
                threat_id=threat.pk,
                revision=revision,
                channel=channel,
                alert_filter_sql=in_agencies,
                roles=roles_for("alert.notified"),
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
            if not queue_now(tasks.deliver_batch, (channel, pks[start : start + size])):
                return batches  # the broker is down: the sweep re-queues what could not be queued
            batches += 1
    return batches
