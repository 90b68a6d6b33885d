"""Browser: a citizen on a phone answers the report-handling survey from their report's tracking
page (and is told they answered), then a manager builds a custom survey with the builder, opens
it, prints its poster, and reads the results with their charts, the written answer published.
Screenshots (phone 390 px and laptop 1280 px) in test-results/screenshots/."""

import pytest
from playwright.sync_api import expect

from coordination.community.surveys import services
from coordination.models import Survey, SurveyAnswer, SurveyResponse
from incidents.models import CitizenReport, Incident
from tests.coordination.community.surveys.helpers import make_skm, skm_answers
from tests.factories import CitizenReportFactory, IncidentFactory

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 860}


def both(page, shot, name):
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(300)  # Chart.js redraws its canvases after a resize (debounced)
    shot(f"{name}-phone")
    page.set_viewport_size(LAPTOP)
    page.wait_for_timeout(300)
    shot(name)


def test_a_citizen_on_a_phone_answers_how_their_report_was_handled(e2e_world, page, live_server, shot):
    w = e2e_world
    survey = make_skm(w, area=w.areas.bontang)
    incident = IncidentFactory(status=Incident.Status.RESOLVED, area=w.areas.guntung)
    report = CitizenReportFactory(status=CitizenReport.Status.VERIFIED, incident=incident, area=w.areas.guntung)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/lapor/lacak/{report.tracking_code}/")
    expect(page.get_by_test_id("report-survey")).to_be_visible()
    page.get_by_test_id("report-survey-link").click()
    expect(page.get_by_test_id("survey-for-report")).to_contain_text(report.tracking_code)
    questions = page.get_by_test_id("survey-question")
    expect(questions).to_have_count(9)
    # Send with one element left out: told which, what was chosen kept.
    for i in range(8):
        questions.nth(i).locator("label.btn").nth(3 if i % 2 else 2).click()
    page.get_by_test_id("survey-submit").click()
    expect(questions.nth(8).locator(".field-error")).to_be_visible()
    expect(questions.nth(0).locator("input:checked")).to_have_count(1)
    shot("survey-answer-error-phone")
    questions.nth(8).locator("label.btn").nth(3).click()
    shot("survey-answer-phone")
    page.get_by_test_id("survey-submit").click()
    expect(page.get_by_test_id("survey-thanks")).to_be_visible()
    shot("survey-thanks-phone")
    response = SurveyResponse.objects.get()
    assert response.via == SurveyResponse.Via.REPORT and response.area == w.areas.guntung
    assert SurveyAnswer.objects.filter(response=response).count() == 9
    page.goto(f"{live_server.url}/lapor/lacak/{report.tracking_code}/")
    expect(page.get_by_test_id("report-survey")).not_to_contain_text("Isi survei")
    expect(page.get_by_test_id("report-survey-link")).to_have_count(0)
    shot("survey-report-answered-phone")
    assert survey.pk


def test_a_manager_builds_a_survey_and_reads_its_results_with_charts(e2e_world, page, live_server, login, shot):
    w = e2e_world
    login("alice")
    page.get_by_test_id("nav-coordination").click()
    page.get_by_test_id("nav-surveys").click()
    page.get_by_test_id("survey-create").click()
    page.select_option("#id_kind", "custom")
    page.fill("#id_title", "Survei kampanye keselamatan berlalu lintas")
    page.fill("#id_title_en", "Traffic safety campaign survey")
    page.select_option("#id_service", "other")
    page.fill("#id_service_name", "Kampanye helm di SMA")
    both(page, shot, "survey-form")
    page.get_by_test_id("survey-save").click()
    expect(page.get_by_test_id("survey-builder")).to_be_visible()
    form = page.get_by_test_id("question-form")
    form.locator("#id_kind").select_option("likert")
    form.locator("#id_text").fill("Seberapa bermanfaat kampanye ini?")
    form.locator("#id_text_en").fill("How useful was the campaign?")
    page.get_by_test_id("question-add").click()
    form = page.get_by_test_id("question-form")
    form.locator("#id_kind").select_option("single")
    form.locator("#id_text").fill("Apakah Anda memakai helm setiap hari?")
    page.get_by_test_id("question-add").click()  # no options: refused on its field
    expect(page.get_by_test_id("question-form").locator(".invalid-feedback")).to_be_visible()
    form = page.get_by_test_id("question-form")
    form.locator("#id_options").fill("Selalu | Always\nKadang | Sometimes\nTidak pernah | Never")
    page.get_by_test_id("question-add").click()
    form = page.get_by_test_id("question-form")
    form.locator("#id_kind").select_option("long_text")
    form.locator("#id_text").fill("Saran Anda")
    form.locator("#id_required").uncheck()
    page.get_by_test_id("question-add").click()
    expect(page.get_by_test_id("builder-question")).to_have_count(3)
    both(page, shot, "survey-builder")
    page.get_by_test_id("survey-open").click()
    expect(page.get_by_test_id("survey-status")).to_contain_text("Terbuka")
    survey = Survey.objects.get(title__startswith="Survei kampanye")
    questions = list(survey.questions.order_by("position"))
    for n in range(6):
        services.survey_answer_submit(
            survey=survey,
            answers={
                questions[0].pk: [str(2 + n % 4)],
                questions[1].pk: [str(1 + n % 3)],
                questions[2].pk: ["Tambah razia helm di depan sekolah" if n == 0 else ""],
            },
            device_token=f"e2e-{n}",
        )
    skm = make_skm(w, title="SKM penanganan laporan Polres")
    for n in range(4):
        services.survey_answer_submit(survey=skm, answers=skm_answers(skm, 3 + (n == 0)), device_token=f"s{n}")
    page.goto(f"{live_server.url}/surveys/{survey.pk}/")
    expect(page.get_by_test_id("respondents")).to_contain_text("6")
    expect(page.locator("canvas[data-chart]").first).to_be_visible()  # Chart.js drew the charts
    both(page, shot, "survey-results")
    page.get_by_test_id("survey-answers-link").click()
    page.get_by_test_id("publish").first.click()
    expect(page.get_by_test_id("published-badge")).to_be_visible()
    page.goto(f"{live_server.url}/surveys/{survey.pk}/poster/")
    expect(page.get_by_test_id("poster-qr")).to_be_visible()
    shot("survey-poster")
    page.goto(f"{live_server.url}/surveys/{skm.pk}/")
    expect(page.get_by_test_id("ikm")).to_contain_text("81,25")  # (4 + 3 + 3 + 3) / 4 x 25
    both(page, shot, "survey-skm-results")
    page.goto(f"{live_server.url}/surveys/index/")
    expect(page.get_by_test_id("index-row")).to_contain_text("Polres Bontang")
    both(page, shot, "survey-index")
    page.context.clear_cookies()
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/survei/{survey.token}/hasil/")
    expect(page.get_by_test_id("public-comment")).to_contain_text("Tambah razia helm")
    shot("survey-public-results-phone")
