"""Dashboard pages of community programmes.

Access, as `selectors` and `services` decide it: every page needs a session; a programme the
user may not read answers 404 on its pages and on every action posted to it; a reader who may
not act gets a 403 page and nothing changes. The pages offer only what the services' `can_*`
predicates allow; the services are the guard.

Times are shown and typed in the zone of the programme's area (WIB, WITA, WIT).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from common.htmx import render_list
from common.pagination import paginate
from common.views import forbidden_page, forbidden_response, map_settings
from coordination.exercises.selectors import action_item_rows
from coordination.form_fields import zone_context
from coordination.models import ActionItem, Programme, ProgrammeSession

from . import forms, presenters, selectors, services

PAGE_SIZE = 25
MAP_LIMIT = 300
TEMPLATE = "coordination/community/programmes/programme_detail.html"


def _filtered(request: HttpRequest) -> forms.ProgrammePageFilter:
    return forms.ProgrammePageFilter(
        request.GET or None, queryset=selectors.programme_list(user=request.user), user=request.user
    )


@login_required
@require_GET
@vary_on_headers("HX-Request")
def programme_list(request: HttpRequest) -> HttpResponse:
    filterset = _filtered(request)
    context = {
        "filter": filterset,
        "page": paginate(request, filterset.qs.order_by("-starts_at", "-id"), PAGE_SIZE),
        "can_create": services.can_plan_any(user=request.user),
        "view": "list",
    }
    return render_list(
        request,
        "coordination/community/programmes/programme_list.html",
        "coordination/community/programmes/partials/programme_results.html",
        context,
    )


@login_required
@require_GET
def programme_calendar(request: HttpRequest) -> HttpResponse:
    """The month (`month=YYYY-MM`) of the programmes the user reads, with the list's filters."""
    first = presenters.parse_month(request.GET.get("month"))
    start, end = presenters.month_bounds(first)
    filterset = _filtered(request)
    sessions = ProgrammeSession.objects.filter(starts_at__gte=start, starts_at__lt=end).order_by("starts_at")
    rows = (
        filterset.qs.filter(sessions__starts_at__gte=start, sessions__starts_at__lt=end)
        .distinct()
        .prefetch_related(Prefetch("sessions", queryset=sessions))
        .order_by("starts_at", "id")
    )
    context = {
        "filter": filterset,
        "grid": presenters.month_grid(first, rows),
        "can_create": services.can_plan_any(user=request.user),
        "view": "calendar",
        "query": _query_without(request, "month"),
    }
    return render(request, "coordination/community/programmes/programme_calendar.html", context)


def _query_without(request: HttpRequest, name: str) -> str:
    query = request.GET.copy()
    query.pop(name, None)
    return query.urlencode()


@login_required
@require_GET
def programme_map(request: HttpRequest) -> HttpResponse:
    """The programmes the user reads (with the list's filters) at their venue's point, else
    their area's centre; the newest MAP_LIMIT."""
    filterset = _filtered(request)
    rows = selectors.programme_points(filterset.qs, limit=MAP_LIMIT)
    context = {
        "filter": filterset,
        "points": presenters.map_points(rows),
        "map": map_settings(),
        "can_create": services.can_plan_any(user=request.user),
        "view": "map",
    }
    return render(request, "coordination/community/programmes/programme_map.html", context)


def _form_page(request: HttpRequest, programme: Programme | None) -> HttpResponse:
    """Plan (programme None) or change a programme: the main form, then the session, group and
    goods rows read in the zone of the area chosen."""
    user = request.user
    data = request.POST if request.method == "POST" else None
    form = forms.ProgrammeForm(
        data,
        initial=forms.programme_initial(programme) if programme else None,
        user=user,
        with_organiser=programme is None,
    )
    zone = presenters.programme_zone(programme) if programme else ""
    if data is not None and form.is_valid():
        zone = form.cleaned_data["area"].timezone or zone
    zone = zone or settings.TIME_ZONE
    bound = forms.formsets(data, zone=zone, programme=programme)
    if data is not None and form.is_valid() and all(f.is_valid() for f in bound.values()):
        values = {**form.cleaned_data, **forms.formset_rows(bound)}
        try:
            if programme is None:
                saved = services.programme_create(actor=user, **values)
            else:
                saved = services.programme_update(actor=user, programme=programme, **values)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The programme is saved."))
            return redirect("programme-detail", pk=saved.pk)
    context = {"form": form, "programme": programme, **bound, **zone_context(zone)}
    invalid = data is not None
    return render(
        request, "coordination/community/programmes/programme_form.html", context, status=400 if invalid else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
@forbidden_page
def programme_create(request: HttpRequest) -> HttpResponse:
    if not services.can_plan_any(user=request.user):
        return forbidden_response(request)
    return _form_page(request, None)


@login_required
@require_http_methods(["GET", "POST"])
@forbidden_page
def programme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_get_for_change(user=request.user, pk=pk)
    if programme.status not in services.CHANGEABLE:
        return forbidden_response(request, _("Only a planned or approved programme may be changed."))
    return _form_page(request, programme)


def _context(request: HttpRequest, programme: Programme, **given: Any) -> dict[str, Any]:
    user = request.user
    rights = services.programme_rights(actor=user, programme=programme)
    return {
        "programme": programme,
        **{f"can_{action}": rights[action] for action in ("change", "approve", "cancel", "hold", "report")},
        "material_form": given.get("material_form") or (forms.MaterialForm() if rights["add_material"] else None),
        "item_form": given.get("item_form")
        or (forms.ProgrammeActionItemForm(programme=programme) if rights["add_items"] else None),
        "attendance": presenters.attendance_rows(programme),
        "items": action_item_rows(user=user, items=programme.action_items.all()),
        "statuses": ActionItem.Status.choices,
        "registrations": list(selectors.programme_registrations(user=user, programme=programme)[:200]),
        **zone_context(presenters.programme_zone(programme)),
    }


@login_required
@require_GET
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_get(user=request.user, pk=pk)
    return render(request, TEMPLATE, _context(request, programme))


def _step(request: HttpRequest, pk: int, step: Any, done: str) -> HttpResponse:
    programme = selectors.programme_get(user=request.user, pk=pk)
    try:
        step(programme)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect("programme-detail", pk=programme.pk)


@login_required
@require_POST
@forbidden_page
def programme_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        lambda p: services.programme_approve(actor=request.user, programme=p),
        _("The programme is approved and the partners are told."),
    )


@login_required
@require_POST
@forbidden_page
def programme_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    form = forms.CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _step(
        request,
        pk,
        lambda p: services.programme_cancel(actor=request.user, programme=p, reason=reason),
        _("The programme is cancelled and the partners are told."),
    )


@login_required
@require_http_methods(["GET", "POST"])
@forbidden_page
def programme_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """Attendance per target group against the plan, and photos: the programme is then held.
    Before it may be (not approved or not begun) the page says so and a post is refused (400)."""
    programme = selectors.programme_get(user=request.user, pk=pk)
    services.require_reporter(actor=request.user, programme=programme)
    form = forms.AttendanceForm(request.POST or None, request.FILES or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        try:
            services.programme_hold(
                actor=request.user,
                programme=programme,
                attendance=form.attendance(),
                photos=form.cleaned_data.get("photos") or [],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The attendance is recorded."))
            return redirect("programme-detail", pk=programme.pk)
    context = {
        "programme": programme,
        "form": form,
        "open": services.can_hold(actor=request.user, programme=programme),
        **zone_context(presenters.programme_zone(programme)),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "coordination/community/programmes/programme_attendance.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@forbidden_page
def programme_report(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_get(user=request.user, pk=pk)
    services.require_reporter(actor=request.user, programme=programme)
    initial = {k: getattr(programme, k) for k in ("objectives", "activities", "results", "lessons")}
    form = forms.ReportForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.programme_report(actor=request.user, programme=programme, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The report is saved."))
            return redirect("programme-detail", pk=programme.pk)
    context = {
        "programme": programme,
        "form": form,
        "open": services.can_report(actor=request.user, programme=programme),
        "attendance": presenters.attendance_rows(programme),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "coordination/community/programmes/programme_report.html", context, status=status)


@login_required
@require_POST
@forbidden_page
def programme_material_add(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_get(user=request.user, pk=pk)
    services.require_planner(actor=request.user, programme=programme)
    form = forms.MaterialForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.programme_material_add(actor=request.user, programme=programme, upload=form.cleaned_data["file"])
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The material is added."))
            return redirect("programme-detail", pk=programme.pk)
    return render(request, TEMPLATE, _context(request, programme, material_form=form), status=400)


@login_required
@require_POST
@forbidden_page
def programme_action_item_add(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_get(user=request.user, pk=pk)
    services.require_reporter(actor=request.user, programme=programme)
    form = forms.ProgrammeActionItemForm(request.POST, programme=programme)
    if form.is_valid():
        try:
            services.programme_action_item_create(actor=request.user, programme=programme, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The action item is added."))
            return redirect("programme-detail", pk=programme.pk)
    return render(request, TEMPLATE, _context(request, programme, item_form=form), status=400)


def _file_response(handle: Any, content_type: str, disposition: str) -> FileResponse:
    response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = disposition
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_GET
def programme_material(request: HttpRequest, token: str) -> FileResponse:
    """A material, to the programme's readers only (404 to anyone else, anonymous included)."""
    if not request.user.is_authenticated:
        raise Http404
    material = selectors.programme_material_get(user=request.user, token=token)
    try:
        handle = material.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    safe = "".join(c for c in material.name if c.isalnum() or c in "._- ")[:150] or "material"
    return _file_response(handle, material.content_type, f'attachment; filename="{safe}"')


@require_GET
def programme_photo(request: HttpRequest, token: str) -> FileResponse:
    """A photo, to the programme's readers only (404 to anyone else, anonymous included)."""
    if not request.user.is_authenticated:
        raise Http404
    photo = selectors.programme_photo_get(user=request.user, token=token)
    try:
        handle = photo.image.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    return _file_response(handle, photo.content_type, f'inline; filename="{photo.token}.{photo.extension}"')
