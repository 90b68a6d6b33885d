"""Meetings' services and selectors: who schedules, who reads, RSVP, attendance, minutes,
decisions, action items (one model with exercises), the inbox and the iCalendar invitation."""

import datetime
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from coordination.exercises import selectors as exercise_selectors
from coordination.exercises import services as exercise_services
from coordination.meetings import selectors, services
from coordination.meetings.ical import meeting_ical
from coordination.models import ActionItem, Exercise, InboxItem, Meeting, MeetingInvitee
from tests.factories import MembershipFactory, UserFactory

from .helpers import make_meeting

pytestmark = pytest.mark.django_db


def test_a_liaison_schedules_a_meeting_and_the_invited_persons_are_told(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = make_meeting(world)
    assert meeting.organiser == world.a
    rows = set(meeting.invitees.values_list("agency_id", "user_id"))
    assert rows == {(world.b.pk, None), (world.b.pk, world.bob.pk)}
    # B is invited with bob by name: the invitation reaches bob, not every member of B.
    assert list(InboxItem.objects.filter(meeting=meeting).values_list("user_id", "kind")) == [
        (world.bob.pk, "meeting.invited")
    ]


def test_an_agency_invited_without_names_is_told_through_every_member(world, django_capture_on_commit_callbacks):
    other = MembershipFactory(user=UserFactory(username="bima"), agency=world.b, role="viewer").user
    with django_capture_on_commit_callbacks(execute=True):
        meeting = make_meeting(world, persons=[])
    told = set(InboxItem.objects.filter(meeting=meeting).values_list("user_id", flat=True))
    assert told == {world.bob.pk, other.pk}


def test_a_person_outside_the_invited_agencies_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        make_meeting(world, persons=[world.charlie])
    assert "invited_persons" in exc.value.message_dict
    assert Meeting.objects.count() == 0


def test_a_viewer_may_not_schedule(world):
    start = timezone.now() + timedelta(days=1)
    with pytest.raises(PermissionDenied):
        services.meeting_create(
            actor=world.vera, title="X", area=world.areas.bontang, starts_at=start,
            ends_at=start + timedelta(hours=1), place="Aula",
        )  # fmt: skip


def test_a_meeting_needs_a_place_or_a_link(world):
    with pytest.raises(ValidationError) as exc:
        make_meeting(world, place="")
    assert "place" in exc.value.message_dict
    make_meeting(world, place="", online_url="https://meet.example.org/rakor")


def test_who_reads_a_meeting(world):
    meeting = make_meeting(world)
    for user in (world.alice, world.vera, world.bob, world.admin):
        assert selectors.meeting_get(user=user, pk=meeting.pk) == meeting
    for user in (world.charlie, world.nobody):
        with pytest.raises(Http404):
            selectors.meeting_get(user=user, pk=meeting.pk)
        assert not selectors.meeting_list(user=user).exists()
    with pytest.raises(PermissionDenied):
        selectors.meeting_get_for_change(user=world.bob, pk=meeting.pk)


def test_an_invitee_answers_for_their_agency_and_themselves(world):
    meeting = make_meeting(world)
    rows = services.meeting_rsvp(actor=world.bob, meeting=meeting, response="accepted")
    assert {(r.agency_id, r.user_id, r.rsvp) for r in rows} == {
        (world.b.pk, None, "accepted"),
        (world.b.pk, world.bob.pk, "accepted"),
    }
    with pytest.raises(PermissionDenied):
        services.meeting_rsvp(actor=world.alice, meeting=meeting, response="accepted")  # the organiser is not invited
    with pytest.raises(ValidationError):
        services.meeting_rsvp(actor=world.bob, meeting=meeting, response="maybe")


def test_a_change_of_time_bumps_the_sequence_and_tells_the_invitees(world, django_capture_on_commit_callbacks):
    meeting = make_meeting(world)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_update(actor=world.alice, meeting=meeting, title=meeting.title, place=meeting.place)
    meeting.refresh_from_db()
    assert meeting.sequence == 0
    assert not InboxItem.objects.filter(kind="meeting.changed").exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_update(
            actor=world.alice, meeting=meeting, starts_at=meeting.starts_at + timedelta(hours=1),
            ends_at=meeting.ends_at + timedelta(hours=1),
        )  # fmt: skip
    meeting.refresh_from_db()
    assert meeting.sequence == 1
    assert InboxItem.objects.filter(kind="meeting.changed", user=world.bob).count() == 1


def test_cancelling_tells_the_invitees_and_the_calendar(world, django_capture_on_commit_callbacks):
    meeting = make_meeting(world)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(actor=world.alice, meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED and meeting.sequence == 1
    assert InboxItem.objects.filter(kind="meeting.cancelled", user=world.bob).exists()
    ics = meeting_ical(meeting=meeting).decode()
    assert "STATUS:CANCELLED" in ics and "SEQUENCE:1" in ics
    with pytest.raises(ValidationError):
        services.meeting_cancel(actor=world.alice, meeting=meeting)


def test_the_invitation_is_an_icalendar_request_in_utc(world):
    meeting = make_meeting(world)
    ics = meeting_ical(meeting=meeting).decode()
    assert "METHOD:REQUEST" in ics
    assert f"UID:meeting-{meeting.pk}@" in ics
    assert "DTSTART:" + meeting.starts_at.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ") in ics
    assert "SEQUENCE:0" in ics


def test_attendance_minutes_and_decisions_once_the_meeting_began(world):
    meeting = make_meeting(world)
    agency_row = meeting.invitees.get(user__isnull=True)
    with pytest.raises(ValidationError):
        services.meeting_attendance(actor=world.alice, meeting=meeting, present={agency_row.pk: True})
    meeting = make_meeting(world, hours=-1, title="Rapat yang sudah mulai")
    rows = {(r.user_id or 0): r for r in meeting.invitees.all()}
    services.meeting_attendance(
        actor=world.alice, meeting=meeting, present={rows[0].pk: True, rows[world.bob.pk].pk: False}
    )
    assert MeetingInvitee.objects.get(pk=rows[0].pk).present is True
    assert MeetingInvitee.objects.get(pk=rows[world.bob.pk].pk).present is False
    services.meeting_minutes(actor=world.alice, meeting=meeting, minutes="Rapat **dibuka** <script>x</script>")
    services.meeting_decision_add(actor=world.alice, meeting=meeting, text="Patroli gabungan tiap malam")
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD
    assert meeting.decisions.count() == 1
    with pytest.raises(PermissionDenied):
        services.meeting_minutes(actor=world.bob, meeting=meeting, minutes="x")


def test_a_meeting_action_item_is_the_one_action_item_and_reaches_the_owners_desk(world):
    meeting = make_meeting(world, hours=-1)
    item = services.meeting_action_item_create(
        actor=world.alice, meeting=meeting, description="Siapkan peta rawan", owner_agency=world.b,
        owner_person=world.bob, due_date=timezone.localdate() - timedelta(days=1),
    )  # fmt: skip
    assert item.meeting == meeting and item.exercise is None
    assert list(exercise_selectors.overdue_action_items(user=world.bob)) == [item]
    assert exercise_selectors.action_item_get(user=world.bob, pk=item.pk) == item
    # The owner moves its status; the organiser's planners change its text; others neither.
    exercise_services.action_item_update(actor=world.bob, item=item, status="done")
    with pytest.raises(PermissionDenied):
        exercise_services.action_item_update(actor=world.bob, item=item, description="x")
    exercise_services.action_item_update(actor=world.alice, item=item, description="Peta rawan 2027")
    with pytest.raises(Http404):
        exercise_selectors.action_item_get(user=world.charlie, pk=item.pk)
    with pytest.raises(ValidationError):
        services.meeting_action_item_create(
            actor=world.alice, meeting=meeting, description="x", owner_agency=world.b,
            owner_person=world.alice, due_date=timezone.localdate(),
        )  # fmt: skip


def test_an_action_item_belongs_to_exactly_one_parent(world):
    meeting = make_meeting(world)
    start = timezone.now()
    exercise = Exercise.objects.create(
        name="Latihan", kind="training", lead_agency=world.a, starts_at=start, ends_at=start + timedelta(hours=1)
    )
    due = timezone.localdate()
    for parents in ({}, {"exercise": exercise, "meeting": meeting}):
        with pytest.raises(IntegrityError), transaction.atomic():
            ActionItem.objects.create(description="x", owner_agency=world.a, due_date=due, **parents)


def test_the_inbox_names_the_meeting_only_while_the_reader_may_read_it(world, django_capture_on_commit_callbacks):
    from coordination.notifications.selectors import inbox_page

    with django_capture_on_commit_callbacks(execute=True):
        meeting = make_meeting(world)
    [entry] = inbox_page(user=world.bob, group="meeting").entries
    assert entry.text == f"Anda diundang ke {meeting.title}." or meeting.title in entry.text
    assert entry.url == f"/meetings/{meeting.pk}/" and not entry.withdrawn
    services.meeting_update(actor=world.alice, meeting=meeting, invited_agencies=[world.c], invited_persons=[])
    [entry] = inbox_page(user=world.bob, group="meeting").entries
    assert entry.withdrawn and entry.url is None and meeting.title not in entry.text
