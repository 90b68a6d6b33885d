"""The public pages of a survey (no login, phone first, on the citizens' small layout
templates/incidents/reports/public_base.html; forms post normally, no JavaScript needed):

- /survei/<token>/ (survey-answer): the questions; a POST answers. Anonymous. Limits: per
  client address (`throttles.py`, common/throttling.py, as /lapor/ does), one answer per
  report's tracking code (`?kode=` from the tracking page) or else per device (a random token
  in a cookie), and a honeypot field ("website") that people never see: filled, the answer is
  thanked for and dropped;
- /survei/<token>/terima-kasih/ (survey-thanks);
- /survei/<token>/hasil/ (survey-public-results): the index and the published written
  answers, when the survey's agency publishes its results;
- /survei/<token>/qr.png and qr.svg (survey-qr-png, survey-qr-svg): the link as a QR code
  for posters.
A draft answers 404 everywhere.
"""

from __future__ import annotations

import io
import secrets
from typing import Any

import segno
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_http_methods

from agencies.selectors import area_list
from common.throttling import throttle_wait
from coordination.models import Survey, SurveyQuestion

from . import selectors, services
from .answers import field_name
from .forms import AnswerMetaForm
from .throttles import ANSWER_THROTTLES, READ_THROTTLES

DEVICE_COOKIE = "sinergi_survey_device"
DEVICE_COOKIE_AGE = 365 * 24 * 3600


def _language() -> str:
    return "en" if (get_language() or "id").startswith("en") else "id"


def _text(obj: Any, name: str, language: str) -> str:
    english = getattr(obj, f"{name}_en", "") if language == "en" else ""
    return str(english or getattr(obj, name))


def question_rows(survey: Survey, data: Any = None, errors: dict[str, list[str]] | None = None) -> list[dict[str, Any]]:
    """The questions as the template draws them: text and options in the reader's language,
    what was posted (kept on an error) and the field's errors."""
    language = _language()
    rows = []
    for q in survey.questions.all():
        name = field_name(q)
        posted = data.getlist(name) if data is not None else []
        options: list[tuple[str, str]] = []
        if q.kind in (SurveyQuestion.Kind.SINGLE, SurveyQuestion.Kind.MULTIPLE, SurveyQuestion.Kind.SKM):
            options = [
                (str(i), str((o.get("en") or o.get("id")) if language == "en" else o.get("id")))
                for i, o in enumerate(q.options, start=1)
            ]
        elif q.kind == SurveyQuestion.Kind.LIKERT:
            options = [(str(i), str(i)) for i in range(1, 6)]
        rows.append(
            {
                "question": q,
                "name": name,
                "text": _text(q, "text", language),
                "options": options,
                "posted": posted,
                "value": posted[0] if posted else "",
                "errors": (errors or {}).get(name, []),
            }
        )
    return rows


def _area_choices(survey: Survey) -> list[tuple[int, str]]:
    """The areas an area question offers: the survey's area and what lies under it, down to
    districts (all provinces, regencies and districts for a survey of no area)."""
    if not survey.questions.filter(kind=SurveyQuestion.Kind.AREA).exists():
        return []
    qs = area_list().filter(level__lte=3)
    if survey.area is not None:
        qs = qs.filter(path__startswith=survey.area.path)
    return list(qs.order_by("path").values_list("pk", "name")[:500])


def _context(survey: Survey, **extra: Any) -> dict[str, Any]:
    language = _language()
    return {
        "survey": survey,
        "title": _text(survey, "title", language),
        "description": _text(survey, "description", language),
        "answerable": services.survey_is_answerable(survey),
        **extra,
    }


def _throttled(request: HttpRequest, wait: int) -> HttpResponse:
    response = render(request, "incidents/reports/public_throttled.html", {"wait": wait}, status=429)
    response["Retry-After"] = str(wait)
    return response


@require_http_methods(["GET", "POST"])
def survey_answer(request: HttpRequest, token: str) -> HttpResponse:
    survey = selectors.survey_public_get(token=token)
    device = request.COOKIES.get(DEVICE_COOKIE, "")[:64] or secrets.token_urlsafe(24)
    template = "coordination/community/surveys/public_answer.html"
    if request.method == "POST":
        wait = throttle_wait(request, ANSWER_THROTTLES)
        if wait is not None:
            return _throttled(request, wait)
        meta = AnswerMetaForm(request.POST)
        meta.is_valid()
        if meta.cleaned_data.get("website"):
            # A bot filled the field people never see: thank it and keep nothing.
            return redirect("survey-thanks", token=survey.token)
        answers = {q.pk: request.POST.getlist(field_name(q)) for q in survey.questions.all()}
        try:
            services.survey_answer_submit(
                survey=survey,
                answers=answers,
                tracking_code=meta.cleaned_data.get("kode") or "",
                device_token=device,
            )
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
            context = _context(
                survey,
                questions=question_rows(survey, request.POST, errors),
                general_errors=errors.get("__all__", []) + errors.get("tracking_code", []),
                kode=meta.cleaned_data.get("kode") or "",
                areas=_area_choices(survey),
                has_errors=True,
            )
            response = render(request, template, context, status=400)
        else:
            response = redirect("survey-thanks", token=survey.token)
    else:
        wait = throttle_wait(request, READ_THROTTLES)
        if wait is not None:
            return _throttled(request, wait)
        kode = request.GET.get("kode", "")[:16]
        context = _context(survey, questions=question_rows(survey), kode=kode, areas=_area_choices(survey))
        response = render(request, template, context)
    if DEVICE_COOKIE not in request.COOKIES:
        response.set_cookie(
            DEVICE_COOKIE, device, max_age=DEVICE_COOKIE_AGE, httponly=True, samesite="Lax", secure=request.is_secure()
        )
    return response


@require_GET
def survey_thanks(request: HttpRequest, token: str) -> HttpResponse:
    survey = selectors.survey_public_get(token=token)
    return render(request, "coordination/community/surveys/public_thanks.html", _context(survey))


@require_GET
def survey_public_results(request: HttpRequest, token: str) -> HttpResponse:
    wait = throttle_wait(request, READ_THROTTLES)
    if wait is not None:
        return _throttled(request, wait)
    survey = selectors.survey_public_get(token=token)
    if not survey.results_public:
        raise Http404
    results = selectors.survey_results(survey=survey, language=_language())
    comments = list(selectors.survey_text_answers(survey=survey, published_only=True)[:30])
    return render(
        request,
        "coordination/community/surveys/public_results.html",
        _context(survey, results=results, comments=comments),
    )


def public_url(request: HttpRequest, survey: Survey) -> str:
    return request.build_absolute_uri(reverse("survey-answer", kwargs={"token": survey.token}))


@require_GET
def survey_qr(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    """The public link as a QR code (error correction M, large enough to print on A4)."""
    survey = selectors.survey_public_get(token=token)
    qr = segno.make(public_url(request, survey), error="m")
    buffer = io.BytesIO()
    if fmt == "svg":  # a whole document (XML declaration, xmlns): an <img> and a printer take it
        qr.save(buffer, kind="svg", scale=10, border=4, dark="#000", light="#fff")
        response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    else:
        qr.save(buffer, kind="png", scale=12, border=4)
        response = HttpResponse(buffer.getvalue(), content_type="image/png")
    response["Content-Disposition"] = f'inline; filename="survei-{survey.pk}.{fmt}"'
    response["Cache-Control"] = "public, max-age=3600"
    return response
