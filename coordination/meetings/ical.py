"""The iCalendar (RFC 5545) invitation of a meeting: METHOD:REQUEST, one VEVENT whose UID is
derived from the meeting's id only (a calendar updates the event instead of duplicating it),
SEQUENCE the meeting's (raised by every change of time, place or status), times in UTC, and
STATUS:CANCELLED once cancelled. The `icalendar` library escapes the text fields."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from coordination.models import Meeting


def meeting_uid(meeting: Meeting) -> str:
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "sinergi"
    return f"meeting-{meeting.pk}@{host}"


def meeting_ical(*, meeting: Meeting) -> bytes:
    """The invitation as an .ics file (the meeting read through `meeting_get`)."""
    cal = Calendar()
    cal.add("prodid", "-//Sinergi//Meetings//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "REQUEST")
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", meeting.updated_at.astimezone(datetime.UTC))
    event.add("dtstart", meeting.starts_at.astimezone(datetime.UTC))
    event.add("dtend", meeting.ends_at.astimezone(datetime.UTC))
    event.add("summary", meeting.title)
    location = ", ".join(x for x in (meeting.place, meeting.online_url) if x)
    if location:
        event.add("location", location)
    event.add("status", "CANCELLED" if meeting.status == Meeting.Status.CANCELLED else "CONFIRMED")
    lines = [_("Organiser: %(agency)s") % {"agency": meeting.organiser.name}]
    if meeting.agenda:
        lines.append(meeting.agenda)
    event.add("description", "\n\n".join(lines))
    event.add("url", settings.SITE_URL.rstrip("/") + reverse("meeting-detail", args=[meeting.pk]))
    cal.add_component(event)
    return cal.to_ical()
