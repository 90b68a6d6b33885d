"""Pages of citizen reports: the public /lapor/ pages and the moderators' queue.

Public pages (no login, mobile-first, templates/incidents/reports/public_*.html on their own small
layout without the dashboard's navigation):
- /lapor/ (report-create): the form; it posts the same field names as the public API and is
  held to the same rate limits, sharing their budget (common/throttling.py): a throttled
  citizen gets the form back, what they typed kept, with a 429, Retry-After and a notice;
- /lapor/terkirim/<code>/ (report-submitted): the tracking code, large, after a report;
- /lapor/lacak/ (report-track) and /lapor/lacak/<code>/ (report-track-detail): follow a report
  by its code: status, public updates and the moderators' questions. Look-ups have their own,
  looser rate limit;
- /lapor/lacak/<code>/jawab/ (report-answer): the reporter answers a question (POST), on the
  report submissions' budget, with a honeypot field.

Moderation pages (signed in; templates/incidents/reports/report_*.html on the dashboard layout):
- /reports/ (report-queue): the reports of the areas under the user's agencies' jurisdiction,
  filtered by status (new by default) and category with htmx;
- /reports/<pk>/ (report-detail): description, map, photos, the reporter's contact, and the
  actions; what is outside the user's queue answers 404;
- /reports/<pk>/{verify,reject,duplicate,spam}/: the actions (POST), through the services;
- /reports/<pk>/ask/ (report-ask): ask the reporter a question (POST);
- /reports/photos/<token>/ (report-photo): a photo, only to users who may see its report
  (404 to everybody else, anonymous included), never from a public URL.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from agencies.selectors import public_map_areas, user_is_member
from common.htmx import wants_partial as _wants_partial
from common.pagination import paginate
from common.throttling import throttle_wait
from incidents.models import CitizenReport

from . import selectors, services
from .filters import CitizenReportFilter
from .forms import (
    AnswerForm,
    AskForm,
    CitizenReportForm,
    DuplicateForm,
    RejectForm,
    SpamForm,
    TrackForm,
    VerifyForm,
    add_service_errors,
)
from .throttles import SUBMIT_THROTTLES, TRACK_THROTTLES

QUEUE_PAGE_SIZE = 25


def _map_options() -> dict[str, Any]:
    """Leaflet settings for the templates. Without a tile URL the maps draw the offline base
    layer (coasts, borders) and the areas' centres: nothing is fetched from a third party."""
    return {
        "tileUrl": getattr(settings, "SINERGI_MAP_TILE_URL", ""),
        "attribution": getattr(settings, "SINERGI_MAP_TILE_ATTRIBUTION", ""),
        # (latitude, longitude, zoom) where the report form's map opens; None: all of Indonesia.
        "center": getattr(settings, "SINERGI_MAP_CENTER", None),
        # Regencies and districts with their centres: landmarks when there are no tiles.
        "areas": public_map_areas(),
    }


def _throttled(request: HttpRequest, wait: int) -> HttpResponse:
    response = render(request, "incidents/reports/public_throttled.html", {"wait": wait}, status=429)
    response["Retry-After"] = str(wait)
    return response


# --- Public pages --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def report_create(request: HttpRequest) -> HttpResponse:
    status = 200
    context: dict[str, Any] = {"map_options": _map_options(), "max_photos": services.MAX_PHOTOS}
    if request.method == "POST":
        wait = throttle_wait(request, SUBMIT_THROTTLES)
        if wait is not None:
            # The same form, what was typed kept, with a notice: nothing was sent yet.
            context.update(form=CitizenReportForm(request.POST), throttled_wait=wait)
            response = render(request, "incidents/reports/public_report_form.html", context, status=429)
            response["Retry-After"] = str(wait)
            return response
        form = CitizenReportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                report = services.citizen_report_submit(**form.submit_kwargs())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return redirect("report-submitted", tracking_code=report.tracking_code)
        status = 400
    else:
        form = CitizenReportForm()
    context["form"] = form
    return render(request, "incidents/reports/public_report_form.html", context, status=status)


@require_GET
def report_submitted(request: HttpRequest, tracking_code: str) -> HttpResponse:
    wait = throttle_wait(request, TRACK_THROTTLES)
    if wait is not None:
        return _throttled(request, wait)
    report = selectors.citizen_report_public_get(tracking_code=tracking_code)
    return render(request, "incidents/reports/public_report_submitted.html", {"report": report})


@require_GET
def report_track(request: HttpRequest) -> HttpResponse:
    if "code" not in request.GET:
        return render(request, "incidents/reports/public_report_track.html", {"form": TrackForm()})
    form = TrackForm(request.GET)
    if form.is_valid():
        wait = throttle_wait(request, TRACK_THROTTLES)
        if wait is not None:
            return _throttled(request, wait)
        code = form.cleaned_data["code"]
        try:
            selectors.citizen_report_public_get(tracking_code=code)
        except Http404:
            form.add_error("code", _("No report has this tracking code. Check it and try again."))
            return render(request, "incidents/reports/public_report_track.html", {"form": form}, status=404)
        return redirect("report-track-detail", tracking_code=code)
    return render(request, "incidents/reports/public_report_track.html", {"form": form}, status=400)


def _status_page(
    request: HttpRequest, report: CitizenReport, *, answer_form: AnswerForm | None = None, status: int = 200
) -> HttpResponse:
    """The reporter's page: status, public updates, the thread, a form per waiting question
    (the one just refused keeps what was typed and its errors)."""
    forms = []
    shown = False
    for question in selectors.report_open_questions(report=report):
        form = AnswerForm(initial={"question": question.pk}, prefix=f"q{question.pk}")
        if answer_form is not None and str(answer_form["question"].value()) == str(question.pk):
            form, shown = answer_form, True
        forms.append((question, form))
    # A refused answer to no waiting question (answered meanwhile, another report's): on top.
    answer_errors = [m for errors in answer_form.errors.values() for m in errors] if answer_form and not shown else []
    context = {
        "report": report,
        "updates": report.public_updates,
        "zone": _display_zone(report),
        "thread": selectors.report_thread(report=report),
        "answer_forms": forms,
        "answer_errors": answer_errors,
        "blocks": selectors.tracking_page_blocks(report),
    }
    return render(request, "incidents/reports/public_report_status.html", context, status=status)


@require_GET
def report_track_detail(request: HttpRequest, tracking_code: str) -> HttpResponse:
    wait = throttle_wait(request, TRACK_THROTTLES)
    if wait is not None:
        return _throttled(request, wait)
    try:
        report = selectors.citizen_report_public_get(tracking_code=tracking_code)
    except Http404:
        form = TrackForm({"code": tracking_code[:16]})
        form.is_valid()
        form.add_error(None, _("No report has this tracking code. Check it and try again."))
        return render(request, "incidents/reports/public_report_track.html", {"form": form}, status=404)
    return _status_page(request, report)


@require_POST
def report_answer(request: HttpRequest, tracking_code: str) -> HttpResponse:
    """The reporter answers a question, by the tracking code (no login). Counted in the report
    submissions' budget; a filled honeypot is taken for a bot: nothing is saved, and it is told
    nothing else."""
    wait = throttle_wait(request, SUBMIT_THROTTLES)
    if wait is not None:
        return _throttled(request, wait)
    report = selectors.citizen_report_public_get(tracking_code=tracking_code)  # 404: a wrong code
    prefix = next((key[: -len("-question")] for key in request.POST if key.endswith("-question")), None)
    form = AnswerForm(request.POST, prefix=prefix)
    if form.is_bot():
        return redirect("report-track-detail", tracking_code=report.tracking_code)
    if form.is_valid():
        try:
            services.report_question_answer(
                report=report, question_id=form.cleaned_data["question"], text=form.cleaned_data["text"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            url = reverse("report-track-detail", args=[report.tracking_code])
            return redirect(f"{url}?dijawab=1#questions")
    report = selectors.citizen_report_public_get(tracking_code=tracking_code)
    return _status_page(request, report, answer_form=form, status=400)


def _display_zone(report: CitizenReport) -> str:
    """Times show in the zone of the report's area (WIB, WITA, WIT), else the portal's."""
    return (report.area.timezone if report.area_id and report.area else "") or settings.TIME_ZONE


# --- Moderation pages ----------------------------------------------------------------------


@login_required
@require_GET
@vary_on_headers("HX-Request")
def report_queue(request: HttpRequest) -> HttpResponse:
    data = request.GET.copy()
    if "status" not in data:
        data["status"] = CitizenReport.Status.NEW  # the queue: what still needs a decision
    queue = CitizenReportFilter(data, queryset=selectors.citizen_report_list(user=request.user))
    queue.form.fields["category"].widget.attrs["class"] = "form-select"
    queue.form.fields["category"].empty_label = _("All categories")
    reports = queue.qs.order_by("-created_at", "-id")
    page = paginate(request, reports, QUEUE_PAGE_SIZE)
    context = {
        "filter": queue,
        "page": page,
        "current_status": data.get("status", ""),
        "statuses": CitizenReport.Status.choices,
        "is_member": user_is_member(user=request.user),
        "default_zone": settings.TIME_ZONE,
    }
    if _wants_partial(request):
        return render(request, "incidents/reports/partials/report_queue_results.html", context)
    return render(request, "incidents/reports/report_queue.html", context)


def _detail_response(
    request: HttpRequest, report: CitizenReport, *, forms: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    report = selectors.citizen_report_get(user=request.user, pk=report.pk)
    title = report.description.strip().splitlines()[0][:120] if report.description.strip() else ""
    context = {
        "report": report,
        "photos": list(report.photos.all()),
        "updates": report.public_updates,
        "can_see_contact": selectors.citizen_report_can_see_contact(user=request.user, report=report),
        "can_moderate": services.can_moderate_reports(user=request.user) and report.status == CitizenReport.Status.NEW,
        "verify_form": VerifyForm(initial={"title": title}),
        "reject_form": RejectForm(),
        "duplicate_form": DuplicateForm(user=request.user),
        "spam_form": SpamForm(),
        "ask_form": AskForm(),
        "can_ask": services.can_ask_reporter(user=request.user, report=report),
        "thread": selectors.report_thread(report=report),
        "open_action": "",
        "map_options": _map_options(),
        "zone": _display_zone(report),
    }
    if forms:
        context.update(forms)
    return render(request, "incidents/reports/report_detail.html", context, status=status)


@login_required
@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.citizen_report_get(user=request.user, pk=pk)
    return _detail_response(request, report)


def _verify(request: HttpRequest, report: CitizenReport, data: dict[str, Any]) -> str:
    incident = services.citizen_report_verify(actor=request.user, report=report, **data)
    return _("Verified: incident %(reference)s was created.") % {"reference": incident.reference}


def _reject(request: HttpRequest, report: CitizenReport, data: dict[str, Any]) -> str:
    services.citizen_report_reject(actor=request.user, report=report, reason=data["reason"])
    return _("The report was rejected.")


def _duplicate(request: HttpRequest, report: CitizenReport, data: dict[str, Any]) -> str:
    services.citizen_report_mark_duplicate(actor=request.user, report=report, incident=data["incident"])
    return _("Marked as a duplicate of %(reference)s.") % {"reference": data["incident"].reference}


def _spam(request: HttpRequest, report: CitizenReport, data: dict[str, Any]) -> str:
    services.citizen_report_mark_spam(actor=request.user, report=report)
    return _("Marked as spam.")


ACTIONS: dict[str, tuple[Callable[..., Any], Callable[..., str]]] = {
    "verify": (VerifyForm, _verify),
    "reject": (RejectForm, _reject),
    "duplicate": (DuplicateForm, _duplicate),
    "spam": (SpamForm, _spam),
}


@login_required
@require_POST
def report_moderate(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    # 404 outside the queue, 403 for a role that may not moderate it
    report = selectors.citizen_report_get_for_change(user=request.user, pk=pk)
    form_class, perform = ACTIONS[action]
    form = form_class(request.POST, user=request.user) if form_class is DuplicateForm else form_class(request.POST)
    if form.is_valid():
        try:
            message = perform(request, report, form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, message)
            return redirect("report-detail", pk=report.pk)
    return _detail_response(request, report, forms={f"{action}_form": form, "open_action": action}, status=400)


@login_required
@require_POST
def report_ask(request: HttpRequest, pk: int) -> HttpResponse:
    """A moderator asks the reporter a question (404 outside the queue, 403 for a role that may
    not moderate it)."""
    report = selectors.citizen_report_get_for_change(user=request.user, pk=pk)
    form = AskForm(request.POST)
    if form.is_valid():
        try:
            services.report_question_ask(actor=request.user, report=report, text=form.cleaned_data["text"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your question was sent to the reporter."))
            return redirect(reverse("report-detail", args=[report.pk]) + "#questions")
    return _detail_response(request, report, forms={"ask_form": form}, status=400)


@require_GET
def report_photo(request: HttpRequest, token: str) -> FileResponse:
    if not request.user.is_authenticated:
        raise Http404  # not a login page: nobody follows an <img> to one
    # Its report's moderators, and whoever may read the incident it was verified into: else 404.
    photo = selectors.citizen_report_photo_get(user=request.user, token=token)
    try:
        handle = photo.image.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(handle, content_type=photo.content_type)
    response["Content-Disposition"] = f'inline; filename="{photo.token}.{photo.extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    # Personal data: never in a shared cache, and not kept long in the browser's either.
    response["Cache-Control"] = "private, max-age=600"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
