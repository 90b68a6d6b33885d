"""Meeting invitations by e-mail with the calendar file: who gets one, what it says, and a
refused message tried again for its recipient only."""

from datetime import timedelta
from smtplib import SMTPServerDisconnected

import pytest
from django.core import mail

from coordination.meetings import services, tasks
from tests.factories import MembershipFactory, SubscriptionFactory, UserFactory

from .helpers import make_meeting

pytestmark = pytest.mark.django_db


def _invite(world, capture, **kwargs):
    world.bob.email = "bob@polsek.example"
    world.bob.save()
    with capture(execute=True):
        return make_meeting(world, **kwargs)


def test_a_named_person_gets_the_invitation_with_the_calendar_file(world, django_capture_on_commit_callbacks):
    meeting = _invite(world, django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [["bob@polsek.example"]]
    message = mail.outbox[0]
    assert message.subject == "Undangan rapat: Rapat koordinasi pengamanan Natal"  # the site's language
    assert "Aula Polres Bontang" in message.body and f"/meetings/{meeting.pk}/" in message.body
    assert "WITA" in message.body  # Bontang's zone, not the server's
    (name, content, mimetype) = message.attachments[0]
    assert name == "invite.ics" and mimetype.startswith("text/calendar")
    text = content.decode() if isinstance(content, bytes) else content
    assert "METHOD:REQUEST" in text and f"UID:meeting-{meeting.pk}@" in text


def test_an_agency_invited_whole_mails_its_managing_members_when_it_takes_email(
    world, django_capture_on_commit_callbacks
):
    viewer = MembershipFactory(user=UserFactory(username="bima", email="bima@x.example"), agency=world.b, role="viewer")
    _invite(world, django_capture_on_commit_callbacks, persons=[])
    assert mail.outbox == []  # B takes no e-mail: the inbox tells its members
    SubscriptionFactory(agency=world.b, channel_email=True)
    mail.outbox.clear()
    _invite(world, django_capture_on_commit_callbacks, persons=[], title="Rapat kedua")
    assert [m.to for m in mail.outbox] == [["bob@polsek.example"]]  # the liaison, not the viewer
    assert viewer.user.email not in {m.to[0] for m in mail.outbox}


def test_changes_and_cancellation_mail_again_with_a_higher_sequence(world, django_capture_on_commit_callbacks):
    meeting = _invite(world, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_update(
            actor=world.alice, meeting=meeting, starts_at=meeting.starts_at + timedelta(hours=1),
            ends_at=meeting.ends_at + timedelta(hours=1),
        )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(actor=world.alice, meeting=meeting)
    assert [m.subject.split(":")[0] for m in mail.outbox] == ["Undangan rapat", "Rapat diubah", "Rapat dibatalkan"]
    last = mail.outbox[-1].attachments[0][1]
    last = last.decode() if isinstance(last, bytes) else last
    assert "SEQUENCE:2" in last and "STATUS:CANCELLED" in last


def test_the_actor_is_not_mailed_about_their_own_change(world, django_capture_on_commit_callbacks):
    world.alice.email = "alice@polres.example"
    world.alice.save()
    _invite(world, django_capture_on_commit_callbacks, agencies=[world.a, world.b], persons=[world.alice, world.bob])
    assert sorted(m.to[0] for m in mail.outbox) == ["bob@polsek.example"]


def test_a_refused_message_is_tried_again_for_its_recipient_only(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    world.bob.email = "bob@polsek.example"
    world.bob.save()
    queued = []
    monkeypatch.setattr(tasks, "queue_now", lambda task, args, **options: queued.append((args, options)))

    def refuse(self, *args, **kwargs):
        raise SMTPServerDisconnected("down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    meeting = _invite(world, django_capture_on_commit_callbacks)
    assert mail.outbox == []
    assert len(queued) == 1
    args, options = queued[0]
    assert args[0] == meeting.pk and args[4] == [world.bob.pk] and args[5] == 2
    assert options["countdown"] == 60
    monkeypatch.undo()
    tasks.meeting_email(*args)  # the retry, with the mail server back
    assert [m.to for m in mail.outbox] == [["bob@polsek.example"]]
