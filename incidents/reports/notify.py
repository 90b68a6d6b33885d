"""Telling a reporter that a question waits, by e-mail or SMS through the threats' senders.

The message names nobody (not the moderator, not the agency) and carries no text of the
question: only that a question waits and the link to the report's tracking page, where it is
read and answered. It goes to the contact the reporter left on the report, once per question:
`notified_at` is claimed by a conditional UPDATE before sending (a task run twice sends once),
and given back when the transport fails for a while, so that the next attempt may claim it.
"""

from __future__ import annotations

import logging
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from incidents.models import ReportQuestion
from incidents.threats.services import OutgoingEmail, TransportError, email_send_batch, sms_gateway

logger = logging.getLogger(__name__)

# What is not part of a phone number as citizens type it ("wa 0812-1111-2222", "+62 812 ...").
NOT_PHONE = re.compile(r"[^\d+]")


def contact_address(contact: str) -> tuple[str, str]:
    """(channel, address): ("email", the address), ("sms", the number's digits with its "+"),
    or ("", "") for a contact that is neither (a name, a place: nobody to tell)."""
    contact = (contact or "").strip()
    if "@" in contact:
        try:
            validate_email(contact)
        except ValidationError:
            return "", ""
        return "email", contact
    number = NOT_PHONE.sub("", contact)
    digits = sum(c.isdigit() for c in number)
    return ("sms", number) if 8 <= digits <= 15 and "+" not in number[1:] else ("", "")


def question_notify(*, question_id: int) -> str:
    """Tell the reporter of the question's report, once. Answers what was done: "email",
    "sms", "none" (no usable contact), "done" (already told, or no such question), "failed"
    (a permanent refusal, logged). Raises TransportError on a temporary failure, the question
    left unclaimed for the next attempt."""
    claimed = ReportQuestion.objects.filter(pk=question_id, notified_at__isnull=True).update(notified_at=timezone.now())
    if not claimed:
        return "done"
    question = ReportQuestion.objects.select_related("report").get(pk=question_id)
    report = question.report
    channel, address = contact_address(report.contact)
    if not channel:
        return "none"
    link = settings.SITE_URL.rstrip("/") + reverse("report-track-detail", args=[report.tracking_code])
    with translation.override(settings.LANGUAGE_CODE):  # Bahasa Indonesia: the citizens' language
        subject = _("A question about your report %(code)s") % {"code": report.tracking_code}
        body = _("An officer asked a question about your report. Read and answer it here: %(link)s") % {"link": link}
    try:
        if channel == "email":
            error = email_send_batch([OutgoingEmail(key=0, to=address, subject=subject, body=body)])[0]
            if error is not None:
                raise error
        else:
            sms_gateway().send(to=address, text=body)
    except TransportError as error:
        if error.permanent:
            logger.warning("report question %s: the reporter could not be told (%s)", question_id, error.message)
            return "failed"
        ReportQuestion.objects.filter(pk=question_id).update(notified_at=None)
        raise
    return channel
