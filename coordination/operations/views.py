"""Dashboard pages of joint operations.

Access, as `coordination.operations.selectors` and `.services` decide it: every page needs a
session (anonymous visitors go to the login page); what a user may not read answers 404 on
its pages and on every action posted to it; a reader who may not act gets a 403 page and
nothing changes. The pages only offer what the services' `can_*` predicates allow, the
services are the guard.

Times are shown and typed in the zone of the operation's first area (WIB, WITA, WIT), else in
the portal's zone.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from agencies import selectors as agency_selectors
from agencies.audit import audit_page
from agencies.form_fields import zone_of_areas
from common.htmx import render_list
from common.pagination import paginate
from common.views import forbidden_page, forbidden_response
from coordination.form_fields import zone_context
from coordination.models import JointOperation

from . import forms, presenters, selectors, services

PAGE_SIZE = 25


@login_required
@require_GET
@vary_on_headers("HX-Request")
def operation_list(request: HttpRequest) -> HttpResponse:
    filterset = forms.OperationPageFilter(
        request.GET or None, queryset=selectors.operation_list(user=request.user), user=request.user
    )
    qs = filterset.qs.prefetch_related("participations__agency", "areas")
    context = {
        "filter": filterset,
        "page": audit_page(
            user=request.user, page=paginate(request, qs, PAGE_SIZE), object_type="operation", detail=request.path
        ),
        "can_create": services.can_plan_any(user=request.user),
    }
    return render_list(
        request,
        "coordination/operations/operation_list.html",
        "coordination/operations/partials/operation_results.html",
        context,
    )


@login_required
@require_http_methods(["GET", "POST"])
@forbidden_page
def operation_create(request: HttpRequest) -> HttpResponse:
    if not services.can_plan_any(user=request.user):
        # Before the form: a POST of who may not plan is refused, as the page is not offered.
        return forbidden_response(request)
    # The form reads the times in the zone of the areas chosen on it (see AreasZoneMixin).
    form = forms.OperationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            operation = services.operation_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The operation is planned."))
            return redirect("operation-detail", pk=operation.pk)
    return render(
        request,
        "coordination/operations/operation_form.html",
        {"form": form, **zone_context(form.zone_name)},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
@forbidden_page
def operation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    operation = selectors.operation_get_for_change(user=request.user, pk=pk)
    # The form shows the times in the zone of the operation's areas and reads them back in the
    # zone of the areas posted: unchanged, they are the same (never the zone active here).
    areas = list(operation.areas.all())
    initial = {f: getattr(operation, f) for f in services.OPERATION_FIELDS} | {"areas": areas}
    form = forms.OperationForm(request.POST or None, initial=initial, user=request.user, zone=zone_of_areas(areas))
    if request.method == "POST" and form.is_valid():
        try:
            services.operation_update(actor=request.user, operation=operation, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The plan is saved."))
            return redirect("operation-detail", pk=operation.pk)
    return render(
        request,
        "coordination/operations/operation_form.html",
        {"form": form, "operation": operation, **zone_context(form.zone_name)},
    )


def _operation_context(
    request: HttpRequest,
    operation: JointOperation,
    *,
    participation_form: forms.ParticipationForm | None = None,
    sitrep_form: forms.SitRepForm | None = None,
    status_error: str = "",
) -> dict[str, Any]:
    user = request.user
    can_plan = services.can_plan_operation(actor=user, operation=operation)
    participant_ids = {p.agency_id for p in operation.participations.all()}
    own = agency_selectors.user_agency_ids(user=user)
    can_report = services.can_report_operation(user=user, operation=operation)
    return {
        "operation": operation,
        "can_plan": can_plan,
        "can_report": can_report,
        "is_participant": bool(own & participant_ids),
        "moves": [JointOperation.Status(s) for s in services.allowed_transitions(actor=user, operation=operation)],
        "status_error": status_error,
        "timeline": presenters.timeline_rows(selectors.operation_timeline(operation=operation)),
        "sitreps": list(selectors.operation_sitreps(operation=operation)),
        "linked": selectors.operation_linked(user=user, operation=operation),
        "participation_form": participation_form
        or (forms.ParticipationForm(operation=operation) if can_plan else None),
        "sitrep_form": sitrep_form or (forms.SitRepForm() if can_report else None),
        **zone_context(zone_of_areas(operation.areas.all())),
    }


@login_required
@require_GET
def operation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    operation = selectors.operation_get(user=request.user, pk=pk)
    return render(request, "coordination/operations/operation_detail.html", _operation_context(request, operation))


@login_required
@require_POST
@forbidden_page
def operation_status(request: HttpRequest, pk: int) -> HttpResponse:
    operation = selectors.operation_get(user=request.user, pk=pk)
    form = forms.OperationStatusForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.operation_change_status(
                actor=request.user,
                operation=operation,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("The status is changed."))
            return redirect("operation-detail", pk=operation.pk)
    else:
        error = _("Choose a status.")
    operation = selectors.operation_get(user=request.user, pk=pk, audit=False)
    return render(
        request,
        "coordination/operations/operation_detail.html",
        _operation_context(request, operation, status_error=error),
        status=400,
    )


@login_required
@require_POST
@forbidden_page
def operation_participation_add(request: HttpRequest, pk: int) -> HttpResponse:
    operation = selectors.operation_get_for_change(user=request.user, pk=pk)
    form = forms.ParticipationForm(request.POST, operation=operation)
    if form.is_valid():
        try:
            services.participation_add(actor=request.user, operation=operation, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The agency is added and its members are told."))
            return redirect("operation-detail", pk=operation.pk)
    context = _operation_context(request, operation, participation_form=form)
    return render(request, "coordination/operations/operation_detail.html", context, status=400)


@login_required
@require_POST
@forbidden_page
def operation_participation_remove(request: HttpRequest, pk: int, participation_id: int) -> HttpResponse:
    operation = selectors.operation_get(user=request.user, pk=pk)
    participation = selectors.operation_participation_get(operation=operation, pk=participation_id)
    services.participation_remove(actor=request.user, participation=participation)
    messages.success(request, _("The agency no longer takes part."))
    return redirect("operation-detail", pk=operation.pk)


@login_required
@require_POST
@forbidden_page
def operation_sitrep(request: HttpRequest, pk: int) -> HttpResponse:
    operation = selectors.operation_get(user=request.user, pk=pk)
    if not services.can_report_operation(user=request.user, operation=operation):
        # Who may not report hears so (403) before anything is said of their input.
        raise PermissionDenied(_("Only members of the agencies taking part may report on this operation."))
    form = forms.SitRepForm(request.POST, zone=zone_of_areas(operation.areas.all()))
    if form.is_valid():
        try:
            services.sitrep_create(actor=request.user, operation=operation, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The situation report is filed."))
            return redirect("operation-detail", pk=operation.pk)
    return render(
        request,
        "coordination/operations/operation_detail.html",
        _operation_context(request, operation, sitrep_form=form),
        status=400,
    )
