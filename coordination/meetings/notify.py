"""Meeting invitations by e-mail, with the calendar file attached (`ical.py`: METHOD:REQUEST,
the same UID at every change, a higher SEQUENCE after a change of time, place or status, so
that a calendar updates or cancels the event it already holds).

Who gets an e-mail: an invited person always (they were named); for an agency invited as a
whole, its managing members ("meeting.notified") when the agency takes e-mail (an active
subscription with the e-mail channel, as for bulletins). The inbox entry is written besides,
for every member (`services._tell`). The message is in the site's language (Bahasa Indonesia)
and holds what an invitee needs: title, time in the area's zone, place or link, organiser, a
link to the meeting's page, where the reader's rights are checked again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from agencies.localtime import in_zone
from agencies.models import Membership, Subscription
from agencies.roles import roles_for
from coordination.models import Meeting
from incidents.threats.services import OutgoingEmail, email_send_batch

from .ical import meeting_ical

EMAIL_BATCH = 200
# A refused message is tried again by `tasks.meeting_email` after 1, 2, 4, 8 then 16 minutes.
RETRY_ATTEMPTS = 5


@dataclass
class Sent:
    email: int = 0
    failed: int = 0
    retry: list[int] = field(default_factory=list)  # users whose e-mail a transport refused for now


def recipients(
    *, meeting: Meeting, rows: Iterable[tuple[int, int | None]], exclude_user_id: int | None = None
) -> dict[int, str]:
    """user id -> e-mail address of who is told of `rows` (invitee rows: agency, person or None)."""
    rows = list(rows)
    named_agencies = set(meeting.invitees.filter(user__isnull=False).values_list("agency_id", flat=True))
    persons = {user_id for _agency, user_id in rows if user_id is not None}
    whole = {agency_id for agency_id, user_id in rows if user_id is None and agency_id not in named_agencies}
    active = Membership.objects.filter(is_active=True, agency__is_active=True, user__is_active=True)
    found: dict[int, str] = {}
    if persons:
        found.update(
            active.filter(user_id__in=persons, agency_id__in={a for a, u in rows if u is not None})
            .exclude(user__email="")
            .values_list("user_id", "user__email")
        )
    if whole:
        takes_email = Subscription.objects.filter(agency_id=OuterRef("agency_id"), is_active=True, channel_email=True)
        found.update(
            active.filter(agency_id__in=whole, role__in=list(roles_for("meeting.notified")))
            .filter(Exists(takes_email))
            .exclude(user__email="")
            .values_list("user_id", "user__email")
        )
    found.pop(exclude_user_id, None)  # type: ignore[arg-type]
    return found


def _message(meeting: Meeting, kind: str) -> tuple[str, str]:
    subjects = {
        "meeting.invited": _("Meeting invitation: %(title)s"),
        "meeting.changed": _("Meeting changed: %(title)s"),
        "meeting.cancelled": _("Meeting cancelled: %(title)s"),
    }
    subject = subjects[kind] % {"title": meeting.title}
    lines = [
        subject,
        "",
        _("When: %(start)s until %(end)s")
        % {"start": in_zone(meeting.starts_at, meeting.area), "end": in_zone(meeting.ends_at, meeting.area)},
    ]
    if meeting.place:
        lines.append(_("Where: %(place)s") % {"place": meeting.place})
    if meeting.online_url:
        lines.append(_("Online: %(link)s") % {"link": meeting.online_url})
    lines.append(_("Organiser: %(agency)s") % {"agency": meeting.organiser.name})
    lines += [
        "",
        _("The calendar invitation is attached (invite.ics)."),
        settings.SITE_URL.rstrip("/") + reverse("meeting-detail", args=[meeting.pk]),
    ]
    return subject, "\n".join(lines)


def send(
    *,
    meeting_id: int,
    kind: str,
    rows: Iterable[tuple[int, int | None]],
    exclude_user_id: int | None = None,
    only: Iterable[int] | None = None,
) -> Sent:
    """E-mail `kind` (meeting.invited, .changed, .cancelled) with the .ics to the recipients of
    `rows` (or only the users `only`, on a retry). Never raises on a transport failure."""
    result = Sent()
    meeting = Meeting.objects.select_related("organiser", "area").filter(pk=meeting_id).first()
    if meeting is None:
        return result
    to = recipients(meeting=meeting, rows=rows, exclude_user_id=exclude_user_id)
    if only is not None:
        keep = set(only)
        to = {user_id: email for user_id, email in to.items() if user_id in keep}
    if not to:
        return result
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = _message(meeting, kind)
        attachment = ("invite.ics", meeting_ical(meeting=meeting), "text/calendar; method=REQUEST")
    messages = [
        OutgoingEmail(key=user_id, to=email, subject=subject, body=body, attachments=(attachment,))
        for user_id, email in to.items()
    ]
    for start in range(0, len(messages), EMAIL_BATCH):
        for user_id, error in email_send_batch(messages[start : start + EMAIL_BATCH]).items():
            if error is None:
                result.email += 1
            else:
                result.failed += 1
                if not error.permanent:
                    result.retry.append(user_id)
    return result
