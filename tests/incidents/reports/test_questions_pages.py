"""The two-way thread in the pages and the API: the moderator's form on the report page
(/reports/<pk>/ask/, `GET|POST /api/v1/reports/{id}/questions/`), the reporter's on the
tracking page (/lapor/lacak/<code>/jawab/, `POST /api/v1/public/reports/{code}/answers/`), and
the thread on the incident the report became. Who may not moderate gets 403 (vera, A's viewer)
or 404 (charlie, outside the jurisdiction) and changes nothing."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from incidents.models import CitizenReport, ReportQuestion
from incidents.reports import services
from tests.factories import category


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def report(world) -> CitizenReport:
    return services.citizen_report_submit(
        category=category("crime-theft"),
        description="Motor dicuri di depan masjid",
        latitude="0.160000",
        longitude="117.480000",
        area=world.areas.guntung,
        contact="warga@example.id",
    )


@pytest.fixture
def question(world, report) -> ReportQuestion:
    return services.report_question_ask(actor=world.alice, report=report, text="Apa warna motornya?")


def _track(report) -> str:
    return reverse("report-track-detail", args=[report.tracking_code])


def _answer_url(report) -> str:
    return reverse("report-answer", args=[report.tracking_code])


def _answer(question, text="Merah", **extra):
    prefix = f"q{question.pk}"
    return {f"{prefix}-question": question.pk, f"{prefix}-text": text, f"{prefix}-website": "", **extra}


# --- The reporter's page ------------------------------------------------------------------


def test_the_tracking_page_shows_the_question_signed_by_the_agency_and_a_form(client, question, report):
    body = client.get(_track(report)).content.decode()
    assert "Apa warna motornya?" in body
    assert "Polres Bontang" in body
    assert "alice" not in body.lower()  # never the person who asked
    assert 'data-testid="answer-form"' in body and f'name="q{question.pk}-website"' in body


def test_the_reporter_answers_on_the_tracking_page(client, question, report):
    response = client.post(_answer_url(report), _answer(question, "Merah, plat KT 1234"))
    assert response.status_code == 302 and response["Location"].startswith(_track(report))
    question.refresh_from_db()
    assert question.answer == "Merah, plat KT 1234"
    body = client.get(response["Location"]).content.decode()
    assert 'data-testid="answer-sent"' in body and 'data-testid="answer-form"' not in body
    assert "Merah, plat KT 1234" in body


def test_an_empty_answer_gives_a_form_error_and_saves_nothing(client, question, report):
    response = client.post(_answer_url(report), _answer(question, "  "))
    assert response.status_code == 400
    assert f'data-testid="error-q{question.pk}-text"' in response.content.decode()
    question.refresh_from_db()
    assert question.answered_at is None


def test_an_answer_to_an_answered_question_is_refused_on_the_page(client, question, report):
    services.report_question_answer(report=report, question_id=question.pk, text="Merah")
    response = client.post(_answer_url(report), _answer(question, "Biru"))
    assert response.status_code == 400
    assert 'data-testid="answer-error"' in response.content.decode()
    question.refresh_from_db()
    assert question.answer == "Merah"


def test_a_filled_honeypot_saves_nothing(client, question, report):
    data = _answer(question, "spam")
    data[f"q{question.pk}-website"] = "http://spam.example"
    response = client.post(_answer_url(report), data)
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.answered_at is None


def test_answers_share_the_report_submissions_budget(client, question, report, settings):
    settings.SINERGI_REPORT_RATE_MINUTE = "2/minute"
    for _ in range(2):
        client.post(_answer_url(report), _answer(question, ""))
    response = client.post(_answer_url(report), _answer(question, "Merah"))
    assert response.status_code == 429 and "Retry-After" in response
    question.refresh_from_db()
    assert question.answered_at is None


def test_a_wrong_code_answers_404(client, question):
    response = client.post(reverse("report-answer", args=["NOSUCHCODE"]), _answer(question))
    assert response.status_code == 404


# --- The moderator's page -----------------------------------------------------------------


def test_a_moderator_asks_from_the_report_page(client, world, report):
    client.force_login(world.alice)
    page = client.get(reverse("report-detail", args=[report.pk])).content.decode()
    assert 'data-testid="ask-form"' in page
    response = client.post(reverse("report-ask", args=[report.pk]), {"text": "Ada saksi?"})
    assert response.status_code == 302
    assert ReportQuestion.objects.get(report=report).text == "Ada saksi?"


def test_an_empty_question_gives_a_form_error(client, world, report):
    client.force_login(world.alice)
    response = client.post(reverse("report-ask", args=[report.pk]), {"text": ""})
    assert response.status_code == 400 and 'data-testid="error-text"' in response.content.decode()
    assert not ReportQuestion.objects.exists()


@pytest.mark.parametrize(("persona", "status"), [("vera", 403), ("charlie", 404)])
def test_who_may_not_moderate_cannot_ask_from_the_page(client, world, report, persona, status):
    client.force_login(getattr(world, persona))
    response = client.post(reverse("report-ask", args=[report.pk]), {"text": "Ada saksi?"})
    assert response.status_code == status
    assert not ReportQuestion.objects.exists()
    if persona == "vera":
        page = client.get(reverse("report-detail", args=[report.pk])).content.decode()
        assert 'data-testid="ask-form"' not in page


def test_the_thread_is_on_the_report_and_on_the_incident_it_became(client, world, report, question):
    services.report_question_answer(report=report, question_id=question.pk, text="Merah")
    incident = services.citizen_report_verify(actor=world.alice, report=report)
    client.force_login(world.bob)  # another agency that reads the incident
    page = client.get(reverse("incident-detail", args=[incident.pk])).content.decode()
    assert 'data-testid="citizen-report-questions"' in page
    assert "Apa warna motornya?" in page and "Merah" in page
    client.force_login(world.alice)
    page = client.get(reverse("report-detail", args=[report.pk])).content.decode()
    assert page.count('data-testid="thread-question"') == 1 and page.count('data-testid="thread-answer"') == 1


# --- The API ------------------------------------------------------------------------------


def _questions_url(report) -> str:
    return f"/api/v1/reports/{report.pk}/questions/"


def test_the_api_asks_and_lists_the_thread(api_as, world, report):
    client = api_as(world.alice)
    created = client.post(_questions_url(report), {"text": "Ada saksi?"}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["asked_by"] == "Polres Bontang" and created.json()["answer"] == ""
    listed = client.get(_questions_url(report)).json()
    assert [q["text"] for q in listed] == ["Ada saksi?"]
    assert "alice" not in str(listed)


def test_the_api_refuses_a_bad_question_with_field_messages(api_as, world, report):
    response = api_as(world.alice).post(_questions_url(report), {"text": ""}, format="json")
    assert response.status_code == 400 and "text" in response.json()


@pytest.mark.parametrize(("persona", "status"), [("vera", 403), ("charlie", 404), (None, 401)])
def test_the_api_refuses_to_ask_for_who_may_not_moderate(api_as, world, report, persona, status):
    user = getattr(world, persona) if persona else None
    response = api_as(user).post(_questions_url(report), {"text": "Ada saksi?"}, format="json")
    assert response.status_code == status
    assert not ReportQuestion.objects.exists()


def test_the_public_api_shows_the_questions_and_takes_an_answer(api_as, report, question):
    anonymous = api_as(None)
    detail = anonymous.get(f"/api/v1/public/reports/{report.tracking_code}/").json()
    assert [(q["id"], q["asked_by"], q["answer"]) for q in detail["questions"]] == [(question.pk, "Polres Bontang", "")]
    url = f"/api/v1/public/reports/{report.tracking_code}/answers/"
    response = anonymous.post(url, {"question": question.pk, "text": "Merah"}, format="json")
    assert response.status_code == 201 and response.json()["answer"] == "Merah"
    again = anonymous.post(url, {"question": question.pk, "text": "Biru"}, format="json")
    assert again.status_code == 400 and "question" in again.json()
    question.refresh_from_db()
    assert question.answer == "Merah"


def test_the_public_api_drops_a_filled_honeypot(api_as, report, question):
    url = f"/api/v1/public/reports/{report.tracking_code}/answers/"
    response = api_as(None).post(url, {"question": question.pk, "text": "x", "website": "y"}, format="json")
    assert response.status_code == 202
    question.refresh_from_db()
    assert question.answered_at is None


def test_the_public_api_refuses_a_bad_answer_with_field_messages(api_as, report, question):
    url = f"/api/v1/public/reports/{report.tracking_code}/answers/"
    response = api_as(None).post(url, {"question": "abc", "text": ""}, format="json")
    assert response.status_code == 400 and {"question", "text"} <= set(response.json())
