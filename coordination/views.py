"""Dashboard pages of joint operations, exercises and coordination notifications.

Access, as `coordination.selectors` and `coordination.services` decide it: every page needs a
session (anonymous visitors go to the login page); what a user may not read answers 404 on
its pages and on every action posted to it; a reader who may not act gets a 403 page and
nothing changes. The pages only offer what the user's role allows, the services are the guard.

Times are shown and typed in the zone of the operation's (or exercise's) first area (WIB,
WITA, WIT), else in the portal's zone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from agencies import selectors as agency_selectors
from agencies.form_fields import zone_of_areas
from agencies.models import Area, zone_label
from common.htmx import wants_partial as _wants_partial
from common.pagination import paginate
from common.views import forbidden_page, forbidden_response

from . import forms, selectors, services
from .models import ActionItem, Exercise, JointOperation

PAGE_SIZE = 25


def _zone_of(areas: list[Area] | Any) -> str:
    return zone_of_areas(areas)


def _zone_context(zone: str) -> dict[str, str]:
    return {"zone": zone, "zone_label": zone_label(zone)}


def _can_plan(user: Any) -> bool:
    """Whether the user may plan operations and exercises at all (`services.can_plan_any`)."""
    return services.can_plan_any(user=user)


# --- Operations ----------------------------------------------------------------------------


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
        "page": paginate(request, qs, PAGE_SIZE),
        "can_create": _can_plan(request.user),
    }
    if _wants_partial(request):
        return render(request, "coordination/partials/operation_results.html", context)
    return render(request, "coordination/operation_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@forbidden_page
def operation_create(request: HttpRequest) -> HttpResponse:
    if not _can_plan(request.user):
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
        "coordination/operation_form.html",
        {"form": form, **_zone_context(form.zone_name)},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
@forbidden_page
def operation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    operation = selectors.operation_get(user=request.user, pk=pk)
    services.require_operation_planner(actor=request.user, operation=operation)
    # The form shows the times in the zone of the operation's areas and reads them back in the
    # zone of the areas posted: unchanged, they are the same (never the zone active here).
    areas = list(operation.areas.all())
    initial = {f: getattr(operation, f) for f in services.OPERATION_FIELDS} | {"areas": areas}
    form = forms.OperationForm(request.POST or None, initial=initial, user=request.user, zone=_zone_of(areas))
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
        "coordination/operation_form.html",
        {"form": form, "operation": operation, **_zone_context(form.zone_name)},
    )


def _with_status_labels(events: Any) -> list[Any]:
    """Timeline events, status moves carrying their display names (`from_label`, `to_label`)."""
    labels = dict(JointOperation.Status.choices)
    rows = list(events)
    for event in rows:
        if event.kind == "status":
            event.from_label = labels.get(event.data.get("from"), event.data.get("from"))
            event.to_label = labels.get(event.data.get("to"), event.data.get("to"))
    return rows


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
    zone = _zone_of(operation.areas.all())
    return {
        "operation": operation,
        "can_plan": can_plan,
        "can_report": can_report,
        "is_participant": bool(own & participant_ids),
        "moves": [JointOperation.Status(s) for s in services.allowed_transitions(actor=user, operation=operation)],
        "status_error": status_error,
        "timeline": _with_status_labels(selectors.operation_timeline(operation=operation)),
        "sitreps": list(selectors.operation_sitreps(operation=operation)),
        "linked": selectors.operation_linked(user=user, operation=operation),
        "participation_form": participation_form
        or (forms.ParticipationForm(operation=operation) if can_plan else None),
        "sitrep_form": sitrep_form or (forms.SitRepForm() if can_report else None),
        **_zone_context(zone),
    }


@login_required
@require_GET
def operation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    operation = selectors.operation_get(user=request.user, pk=pk)
    return render(request, "coordination/operation_detail.html", _operation_context(request, operation))


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
        "coordination/operation_detail.html",
        _operation_context(request, operation, status_error=error),
        status=400,
    )


@login_required
@require_POST
@forbidden_page
def operation_participation_add(request: HttpRequest, pk: int) -> HttpResponse:
    operation = selectors.operation_get(user=request.user, pk=pk)
    services.require_operation_planner(actor=request.user, operation=operation)
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
    return render(request, "coordination/operation_detail.html", context, status=400)


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
    form = forms.SitRepForm(request.POST, zone=_zone_of(operation.areas.all()))
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
        "coordination/operation_detail.html",
        _operation_context(request, operation, sitrep_form=form),
        status=400,
    )


# --- Exercises -----------------------------------------------------------------------------


@login_required
@require_GET
@vary_on_headers("HX-Request")
def exercise_list(request: HttpRequest) -> HttpResponse:
    filterset = forms.ExercisePageFilter(
        request.GET or None, queryset=selectors.exercise_list(user=request.user), user=request.user
    )
    qs = filterset.qs.prefetch_related("participants", "areas")
    context = {
        "filter": filterset,
        "page": paginate(request, qs, PAGE_SIZE),
        "can_create": _can_plan(request.user),
    }
    if _wants_partial(request):
        return render(request, "coordination/partials/exercise_results.html", context)
    return render(request, "coordination/exercise_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@forbidden_page
def exercise_create(request: HttpRequest) -> HttpResponse:
    if not _can_plan(request.user):
        return forbidden_response(request)
    form = forms.ExerciseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            exercise = services.exercise_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The exercise is planned."))
            return redirect("exercise-detail", pk=exercise.pk)
    return render(request, "coordination/exercise_form.html", {"form": form, **_zone_context(form.zone_name)})


def _exercise_context(
    request: HttpRequest,
    exercise: Exercise,
    *,
    review_form: forms.ExerciseReviewForm | None = None,
    item_form: forms.ActionItemForm | None = None,
) -> dict[str, Any]:
    user = request.user
    can_plan = services.can_plan_exercise(actor=user, exercise=exercise)
    items = list(exercise.action_items.all())
    today = timezone.localdate()
    rows = [
        {
            "item": item,
            "overdue": item.status != ActionItem.Status.DONE and item.due_date < today,
            "can_update": services.can_update_action_item(actor=user, item=item),
        }
        for item in items
    ]
    initial = {"observations": exercise.observations, "strengths": exercise.strengths, "gaps": exercise.gaps}
    return {
        "exercise": exercise,
        "can_plan": can_plan,
        "items": rows,
        "statuses": ActionItem.Status.choices,
        "review_form": review_form or (forms.ExerciseReviewForm(initial=initial) if can_plan else None),
        "item_form": item_form or (forms.ActionItemForm() if can_plan else None),
        **_zone_context(_zone_of(exercise.areas.all())),
    }


@login_required
@require_GET
def exercise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    exercise = selectors.exercise_get(user=request.user, pk=pk)
    return render(request, "coordination/exercise_detail.html", _exercise_context(request, exercise))


def _exercise_form_post(
    request: HttpRequest,
    pk: int,
    *,
    form_class: type[forms.ExerciseReviewForm] | type[forms.ActionItemForm],
    save: Callable[..., Any],
    done: str,
    form_key: str,
) -> HttpResponse:
    """A planner's form on the exercise page: saved through `save`, then back to the page; a
    refusal re-renders the page with the form's errors (400)."""
    exercise = selectors.exercise_get(user=request.user, pk=pk)
    services.require_exercise_planner(actor=request.user, exercise=exercise)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            save(actor=request.user, exercise=exercise, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, done)
            return redirect("exercise-detail", pk=exercise.pk)
    context = _exercise_context(request, exercise, **{form_key: form})
    return render(request, "coordination/exercise_detail.html", context, status=400)


@login_required
@require_POST
@forbidden_page
def exercise_review(request: HttpRequest, pk: int) -> HttpResponse:
    return _exercise_form_post(
        request,
        pk,
        form_class=forms.ExerciseReviewForm,
        save=services.exercise_review,
        done=_("The after-action review is saved."),
        form_key="review_form",
    )


@login_required
@require_POST
@forbidden_page
def exercise_action_item_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _exercise_form_post(
        request,
        pk,
        form_class=forms.ActionItemForm,
        save=services.action_item_create,
        done=_("The action item is added."),
        form_key="item_form",
    )


@login_required
@require_POST
@forbidden_page
def action_item_status(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.action_item_get(user=request.user, pk=pk)
    form = forms.ActionItemStatusForm(request.POST)
    if form.is_valid():
        services.action_item_update(actor=request.user, item=item, status=form.cleaned_data["status"])
        messages.success(request, _("The action item is updated."))
    else:
        messages.error(request, _("Choose a status."))
    return redirect("exercise-detail", pk=item.exercise_id)


# --- Notifications -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def notification_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        services.notification_mark_read(user=request.user)
        messages.success(request, _("All notifications are marked read."))
        return redirect("notification-list")
    qs = selectors.notification_list(user=request.user)
    page = paginate(request, qs, PAGE_SIZE)
    unread = selectors.notification_list(user=request.user, unread=True).count()
    return render(request, "coordination/notification_list.html", {"page": page, "unread": unread})
