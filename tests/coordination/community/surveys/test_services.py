"""Building and answering surveys: who may, what is refused, what is stored."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from coordination.community.surveys import services
from coordination.models import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse
from incidents.models import CitizenReport, Incident
from tests.factories import CitizenReportFactory, IncidentFactory

from .helpers import K, make_custom, make_skm, q, skm_answers

pytestmark = pytest.mark.django_db


def test_an_skm_survey_gets_the_nine_elements_with_their_four_answers(world):
    survey = make_skm(world, open_it=False)
    questions = list(survey.questions.order_by("position"))
    assert [x.element for x in questions] == ["U1", "U2", "U3", "U4", "U5", "U6", "U7", "U8", "U9"]
    assert all(x.kind == K.SKM and len(x.options) == 4 and x.text_en for x in questions)
    assert questions[3].options[3] == {"id": "Gratis", "en": "Free"}
    assert survey.status == Survey.Status.DRAFT and survey.agency == world.a


def test_the_questions_of_an_skm_survey_cannot_change(world):
    survey = make_skm(world, open_it=False)
    with pytest.raises(ValidationError) as exc:
        services.survey_question_add(actor=world.alice, survey=survey, kind=K.LIKERT, text="Tambahan")
    assert "kind" in exc.value.message_dict
    assert survey.questions.count() == 9


def test_a_viewer_or_another_agency_may_not_build(world):
    survey = make_custom(world, open_it=False)
    for outsider in (world.vera, world.bob):
        with pytest.raises(PermissionDenied):
            services.survey_question_add(actor=outsider, survey=survey, kind=K.LIKERT, text="X")
    with pytest.raises(PermissionDenied):
        services.survey_create(actor=world.vera, title="X", agency=world.a)
    assert survey.questions.count() == 6


def test_a_choice_question_needs_two_options_and_questions_change_only_in_draft(world):
    survey = make_custom(world, open_it=False)
    with pytest.raises(ValidationError) as exc:
        services.survey_question_add(actor=world.alice, survey=survey, kind=K.SINGLE, text="?", options=[{"id": "A"}])
    assert "options" in exc.value.message_dict
    services.survey_open(actor=world.alice, survey=survey)
    with pytest.raises(ValidationError) as exc:
        services.survey_question_add(actor=world.alice, survey=survey, kind=K.LIKERT, text="Lagi")
    assert "status" in exc.value.message_dict


def test_moving_a_question_swaps_it_with_its_neighbour(world):
    survey = make_custom(world, open_it=False)
    first, second = list(survey.questions.order_by("position"))[:2]
    services.survey_question_move(actor=world.alice, question=second, up=True)
    assert list(survey.questions.order_by("position").values_list("pk", flat=True))[:2] == [second.pk, first.pk]


def test_a_survey_without_questions_cannot_open_and_dates_must_be_in_order(world):
    survey = services.survey_create(actor=world.alice, title="Kosong")
    with pytest.raises(ValidationError):
        services.survey_open(actor=world.alice, survey=survey)
    with pytest.raises(ValidationError) as exc:
        services.survey_update(
            actor=world.alice, survey=survey, opens_on=datetime.date(2026, 5, 2), closes_on=datetime.date(2026, 5, 1)
        )
    assert "closes_on" in exc.value.message_dict


def test_an_answer_stores_one_row_per_value_with_its_month_and_area(world):
    survey = make_custom(world, area=world.areas.bontang)
    answers = {
        q(survey, K.LIKERT).pk: ["4"],
        q(survey, K.SINGLE).pk: ["2"],
        q(survey, K.MULTIPLE).pk: ["1", "3"],
        q(survey, K.NUMBER).pk: ["17"],
        q(survey, K.YES_NO).pk: ["1"],
        q(survey, K.LONG_TEXT).pk: ["Lebih sering"],
    }
    response = services.survey_answer_submit(survey=survey, answers=answers, device_token="dev-1")
    rows = list(SurveyAnswer.objects.filter(response=response).order_by("question__position", "value"))
    assert [(r.question.kind, r.value, r.text) for r in rows] == [
        (K.LIKERT, 4, ""),
        (K.SINGLE, 2, ""),
        (K.MULTIPLE, 1, ""),
        (K.MULTIPLE, 3, ""),
        (K.NUMBER, 17, ""),
        (K.YES_NO, 1, ""),
        (K.LONG_TEXT, None, "Lebih sering"),
    ]
    assert {r.area_id for r in rows} == {world.areas.bontang.pk}
    assert {r.period for r in rows} == {timezone.localdate().replace(day=1)}
    assert not any(r.published for r in rows)
    assert "dev-1" not in response.respondent_key and len(response.respondent_key) == 64


@pytest.mark.parametrize(
    ("kind", "raw"),
    [(K.LIKERT, "6"), (K.LIKERT, "x"), (K.SINGLE, "3"), (K.YES_NO, "maybe"), (K.NUMBER, "1.5")],
)
def test_out_of_range_answers_are_refused_on_their_field(world, kind, raw):
    survey = make_custom(world)
    answers = {q(survey, K.LIKERT).pk: ["3"], q(survey, K.SINGLE).pk: ["1"], q(survey, K.YES_NO).pk: ["0"]}
    answers[q(survey, kind).pk] = [raw]
    with pytest.raises(ValidationError) as exc:
        services.survey_answer_submit(survey=survey, answers=answers, device_token="d")
    assert list(exc.value.message_dict) == [f"q{q(survey, kind).pk}"]
    assert not SurveyResponse.objects.exists()


def test_a_required_question_left_empty_is_refused(world):
    survey = make_skm(world)
    answers = skm_answers(survey)
    answers.pop(survey.questions.get(element="U4").pk)
    with pytest.raises(ValidationError) as exc:
        services.survey_answer_submit(survey=survey, answers=answers, device_token="d")
    assert list(exc.value.message_dict) == [f"q{survey.questions.get(element='U4').pk}"]


def test_one_answer_per_device(world):
    survey = make_skm(world, service=Survey.Service.OTHER)
    services.survey_answer_submit(survey=survey, answers=skm_answers(survey), device_token="phone-1")
    with pytest.raises(ValidationError):
        services.survey_answer_submit(survey=survey, answers=skm_answers(survey, 1), device_token="phone-1")
    services.survey_answer_submit(survey=survey, answers=skm_answers(survey), device_token="phone-2")
    assert SurveyResponse.objects.filter(survey=survey).count() == 2
    assert set(SurveyAnswer.objects.filter(survey=survey).values_list("value", flat=True)) == {3}


def _closed_report(world, **fields):
    incident = IncidentFactory(status=Incident.Status.RESOLVED, area=world.areas.guntung)
    return CitizenReportFactory(
        status=CitizenReport.Status.VERIFIED, incident=incident, area=world.areas.guntung, **fields
    )


def test_one_answer_per_tracking_code_of_a_closed_report_counted_in_its_area(world):
    survey = make_skm(world, area=world.areas.bontang)
    report = _closed_report(world)
    response = services.survey_answer_submit(
        survey=survey, answers=skm_answers(survey), tracking_code=report.tracking_code.lower(), device_token="a"
    )
    assert response.via == SurveyResponse.Via.REPORT and response.area == world.areas.guntung
    assert report.tracking_code not in response.respondent_key
    with pytest.raises(ValidationError):  # another device, the same code
        services.survey_answer_submit(
            survey=survey, answers=skm_answers(survey), tracking_code=report.tracking_code, device_token="b"
        )
    assert SurveyResponse.objects.filter(survey=survey).count() == 1


def test_a_report_still_handled_or_unknown_cannot_answer(world):
    survey = make_skm(world)
    incident = IncidentFactory(status=Incident.Status.RESPONDING, area=world.areas.guntung)
    open_report = CitizenReportFactory(
        status=CitizenReport.Status.VERIFIED, incident=incident, area=world.areas.guntung
    )
    for code in (open_report.tracking_code, "NOPE123456"):
        with pytest.raises(ValidationError) as exc:
            services.survey_answer_submit(survey=survey, answers=skm_answers(survey), tracking_code=code)
        assert "tracking_code" in exc.value.message_dict
    assert not SurveyResponse.objects.exists()


def test_a_draft_closed_or_out_of_dates_survey_takes_no_answer(world):
    draft = make_skm(world, open_it=False)
    late = make_skm(world, closes_on=timezone.localdate() - datetime.timedelta(days=1))
    closed = make_skm(world)
    services.survey_close(actor=world.alice, survey=closed)
    for survey in (draft, late, closed):
        with pytest.raises(ValidationError):
            services.survey_answer_submit(survey=survey, answers=skm_answers(survey), device_token="d")
    assert not SurveyResponse.objects.exists()


def test_a_moderator_publishes_a_written_answer_and_a_viewer_may_not(world):
    survey = make_custom(world)
    answers = {
        q(survey, K.LIKERT).pk: ["5"],
        q(survey, K.SINGLE).pk: ["1"],
        q(survey, K.YES_NO).pk: ["1"],
        q(survey, K.LONG_TEXT).pk: ["Bagus sekali"],
    }
    services.survey_answer_submit(survey=survey, answers=answers, device_token="d")
    text = SurveyAnswer.objects.get(survey=survey, value__isnull=True)
    with pytest.raises(PermissionDenied):
        services.survey_answer_publish(actor=world.vera, answer=text, published=True)
    with pytest.raises(PermissionDenied):
        services.survey_answer_publish(actor=world.bob, answer=text, published=True)
    services.survey_answer_publish(actor=world.alice, answer=text, published=True)
    text.refresh_from_db()
    assert text.published and text.published_by == world.alice
    assert SurveyQuestion.objects.filter(survey=survey).count() == 6


def test_open_public_surveys_lists_the_answerable_ones_but_not_report_handling(world):
    from coordination.community.surveys.selectors import open_public_surveys

    custom = make_custom(world, title="Terbuka", listed=True)
    make_custom(world, title="Draf", open_it=False, listed=True)
    make_custom(world, title="Nanti", opens_on=timezone.localdate() + datetime.timedelta(days=2), listed=True)
    make_custom(world, title="Peserta seminar")  # open but not listed: its QR code only
    make_skm(world, listed=True)  # report handling: reached from the tracking page
    newer = make_skm(world, service=Survey.Service.OTHER, title="SKM SKCK", listed=True)
    assert open_public_surveys(limit=5) == [newer, custom]
    assert open_public_surveys(limit=1) == [newer]


def test_the_tracking_page_offers_the_narrowest_survey_holding_the_reports_area(world):
    from coordination.community.surveys.selectors import report_survey_block

    make_skm(world, title="Kota")
    district = make_skm(world, title="Kecamatan", area=world.areas.bontang_utara)
    make_skm(world, title="Balikpapan", area=world.areas.balikpapan)
    report = _closed_report(world)
    block = report_survey_block(report)
    assert block["survey"] == district and block["answered"] is False
    assert block["url"].endswith(f"/survei/{district.token}/?kode={report.tracking_code}")
    services.survey_answer_submit(survey=district, answers=skm_answers(district), tracking_code=report.tracking_code)
    assert report_survey_block(report)["answered"] is True


def test_an_area_answer_must_lie_in_the_surveys_area_and_counts_there(world):
    survey = services.survey_create(actor=world.alice, title="Di mana?", area=world.areas.bontang)
    where = services.survey_question_add(actor=world.alice, survey=survey, kind=K.AREA, text="Kecamatan Anda")
    services.survey_open(actor=world.alice, survey=survey)
    with pytest.raises(ValidationError) as exc:
        services.survey_answer_submit(
            survey=survey, answers={where.pk: [str(world.areas.balikpapan_kota.pk)]}, device_token="a"
        )
    assert list(exc.value.message_dict) == [f"q{where.pk}"]
    response = services.survey_answer_submit(
        survey=survey, answers={where.pk: [str(world.areas.bontang_utara.pk)]}, device_token="b"
    )
    assert response.area == world.areas.bontang_utara
    assert SurveyAnswer.objects.get(response=response).value == world.areas.bontang_utara.pk
