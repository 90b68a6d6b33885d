"""E-mail and SMS per the agency's subscription, and the reminders of late acknowledgements:
first to the agency, then to its commander (the clock pinned with time-machine)."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from agencies.models import Classification, Membership
from coordination.bulletins import selectors, services, tasks
from coordination.models import BulletinRecipient
from incidents.threats.transports import ConsoleSmsGateway
from tests.factories import SubscriptionFactory

from .helpers import issue

pytestmark = pytest.mark.django_db

START = "2026-12-05 09:00 +08:00"


@pytest.fixture
def subscribed(world):
    """C subscribes to e-mail and SMS; B to in-app only."""
    SubscriptionFactory(agency=world.c, channel_email=True, channel_sms=True)
    SubscriptionFactory(agency=world.b)
    for user in (world.charlie, world.dave, world.bob):
        user.email = f"{user.username}@example.id"
        user.save()
    Membership.objects.filter(user__in=[world.charlie, world.dave]).update(phone="+6281200000")
    ConsoleSmsGateway.sent.clear()


def test_issuing_mails_and_texts_the_subscribed_agencies_managers_once(
    world, subscribed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        bulletin = issue(
            world, classification=Classification.CONFIDENTIAL, distribution={"agencies": [world.b.pk, world.c.pk]}
        )
    assert sorted(m.to[0] for m in mail.outbox) == ["charlie@example.id", "dave@example.id"]
    assert "RAHASIA" not in mail.outbox[0].body and bulletin.title not in mail.outbox[0].subject  # no classified text
    assert len(ConsoleSmsGateway.sent) == 2
    tasks.bulletin_notify(bulletin.pk, "issued")  # a repeat sends nothing twice
    assert len(mail.outbox) == 2


def test_an_amendment_is_mailed_again(world, subscribed, django_capture_on_commit_callbacks):
    bulletin = issue(world)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.bulletin_amend(actor=world.alice, bulletin=bulletin, body="Baru")
    assert {m.to[0] for m in mail.outbox} == {"charlie@example.id", "dave@example.id"}
    assert mail.outbox[0].subject.startswith(("Buletin diubah", "Bulletin amended"))


def test_late_agencies_are_reminded_then_their_commander_is(world, subscribed):
    with time_machine.travel(START, tick=False) as clock:
        bulletin = issue(world, ack_required=True, ack_deadline=timezone.now() + timedelta(hours=2))
        services.bulletin_acknowledge(actor=world.bob, bulletin=selectors.bulletin_get(user=world.bob, pk=bulletin.pk))
        mail.outbox.clear()
        assert tasks.bulletins_remind() == {"reminded": 0, "escalated": 0}  # not due yet
        clock.shift(timedelta(hours=2, minutes=1))
        assert tasks.bulletins_remind() == {"reminded": 1, "escalated": 0}
        assert {m.to[0] for m in mail.outbox} == {"charlie@example.id", "dave@example.id"}
        row = BulletinRecipient.objects.get(bulletin=bulletin, agency=world.c)
        assert row.reminded_at == timezone.now() and row.escalated_at is None
        assert tasks.bulletins_remind() == {"reminded": 0, "escalated": 0}  # once
        mail.outbox.clear()
        clock.shift(timedelta(minutes=61))
        assert tasks.bulletins_remind() == {"reminded": 0, "escalated": 1}
        assert [m.to[0] for m in mail.outbox] == ["dave@example.id"]  # the commander only
        assert tasks.bulletins_remind() == {"reminded": 0, "escalated": 0}
        assert not BulletinRecipient.objects.get(bulletin=bulletin, agency=world.b).reminded_at  # B acknowledged


def test_a_withdrawn_bulletin_reminds_nobody(world, subscribed):
    with time_machine.travel(START, tick=False) as clock:
        bulletin = issue(world, ack_required=True, ack_deadline=timezone.now() + timedelta(hours=1))
        services.bulletin_withdraw(actor=world.alice, bulletin=bulletin)
        clock.shift(timedelta(hours=3))
        assert tasks.bulletins_remind() == {"reminded": 0, "escalated": 0}


def test_the_reminder_task_is_scheduled_by_beat(settings):
    tasks_named = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "coordination.bulletins.tasks.bulletins_remind" in tasks_named
    assert tasks.bulletins_remind.name == "coordination.bulletins.tasks.bulletins_remind"


def test_a_message_the_transport_refused_is_tried_again_until_it_passes(
    world, subscribed, django_capture_on_commit_callbacks, monkeypatch
):
    """An SMS gateway down for two tries: the texts go on the third (eager Celery runs the
    retries at once; a worker waits 1 then 2 minutes). A permanent refusal is not retried."""
    from coordination.bulletins import notify
    from incidents.threats.transports import TransportError

    calls = []

    class Flaky:
        def send(self, *, to: str, text: str) -> None:
            calls.append(to)
            if len(calls) <= 4:  # two texts, refused twice each
                raise TransportError("gateway down")
            ConsoleSmsGateway.sent.append((to, text))

    monkeypatch.setattr(notify, "sms_gateway", Flaky)
    with django_capture_on_commit_callbacks(execute=True):
        issue(world, distribution={"agencies": [world.c.pk]})
    assert len(calls) == 6 and len(ConsoleSmsGateway.sent) == 2

    class Broken:
        def send(self, *, to: str, text: str) -> None:
            calls.append(to)
            raise TransportError("no such number", permanent=True)

    monkeypatch.setattr(notify, "sms_gateway", Broken)
    calls.clear()
    assert notify.deliver([{"channel": "sms", "to": "+62", "body": "x"}]).retry == []
    assert tasks.bulletin_messages_retry([{"channel": "sms", "to": "+62", "body": "x"}], 1) == {
        "email": 0,
        "sms": 0,
        "failed": 1,
    }
    assert len(calls) == 2
