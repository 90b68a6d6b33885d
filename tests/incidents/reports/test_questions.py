"""Two-way with the reporter: a moderator asks, the reporter reads and answers on the tracking
page (or the public API) by the tracking code, told by e-mail or SMS that a question waits; the
thread shows on the report and on the incident, with no person's name and no contact in it.

A report from Guntung (Kota Bontang) is in the queues of alice (A) and bob (B), not charlie's
(C, Balikpapan); vera is A's viewer (sees it, may not ask).
"""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from incidents.models import CitizenReport, ReportQuestion
from incidents.reports import notify, services
from incidents.threats.transports import ConsoleSmsGateway, TransportError
from tests.factories import category


@pytest.fixture(autouse=True)
def _fresh():
    cache.clear()
    ConsoleSmsGateway.sent.clear()
    yield
    cache.clear()


def _report(world, contact: str = "") -> CitizenReport:
    return services.citizen_report_submit(
        category=category("crime-theft"),
        description="Motor dicuri di depan masjid",
        latitude="0.160000",
        longitude="117.480000",
        area=world.areas.guntung,
        contact=contact,
    )


@pytest.fixture
def report(world):
    return _report(world)


def _ask(world, report, text="Jam berapa kejadiannya?"):
    return services.report_question_ask(actor=world.alice, report=report, text=text)


# --- Services -----------------------------------------------------------------------------


def test_a_moderator_asks_as_their_agency(world, report):
    question = _ask(world, report)
    question.refresh_from_db()
    assert question.agency == world.a and question.asked_by == world.alice
    assert question.asker_label == "Polres Bontang"
    assert question.answered_at is None and question.answer == ""


def test_staff_without_an_agency_ask_as_moderator(world, report):
    question = services.report_question_ask(actor=world.admin, report=report, text="Ada saksi?")
    assert question.agency is None and str(question.asker_label) == "Moderator"


@pytest.mark.parametrize("persona", ["vera", "charlie"])
def test_who_may_not_moderate_the_report_may_not_ask(world, report, persona):
    with pytest.raises(PermissionDenied):
        services.report_question_ask(actor=getattr(world, persona), report=report, text="?")
    assert not ReportQuestion.objects.exists()
    assert services.can_ask_reporter(user=getattr(world, persona), report=report) is False
    assert services.can_ask_reporter(user=world.alice, report=report) is True


def test_an_empty_or_long_question_is_refused_on_its_field(world, report):
    for text in ("   ", "x" * (services.MAX_QUESTION + 1)):
        with pytest.raises(ValidationError) as exc:
            _ask(world, report, text)
        assert "text" in exc.value.error_dict
    assert not ReportQuestion.objects.exists()


def test_a_spam_report_takes_no_question(world, report):
    services.citizen_report_mark_spam(actor=world.alice, report=report)
    with pytest.raises(ValidationError):
        _ask(world, report)
    assert services.can_ask_reporter(user=world.alice, report=report) is False


def test_the_reporter_answers_once(world, report):
    question = _ask(world, report)
    services.report_question_answer(report=report, question_id=question.pk, text=" Sekitar jam 9 malam ")
    question.refresh_from_db()
    assert question.answer == "Sekitar jam 9 malam" and question.answered_at is not None
    with pytest.raises(ValidationError) as exc:
        services.report_question_answer(report=report, question_id=question.pk, text="Ralat: jam 10")
    assert "question" in exc.value.error_dict
    question.refresh_from_db()
    assert question.answer == "Sekitar jam 9 malam"


def test_a_question_of_another_report_cannot_be_answered_with_this_code(world, report):
    other = _report(world)
    question = _ask(world, other)
    with pytest.raises(ValidationError) as exc:
        services.report_question_answer(report=report, question_id=question.pk, text="Jawaban")
    assert "question" in exc.value.error_dict
    question.refresh_from_db()
    assert question.answered_at is None


def test_the_thread_is_time_ordered_and_names_no_person(world, report):
    from incidents.reports.selectors import citizen_report_public_get, report_thread

    first = _ask(world, report, "Pertanyaan satu")
    services.report_question_ask(actor=world.bob, report=report, text="Pertanyaan dua")
    services.report_question_answer(report=report, question_id=first.pk, text="Jawaban satu")
    fresh = citizen_report_public_get(tracking_code=report.tracking_code)
    thread = report_thread(report=fresh)
    assert [(m.kind, m.text) for m in thread] == [
        ("question", "Pertanyaan satu"),
        ("question", "Pertanyaan dua"),
        ("answer", "Jawaban satu"),
    ]
    # The reporter is named by their part in the thread, in the reader's language (Bahasa Indonesia by default).
    assert [str(m.author) for m in thread] == ["Polres Bontang", "BPBD Bontang", "Pelapor"]
    assert [m.waiting for m in thread] == [False, True, False]


# --- Telling the reporter -----------------------------------------------------------------


def test_a_reporter_with_an_email_is_told_once_after_commit(world, django_capture_on_commit_callbacks):
    report = _report(world, contact="warga@example.id")
    with django_capture_on_commit_callbacks(execute=True):
        question = _ask(world, report)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["warga@example.id"]
    assert reverse("report-track-detail", args=[report.tracking_code]) in message.body
    assert "Jam berapa" not in message.body and "Polres" not in message.body  # no text, no agency
    assert notify.question_notify(question_id=question.pk) == "done"  # a second run sends nothing
    assert len(mail.outbox) == 1


def test_a_reporter_with_a_phone_is_told_by_sms(world, django_capture_on_commit_callbacks):
    report = _report(world, contact="wa 0812-1111-2222")
    with django_capture_on_commit_callbacks(execute=True):
        _ask(world, report)
    assert [to for to, _text in ConsoleSmsGateway.sent] == ["081211112222"]
    assert mail.outbox == []


def test_an_anonymous_reporter_is_told_nothing(world, report, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _ask(world, report)
    assert callbacks == [] and mail.outbox == [] and ConsoleSmsGateway.sent == []


def test_a_temporary_sms_failure_leaves_the_question_to_be_told_again(world, monkeypatch):
    report = _report(world, contact="+62 812 3333 4444")
    question = _ask(world, report)

    class Down:
        def send(self, *, to, text):
            raise TransportError("gateway down")

    monkeypatch.setattr(notify, "sms_gateway", Down)
    with pytest.raises(TransportError):
        notify.question_notify(question_id=question.pk)
    question.refresh_from_db()
    assert question.notified_at is None
    monkeypatch.setattr(notify, "sms_gateway", ConsoleSmsGateway)
    assert notify.question_notify(question_id=question.pk) == "sms"
    question.refresh_from_db()
    assert question.notified_at is not None


@pytest.mark.parametrize(
    ("contact", "expected"),
    [
        ("warga@example.id", ("email", "warga@example.id")),
        ("+62 812-3333-4444", ("sms", "+6281233334444")),
        ("Pak Budi RT 03", ("", "")),
        ("budi@", ("", "")),
    ],
)
def test_the_contact_decides_the_channel(contact, expected):
    assert notify.contact_address(contact) == expected
