"""Telling the recipients of a bulletin: in the portal always, by e-mail and SMS when the
agency subscribes to those channels, through the threats' senders (one SMTP connection a batch).

In-app: `notify_in_app` writes the entries of the one inbox (`InboxItem` rows with the
bulletin's reference, through `notifications.services.inbox_deliver`): issued, amended,
withdrawn to every member of the recipient agencies; a reminder to the members who may
acknowledge; an escalation to the commanders. Their text is written when they are read, under
the bulletin's access rule as it is then. One read state: opening the bulletin marks its
entries read (`services.bulletin_mark_read`), marking an entry read records the read receipt
(`notifications.services.inbox_mark_read`); "needs acknowledgement" is the recipient row's.

What travels by e-mail and SMS holds no classified text: the title only for a public or
restricted text, otherwise the issuer's name, and a link to the portal, where the reader's
rights are checked again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from agencies.models import Classification, Membership, Subscription
from agencies.roles import roles_for
from common.types import User
from coordination.models import Bulletin, BulletinRecipient
from incidents.threats.services import OutgoingEmail, TransportError, email_send_batch, sms_gateway

from .subjects import event_subject

EVENTS = ("issued", "amended", "withdrawn", "reminder", "escalation")
# One SMTP connection carries a batch; a few hundred messages take a few seconds.
EMAIL_BATCH = 200


# A message a transport refused is tried again by `tasks.bulletin_messages_retry`, after 1, 2,
# 4, 8 then 16 minutes; then it is given up (logged). The task carries the message itself
# (recipient, subject, text): the wording of a bulletin's notice holds no confidential title.
RETRY_ATTEMPTS = 5


@dataclass
class Sent:
    email: int = 0
    sms: int = 0
    failed: int = 0
    retry: list[dict[str, str]] = field(default_factory=list)  # the refused messages, to try again


def notify_in_app(*, bulletin: Bulletin, agency_ids: Iterable[int], event: str, exclude: User | None = None) -> int:
    """The inbox entries of an event (`EVENTS`) for the members of `agency_ids`; returns how
    many were written. Reminders go to who may acknowledge, escalations to the commanders."""
    from coordination.notifications.services import inbox_deliver

    ids = set(agency_ids)
    if not ids:
        return 0
    user_ids = None
    if event in ("reminder", "escalation"):
        capability = "bulletin.acknowledge" if event == "reminder" else "bulletin.escalation_notified"
        user_ids = Membership.objects.filter(agency_id__in=ids, role__in=list(roles_for(capability))).values_list(
            "user_id", flat=True
        )
    # Reminders and escalations exist only for a bulletin asking for an acknowledgement.
    needs_ack = event in ("reminder", "escalation") or (event == "issued" and bulletin.ack_required)
    version = bulletin.version if event in ("issued", "amended") else None
    return inbox_deliver(
        agency_ids=ids,
        kind=f"bulletin.{event}",
        exclude=exclude,
        user_ids=user_ids,
        needs_ack=needs_ack,
        bulletin_id=bulletin.pk,
        bulletin_version=version,
    )


def _text(bulletin: Bulletin, tier: str, event: str) -> tuple[str, str]:
    classification = bulletin.releasable_classification if tier == BulletinRecipient.Tier.RELEASABLE else None
    open_title = (classification or bulletin.classification) in (Classification.PUBLIC, Classification.RESTRICTED)
    title = bulletin.title if open_title else _("a bulletin from %(agency)s") % {"agency": bulletin.issuing_agency}
    subject = event_subject(event, title)
    link = settings.SITE_URL.rstrip("/") + reverse("bulletin-detail", args=[bulletin.pk])
    return subject, f"{subject}\n\n{link}"


def send_external(*, bulletin_id: int, agency_ids: Iterable[int], event: str, commanders_only: bool = False) -> Sent:
    """E-mail and SMS to the managing members (the commanders, for an escalation) of the agencies
    that subscribe to those channels. Never raises on a transport failure: counts it."""
    result = Sent()
    bulletin = Bulletin.objects.select_related("issuing_agency").filter(pk=bulletin_id).first()
    ids = set(agency_ids)
    if bulletin is None or not ids:
        return result
    capability = "bulletin.escalation_notified" if commanders_only else "bulletin.notified"
    subscribed = Subscription.objects.filter(agency_id=OuterRef("agency_id"), is_active=True)
    members = (
        Membership.objects.filter(
            agency_id__in=ids,
            is_active=True,
            agency__is_active=True,
            user__is_active=True,
            role__in=list(roles_for(capability)),
        )
        .annotate(
            wants_email=Exists(subscribed.filter(channel_email=True)),
            wants_sms=Exists(subscribed.filter(channel_sms=True)),
        )
        .values_list("agency_id", "user__email", "phone", "wants_email", "wants_sms")
    )
    tiers = dict(
        BulletinRecipient.objects.filter(bulletin=bulletin, agency_id__in=ids).values_list("agency_id", "tier")
    )
    emails: list[OutgoingEmail] = []
    sms: list[tuple[str, str]] = []
    with translation.override(settings.LANGUAGE_CODE):
        for key, (agency_id, email, phone, wants_email, wants_sms) in enumerate(members):
            subject, body = _text(bulletin, tiers.get(agency_id, BulletinRecipient.Tier.FULL), event)
            if wants_email and email:
                emails.append(OutgoingEmail(key=key, to=email, subject=subject, body=body))
            if wants_sms and phone:
                sms.append((phone, body))
    return deliver(
        [{"channel": "email", "to": m.to, "subject": m.subject, "body": m.body} for m in emails]
        + [{"channel": "sms", "to": phone, "body": text} for phone, text in sms]
    )


def deliver(messages: list[dict[str, str]]) -> Sent:
    """Send e-mails (in batches, one SMTP connection each) and SMS; never raises on a transport
    failure: counts it and hands the message back in `retry` (not when it can never pass)."""
    result = Sent()
    emails = [
        OutgoingEmail(key=key, to=m["to"], subject=m.get("subject", ""), body=m["body"])
        for key, m in enumerate(messages)
        if m["channel"] == "email"
    ]
    for start in range(0, len(emails), EMAIL_BATCH):
        outcome = email_send_batch(emails[start : start + EMAIL_BATCH])
        for key, error in outcome.items():
            if error is None:
                result.email += 1
            else:
                result.failed += 1
                if not error.permanent:
                    result.retry.append(messages[key])
    gateway = None
    for m in messages:
        if m["channel"] != "sms":
            continue
        gateway = gateway or sms_gateway()
        try:
            gateway.send(to=m["to"], text=m["body"])
            result.sms += 1
        except TransportError as error:
            result.failed += 1
            if not error.permanent:
                result.retry.append(m)
    return result


def claim_issue_notices(*, bulletin: Bulletin) -> list[int]:
    """Agencies not yet told of the bulletin's current version, each claimed by one caller: the
    rows are locked (PostgreSQL: FOR UPDATE SKIP LOCKED, so a task run twice at once sends each
    notice once, the second getting only what the first did not lock) and marked told in the
    same transaction. Before, both runs read the same pending rows and each sent them all as
    soon as its UPDATE claimed any one of them."""
    with transaction.atomic():
        pending = list(
            BulletinRecipient.objects.select_for_update(skip_locked=True)
            .filter(bulletin=bulletin, notified_version__lt=bulletin.version)
            .values_list("pk", "agency_id")
        )
        BulletinRecipient.objects.filter(pk__in=[pk for pk, _agency in pending]).update(
            notified_version=bulletin.version
        )
    return [agency for _pk, agency in pending]
