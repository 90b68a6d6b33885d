"""The survey pages: a citizen answers on the public link; members build and read results."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from coordination.community.surveys import services
from coordination.community.surveys.public import DEVICE_COOKIE
from coordination.models import Survey, SurveyAnswer, SurveyResponse
from incidents.models import CitizenReport, Incident
from tests.factories import CitizenReportFactory, IncidentFactory

from .helpers import K, make_custom, make_skm, q, skm_answers

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


def _post(client, survey, answers, **extra):
    data = {f"q{pk}": values for pk, values in answers.items()}
    data.update(extra)
    return client.post(reverse("survey-answer", args=[survey.token]), data)


def test_a_citizen_answers_without_an_account_and_gets_a_device_cookie(client, world):
    survey = make_skm(world, service=Survey.Service.OTHER)
    page = client.get(reverse("survey-answer", args=[survey.token]))
    assert page.status_code == 200 and DEVICE_COOKIE in page.cookies
    assert "Tidak sesuai" in page.content.decode()
    response = _post(client, survey, skm_answers(survey, 4))
    assert response.status_code == 302 and response["Location"] == reverse("survey-thanks", args=[survey.token])
    assert SurveyResponse.objects.filter(survey=survey).count() == 1
    again = _post(client, survey, skm_answers(survey, 1))  # the same cookie: refused
    assert again.status_code == 400
    assert SurveyResponse.objects.filter(survey=survey).count() == 1
    assert set(SurveyAnswer.objects.values_list("value", flat=True)) == {4}


def test_a_missing_answer_comes_back_with_its_message_and_what_was_chosen(client, world):
    survey = make_skm(world)
    answers = skm_answers(survey, 2)
    missing = survey.questions.get(element="U9").pk
    answers.pop(missing)
    response = _post(client, survey, answers)
    assert response.status_code == 400
    body = response.content.decode()
    assert 'aria-invalid="true"' in body and "checked" in body
    assert not SurveyResponse.objects.exists()


def test_the_honeypot_thanks_a_bot_and_keeps_nothing(client, world):
    survey = make_skm(world)
    response = _post(client, survey, skm_answers(survey), website="http://spam.example")
    assert response.status_code == 302
    assert not SurveyResponse.objects.exists()


def test_answers_are_rate_limited_per_address(client, world, settings):
    settings.SINERGI_SURVEY_RATE_MINUTE = "2/minute"
    survey = make_skm(world)
    for n in range(2):
        client.cookies[DEVICE_COOKIE] = f"device-{n}"
        assert _post(client, survey, skm_answers(survey)).status_code == 302
    client.cookies[DEVICE_COOKIE] = "device-3"
    refused = _post(client, survey, skm_answers(survey))
    assert refused.status_code == 429 and "Retry-After" in refused
    assert SurveyResponse.objects.count() == 2


def test_a_draft_is_not_found_and_a_closed_survey_says_so(client, world):
    draft = make_skm(world, open_it=False)
    assert client.get(reverse("survey-answer", args=[draft.token])).status_code == 404
    assert client.get(reverse("survey-qr-png", args=[draft.token])).status_code == 404
    closed = make_skm(world)
    services.survey_close(actor=world.alice, survey=closed)
    page = client.get(reverse("survey-answer", args=[closed.token]))
    assert page.status_code == 200 and 'data-testid="survey-closed"' in page.content.decode()
    assert _post(client, closed, skm_answers(closed)).status_code == 400


def test_the_qr_codes_are_a_png_and_an_svg_of_the_public_link(client, world):
    survey = make_skm(world)
    png = client.get(reverse("survey-qr-png", args=[survey.token]))
    assert png.status_code == 200 and png["Content-Type"] == "image/png" and png.content[:4] == b"\x89PNG"
    svg = client.get(reverse("survey-qr-svg", args=[survey.token]))
    assert svg.status_code == 200 and b'xmlns="http://www.w3.org/2000/svg"' in svg.content


def test_the_tracking_page_of_a_closed_report_links_to_the_report_survey(client, world):
    survey = make_skm(world, area=world.areas.bontang)
    incident = IncidentFactory(status=Incident.Status.RESPONDING, area=world.areas.guntung)
    report = CitizenReportFactory(status=CitizenReport.Status.VERIFIED, incident=incident, area=world.areas.guntung)
    url = reverse("report-track-detail", args=[report.tracking_code])
    assert 'data-testid="report-survey"' not in client.get(url).content.decode()  # still handled
    Incident.objects.filter(pk=incident.pk).update(status=Incident.Status.RESOLVED)
    page = client.get(url).content.decode()
    link = reverse("survey-answer", args=[survey.token]) + f"?kode={report.tracking_code}"
    assert link in page
    form = client.get(link).content.decode()
    assert f'name="kode" value="{report.tracking_code}"' in form
    assert _post(client, survey, skm_answers(survey), kode=report.tracking_code).status_code == 302
    assert SurveyResponse.objects.get().via == SurveyResponse.Via.REPORT
    assert (
        "Thank you: you have answered" in client.get(url).content.decode()
        or "Terima kasih" in client.get(url).content.decode()
    )


def test_written_answers_are_public_only_once_published(client, world):
    survey = make_custom(world)
    answers = {
        q(survey, K.LIKERT).pk: ["5"],
        q(survey, K.SINGLE).pk: ["1"],
        q(survey, K.YES_NO).pk: ["1"],
        q(survey, K.LONG_TEXT).pk: ["Pematerinya hebat"],
    }
    assert _post(client, survey, answers).status_code == 302
    results = reverse("survey-public-results", args=[survey.token])
    assert "Pematerinya hebat" not in client.get(results).content.decode()
    client.force_login(world.vera)  # a member reads it, but may not publish
    assert "Pematerinya hebat" in client.get(reverse("survey-answers", args=[survey.pk])).content.decode()
    answer = SurveyAnswer.objects.get(value__isnull=True)
    publish = reverse("survey-answer-publish", args=[survey.pk, answer.pk])
    assert client.post(publish, {"published": "1"}).status_code == 403
    client.force_login(world.alice)
    assert client.post(publish, {"published": "1"}).status_code == 302
    client.logout()
    assert "Pematerinya hebat" in client.get(results).content.decode()


def test_a_manager_builds_a_survey_on_the_pages(client, world):
    client.force_login(world.alice)
    response = client.post(
        reverse("survey-create"),
        {"kind": "custom", "agency": world.a.pk, "title": "Survei kampanye helm", "service": "other"},
    )
    survey = Survey.objects.get(title="Survei kampanye helm")
    assert response.status_code == 302
    add = reverse("survey-question-add", args=[survey.pk])
    bad = client.post(add, {"kind": "single", "text": "Pilih satu", "options": "Hanya satu"})
    assert bad.status_code == 400 and not survey.questions.exists()
    ok = client.post(add, {"kind": "single", "text": "Pilih satu", "options": "Ya | Yes\nTidak | No", "required": "on"})
    assert ok.status_code == 302
    assert survey.questions.get().options == [{"id": "Ya", "en": "Yes"}, {"id": "Tidak", "en": "No"}]
    assert client.post(reverse("survey-open", args=[survey.pk])).status_code == 302
    survey.refresh_from_db()
    assert survey.status == Survey.Status.OPEN


def test_results_page_and_exports_for_a_member_and_404_outside(client, world):
    survey = make_skm(world)
    for n in range(3):
        services.survey_answer_submit(survey=survey, answers=skm_answers(survey, 3 + (n == 0)), device_token=str(n))
    client.force_login(world.vera)
    page = client.get(reverse("survey-detail", args=[survey.pk]))
    assert page.status_code == 200
    # (4 + 3 + 3) / 3 = 3.333... per element -> x 25 = 83.33: B
    assert 'data-testid="ikm">83,33<' in page.content.decode()  # Indonesian decimal comma
    csv = client.get(reverse("survey-export-csv", args=[survey.pk]))
    assert csv.status_code == 200 and "83.33" in csv.content.decode()
    xlsx = client.get(reverse("survey-export-xlsx", args=[survey.pk]))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    client.force_login(world.bob)
    assert client.get(reverse("survey-detail", args=[survey.pk])).status_code == 404
    assert client.get(reverse("survey-export-csv", args=[survey.pk])).status_code == 404


def test_the_list_and_the_results_page_take_a_bounded_number_of_queries(client, world, django_assert_max_num_queries):
    for n in range(4):
        survey = make_skm(world, title=f"SKM {n}")
        services.survey_answer_submit(survey=survey, answers=skm_answers(survey), device_token=str(n))
    client.force_login(world.alice)
    client.get(reverse("survey-list"))  # warm the session
    with django_assert_max_num_queries(12):
        assert client.get(reverse("survey-list")).status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(reverse("survey-detail", args=[survey.pk])).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("survey-index")).status_code == 200


def test_the_api_list_takes_a_bounded_number_of_queries(api_as, world, django_assert_max_num_queries):
    for n in range(5):
        make_custom(world, title=f"Survei {n}")
    client = api_as(world.alice)
    with django_assert_max_num_queries(8):
        body = client.get("/api/v1/surveys/").json()
    assert body["count"] == 5
