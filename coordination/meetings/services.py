"""Writes of coordination meetings, and the predicates the pages ask before they offer an
action (the same rules the services apply).

Every service is atomic, validates with `full_clean()` and checks the actor's capability
(`agencies/roles.py`). Callers fetch the meeting through a selector first (404 for what the
actor may not read); the services answer PermissionDenied when the actor reads it but may not
act, and ValidationError (a 400 in the API) for bad input.

Who may do what (staff: everything):
- schedule, change and cancel a meeting: a commander, liaison or planner of the organiser
  agency ("meeting.schedule");
- answer the invitation: any member of an invited agency, for it ("meeting.rsvp"), and an
  invited person for themselves;
- take attendance, write minutes and decisions, add action items: the organiser's planners
  ("meeting.minutes"); an item's status also its owner agency ("action_item.update").

Invitees hear of it through the one inbox (`meeting.invited`, `.changed`, `.cancelled`): an
agency invited with named persons through those persons, otherwise through every member; and
by e-mail with the calendar file (`notify.py`): named persons, and the managing members of an
agency invited as a whole that takes e-mail. A change of time, place or status raises the
meeting's iCalendar SEQUENCE.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency, Area, Membership
from agencies.roles import agencies_with, roles_for
from agencies.selectors import user_roles_in
from agencies.services import acting_agency
from common.services import model_update, signed_in
from common.tasks import queue_now
from common.types import User
from coordination.exercises.services import check_owner_person
from coordination.models import ActionItem, Meeting, MeetingDecision, MeetingInvitee
from coordination.rules import check_window, holds_capability, require_capability

from . import tasks

MEETING_FIELDS = ("title", "agenda", "place", "online_url", "area", "starts_at", "ends_at")
# What calendars and invitees are told about when it changes.
TOLD_FIELDS = frozenset({"place", "online_url", "area", "starts_at", "ends_at"})


# --- Who may do what -----------------------------------------------------------------------


def can_schedule_any(*, user: User) -> bool:
    """A commander, liaison or planner of some agency (the pages' "schedule" button); staff
    must name the organiser, which the API asks for."""
    return bool(agencies_with(user=user, capability="meeting.schedule"))


def can_schedule(*, actor: User, meeting: Meeting) -> bool:
    return holds_capability(actor=actor, agency_ids=[meeting.organiser_id], capability="meeting.schedule")


def require_scheduler(*, actor: User, meeting: Meeting) -> None:
    require_capability(
        actor=actor,
        agency_ids=[meeting.organiser_id],
        capability="meeting.schedule",
        message=_("Only commanders, liaisons and planners of the organiser may change this meeting."),
    )


def can_keep_minutes(*, actor: User, meeting: Meeting) -> bool:
    return holds_capability(actor=actor, agency_ids=[meeting.organiser_id], capability="meeting.minutes")


def require_minutes_keeper(*, actor: User, meeting: Meeting) -> None:
    require_capability(
        actor=actor,
        agency_ids=[meeting.organiser_id],
        capability="meeting.minutes",
        message=_("Only commanders, liaisons and planners of the organiser keep this meeting's record."),
    )


def rsvp_rows(*, actor: User, meeting: Meeting) -> list[MeetingInvitee]:
    """The invitee rows the actor answers for: their own as an invited person, and those of
    the invited agencies where they hold "meeting.rsvp" (read now, not cached)."""
    if not actor.is_authenticated:
        return []
    rows = list(meeting.invitees.all())
    roles = user_roles_in(user=actor, agency_ids={r.agency_id for r in rows})
    allowed = roles_for("meeting.rsvp")
    return [
        r
        for r in rows
        if (r.user_id == actor.pk and r.agency_id in roles) or (r.user_id is None and roles.get(r.agency_id) in allowed)
    ]


def can_rsvp(*, actor: User, meeting: Meeting) -> bool:
    return meeting.status == Meeting.Status.SCHEDULED and bool(rsvp_rows(actor=actor, meeting=meeting))


def can_take_attendance(*, actor: User, meeting: Meeting) -> bool:
    return (
        meeting.status != Meeting.Status.CANCELLED
        and meeting.starts_at <= timezone.now()
        and can_keep_minutes(actor=actor, meeting=meeting)
    )


# --- Invitees and the inbox ----------------------------------------------------------------


def _check_invitees(
    *, agencies: Iterable[Agency], persons: Iterable[Any], field: str = "invited_persons"
) -> list[tuple[int, int | None]]:
    """(agency id, user id or None) rows: every invited agency, and each person as a member of
    one of them (ValidationError when a person belongs to none)."""
    agency_ids = {a.pk for a in agencies}
    inactive = [a.name for a in agencies if not a.is_active]
    if inactive:
        raise ValidationError({"invited_agencies": _("This agency is not active: %s") % ", ".join(inactive)})
    rows: list[tuple[int, int | None]] = [(pk, None) for pk in sorted(agency_ids)]
    person_ids = {getattr(p, "pk", p) for p in persons}
    if not person_ids:
        return rows
    memberships = dict(
        Membership.objects.filter(user_id__in=person_ids, agency_id__in=agency_ids, is_active=True)
        .order_by("agency_id")
        .values_list("user_id", "agency_id")
    )
    missing = person_ids - set(memberships)
    if missing:
        raise ValidationError({field: _("Each invited person must be a member of an invited agency.")})
    rows += [(memberships[pk], pk) for pk in sorted(person_ids)]
    return rows


def _set_invitees(meeting: Meeting, rows: list[tuple[int, int | None]]) -> list[tuple[int, int | None]]:
    """Make the meeting's invitees `rows`, keeping the answers of those who stay; returns the
    rows that are new."""
    existing = {(r.agency_id, r.user_id): r for r in meeting.invitees.all()}
    wanted = set(rows)
    gone = [r.pk for key, r in existing.items() if key not in wanted]
    if gone:
        MeetingInvitee.objects.filter(pk__in=gone).delete()
    new = [key for key in rows if key not in existing]
    MeetingInvitee.objects.bulk_create(
        [MeetingInvitee(meeting=meeting, agency_id=agency_id, user_id=user_id) for agency_id, user_id in new]
    )
    return new


def _tell(meeting: Meeting, kind: str, *, actor: User, rows: Iterable[tuple[int, int | None]] | None = None) -> None:
    """Inbox entries of `kind` for the invitees (or `rows` of them): an agency with named
    persons through them, else every member; and their e-mails (`notify.py`). Imported here:
    the inbox reads meetings."""
    from coordination.notifications.services import inbox_deliver

    every = list(meeting.invitees.values_list("agency_id", "user_id")) if rows is None else list(rows)
    named = {a for a, u in meeting.invitees.values_list("agency_id", "user_id") if u is not None}
    whole = {a for a, u in every if u is None and a not in named}
    persons = {u for a, u in every if u is not None}
    persons_agencies = {a for a, u in every if u is not None}
    if whole:
        inbox_deliver(agency_ids=whole, kind=kind, exclude=actor, meeting=meeting)
    if persons:
        inbox_deliver(agency_ids=persons_agencies, user_ids=persons, kind=kind, exclude=actor, meeting=meeting)
    # The e-mails with the calendar file, in the background (`notify.send`).
    queue_now(tasks.meeting_email, (meeting.pk, kind, [list(row) for row in every], getattr(actor, "pk", None)))


# --- Meetings ------------------------------------------------------------------------------


@transaction.atomic
def meeting_create(
    *,
    actor: User,
    title: str,
    area: Area,
    starts_at: datetime,
    ends_at: datetime,
    organiser: Agency | None = None,
    invited_agencies: Sequence[Agency] = (),
    invited_persons: Sequence[Any] = (),
    **fields: Any,
) -> Meeting:
    """Schedule a meeting organised by the actor's agency (its planners) and invite agencies
    and persons of them; each invitee is told in the inbox after commit."""
    agency = acting_agency(
        actor=actor,
        agency=organiser,
        roles=roles_for("meeting.schedule"),
        field="organiser",
        staff_without_agency=False,
    )
    assert agency is not None
    check_window(starts_at, ends_at)
    rows = _check_invitees(agencies=invited_agencies, persons=invited_persons)
    meeting = Meeting(
        title=title,
        area=area,
        starts_at=starts_at,
        ends_at=ends_at,
        organiser=agency,
        created_by=signed_in(actor),
        **{k: v for k, v in fields.items() if k in MEETING_FIELDS},
    )
    _clean(meeting)
    meeting.save()
    _set_invitees(meeting, rows)
    transaction.on_commit(lambda: _tell(meeting, "meeting.invited", actor=actor))
    return meeting


def _clean(meeting: Meeting) -> None:
    if not (meeting.place.strip() or meeting.online_url.strip()):
        raise ValidationError({"place": _("Give a place, an online link, or both.")})
    meeting.full_clean()


def _require_scheduled(meeting: Meeting) -> None:
    if meeting.status != Meeting.Status.SCHEDULED:
        raise ValidationError({"status": _("This meeting is no longer scheduled.")})


@transaction.atomic
def meeting_update(
    *,
    actor: User,
    meeting: Meeting,
    invited_agencies: Sequence[Agency] | None = None,
    invited_persons: Sequence[Any] | None = None,
    **fields: Any,
) -> Meeting:
    """Change a scheduled meeting (the organiser's planners); `fields` are among MEETING_FIELDS
    (ValueError else). A new time or place raises the SEQUENCE and tells the invitees; new
    invitees get their invitation. Unchanged values change nothing."""
    require_scheduler(actor=actor, meeting=meeting)
    _require_scheduled(meeting)
    before = {name: getattr(meeting, name) for name in TOLD_FIELDS}
    model_update(instance=meeting, fields=fields, allowed=MEETING_FIELDS)
    check_window(meeting.starts_at, meeting.ends_at)
    _clean(meeting)
    told = any(getattr(meeting, name) != value for name, value in before.items())
    if told:
        meeting.sequence += 1
    meeting.save()
    new: list[tuple[int, int | None]] = []
    if invited_agencies is not None or invited_persons is not None:
        agencies = (
            invited_agencies
            if invited_agencies is not None
            else list(Agency.objects.filter(pk__in=meeting.invitees.values("agency_id")))
        )
        persons = (
            invited_persons
            if invited_persons is not None
            else list(meeting.invitees.filter(user__isnull=False).values_list("user_id", flat=True))
        )
        new = _set_invitees(meeting, _check_invitees(agencies=agencies, persons=persons))
    if told:
        transaction.on_commit(lambda: _tell(meeting, "meeting.changed", actor=actor))
    elif new:
        transaction.on_commit(lambda: _tell(meeting, "meeting.invited", actor=actor, rows=new))
    return meeting


@transaction.atomic
def meeting_cancel(*, actor: User, meeting: Meeting) -> Meeting:
    """Cancel a scheduled meeting (the organiser's planners); invitees are told and calendars
    get the cancellation (the SEQUENCE rises)."""
    require_scheduler(actor=actor, meeting=meeting)
    _require_scheduled(meeting)
    meeting.status = Meeting.Status.CANCELLED
    meeting.sequence += 1
    meeting.save(update_fields=["status", "sequence", "updated_at"])
    transaction.on_commit(lambda: _tell(meeting, "meeting.cancelled", actor=actor))
    return meeting


@transaction.atomic
def meeting_rsvp(*, actor: User, meeting: Meeting, response: str, agency: Agency | None = None) -> list[MeetingInvitee]:
    """Answer the invitation: the actor's own row as an invited person, and the rows of the
    invited agencies they answer for (`agency`: only that one's). PermissionDenied for one who
    answers for nobody."""
    if response not in {MeetingInvitee.Rsvp.ACCEPTED, MeetingInvitee.Rsvp.TENTATIVE, MeetingInvitee.Rsvp.DECLINED}:
        raise ValidationError({"response": _("Answer accepted, tentative or declined.")})
    rows = rsvp_rows(actor=actor, meeting=meeting)
    if agency is not None:
        rows = [r for r in rows if r.agency_id == agency.pk]
    if not rows:
        raise PermissionDenied(_("You answer this invitation for no invited agency."))
    _require_scheduled(meeting)
    now = timezone.now()
    for row in rows:
        row.rsvp, row.rsvp_by, row.rsvp_at = response, signed_in(actor), now
        row.save(update_fields=["rsvp", "rsvp_by", "rsvp_at"])
    return rows


@transaction.atomic
def meeting_attendance(*, actor: User, meeting: Meeting, present: dict[int, bool]) -> Meeting:
    """Record who came (invitee row id -> present), once the meeting has begun; the meeting is
    then held. Rows not named keep what they had."""
    require_minutes_keeper(actor=actor, meeting=meeting)
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError({"present": _("This meeting was cancelled.")})
    if meeting.starts_at > timezone.now():
        raise ValidationError({"present": _("Attendance is taken once the meeting has begun.")})
    rows = {r.pk: r for r in meeting.invitees.all()}
    unknown = set(present) - set(rows)
    if unknown:
        raise ValidationError({"present": _("These are not invitees of this meeting.")})
    for pk, value in present.items():
        rows[pk].present = bool(value)
        rows[pk].save(update_fields=["present"])
    _mark_held(meeting)
    return meeting


def _mark_held(meeting: Meeting) -> None:
    if meeting.status == Meeting.Status.SCHEDULED:
        meeting.status = Meeting.Status.HELD
        meeting.save(update_fields=["status", "updated_at"])


@transaction.atomic
def meeting_minutes(*, actor: User, meeting: Meeting, minutes: str) -> Meeting:
    """Write the minutes (Markdown, shown sanitised) once the meeting has begun."""
    require_minutes_keeper(actor=actor, meeting=meeting)
    if meeting.status == Meeting.Status.CANCELLED or meeting.starts_at > timezone.now():
        raise ValidationError({"minutes": _("Minutes are written once the meeting has begun.")})
    meeting.minutes = minutes
    meeting.full_clean()
    meeting.save(update_fields=["minutes", "updated_at"])
    _mark_held(meeting)
    return meeting


@transaction.atomic
def meeting_decision_add(*, actor: User, meeting: Meeting, text: str) -> MeetingDecision:
    """A decision of the meeting (the organiser's planners)."""
    require_minutes_keeper(actor=actor, meeting=meeting)
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError({"text": _("This meeting was cancelled.")})
    decision = MeetingDecision(meeting=meeting, text=text, created_by=signed_in(actor))
    decision.full_clean()
    decision.save()
    return decision


@transaction.atomic
def meeting_action_item_create(
    *,
    actor: User,
    meeting: Meeting,
    description: str,
    owner_agency: Agency,
    due_date: date,
    owner_person: Any = None,
    status: str = ActionItem.Status.OPEN,
) -> ActionItem:
    """An action item of the meeting owned by an agency (and a person of it), by the
    organiser's planners."""
    require_minutes_keeper(actor=actor, meeting=meeting)
    if not owner_agency.is_active:
        raise ValidationError({"owner_agency": _("This agency is not active.")})
    check_owner_person(owner_agency=owner_agency, owner_person=owner_person)
    item = ActionItem(
        meeting=meeting,
        description=description,
        owner_agency=owner_agency,
        owner_person=owner_person,
        due_date=due_date,
        status=status,
        closed_at=timezone.now() if status == ActionItem.Status.DONE else None,
    )
    item.full_clean()
    item.save()
    return item
