"""The demo's satisfaction surveys (coordination/demo.py `seed_activity` calls it with its look-ups of a
demo user by username and an area by name): through the services, as a user would, and
idempotent."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from agencies.models import Area

from . import services as survey_services


def seed_surveys(now: datetime.datetime, *, user: Callable[[str], Any], area: Callable[[str], Area]) -> int:
    """Polres Bontang's SKM survey of report handling, answered 60 times over three months
    (a spread that grades B), and BNN's custom survey of a school seminar on narcotics with two
    published comments. Idempotent: a survey of the same title is left as it is."""
    from coordination.models import Survey, SurveyAnswer

    made = 0
    title = "Survei Kepuasan Masyarakat: penanganan laporan warga"
    if not Survey.objects.filter(title=title).exists():
        liaison = user("liaison.bontang")
        survey = survey_services.survey_create(
            actor=liaison,
            title=title,
            title_en="Public satisfaction survey: handling of citizens' reports",
            kind=Survey.Kind.SKM,
            service=Survey.Service.REPORT_HANDLING,
            area=area("Kota Bontang"),
            description="Bantu kami memperbaiki pelayanan: sembilan pertanyaan singkat, tanpa nama.",
            description_en="Help us serve you better: nine short questions, no name asked.",
        )
        survey_services.survey_open(actor=liaison, survey=survey)
        questions = list(survey.questions.order_by("position"))
        for n in range(60):
            at = now - datetime.timedelta(days=88 - n * 1.5, hours=n % 7)
            answers = {
                q.pk: [str(min(4, max(1, 3 + ((n * 7 + i * 3) % 5 == 0) - ((n + i) % 11 == 0))))]
                for i, q in enumerate(questions)
            }
            survey_services.survey_answer_submit(
                survey=survey, answers=answers, device_token=f"demo-skm-{n}", submitted_at=at
            )
        made += 1
    title = "Survei seminar bahaya narkoba di SMA Negeri 1 Bontang"
    if not Survey.objects.filter(title=title).exists():
        liaison = user("liaison.bnn")
        survey = survey_services.survey_create(
            actor=liaison,
            title=title,
            title_en="Survey of the seminar on narcotics at SMA Negeri 1 Bontang",
            service=Survey.Service.OTHER,
            service_name="Seminar P4GN di sekolah",
            listed=True,
            area=area("Kota Bontang"),
        )
        K = survey.questions.model.Kind
        add = survey_services.survey_question_add
        likert = add(
            actor=liaison,
            survey=survey,
            kind=K.LIKERT,
            text="Seberapa bermanfaat seminar ini?",
            text_en="How useful was the seminar?",
        )
        source = add(
            actor=liaison,
            survey=survey,
            kind=K.SINGLE,
            text="Dari mana Anda tahu seminar ini?",
            text_en="How did you hear of the seminar?",
            options=[
                {"id": "Guru", "en": "A teacher"},
                {"id": "Media sosial", "en": "Social media"},
                {"id": "Teman", "en": "A friend"},
            ],
        )
        topics = add(
            actor=liaison,
            survey=survey,
            kind=K.MULTIPLE,
            text="Topik apa lagi yang Anda minati?",
            text_en="Which other topics interest you?",
            required=False,
            options=[
                {"id": "Kenakalan remaja", "en": "Juvenile delinquency"},
                {"id": "Keselamatan lalu lintas", "en": "Traffic safety"},
                {"id": "Kejahatan siber", "en": "Cybercrime"},
            ],
        )
        again = add(
            actor=liaison,
            survey=survey,
            kind=K.YES_NO,
            text="Mau ikut kegiatan serupa lagi?",
            text_en="Would you join a similar event again?",
        )
        advice = add(
            actor=liaison,
            survey=survey,
            kind=K.LONG_TEXT,
            text="Saran untuk kami",
            text_en="Your suggestions",
            required=False,
        )
        survey_services.survey_open(actor=liaison, survey=survey)
        comments = ["Materinya jelas, tolong adakan lagi di SMP.", "Video kesaksiannya sangat menyentuh.", ""]
        for n in range(24):
            answers = {
                likert.pk: [str(5 - (n % 4 == 0) - (n % 9 == 0))],
                source.pk: [str(1 + n % 3)],
                topics.pk: [str(1 + n % 3)] + (["2"] if n % 2 else []),
                again.pk: ["1" if n % 5 else "0"],
                advice.pk: [comments[n % 3]],
            }
            survey_services.survey_answer_submit(survey=survey, answers=answers, device_token=f"demo-bnn-{n}")
        for answer in SurveyAnswer.objects.filter(question=advice).order_by("id")[:2]:
            survey_services.survey_answer_publish(actor=liaison, answer=answer, published=True)
        made += 1
    return made
