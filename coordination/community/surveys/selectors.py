"""Reads of satisfaction surveys, scoped to the user, and their results.

Who reads a survey (docs/security.md, "Surveys"): the members of its agency; staff read
everything. What a user may not read is absent from lists and answers 404 (`survey_get`); what
they read but may not change answers 403 (`survey_get_for_change`). The public reads an open or
closed survey by its token only (`survey_public_get`), never a draft.

Results are aggregates over `SurveyAnswer` (one row per answer value, indexed by survey,
question and value; the month and area copied onto each row): `survey_results` is a constant
number of queries whatever the number of answers (tests/coordination/community/surveys/
test_results.py; bench/surveys.py times it at 100k responses on PostgreSQL).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Avg, Count, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency, Area
from agencies.roles import agencies_with
from agencies.selectors import user_is_staff
from common.selectors import get_or_404
from common.types import User
from coordination.community.portal.selectors import Section
from coordination.models import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse
from incidents.models import CitizenReport
from incidents.reports.selectors import citizen_report_is_closed

from . import skm
from .services import require_manager, require_moderator, respondent_key

K = SurveyQuestion.Kind
SCALE_KINDS = (K.SKM, K.LIKERT)
CHOICE_KINDS = (K.SKM, K.LIKERT, K.SINGLE, K.MULTIPLE, K.YES_NO, K.AREA)
TEXT_KINDS = (K.SHORT_TEXT, K.LONG_TEXT)


def survey_visibility_q(*, user: User) -> Q | None:
    """The Q a survey must match for `user` to read it; None means everything (staff)."""
    if user_is_staff(user):
        return None
    if not user or not user.is_authenticated:
        return Q(pk__in=[])
    return Q(agency_id__in=agencies_with(user=user, capability="survey.read"))


def survey_list(*, user: User, filters: dict[str, Any] | None = None) -> QuerySet[Survey]:
    """The surveys the user may read; `filters`: status, kind, service, agency."""
    qs = Survey.objects.select_related("agency", "area")
    q = survey_visibility_q(user=user)
    if q is not None:
        qs = qs.filter(q)
    for name in ("status", "kind", "service", "agency"):
        value = (filters or {}).get(name)
        if value:
            qs = qs.filter(**{name: value})
    return qs


def survey_get(*, user: User, pk: int | str) -> Survey:
    """One survey the user may read, or 404."""
    return get_or_404(survey_list(user=user), pk=pk)


def survey_get_for_change(*, user: User, pk: int | str) -> Survey:
    """One survey the user may read (else 404) and manage (else PermissionDenied)."""
    survey = survey_get(user=user, pk=pk)
    require_manager(actor=user, survey=survey)
    return survey


def survey_question_get_for_change(*, user: User, survey: Survey, pk: int | str) -> SurveyQuestion:
    require_manager(actor=user, survey=survey)
    question: SurveyQuestion = get_or_404(SurveyQuestion.objects.filter(survey=survey), pk=pk)
    question.survey = survey
    return question


def survey_answer_get_for_moderation(*, user: User, survey: Survey, pk: int | str) -> SurveyAnswer:
    require_moderator(actor=user, survey=survey)
    answer: SurveyAnswer = get_or_404(
        SurveyAnswer.objects.filter(survey=survey, value__isnull=True).select_related("question"), pk=pk
    )
    answer.question.survey = survey
    return answer


def survey_public_get(*, token: str) -> Survey:
    """A survey as the public reads it through its link: open or closed, never a draft."""
    return get_or_404(
        Survey.objects.select_related("agency", "area").exclude(status=Survey.Status.DRAFT), token=token[:32]
    )


def _answerable_q(today: date) -> Q:
    return (
        Q(status=Survey.Status.OPEN)
        & (Q(opens_on__isnull=True) | Q(opens_on__lte=today))
        & (Q(closes_on__isnull=True) | Q(closes_on__gte=today))
    )


def open_public_surveys(limit: int = 5) -> list[Survey]:
    """The surveys anyone may answer now that their agency lists on the public portal, newest
    first (its home page), except those about a report's handling, which reporters reach from
    their tracking page. An unlisted survey is reached by its link or QR code only."""
    today = timezone.localdate()
    return list(
        Survey.objects.filter(_answerable_q(today), listed=True)
        .exclude(service=Survey.Service.REPORT_HANDLING)
        .select_related("agency", "area")
        .order_by("-created_at", "-id")[:limit]
    )


# The visitor's home shows at most this many surveys (its section, registered in coordination/apps.py).
HOME_SURVEY_LIMIT = 3


def public_section(request: HttpRequest) -> Section | None:
    """The visitor's home: the surveys anyone may answer now, or nothing when none is open."""
    rows = open_public_surveys(limit=HOME_SURVEY_LIMIT)
    if not rows:
        return None
    return Section("surveys", "coordination/community/surveys/partials/public_section.html", {"surveys": rows})


def survey_text_answers(*, survey: Survey, published_only: bool = False) -> QuerySet[SurveyAnswer]:
    """The written answers, newest first (moderators see all; the public the published ones)."""
    qs = SurveyAnswer.objects.filter(survey=survey, value__isnull=True).exclude(text="").select_related("question")
    if published_only:
        qs = qs.filter(published=True)
    return qs.order_by("-id")


# --- Results -------------------------------------------------------------------------------


@dataclass
class Bar:
    value: int
    label: str
    count: int
    percent: float


@dataclass
class QuestionResult:
    question: SurveyQuestion
    answered: int = 0
    bars: list[Bar] = field(default_factory=list)
    mean: float | None = None
    low: int | None = None
    high: int | None = None
    texts: int = 0


@dataclass
class Results:
    survey: Survey
    respondents: int
    questions: list[QuestionResult]
    index: skm.Index | None
    # (first day of the month, responses, IKM or None)
    trend: list[tuple[date, int, Any]]
    # (area name or "", answers, IKM or mean score)
    by_area: list[tuple[str, int, Any]]


def _label(question: SurveyQuestion, value: int, language: str, areas: dict[int, str]) -> str:
    if question.kind in (K.SINGLE, K.MULTIPLE, K.SKM) and 1 <= value <= len(question.options):
        option = question.options[value - 1]
        return str(option.get("en") or option.get("id")) if language == "en" else str(option.get("id"))
    if question.kind == K.YES_NO:
        return ("Yes" if value else "No") if language == "en" else ("Ya" if value else "Tidak")
    if question.kind == K.AREA:
        return areas.get(value, str(value))
    return str(value)


def _score(sums: dict[str, tuple[int, int]], scale: tuple[int, int], is_skm: bool) -> Any:
    """The IKM of an SKM survey's answers, else the mean of the scale questions' answers."""
    if is_skm:
        return skm.index_of(sums).ikm
    return round(scale[0] / scale[1], 2) if scale[1] else None


def survey_results(*, survey: Survey, language: str = "id") -> Results:
    """Counts and distributions per question, the SKM index per element and overall, the
    trend per month and the figures per area.

    One scan of the answers does the heavy part: the closed answers grouped by (question, value,
    month, area), a few thousand rows at most whatever the number of responses, from which the
    distributions, the index, the months and the areas are summed here. Beside it: the responses
    per month, the written answers per question, and (only when the survey has them) the
    numbers' statistics and the respondents of multiple-choice questions, and the areas' names: seven
    queries at most."""
    questions = list(survey.questions.all())
    by_id = {q.pk: q for q in questions}
    answers = SurveyAnswer.objects.filter(survey=survey)
    choice_ids = [q.pk for q in questions if q.kind in CHOICE_KINDS]
    number_ids = [q.pk for q in questions if q.kind == K.NUMBER]
    text_ids = [q.pk for q in questions if q.kind in TEXT_KINDS]
    multiple = [q.pk for q in questions if q.kind == K.MULTIPLE]
    is_skm = survey.kind == Survey.Kind.SKM
    results = {q.pk: QuestionResult(q) for q in questions}
    # 1. The one scan: (question, value, month, area) -> answers.
    counts: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    element_sums: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_period: dict[Any, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    by_area_sums: dict[Any, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    if choice_ids:
        grouped = (
            answers.filter(question_id__in=choice_ids, value__isnull=False)
            .values_list("question_id", "value", "period", "area_id")
            .annotate(n=Count("id"))
            .order_by()
        )
        for qid, value, period, area_id, n in grouped:
            q = by_id[qid]
            counts[qid][value] += n
            if q.kind in SCALE_KINDS:
                key = q.element if q.kind == K.SKM else "scale"
                for target in (element_sums[key], by_period[period][key], by_area_sums[area_id][key]):
                    target[0] += value * n
                    target[1] += n
    for qid, per_value in counts.items():
        results[qid].answered = sum(per_value.values())
    # 2. Respondents of multiple-choice questions (several rows each).
    if multiple:
        for row in (
            answers.filter(question_id__in=multiple)
            .values("question_id")
            .annotate(n=Count("response_id", distinct=True))
        ):
            results[row["question_id"]].answered = row["n"]
    # 3. Written answers per question (the partial index of value IS NULL).
    if text_ids:
        for row in (
            answers.filter(question_id__in=text_ids, value__isnull=True)
            .exclude(text="")
            .values("question_id")
            .annotate(n=Count("id"))
        ):
            results[row["question_id"]].answered = results[row["question_id"]].texts = row["n"]
    # 4. Numbers: mean, lowest, highest.
    if number_ids:
        for row in (
            answers.filter(question_id__in=number_ids)
            .values("question_id")
            .annotate(n=Count("id"), m=Avg("value"), lo=Min("value"), hi=Max("value"))
        ):
            r = results[row["question_id"]]
            r.answered, r.low, r.high = row["n"], row["lo"], row["hi"]
            r.mean = round(float(row["m"]), 2) if row["m"] is not None else None
    area_ids = {v for q in questions if q.kind == K.AREA for v in counts[q.pk]}
    area_ids |= {a for a in by_area_sums if a}
    areas = dict(Area.objects.filter(pk__in=area_ids).values_list("pk", "name")) if area_ids else {}
    for q in questions:
        if q.kind not in CHOICE_KINDS:
            continue
        r = results[q.pk]
        if q.kind == K.SKM:
            values = list(range(1, 5))
        elif q.kind == K.LIKERT:
            values = list(range(1, 6))
        elif q.kind in (K.SINGLE, K.MULTIPLE):
            values = list(range(1, len(q.options) + 1))
        elif q.kind == K.YES_NO:
            values = [1, 0]
        else:
            values = sorted(counts[q.pk], key=lambda v: -counts[q.pk][v])
        base = r.answered or 1
        got = counts[q.pk]
        r.bars = [
            Bar(v, _label(q, v, language, areas), got.get(v, 0), round(100 * got.get(v, 0) / base, 1)) for v in values
        ]
        if q.kind in SCALE_KINDS and r.answered:
            r.mean = round(sum(v * n for v, n in got.items()) / r.answered, 2)
    index = None
    if is_skm:
        index_sums = {code: (t[0], t[1]) for code, t in element_sums.items()}
    # 5. Responses per month (and so the respondents).
    trend_rows = list(
        SurveyResponse.objects.filter(survey=survey)
        .annotate(month=TruncMonth("submitted_at"))
        .values_list("month")
        .annotate(n=Count("id"))
        .order_by("month")
    )
    respondents = sum(n for _m, n in trend_rows)
    if is_skm:
        index = skm.index_of(index_sums, respondents=respondents)

    def score(groups: dict[str, list[int]]) -> Any:
        sums = {k: (t[0], t[1]) for k, t in groups.items() if k != "scale"}
        return _score(sums, tuple(groups.get("scale", [0, 0])), is_skm)  # type: ignore[arg-type]

    trend = []
    for month, n in trend_rows:
        day = month.date() if hasattr(month, "date") else month
        trend.append((day, n, score(by_period[day]) if day in by_period else None))
    by_area = sorted(
        (
            (areas.get(a, "") if a else "", sum(t[1] for t in groups.values()), score(groups))
            for a, groups in by_area_sums.items()
        ),
        key=lambda t: (-t[1], t[0]),
    )
    return Results(survey, respondents, [results[q.pk] for q in questions], index, trend, by_area)


# --- The index across surveys ---------------------------------------------------------------

GROUPS = {
    "agency": "survey__agency_id",
    "service": "survey__service",
    "area": "area_id",
    "period": "period",
}


def skm_index_by(*, user: User, by: str, filters: dict[str, Any] | None = None) -> list[tuple[Any, str, skm.Index]]:
    """The SKM index of the SKM surveys the user reads, grouped by agency, service, area or
    month: [(key, label, Index)], best first (months in order). Two queries."""
    group = GROUPS[by]
    surveys = survey_list(user=user, filters={**(filters or {}), "kind": Survey.Kind.SKM})
    rows = (
        SurveyAnswer.objects.filter(survey__in=surveys.values("pk"), question__kind=K.SKM, value__isnull=False)
        .values(group, "question__element")
        .annotate(s=Sum("value"), n=Count("id"))
    )
    sums: dict[Any, dict[str, tuple[int, int]]] = defaultdict(dict)
    for row in rows:
        sums[row[group]][row["question__element"]] = (row["s"], row["n"])
    labels: dict[Any, str] = {}
    if by == "agency":
        labels = dict(Agency.objects.filter(pk__in=list(sums)).values_list("pk", "name"))
    elif by == "area":
        labels = dict(Area.objects.filter(pk__in=[k for k in sums if k]).values_list("pk", "name"))
    elif by == "service":
        labels = {k: str(v) for k, v in Survey.Service.choices}
    out = []
    for key, element_sums in sums.items():
        index = skm.index_of(element_sums, respondents=max((n for _s, n in element_sums.values()), default=0))
        label = key.strftime("%Y-%m") if by == "period" else labels.get(key, "")
        out.append((key, label, index))
    if by == "period":
        return sorted(out, key=lambda t: t[0])
    return sorted(out, key=lambda t: (-(t[2].ikm or 0), t[1]))


# --- The reporter's tracking page -----------------------------------------------------------


def report_survey_block(report: CitizenReport) -> dict[str, Any] | None:
    """ "How was your report handled?" on the tracking page of a closed report (a hook of
    `incidents.reports.selectors.TRACKING_HOOKS`, registered by `coordination.apps`): the open
    report-handling survey whose area holds the report's (the narrowest), with whether this
    code already answered. Two queries; none while the report is open."""
    if not citizen_report_is_closed(report):
        return None
    candidates = list(
        Survey.objects.filter(_answerable_q(timezone.localdate()), service=Survey.Service.REPORT_HANDLING)
        .select_related("area")
        .order_by("-created_at")[:50]
    )
    path = report.area.path if report.area_id and report.area else None
    fitting = [s for s in candidates if s.area is None or (path is not None and path.startswith(s.area.path))]
    if not fitting:
        return None
    survey = max(fitting, key=lambda s: len(s.area.path) if s.area else 0)
    answered = SurveyResponse.objects.filter(
        survey=survey, respondent_key=respondent_key("code", report.tracking_code)
    ).exists()
    url = reverse("survey-answer", kwargs={"token": survey.token}) + f"?kode={report.tracking_code}"
    return {
        "template": "coordination/community/surveys/partials/report_survey_link.html",
        "survey": survey,
        "url": url,
        "answered": answered,
    }
