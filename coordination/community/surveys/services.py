"""Writes of satisfaction surveys, and the predicates the pages ask before they offer an action.

Who may do what (agencies/roles.py; staff: everything):
- build a survey for an agency, change it, add, move and remove its questions while it is a
  draft, open and close it: the agency's commanders and liaisons ("survey.manage");
- publish or hide a written answer: the agency's acting members ("survey.moderate");
- answer: anyone, through the public link, without an account (`survey_answer_submit`).

An SKM survey is made from the template of the regulation's nine elements
(`skm.ELEMENTS`): its questions cannot be changed. Every service is atomic and validates with
`full_clean()`; bad input is a ValidationError naming the field (a 400 in the API).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency, Area
from agencies.roles import agencies_with, roles_for
from agencies.selectors import user_is_staff
from agencies.services import acting_agency
from common.services import model_update, signed_in
from common.types import User
from coordination.models import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse
from coordination.rules import holds_capability, require_capability
from incidents.reports.selectors import citizen_report_is_closed, citizen_report_public_get

from . import answers as answer_rules
from .skm import ELEMENTS

K = SurveyQuestion.Kind
SURVEY_FIELDS = (
    "title",
    "title_en",
    "description",
    "description_en",
    "service",
    "service_name",
    "area",
    "programme",
    "opens_on",
    "closes_on",
    "results_public",
    "listed",
)
QUESTION_FIELDS = ("kind", "text", "text_en", "options", "required")
MAX_QUESTIONS = 60


# --- Who may do what -----------------------------------------------------------------------


def can_manage_any(*, user: User) -> bool:
    """A commander or liaison of some agency, or staff, who name the agency (the "new survey"
    button and page)."""
    return user_is_staff(user) or bool(agencies_with(user=user, capability="survey.manage"))


def can_manage(*, actor: User, survey: Survey) -> bool:
    return holds_capability(actor=actor, agency_ids=[survey.agency_id], capability="survey.manage")


def require_manager(*, actor: User, survey: Survey) -> None:
    require_capability(
        actor=actor,
        agency_ids=[survey.agency_id],
        capability="survey.manage",
        message=_("Only commanders and liaisons of the survey's agency may change it."),
    )


def can_moderate(*, actor: User, survey: Survey) -> bool:
    return holds_capability(actor=actor, agency_ids=[survey.agency_id], capability="survey.moderate")


def require_moderator(*, actor: User, survey: Survey) -> None:
    require_capability(
        actor=actor,
        agency_ids=[survey.agency_id],
        capability="survey.moderate",
        message=_("Your role does not allow publishing this survey's answers."),
    )


def survey_is_answerable(survey: Survey, *, today: date | None = None) -> bool:
    """Open, and within its dates (in the portal's zone: a day's difference at the edges)."""
    today = today or timezone.localdate()
    return (
        survey.status == Survey.Status.OPEN
        and (survey.opens_on is None or survey.opens_on <= today)
        and (survey.closes_on is None or today <= survey.closes_on)
    )


# --- Surveys -------------------------------------------------------------------------------


def _check_dates(survey: Survey) -> None:
    if survey.opens_on and survey.closes_on and survey.closes_on < survey.opens_on:
        raise ValidationError({"closes_on": _("The survey must close on or after the day it opens.")})
    _check_programme(survey)


def _check_programme(survey: Survey) -> None:
    """A programme is named only by a survey of service "programme", and only one that the
    survey's agency organises or takes part in."""
    programme = survey.programme
    if programme is None:
        return
    if survey.service != Survey.Service.PROGRAMME:
        raise ValidationError({"programme": _("Name a programme only for a survey about a programme.")})
    if survey.agency_id not in {programme.organiser_id, *programme.partners.values_list("id", flat=True)}:
        raise ValidationError(
            {"programme": _("Choose a programme that the survey's agency organises or takes part in.")}
        )


@transaction.atomic
def survey_create(
    *,
    actor: User,
    title: str,
    kind: str = Survey.Kind.CUSTOM,
    agency: Agency | None = None,
    **fields: Any,
) -> Survey:
    """A draft survey of the actor's agency (its commanders and liaisons; staff name the
    agency). An SKM survey gets the nine elements of the regulation as its questions."""
    owner = acting_agency(
        actor=actor, agency=agency, roles=roles_for("survey.manage"), field="agency", staff_without_agency=False
    )
    assert owner is not None
    if kind not in Survey.Kind.values:
        raise ValidationError({"kind": _("Choose SKM or custom.")})
    survey = Survey(
        title=title,
        kind=kind,
        agency=owner,
        token=secrets.token_urlsafe(16),
        created_by=signed_in(actor),
        **{k: v for k, v in fields.items() if k in SURVEY_FIELDS},
    )
    _check_dates(survey)
    survey.full_clean()
    survey.save()
    if kind == Survey.Kind.SKM:
        SurveyQuestion.objects.bulk_create(
            [
                SurveyQuestion(
                    survey=survey,
                    position=i,
                    kind=K.SKM,
                    element=code,
                    text=q_id,
                    text_en=q_en,
                    options=[{"id": a_id, "en": a_en} for a_id, a_en in answers],
                )
                for i, (code, _name_id, _name_en, q_id, q_en, answers) in enumerate(ELEMENTS, start=1)
            ]
        )
    return survey


@transaction.atomic
def survey_update(*, actor: User, survey: Survey, **fields: Any) -> Survey:
    """Change a survey's title, texts, service, area, dates (any status; the questions only
    while it is a draft)."""
    require_manager(actor=actor, survey=survey)
    model_update(instance=survey, fields=fields, allowed=SURVEY_FIELDS)
    _check_dates(survey)
    survey.full_clean()
    survey.save()
    return survey


@transaction.atomic
def survey_open(*, actor: User, survey: Survey) -> Survey:
    """Open a draft (or reopen a closed) survey for answers; it needs a question."""
    require_manager(actor=actor, survey=survey)
    if survey.status == Survey.Status.OPEN:
        raise ValidationError({"status": _("This survey is already open.")})
    if not survey.questions.exists():
        raise ValidationError({"status": _("Add a question before opening the survey.")})
    survey.status = Survey.Status.OPEN
    survey.save(update_fields=["status", "updated_at"])
    return survey


@transaction.atomic
def survey_close(*, actor: User, survey: Survey) -> Survey:
    require_manager(actor=actor, survey=survey)
    if survey.status != Survey.Status.OPEN:
        raise ValidationError({"status": _("Only an open survey can be closed.")})
    survey.status = Survey.Status.CLOSED
    survey.save(update_fields=["status", "updated_at"])
    return survey


# --- Questions -----------------------------------------------------------------------------


def _require_editable(survey: Survey) -> None:
    if survey.kind == Survey.Kind.SKM:
        raise ValidationError({"kind": _("The questions of an SKM survey are the regulation's nine elements.")})
    if survey.status != Survey.Status.DRAFT:
        raise ValidationError({"status": _("Questions change only while the survey is a draft.")})


def _clean_question(question: SurveyQuestion) -> None:
    if question.kind == K.SKM or question.kind not in K.values:
        raise ValidationError({"kind": _("Choose a kind of question.")})
    if question.kind in (K.SINGLE, K.MULTIPLE):
        options = question.options if isinstance(question.options, list) else []
        if not 2 <= len(options) <= answer_rules.MAX_OPTIONS:
            raise ValidationError({"options": _("Give from 2 to %(n)d options.") % {"n": answer_rules.MAX_OPTIONS}})
        if any(not isinstance(o, dict) or not str(o.get("id", "")).strip() for o in options):
            raise ValidationError({"options": _("Each option needs its Indonesian text.")})
        question.options = [{"id": str(o["id"])[:200], "en": str(o.get("en", ""))[:200]} for o in options]
    else:
        question.options = []
    question.full_clean()


@transaction.atomic
def survey_question_add(*, actor: User, survey: Survey, kind: str, text: str, **fields: Any) -> SurveyQuestion:
    """A question at the end of a draft custom survey."""
    require_manager(actor=actor, survey=survey)
    _require_editable(survey)
    if survey.questions.count() >= MAX_QUESTIONS:
        raise ValidationError({"text": _("A survey has at most %(n)d questions.") % {"n": MAX_QUESTIONS}})
    last = survey.questions.aggregate(m=Max("position"))["m"] or 0
    question = SurveyQuestion(
        survey=survey,
        kind=kind,
        text=text,
        position=last + 1,
        **{k: v for k, v in fields.items() if k in QUESTION_FIELDS},
    )
    _clean_question(question)
    question.save()
    return question


@transaction.atomic
def survey_question_update(*, actor: User, question: SurveyQuestion, **fields: Any) -> SurveyQuestion:
    require_manager(actor=actor, survey=question.survey)
    _require_editable(question.survey)
    model_update(instance=question, fields=fields, allowed=QUESTION_FIELDS)
    _clean_question(question)
    question.save()
    return question


@transaction.atomic
def survey_question_delete(*, actor: User, question: SurveyQuestion) -> None:
    require_manager(actor=actor, survey=question.survey)
    _require_editable(question.survey)
    question.delete()


@transaction.atomic
def survey_question_move(*, actor: User, question: SurveyQuestion, up: bool) -> None:
    """Swap a question with the one before (`up`) or after it; the positions are renumbered."""
    survey = question.survey
    require_manager(actor=actor, survey=survey)
    _require_editable(survey)
    ordered = list(survey.questions.select_for_update().order_by("position", "id"))
    i = next(n for n, q in enumerate(ordered) if q.pk == question.pk)
    j = i - 1 if up else i + 1
    if 0 <= j < len(ordered):
        ordered[i], ordered[j] = ordered[j], ordered[i]
    for n, q in enumerate(ordered, start=1):
        q.position = n
    SurveyQuestion.objects.bulk_update(ordered, ["position"])


# --- Answers -------------------------------------------------------------------------------


def respondent_key(kind: str, value: str) -> str:
    """An HMAC of a tracking code or a device token: one answer each, without keeping either
    (the key cannot be turned back into the code that links to the reporter)."""
    message = f"survey:{kind}:{value.strip().upper() if kind == 'code' else value.strip()}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _report_area(survey: Survey, tracking_code: str) -> Area | None:
    """The area of the closed report whose reporter answers (ValidationError otherwise)."""
    if survey.service != Survey.Service.REPORT_HANDLING:
        raise ValidationError({"tracking_code": _("This survey is not about the handling of reports.")})
    try:
        report = citizen_report_public_get(tracking_code=tracking_code)
    except Http404:
        raise ValidationError({"tracking_code": _("No report has this tracking code.")}) from None
    if not citizen_report_is_closed(report):
        raise ValidationError({"tracking_code": _("This report is still being handled: answer once it is closed.")})
    area = report.area if report.area_id else None
    if survey.area is not None and (area is None or not area.path.startswith(survey.area.path)):
        raise ValidationError({"tracking_code": _("This report is outside the survey's area.")})
    return area


@transaction.atomic
def survey_answer_submit(
    *,
    survey: Survey,
    answers: Mapping[int, list[Any]],
    tracking_code: str = "",
    device_token: str = "",
    via: str = SurveyResponse.Via.LINK,
    submitted_at: datetime | None = None,
) -> SurveyResponse:
    """An anonymous response: one per tracking code (a reporter answering about their closed
    report) or else per device token (the public link's cookie). Rows in bulk: one per
    answer value. ValidationError with a message per question field (`q<id>`), or on
    `tracking_code`, or `__all__` when the survey is not open or this respondent already
    answered. The caller applies the rate limit and the honeypot. `submitted_at`: when answers
    collected on paper are typed in later (the demo's past months); the survey must be open."""
    if not survey_is_answerable(survey):
        raise ValidationError(_("This survey is not open for answers."))
    area: Area | None = survey.area
    key = ""
    if tracking_code.strip():
        area = _report_area(survey, tracking_code) or area
        key = respondent_key("code", tracking_code)
        via = SurveyResponse.Via.REPORT
    elif device_token.strip():
        key = respondent_key("device", device_token)
    questions = list(survey.questions.all())
    rows, errors = answer_rules.parse(questions, answers, within=survey.area)
    if errors:
        raise ValidationError(errors)
    if not rows:
        raise ValidationError(_("Answer at least one question."))
    area_answer = next((v for q, v, _t in rows if q.kind == K.AREA and v is not None), None)
    area_id = area_answer if area_answer is not None else (area.pk if area else None)
    now = submitted_at or timezone.now()
    period = timezone.localdate(now).replace(day=1)
    response = SurveyResponse(survey=survey, submitted_at=now, area_id=area_id, via=via, respondent_key=key)
    try:
        with transaction.atomic():
            response.save()
    except IntegrityError:
        raise ValidationError(
            _("An answer was already given from this device or for this report. Thank you!")
        ) from None
    SurveyAnswer.objects.bulk_create(
        [
            SurveyAnswer(survey=survey, response=response, question=q, value=v, text=t, period=period, area_id=area_id)
            for q, v, t in rows
        ]
    )
    return response


@transaction.atomic
def survey_answer_publish(*, actor: User, answer: SurveyAnswer, published: bool) -> SurveyAnswer:
    """Publish a written answer (shown on the public results page) or hide it again."""
    require_moderator(actor=actor, survey=answer.question.survey)
    if answer.value is not None:
        raise ValidationError({"published": _("Only written answers are published one by one.")})
    answer.published = published
    answer.published_by = signed_in(actor) if published else None
    answer.save(update_fields=["published", "published_by"])
    return answer
