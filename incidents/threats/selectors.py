"""Reads of threats, alerts and deliveries, scoped to the user.

A threat is read by the classification rules of docs/security.md: public and restricted as for
incidents; confidential by the issuing, named and alerted agencies and the information-sharing
partners of the issuer; secret by the issuing and named agencies only.

Access in one place: `threat_get` / `threat_get_for_change` and `alert_get` /
`alert_get_for_acknowledge` are the accessors the API, the pages and the CAP import use; the
`can_*` predicates (on the capabilities of agencies/roles.py) are what the services and the
CAP import check and what the pages ask before they offer an action.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any, cast

from django.contrib.auth.models import User as Account
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Case, Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Area, Classification
from agencies.roles import agencies_with, has_capability
from agencies.selectors import classification_q, user_agency_ids, user_is_staff
from agencies.services import audit_reads
from common.selectors import get_or_404
from common.types import User
from incidents.models import Alert, CapSender, CapSource, Delivery, Threat, ThreatMessage

# The areas a list row or the inbox needs to name a threat's areas and its time zone.
AREAS_PREFETCH = Prefetch("areas", queryset=Area.objects.only("id", "name", "level", "timezone", "path"))

CHANGE_DENIED = _("Only the issuing agency may change this threat.")
WITHDRAWN = _("This alert was withdrawn: its threat is no longer shared with your agency.")
ACKNOWLEDGE_DENIED = _("Only members of the alerted agency may acknowledge this alert.")


def account(user: User) -> Account:
    """The account behind a signed-in user (pages need a session, the API authentication)."""
    return cast(Account, user)


# --- Who may do what (agencies/roles.py) ---------------------------------------------------


def can_log_threat(*, user: User) -> bool:
    """Staff, or a member whose role may log threats (not a viewer): whom `threat_log` lets through."""
    return has_capability(user=user, capability="threat.log")


def can_manage_threat(*, user: User, threat: Threat) -> bool:
    """Staff, or an acting member of the issuing agency: whom `threat_update` and `threat_cancel` let through."""
    return has_capability(user=user, capability="threat.manage", agency_ids=[threat.issuing_agency_id])


def can_follow_progress(*, user: User, threat: Threat) -> bool:
    """Staff, or any member of the issuing agency: who follows the fan-out and acknowledgement
    of every alerted agency (others who may read the threat see their own alert only)."""
    return has_capability(user=user, capability="threat.follow", agency_ids=[threat.issuing_agency_id])


def can_change_by_cap(*, user: User, threat: Threat) -> bool:
    """Whom `threat_import_cap` lets apply a CAP Update or Cancel to a threat we hold on their
    own word: staff, or a commander or liaison of the issuing agency (the agency that imported
    or issued it, "threat.import"). The document's <sender> proves nothing; anyone else's relay
    applies only with the XML signature of a sender the issuing agency registered
    (`CapSender`, `cap_relay_sender`)."""
    return has_capability(user=user, capability="threat.import", agency_ids=[threat.issuing_agency_id])


def cap_relay_sender(*, threat: Threat, sender: str) -> bool:
    """Whether a signed relay from `sender` may apply to `threat`: an alert imported from CAP
    (never a threat the portal issued) whose messages came from `sender` (the original authority)."""
    return (
        threat.source == Threat.Source.CAP_IMPORT
        and threat.issuing_agency_id is not None
        and ThreatMessage.objects.filter(threat=threat, sender=sender).exists()
    )


def can_manage_cap_senders(*, user: User, agency_id: int | None = None) -> bool:
    """Staff, or a commander or liaison (of `agency_id`, else of any agency): who registers and
    changes an agency's CAP senders ("threat.cap_senders")."""
    return has_capability(
        user=user, capability="threat.cap_senders", agency_ids=None if agency_id is None else [agency_id]
    )


CAP_SOURCE_WARNING_AFTER = timedelta(hours=1)


def can_manage_cap_sources(*, user: User) -> bool:
    """Staff only: who lists, reads, creates, edits and polls the CAP sources (incidents/threats/feeds/)."""
    return user_is_staff(user)


def cap_sources_failing_count(*, now: datetime | None = None) -> int:
    """Active CAP sources failing for more than an hour: staff's in-app warning (base.html, through
    incidents.context_processors; incidents/threats/feeds/poll.py sets `failing_since`)."""
    now = now or timezone.now()
    return CapSource.objects.filter(is_active=True, failing_since__lte=now - CAP_SOURCE_WARNING_AFTER).count()


def can_acknowledge_alert(*, user: User, alert: Alert) -> bool:
    """Staff, or any member of the alerted agency: whom `alert_acknowledge` lets through (it
    refuses a withdrawn alert, `alert_live_q`, with a ValidationError: nothing to acknowledge)."""
    return has_capability(user=user, capability="alert.acknowledge", agency_ids=[alert.agency_id])


# --- Threats -------------------------------------------------------------------------------


def threat_visibility_q(*, user: User) -> Q | None:
    """The Q a threat must match for `user` to read it; None means everything (staff).

    Involved: the issuing agency and the named ones. A confidential threat is read too by the
    issuer's information-sharing partners and by every agency it alerted.
    """

    def named(agency_ids: set[int]) -> Q:
        return Q(
            Exists(Threat.named_agencies.through.objects.filter(threat_id=OuterRef("pk"), agency_id__in=agency_ids))
        )

    def involved(agency_ids: set[int]) -> Q:
        return Q(issuing_agency_id__in=agency_ids) | named(agency_ids)

    # alert_live_q says the same for the agency of an alert: keep the two together.

    def confidential(own: set[int], partners: set[int]) -> Q:
        alerted = Alert.objects.filter(threat_id=OuterRef("pk"), agency_id__in=own)
        return Q(issuing_agency_id__in=own | partners) | named(own) | Q(Exists(alerted))

    return classification_q(user=user, involved=involved, confidential=confidential)


def threat_list(*, user: User) -> QuerySet[Threat]:
    qs = Threat.objects.select_related("category", "issuing_agency")
    q = threat_visibility_q(user=user)
    return qs if q is None else qs.filter(q)


def threat_get(*, user: User, pk: int | str, audit: bool = True) -> Threat:
    threat = get_or_404(threat_list(user=user).prefetch_related("areas", "named_agencies"), pk=pk)
    if audit:
        audit_reads(user=user, objects=[threat], object_type="threat")
    return threat


def threat_get_for_change(*, user: User, pk: int | str, audit: bool = True) -> Threat:
    """The threat to update or cancel: Http404 when the user may not read it, PermissionDenied
    when they may read it but not change it (`can_manage_threat`)."""
    threat = threat_get(user=user, pk=pk, audit=audit)
    if not can_manage_threat(user=user, threat=threat):
        raise PermissionDenied(CHANGE_DENIED)
    return threat


def public_threats() -> QuerySet[Threat]:
    """Current public threats for the Atom feed and the public CAP documents."""
    now = timezone.now()
    return (
        Threat.objects.filter(classification=Classification.PUBLIC)
        .exclude(cap_status__in=[Threat.CapStatus.DRAFT, Threat.CapStatus.TEST])
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .select_related("category", "issuing_agency")
        .prefetch_related("areas")
    )


# --- Alerts and the inbox ------------------------------------------------------------------
#
# An alert, a delivery and an inbox row hold a reference to the threat, never a copy of its
# text: what they show is read through the threat as it is now. An alert whose agency may no
# longer read its threat (made secret, or no longer named in a secret one) is *withdrawn*: it
# shows no headline nor any detail, waits for no acknowledgement, is never escalated, and its
# pending deliveries are cancelled (`deliveries.deliveries_cancel_withdrawn`).


def alert_live_q(prefix: str = "") -> Q:
    """The Q an alert (through `prefix`, e.g. "alert__" from a delivery) matches while its
    agency may read its threat: `threat_visibility_q` for a member of that agency alone. A
    public or restricted threat is read by every member agency and a confidential one by
    every agency it alerted; a secret one only by the issuing and the named agencies."""
    named = Threat.named_agencies.through.objects.filter(
        threat_id=OuterRef(f"{prefix}threat_id"), agency_id=OuterRef(f"{prefix}agency_id")
    )
    return (
        ~Q(**{f"{prefix}threat__classification": Classification.SECRET})
        | Q(**{f"{prefix}threat__issuing_agency_id": F(f"{prefix}agency_id")})
        | Q(Exists(named))
    )


def alert_withdrawn(prefix: str = "") -> Case:
    """True for a withdrawn alert (see `alert_live_q`), as an annotation (a threat without an
    issuing agency compares NULL: the CASE reads that as not live, never as unknown)."""
    return Case(When(alert_live_q(prefix), then=Value(False)), default=Value(True), output_field=BooleanField())


def alert_waiting_q(prefix: str = "") -> Q:
    """An alert (through `prefix`) waiting for its agency's acknowledgement: not acknowledged,
    its threat not cancelled, and not withdrawn (`alert_live_q`)."""
    cancelled = Threat.objects.filter(pk=OuterRef(f"{prefix}threat_id"), msg_type=Threat.MsgType.CANCEL)
    return Q(**{f"{prefix}acknowledged_at__isnull": True}) & ~Q(Exists(cancelled)) & alert_live_q(prefix)


def alert_status(alert: Alert) -> str:
    """Where an alert stands for its agency (from `alert_list`'s `withdrawn` annotation):
    withdrawn, acknowledged, cancelled (the issuer cancelled the threat: nothing to do) or
    open (waiting for an acknowledgement)."""
    if getattr(alert, "withdrawn", False):
        return "withdrawn"
    if alert.acknowledged_at is not None:
        return "acknowledged"
    if alert.threat.is_cancelled:
        return "cancelled"
    return "open"


def alert_list(*, user: User) -> QuerySet[Alert]:
    """Alerts of the user's agencies (all alerts for staff), newest first, each `withdrawn`
    or not (`alert_live_q`)."""
    qs = Alert.objects.select_related("threat__category", "agency", "acknowledged_by").annotate(
        withdrawn=alert_withdrawn()
    )
    if user_is_staff(user):
        return qs
    return qs.filter(agency_id__in=user_agency_ids(user=user))


def alert_get(*, user: User, pk: int | str, audit: bool = True) -> Alert:
    """One alert of the user's agencies, or 404. An alert shows its threat's text, so reading a
    live one is a read of the threat, audited alike (the API and the page both come here); a
    withdrawn alert shows nothing of it."""
    alert = get_or_404(alert_list(user=user), pk=pk)
    if audit and not alert.withdrawn:  # type: ignore[attr-defined]  # annotated by alert_list
        audit_reads(user=user, objects=[alert.threat], object_type="threat")
    return alert


def alert_is_withdrawn(*, alert_id: int) -> bool:
    """Whether the alert's agency may no longer read its threat, read now (the services' check)."""
    return not Alert.objects.filter(alert_live_q(), pk=alert_id).exists()


def alert_get_for_acknowledge(*, user: User, pk: int | str) -> Alert:
    """The alert to acknowledge: Http404 when it is not among the user's agencies' alerts,
    PermissionDenied when the user may see it but not acknowledge it (`can_acknowledge_alert`)."""
    alert = alert_get(user=user, pk=pk, audit=False)  # a change, recorded by what it changes
    if not can_acknowledge_alert(user=user, alert=alert):
        raise PermissionDenied(ACKNOWLEDGE_DENIED)
    return alert


def _mine(user: User) -> QuerySet[Delivery]:
    """The user's in-app deliveries, of the alerts of the agencies they belong to now (a member
    who left an agency no longer reads its alerts: the same scope as `alert_list`)."""
    qs = Delivery.objects.filter(user=account(user), channel=Delivery.Channel.IN_APP)
    if user_is_staff(user):
        return qs
    return qs.filter(alert__agency_id__in=user_agency_ids(user=user))


def inbox(*, user: User) -> QuerySet[Delivery]:
    """The user's in-app alerts, newest first, each `withdrawn` or not (`alert_live_q`)."""
    return (
        _mine(user)
        .select_related("alert__threat__category", "alert__agency")
        .annotate(withdrawn=alert_withdrawn("alert__"))
        .order_by("-created_at", "-id")
    )


def inbox_rows(*, user: User) -> QuerySet[Delivery]:
    """One row per alert: the user's latest in-app delivery of it, `unread` if any of them is.

    An alert may reach a user several times (an update, an escalation): the inbox lists the
    alert once, as acknowledgement is per alert.
    """
    mine = inbox(user=user)
    # "No later delivery of the same alert to me", tested per row as the page walks the inbox
    # index newest first: a page costs its own rows. (pk IN (MAX(pk) GROUP BY alert) grouped
    # every delivery the user ever got before the first row came out.)
    later = Delivery.objects.filter(
        user=account(user), channel=Delivery.Channel.IN_APP, alert_id=OuterRef("alert_id"), pk__gt=OuterRef("pk")
    )
    unread = Delivery.objects.filter(
        user=account(user), channel=Delivery.Channel.IN_APP, alert_id=OuterRef("alert_id"), read_at__isnull=True
    )
    # Joined: the alert, its threat and category. The agencies and the acknowledging member
    # come by primary key in their own small queries: with them joined too, PostgreSQL spent
    # 20 ms planning the eight-table join for 1 ms of execution.
    return (
        mine.filter(~Exists(later))
        .annotate(unread=Exists(unread))
        .select_related(None)
        .select_related("alert__threat__category")
        .prefetch_related(
            "alert__agency",
            "alert__acknowledged_by",
            "alert__threat__issuing_agency",
            Prefetch("alert__threat__areas", queryset=AREAS_PREFETCH.queryset),
        )
    )


def readable_threat_ids(*, user: User, threat_ids: set[int]) -> set[int]:
    """Which of these threats the user may open (an escalated alert may reach beyond the readers)."""
    if not threat_ids:
        return set()
    return set(threat_list(user=user).filter(pk__in=threat_ids).values_list("pk", flat=True))


def inbox_count_querysets(*, user: User) -> tuple[QuerySet[Delivery], QuerySet[Alert]]:
    """What `inbox_counts` counts, as querysets another feature may count in its own query (the
    one inbox's bell): the unread in-app deliveries, the alerts waiting for an acknowledgement."""
    unread = _mine(user).filter(read_at__isnull=True).filter(alert_live_q("alert__"))
    cancelled = Threat.objects.filter(pk=OuterRef("threat_id"), msg_type=Threat.MsgType.CANCEL)
    unacked = (
        Alert.objects.filter(agency_id__in=user_agency_ids(user=user), acknowledged_at__isnull=True)
        .filter(~Exists(cancelled))
        .filter(alert_live_q())
    )
    return unread, unacked


def inbox_counts(*, user: User) -> dict[str, int]:
    """Badge figures: unread in-app alerts, and alerts of the user's agencies not acknowledged."""
    if not user or not user.is_authenticated:
        return {"unread": 0, "unacknowledged": 0}
    # A withdrawn alert (`alert_live_q`) counts nowhere: neither unread nor waiting.
    unread = _mine(user).filter(read_at__isnull=True).filter(alert_live_q("alert__")).count()
    # NOT EXISTS (a cancelled threat) rather than a join: PostgreSQL hashed all the threats to
    # count a few thousand alerts (5-9 ms on every page with the bell); the anti-join takes 3 ms.
    cancelled = Threat.objects.filter(pk=OuterRef("threat_id"), msg_type=Threat.MsgType.CANCEL)
    unacked = (
        Alert.objects.filter(agency_id__in=user_agency_ids(user=user), acknowledged_at__isnull=True)
        .filter(~Exists(cancelled))
        .filter(alert_live_q())
        .count()
    )
    return {"unread": unread, "unacknowledged": unacked}


def threat_progress(*, threat: Threat) -> dict[str, Any]:
    """Fan-out and acknowledgement progress per agency (two grouped queries)."""
    agencies: dict[int, dict[str, Any]] = {}
    alerts = threat.alerts.select_related("agency", "acknowledged_by").annotate(withdrawn=alert_withdrawn())
    for alert in alerts.order_by("agency__name"):
        agencies[alert.pk] = {
            "alert_id": alert.pk,
            "agency_id": alert.agency_id,
            "agency": alert.agency.name,
            "reason": alert.reason,
            "acknowledged_at": alert.acknowledged_at,
            "acknowledged_by": alert.acknowledged_by.get_full_name() or alert.acknowledged_by.username
            if alert.acknowledged_by
            else None,
            "quick_response": alert.quick_response,
            "quick_response_label": alert.get_quick_response_display() if alert.quick_response else "",
            "response": alert.response,
            "response_display": alert.response_display,
            "escalation_level": alert.escalation_level,
            "withdrawn": alert.withdrawn,
            "deliveries": defaultdict(int),
        }
    totals: dict[str, int] = defaultdict(int)
    rows = (
        Delivery.objects.filter(alert__threat=threat, revision=threat.revision)
        .values_list("alert_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for alert_id, status, n in rows:
        if alert_id in agencies:
            agencies[alert_id]["deliveries"][status] += n
        totals[status] += n
    for entry in agencies.values():
        entry["deliveries"] = dict(entry["deliveries"])
    acknowledged = sum(1 for a in agencies.values() if a["acknowledged_at"])
    return {
        "revision": threat.revision,
        "fanned_out": threat.fanned_out_revision >= threat.revision,
        "alerts": len(agencies),
        "acknowledged": acknowledged,
        "deliveries": dict(totals),
        "agencies": list(agencies.values()),
    }


# --- CAP senders ---------------------------------------------------------------------------

CAP_SENDER_DENIED = _("Only the agency's commanders and liaisons may change its CAP senders.")


def cap_sender_list(*, user: User) -> QuerySet[CapSender]:
    """The registered CAP senders of the agencies where the user holds "threat.cap_senders"
    (every agency's for staff); nobody else reads them."""
    qs = CapSender.objects.select_related("agency", "registered_by").order_by("agency__name", "sender", "pk")
    if user_is_staff(user):
        return qs
    return qs.filter(agency_id__in=agencies_with(user=user, capability="threat.cap_senders"))


def cap_sender_get(*, user: User, pk: int | str) -> CapSender:
    return get_or_404(cap_sender_list(user=user), pk=pk)


def cap_sender_get_for_change(*, user: User, pk: int | str) -> CapSender:
    """The sender to change or remove: Http404 when the user may not read it (reading and
    changing take the same capability, so nobody reads it without the right to change it)."""
    sender = cap_sender_get(user=user, pk=pk)
    if not can_manage_cap_senders(user=user, agency_id=sender.agency_id):
        raise PermissionDenied(CAP_SENDER_DENIED)
    return sender
