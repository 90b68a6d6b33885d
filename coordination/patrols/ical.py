"""iCalendar (RFC 5545) of an agency's patrol shifts, for a phone calendar to subscribe to.

Times are written in UTC (`DTSTART:20260130T140000Z`): every calendar client converts them to
the phone's zone, and a shift planned in WITA shows at the right moment in Jakarta too. The UID
is derived from the shift's id only, so a client updates an event instead of duplicating it.
The `icalendar` library escapes commas, semicolons and newlines in SUMMARY, LOCATION and
DESCRIPTION.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from agencies.models import Agency
from coordination.models import PatrolShift


def shift_uid(shift: PatrolShift) -> str:
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "sinergi"
    return f"shift-{shift.pk}@{host}"


def shifts_ical(*, agency: Agency, shifts: Iterable[PatrolShift]) -> bytes:
    """The feed: one VEVENT per shift, with this agency's units in the description."""
    cal = Calendar()
    cal.add("prodid", "-//Sinergi//Patrol shifts//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", _("Patrol shifts: %(agency)s") % {"agency": agency.name})
    for shift in shifts:
        event = Event()
        event.add("uid", shift_uid(shift))
        event.add("dtstamp", (shift.created_at or shift.starts_at).astimezone(datetime.UTC))
        event.add("dtstart", shift.starts_at.astimezone(datetime.UTC))
        event.add("dtend", shift.ends_at.astimezone(datetime.UTC))
        event.add("summary", shift.title or shift.operation.name)
        areas = [a.name for a in shift.areas.all()]
        if areas:
            event.add("location", ", ".join(areas))
        lines = [_("Operation: %(name)s") % {"name": shift.operation.name}]
        for c in shift.contributions.all():
            if c.agency_id == agency.pk:
                lines.append(
                    _("Unit %(unit)s: %(headcount)d personnel, %(vehicles)d vehicles")
                    % {"unit": c.unit_name, "headcount": c.headcount, "vehicles": c.vehicles}
                )
        for cp in shift.checkpoints.all():
            lines.append(f"{cp.order}. {cp.name}")
        if shift.notes:
            lines.append(shift.notes)
        event.add("description", "\n".join(lines))
        event.add("url", f"{settings.SITE_URL.rstrip('/')}/patrols/shifts/{shift.pk}/")
        cal.add_component(event)
    return cal.to_ical()
