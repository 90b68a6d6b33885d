"""Dashboard pages of satisfaction surveys (signed in).

Access, as `selectors` and `services` decide it: a survey the user may not read (not a member
of its agency) answers 404 on its pages and on every action posted to it; a reader who may not
act gets a 403 page and nothing changes. The pages offer only what the `can_*` predicates
allow. The public pages are in `public.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.pagination import paginate
from common.views import forbidden_page, forbidden_response
from coordination.models import Survey

from . import exports, forms, selectors, services
from .public import _language, public_url

PAGE_SIZE = 25
INDEX_GROUPS = {
    "agency": gettext_lazy("By agency"),
    "service": gettext_lazy("By service"),
    "area": gettext_lazy("By area"),
    "period": gettext_lazy("By month"),
}


@login_required
@require_GET
def survey_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    filters = {"status": status} if status in Survey.Status.values else {}
    qs = selectors.survey_list(user=request.user, filters=filters).order_by("-created_at", "-id")
    return render(
        request,
        "coordination/community/surveys/survey_list.html",
        {
            "page": paginate(request, qs, PAGE_SIZE),
            "statuses": Survey.Status.choices,
            "current_status": status,
            "can_create": services.can_manage_any(user=request.user),
        },
    )


@login_required
@require_GET
def survey_index(request: HttpRequest) -> HttpResponse:
    """The satisfaction index (SKM) across the surveys the user reads, by agency, service,
    area or month, with its chart."""
    by = request.GET.get("by", "agency")
    if by not in INDEX_GROUPS:
        by = "agency"
    rows = selectors.skm_index_by(user=request.user, by=by)
    chart = {
        "labels": [label or _("No area") for _key, label, _i in rows],
        "values": [float(i.ikm) if i.ikm is not None else None for _k, _l, i in rows],
        "kind": "line" if by == "period" else "bar",
    }
    return render(
        request,
        "coordination/community/surveys/survey_index.html",
        {
            "rows": rows,
            "by": by,
            "groups": INDEX_GROUPS,
            "group_label": INDEX_GROUPS[by],
            "chart_data": {"index": chart},
        },
    )


def _save(form: Any, save: Callable[..., Any]) -> Any:
    if not form.is_valid():
        return None
    try:
        return save(**form.cleaned_data)
    except ValidationError as exc:
        form.add_service_errors(exc)
        return None


@login_required
@require_http_methods(["GET", "POST"])
@forbidden_page
def survey_create(request: HttpRequest) -> HttpResponse:
    if not services.can_manage_any(user=request.user):
        return forbidden_response(request)
    form = forms.SurveyForm(request.POST or None, user=request.user)
    if request.method == "POST":
        survey = _save(form, lambda **data: services.survey_create(actor=request.user, **data))
        if survey is not None:
            messages.success(request, _("The survey is saved as a draft."))
            return redirect("survey-detail", pk=survey.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "coordination/community/surveys/survey_form.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@forbidden_page
def survey_edit(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_get_for_change(user=request.user, pk=pk)
    form = forms.SurveyForm(request.POST or None, user=request.user, survey=survey)
    if request.method == "POST":
        saved = _save(form, lambda **data: services.survey_update(actor=request.user, survey=survey, **data))
        if saved is not None:
            messages.success(request, _("The survey is saved."))
            return redirect("survey-detail", pk=survey.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "coordination/community/surveys/survey_form.html", {"form": form, "survey": survey}, status=status
    )


def _detail(request: HttpRequest, survey: Survey, *, question_form: Any = None, status: int = 200) -> HttpResponse:
    results = selectors.survey_results(survey=survey, language=_language())
    charts = {
        f"q{r.question.pk}": {"labels": [b.label for b in r.bars], "values": [b.count for b in r.bars]}
        for r in results.questions
        if r.bars
    }
    charts["trend"] = {
        "labels": [m.strftime("%Y-%m") for m, _n, _s in results.trend],
        "values": [n for _m, n, _s in results.trend],
        "scores": [float(s) if s is not None else None for _m, _n, s in results.trend],
    }
    if results.index is not None:
        charts["elements"] = {
            "labels": [e.code for e in results.index.elements],
            "values": [float(e.ikm) if e.ikm is not None else None for e in results.index.elements],
        }
    can_manage = services.can_manage(actor=request.user, survey=survey)
    context = {
        "survey": survey,
        "results": results,
        "charts": charts,
        "can_manage": can_manage,
        "can_moderate": services.can_moderate(actor=request.user, survey=survey),
        "editable": can_manage and survey.status == Survey.Status.DRAFT and survey.kind == Survey.Kind.CUSTOM,
        "question_form": question_form or forms.QuestionForm(),
        "public_url": public_url(request, survey),
    }
    return render(request, "coordination/community/surveys/survey_detail.html", context, status=status)


@login_required
@require_GET
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.survey_get(user=request.user, pk=pk))


@login_required
@require_POST
@forbidden_page
def survey_question_add(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_get_for_change(user=request.user, pk=pk)
    form = forms.QuestionForm(request.POST)
    saved = _save(form, lambda **data: services.survey_question_add(actor=request.user, survey=survey, **data))
    if saved is None:
        return _detail(request, survey, question_form=form, status=400)
    messages.success(request, _("The question is added."))
    return redirect("survey-detail", pk=survey.pk)


@login_required
@require_POST
@forbidden_page
def survey_question_delete(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    survey = selectors.survey_get(user=request.user, pk=pk)
    question = selectors.survey_question_get_for_change(user=request.user, survey=survey, pk=question_pk)
    return _act(
        request,
        survey,
        lambda: services.survey_question_delete(actor=request.user, question=question),
        _("The question is removed."),
    )


@login_required
@require_POST
@forbidden_page
def survey_question_move(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    survey = selectors.survey_get(user=request.user, pk=pk)
    question = selectors.survey_question_get_for_change(user=request.user, survey=survey, pk=question_pk)
    up = request.POST.get("direction") != "down"
    return _act(
        request, survey, lambda: services.survey_question_move(actor=request.user, question=question, up=up), ""
    )


def _act(request: HttpRequest, survey: Survey, action: Callable[[], Any], done: str) -> HttpResponse:
    try:
        action()
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        if done:
            messages.success(request, done)
    return redirect("survey-detail", pk=survey.pk)


@login_required
@require_POST
@forbidden_page
def survey_open(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_get_for_change(user=request.user, pk=pk)
    return _act(
        request,
        survey,
        lambda: services.survey_open(actor=request.user, survey=survey),
        _("The survey is open: share its link or print its poster."),
    )


@login_required
@require_POST
@forbidden_page
def survey_close(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_get_for_change(user=request.user, pk=pk)
    return _act(
        request, survey, lambda: services.survey_close(actor=request.user, survey=survey), _("The survey is closed.")
    )


@login_required
@require_GET
@forbidden_page
def survey_answers(request: HttpRequest, pk: int) -> HttpResponse:
    """The written answers, for the agency's members; moderators publish or hide them."""
    survey = selectors.survey_get(user=request.user, pk=pk)
    qs = selectors.survey_text_answers(survey=survey)
    return render(
        request,
        "coordination/community/surveys/survey_answers.html",
        {
            "survey": survey,
            "page": paginate(request, qs, PAGE_SIZE),
            "can_moderate": services.can_moderate(actor=request.user, survey=survey),
        },
    )


@login_required
@require_POST
@forbidden_page
def survey_answer_publish(request: HttpRequest, pk: int, answer_pk: int) -> HttpResponse:
    survey = selectors.survey_get(user=request.user, pk=pk)
    answer = selectors.survey_answer_get_for_moderation(user=request.user, survey=survey, pk=answer_pk)
    published = request.POST.get("published") == "1"
    services.survey_answer_publish(actor=request.user, answer=answer, published=published)
    messages.success(request, _("The answer is published.") if published else _("The answer is hidden."))
    return redirect("survey-answers", pk=survey.pk)


@login_required
@require_GET
def survey_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    survey = selectors.survey_get(user=request.user, pk=pk)
    results = selectors.survey_results(survey=survey, language=_language())
    return exports.results_response(results, fmt)


@login_required
@require_GET
def survey_poster(request: HttpRequest, pk: int) -> HttpResponse:
    """A printable A4 poster: the title, the QR code and the link."""
    survey = selectors.survey_get(user=request.user, pk=pk)
    return render(
        request,
        "coordination/community/surveys/survey_poster.html",
        {"survey": survey, "public_url": public_url(request, survey)},
    )
