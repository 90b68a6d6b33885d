"""What the meeting pages show, shaped for the templates: the agenda and minutes made safe,
the invitees grouped by agency with the answers, the action items with what the user may do."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from common.markdown import render_markdown
from coordination.models import Meeting, MeetingInvitee


def meeting_zone(meeting: Meeting) -> str:
    """The zone the meeting's times are shown and typed in: its area's."""
    return meeting.area.timezone


def invitee_rows(invitees: Iterable[MeetingInvitee]) -> list[dict[str, Any]]:
    """One row per invited agency, its named persons under it."""
    agencies: dict[int, dict[str, Any]] = {}
    rows = list(invitees)
    for row in rows:
        if row.user_id is None:
            agencies[row.agency_id] = {"invitee": row, "persons": []}
    for row in rows:
        if row.user_id is not None:
            agencies.setdefault(row.agency_id, {"invitee": None, "persons": []})["persons"].append(row)
    return list(agencies.values())


def rsvp_counts(invitees: Iterable[MeetingInvitee]) -> dict[str, int]:
    counts = Counter(r.rsvp for r in invitees if r.user_id is None)
    return {choice: counts.get(choice, 0) for choice in MeetingInvitee.Rsvp.values}


def text_html(meeting: Meeting) -> dict[str, Any]:
    return {"agenda_html": render_markdown(meeting.agenda), "minutes_html": render_markdown(meeting.minutes)}
