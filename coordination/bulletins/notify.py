"""Telling the recipients of a bulletin: in the portal always, by e-mail and SMS when the
agency subscribes to those channels, through the threats' senders (one SMTP connection a batch).

In-app: a bulletin is unread for a member until their `BulletinReceipt` says otherwise, and the
inbox (issue 12, being built apart) reads `selectors.unread_bulletins` and
`selectors.awaiting_acknowledgement`; `notify_in_app` is the one place that would also write an
inbox row, so the inbox can be pointed here when it lands.

What travels by e-mail and SMS holds no classified text: the title only for a public or
restricted text, otherwise the issuer's name, and a link to the portal, where the reader's
rights are checked again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from agencies.models import Classification, Membership, Subscription
from agencies.roles import roles_for
from coordination.models import Bulletin, BulletinRecipient
from incidents.threats.services import OutgoingEmail, TransportError, email_send_batch, sms_gateway

EVENTS = ("issued", "amended", "withdrawn", "reminder", "escalation")
# One SMTP connection carries a batch; a few hundred messages take a few seconds.
EMAIL_BATCH = 200


@dataclass
class Sent:
    email: int = 0
    sms: int = 0
    failed: int = 0


def notify_in_app(*, bulletin: Bulletin, agency_ids: Iterable[int], event: str) -> int:
    """The in-app side: recipients see the bulletin as unread (or amended since they read it)
    through the receipts; nothing else is written yet. Returns how many agencies are told."""
    return len(set(agency_ids))


def _text(bulletin: Bulletin, tier: str, event: str) -> tuple[str, str]:
    classification = bulletin.releasable_classification if tier == BulletinRecipient.Tier.RELEASABLE else None
    open_title = (classification or bulletin.classification) in (Classification.PUBLIC, Classification.RESTRICTED)
    title = bulletin.title if open_title else _("a bulletin from %(agency)s") % {"agency": bulletin.issuing_agency}
    subjects = {
        "issued": _("New bulletin: %(title)s"),
        "amended": _("Bulletin amended: %(title)s"),
        "withdrawn": _("Bulletin withdrawn: %(title)s"),
        "reminder": _("Acknowledgement due: %(title)s"),
        "escalation": _("Not acknowledged by your agency: %(title)s"),
    }
    subject = subjects[event] % {"title": title}
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
    for start in range(0, len(emails), EMAIL_BATCH):
        outcome = email_send_batch(emails[start : start + EMAIL_BATCH])
        result.email += sum(1 for error in outcome.values() if error is None)
        result.failed += sum(1 for error in outcome.values() if error is not None)
    gateway = sms_gateway()
    for phone, text in sms:
        try:
            gateway.send(to=phone, text=text)
            result.sms += 1
        except TransportError:
            result.failed += 1
    return result


def claim_issue_notices(*, bulletin: Bulletin) -> list[int]:
    """Agencies not yet told of the bulletin's current version, claimed with a conditional
    UPDATE so that a task run twice sends once."""
    pending = list(
        BulletinRecipient.objects.filter(bulletin=bulletin, notified_version__lt=bulletin.version).values_list(
            "pk", "agency_id"
        )
    )
    claimed = BulletinRecipient.objects.filter(
        pk__in=[pk for pk, _agency in pending], notified_version__lt=bulletin.version
    ).update(notified_version=bulletin.version)
    return [agency for _pk, agency in pending] if claimed else []
