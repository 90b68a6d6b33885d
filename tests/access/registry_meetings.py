"""The permission matrix's entries for coordination meetings (see registry.py for what each
kind of entry means). O organises the world's meeting (begun an hour ago, so attendance and
minutes may be taken); I and P are invited (world.py)."""

from __future__ import annotations

from typing import Any

from .registry import Detail, Form, List, Write, _soon, _today, cap

MEETING_API: dict[str, Any] = {
    "GET /api/v1/meetings/": List("meeting"),
    "POST /api/v1/meetings/": Write(
        None,
        cap("meeting.schedule"),
        lambda w: {
            "title": "Rapat baru",
            "area": w.agencies.areas.bontang.pk,
            "starts_at": _soon(24),
            "ends_at": _soon(26),
            "place": "Aula",
            "invited_agencies": [w.agencies.isp.pk],
        },
        create=True,
        staff=False,  # staff name the organiser (a 400 without one)
    ),
    "GET /api/v1/meetings/{id}/": Detail("meeting"),
    "PATCH /api/v1/meetings/{id}/": Write("meeting", cap("meeting.schedule"), {"agenda": "Diubah"}, method="patch"),
    "POST /api/v1/meetings/{id}/cancel/": Write("meeting", cap("meeting.schedule")),
    "POST /api/v1/meetings/{id}/rsvp/": Write(
        "meeting", cap("meeting.rsvp"), {"response": "accepted"}, recipients=True, staff=False
    ),
    "POST /api/v1/meetings/{id}/attendance/": Write("meeting", cap("meeting.minutes"), {"present": []}),
    "POST /api/v1/meetings/{id}/minutes/": Write("meeting", cap("meeting.minutes"), {"minutes": "Notulen"}),
    "GET /api/v1/meetings/{id}/decisions/": Detail("meeting"),
    "POST /api/v1/meetings/{id}/decisions/": Write("meeting", cap("meeting.minutes"), {"text": "Keputusan"}),
    "GET /api/v1/meetings/{id}/action-items/": Detail("meeting"),
    "POST /api/v1/meetings/{id}/action-items/": Write(
        "meeting",
        cap("meeting.minutes"),
        lambda w: {"description": "Baru", "owner_agency": w.agencies.owner.pk, "due_date": _today(5)},
    ),
}

MEETING_PAGES: dict[str, Any] = {
    "meeting-list": List("meeting"),
    "meeting-create": Form(None, cap("meeting.schedule"), create=True, staff=False),
    "meeting-detail": Detail("meeting"),
    "meeting-edit": Form("meeting", cap("meeting.schedule")),
    "meeting-cancel": Write("meeting", cap("meeting.schedule")),
    "meeting-rsvp": Write("meeting", cap("meeting.rsvp"), {"response": "accepted"}, recipients=True, staff=False),
    "meeting-attendance": Write("meeting", cap("meeting.minutes")),
    "meeting-minutes": Write("meeting", cap("meeting.minutes"), {"minutes": "Notulen"}),
    "meeting-decision-add": Write("meeting", cap("meeting.minutes"), {"text": "Keputusan"}),
    "meeting-action-item-add": Write(
        "meeting",
        cap("meeting.minutes"),
        lambda w: {"description": "Baru", "owner_agency": w.agencies.owner.pk, "due_date": _today(5)},
    ),
    "meeting-ics": Detail("meeting"),
}
