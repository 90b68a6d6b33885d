"""Surveys of the conftest world: A's (alice is a liaison of A, so she manages them)."""

from __future__ import annotations

from coordination.community.surveys import services
from coordination.models import Survey, SurveyQuestion

K = SurveyQuestion.Kind


def make_skm(world, *, open_it=True, **fields):
    survey = services.survey_create(
        actor=world.alice,
        title=fields.pop("title", "SKM penanganan laporan"),
        kind=Survey.Kind.SKM,
        service=fields.pop("service", Survey.Service.REPORT_HANDLING),
        **fields,
    )
    if open_it:
        services.survey_open(actor=world.alice, survey=survey)
    return survey


def make_custom(world, *, open_it=True, **fields):
    survey = services.survey_create(actor=world.alice, title=fields.pop("title", "Seminar narkoba"), **fields)
    add = lambda kind, text, **kw: services.survey_question_add(  # noqa: E731
        actor=world.alice, survey=survey, kind=kind, text=text, **kw
    )
    add(K.LIKERT, "Seberapa bermanfaat seminar ini?", text_en="How useful was the seminar?")
    add(
        K.SINGLE,
        "Dari mana Anda tahu?",
        options=[{"id": "Sekolah", "en": "School"}, {"id": "Media sosial", "en": "Social media"}],
    )
    add(
        K.MULTIPLE,
        "Topik yang diminati",
        options=[
            {"id": "Narkoba", "en": "Drugs"},
            {"id": "Lalu lintas", "en": "Traffic"},
            {"id": "Siber", "en": "Cyber"},
        ],
        required=False,
    )
    add(K.NUMBER, "Umur Anda", required=False)
    add(K.YES_NO, "Akan datang lagi?")
    add(K.LONG_TEXT, "Saran", required=False)
    if open_it:
        services.survey_open(actor=world.alice, survey=survey)
    return survey


def q(survey, kind):
    return survey.questions.filter(kind=kind).first()


def skm_answers(survey, value=3):
    return {question.pk: [str(value)] for question in survey.questions.all()}
