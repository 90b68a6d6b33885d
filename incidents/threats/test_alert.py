"""A subscription's test alert: one message through each of its channels, sent now through the
real senders (`transports.py`), the outcome of each returned for the page and the API to show.

Nothing is written: a test is not an alert, so no Alert or Delivery row, no inbox entry, no
retry. Each send is bounded by its transport's timeout (the webhook's at most
TEST_WEBHOOK_TIMEOUT), so the page answers within seconds whatever the receivers do. The
recipients are those a real alert would reach: the members holding `alert.notified` with an
e-mail address or a phone, at most TEST_RECIPIENTS of each.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies import selectors as agency_selectors
from agencies.models import Membership, Subscription
from agencies.roles import roles_for
from common.types import User

from .transports import OutgoingEmail, TransportError, email_send_batch, sms_gateway, webhook_post

TEST_WEBHOOK_TIMEOUT = 5.0
TEST_RECIPIENTS = 10
TEST_EVENT = "alert.test"


@dataclass
class ChannelResult:
    """What one channel did with the test: sent or not, to whom, and what the receiver said."""

    channel: str
    ok: bool
    target: str
    detail: str
    answer: str = ""


def _recipients(subscription: Subscription) -> list[tuple[str, str]]:
    """(e-mail, phone) of the members a real alert reaches by e-mail and SMS (as the fan-out's
    `insert_member_deliveries` picks them: active members holding `alert.notified`)."""
    rows = (
        Membership.objects.filter(
            agency_id=subscription.agency_id,
            is_active=True,
            user__is_active=True,
            role__in=list(roles_for("alert.notified")),
        )
        .order_by("pk")
        .values_list("user__email", "phone")
    )
    return list(rows[: TEST_RECIPIENTS * 2])


def _text(subscription: Subscription) -> tuple[str, str]:
    subject = _("[TEST] Sinergi test alert for %(agency)s") % {"agency": subscription.agency.name}
    body = _(
        'This is a test of the subscription "%(name)s" sent at %(at)s UTC. No threat was logged; nothing to do.'
    ) % {"name": subscription.name, "at": f"{timezone.now():%Y-%m-%d %H:%M:%S}"}
    return subject, body


def _webhook(subscription: Subscription, body: str) -> ChannelResult:
    payload = {
        "event": TEST_EVENT,
        "test": True,
        "subscription": subscription.pk,
        "agency": subscription.agency.code,
        "sent_at": timezone.now().isoformat(),
        "message": body,
    }
    timeout = min(float(getattr(settings, "SINERGI_WEBHOOK_TIMEOUT", 5)), TEST_WEBHOOK_TIMEOUT)
    try:
        status, answer = webhook_post(
            url=subscription.webhook_url,
            secret=subscription.webhook_secret,
            payload=payload,
            delivery_id=0,
            event=TEST_EVENT,
            timeout=timeout,
        )
    except TransportError as exc:
        return ChannelResult("webhook", False, subscription.webhook_url, exc.message, exc.answer)
    return ChannelResult("webhook", True, subscription.webhook_url, f"HTTP {status}", answer)


def _emails(addresses: list[str], subject: str, body: str) -> list[ChannelResult]:
    if not addresses:
        return [ChannelResult("email", False, "", _("No member who gets e-mail alerts has an e-mail address."))]
    outcome = email_send_batch(
        [OutgoingEmail(key=i, to=a, subject=subject, body=body) for i, a in enumerate(addresses)]
    )
    results = []
    for i, address in enumerate(addresses):
        error = outcome.get(i)
        if error is None:
            results.append(ChannelResult("email", True, address, _("accepted by the mail server")))
        else:
            results.append(ChannelResult("email", False, address, error.message))
    return results


def _sms(phones: list[str], subject: str) -> list[ChannelResult]:
    if not phones:
        return [ChannelResult("sms", False, "", _("No member who gets SMS alerts has a phone number."))]
    gateway = sms_gateway()
    results = []
    for phone in phones:
        try:
            answer = gateway.send(to=phone, text=subject)
        except TransportError as exc:
            results.append(ChannelResult("sms", False, phone, exc.message, exc.answer))
        else:
            results.append(ChannelResult("sms", True, phone, _("accepted by the SMS gateway"), answer))
    return results


def subscription_test_alert(*, actor: User, subscription: Subscription) -> list[ChannelResult]:
    """Send a test through each channel of the subscription (a commander or liaison of its
    agency, or staff: `agency.manage`) and return each outcome. Failures are results, never
    exceptions: a receiver that is down is what the test is for."""
    agency_selectors.require_capability(user=actor, agency_id=subscription.agency_id, capability="agency.manage")
    subject, body = _text(subscription)
    people = _recipients(subscription)
    results: list[ChannelResult] = []
    if subscription.channel_in_app:
        results.append(
            ChannelResult(
                "in_app",
                True,
                subscription.agency.name,
                _("Real alerts appear in every member's inbox; a test adds nothing there."),
            )
        )
    if subscription.channel_email:
        emails = list(dict.fromkeys(e for e, _phone in people if e))[:TEST_RECIPIENTS]
        results += _emails(emails, subject, body)
    if subscription.channel_sms:
        phones = list(dict.fromkeys(p for _email, p in people if p))[:TEST_RECIPIENTS]
        results += _sms(phones, subject)
    if subscription.channel_webhook:
        results.append(_webhook(subscription, body))
    return results
