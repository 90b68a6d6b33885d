"""A reporter's notice of a question is not lost with the broker: the sweep queues the notice
of every unanswered question of the last day nobody told, once, and leaves the others alone."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from incidents.models import ReportQuestion
from incidents.reports import services, tasks
from tests.factories import category

pytestmark = pytest.mark.django_db


def _ask(world, *, contact: str = "warga@example.id") -> ReportQuestion:
    report = services.citizen_report_submit(
        category=category("crime-theft"),
        description="Motor dicuri di depan masjid",
        latitude="0.160000",
        longitude="117.480000",
        area=world.areas.guntung,
        contact=contact,
    )
    return services.report_question_ask(actor=world.alice, report=report, text="Jam berapa?")


def _question(world, *, minutes_ago: float, contact: str = "warga@example.id") -> ReportQuestion:
    # Asked while the broker was down: its notice never queued.
    question = _ask(world, contact=contact)
    asked = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    ReportQuestion.objects.filter(pk=question.pk).update(asked_at=asked)
    return question


def test_the_sweep_tells_the_reporters_nobody_told_once(world):
    lost = _question(world, minutes_ago=30)
    _question(world, minutes_ago=1)  # its own task may still be on its way
    _question(world, minutes_ago=60 * 30)  # over a day: given up
    _question(world, minutes_ago=30, contact="")  # no contact to tell
    mail.outbox.clear()
    assert tasks.report_questions_sweep() == 1
    assert [m.to for m in mail.outbox] == [["warga@example.id"]]
    lost.refresh_from_db()
    assert lost.notified_at is not None
    assert tasks.report_questions_sweep() == 0  # told: never again
    assert len(mail.outbox) == 1


def test_the_sweep_runs_on_beat():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["report-questions-sweep"]
    assert entry["task"] == tasks.report_questions_sweep.name


@time_machine.travel(datetime.datetime(2026, 3, 1, 2, 0, tzinfo=datetime.UTC), tick=False)
def test_a_report_and_its_question_are_stamped_by_the_applications_clock(world):
    """The database's clock is not the application's (another machine; here it does not travel
    with the test): the times stored come from timezone.now(), which the sweep compares them
    with. A question stamped by the column's database default was, to the sweep, asked hours
    away from when it was."""
    question = _ask(world)
    question.refresh_from_db()
    assert question.asked_at == timezone.now()
    assert question.report.created_at == timezone.now()
