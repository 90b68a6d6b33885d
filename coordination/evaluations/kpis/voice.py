"""The community's voice: the public-satisfaction index (SKM) and survey answers on programmes.

SKM: the answers (1-4) to the nine SKM elements of SKM surveys, by the month of their response
(`period`, the first day of the response's month, portal zone), the index computed by the
regulation's formula (`coordination.community.surveys.skm.index_of`, reached through the
surveys' selectors). Scopes: an agency, its surveys; an area, the answers located in it or under
it; a partnership, the parties' surveys; the city, all. Responses: distinct responses with at
least one SKM answer. Per agency and per service (report handling, programmes, other) the same.

Survey answers on programmes: responses submitted (`submitted_at`) in the range to surveys
about a programme of the scope (the programmes' scope of `programmes.py`).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Count, Q, Sum

from agencies.models import Agency
from coordination.community.surveys.selectors import skm
from coordination.models import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse

from .base import Ctx, bucket, fold, in_ranges, label_cell, num, sum_columns
from .programmes import programme_q


def answer_q(ctx: Ctx) -> Q:
    if ctx.kind == "agency":
        return Q(survey__agency_id=ctx.scope.agency_id)
    if ctx.kind == "area":
        return Q(area__path__startswith=ctx.area_path)
    if ctx.kind == "partnership":
        return Q(survey__agency_id__in=ctx.parties)
    return Q()


def _index(sums: dict[str, tuple[int, int]]) -> Any:
    return skm.index_of(sums).ikm


def compute(ctx: Ctx) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    answers = SurveyAnswer.objects.filter(
        answer_q(ctx),
        in_ranges(ctx, "period", dates=True),
        survey__kind=Survey.Kind.SKM,
        question__kind=SurveyQuestion.Kind.SKM,
        value__isnull=False,
    ).order_by()
    ranged = answers.annotate(b=bucket(ctx, "period", dates=True))
    # (bucket, agency, service, element) -> (sum, count)
    cells = ranged.values("b", "survey__agency_id", "survey__service", "question__element").annotate(
        s=Sum("value"), n=Count("id")
    )
    overall: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    by_agency: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    by_service: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for r in cells:
        element, s, n = r["question__element"], r["s"], r["n"]
        overall[r["b"]][element][0] += s
        overall[r["b"]][element][1] += n
        if r["b"] == ctx.current:
            for target in (by_agency[r["survey__agency_id"]], by_service[r["survey__service"]]):
                target[element][0] += s
                target[element][1] += n
    responses: dict[int, int] = defaultdict(int)
    agency_responses: dict[int, int] = defaultdict(int)
    service_responses: dict[str, int] = defaultdict(int)
    for r in ranged.values("b", "survey__agency_id", "survey__service").annotate(r=Count("response_id", distinct=True)):
        responses[r["b"]] += r["r"]
        if r["b"] == ctx.current:
            agency_responses[r["survey__agency_id"]] += r["r"]
            service_responses[r["survey__service"]] += r["r"]

    def index(sums: dict[str, list[int]]) -> float | None:
        return num(_index({k: (v[0], v[1]) for k, v in sums.items()}))

    programme_answers = {
        r["b"]: r["c"]
        for r in SurveyResponse.objects.filter(programme_q(ctx, "survey__programme__"), survey__programme__isnull=False)
        .filter(in_ranges(ctx, "submitted_at"))
        .order_by()
        .annotate(b=bucket(ctx, "submitted_at"))
        .values("b")
        .annotate(c=Count("id"))
    }
    kpis = {
        "voice.skm_index": {**ctx.tri({b: index(s) for b, s in overall.items()}), "n": responses.get(ctx.current)},
        "voice.skm_responses": {**{k: v or 0 for k, v in ctx.tri(responses).items()}, "n": None},
        "voice.programme_responses": {**{k: v or 0 for k, v in ctx.tri(programme_answers).items()}, "n": None},
    }
    names = dict(Agency.objects.filter(pk__in=list(by_agency)).values_list("pk", "name")) if by_agency else {}

    def combine(rest: list[list[Any]]) -> list[Any]:
        return sum_columns(rest, (1,), 3)

    def order(rows: list[list[Any]]) -> list[list[Any]]:
        rows = fold(rows, size=lambda r: r[1], combine=combine)
        return sorted(rows, key=lambda r: (r[2] is None, -(r[2] or 0)))

    agency_rows = [[names.get(a, ""), agency_responses.get(a, 0), index(s)] for a, s in by_agency.items()]
    services = dict(Survey.Service.choices)
    service_rows = [
        [label_cell(services.get(k, k)), service_responses.get(k, 0), index(s)] for k, s in by_service.items()
    ]
    return kpis, {"skm_by_agency": {"rows": order(agency_rows)}, "skm_by_service": {"rows": order(service_rows)}}
