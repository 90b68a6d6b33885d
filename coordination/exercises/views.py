"""Dashboard pages of joint exercises, and of action items (of exercises and meetings alike).

Access, as `coordination.exercises.selectors` and `.services` decide it: every page needs a
session (anonymous visitors go to the login page); what a user may not read answers 404 on
its pages and on every action posted to it; a reader who may not act gets a 403 page and
nothing changes. The pages only offer what the services' `can_*` predicates allow, the
services are the guard.

Times are shown and typed in the zone of the exercise's first area (WIB, WITA, WIT), else in
the portal's zone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from agencies.audit import audit_page
from agencies.form_fields import zone_of_areas
from common.htmx import render_list
from common.pagination import paginate
from common.views import forbidden_page, forbidden_response
from coordination.form_fields import zone_context
from coordination.models import ActionItem, Exercise

from . import forms, selectors, services

PAGE_SIZE = 25


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
        "page": audit_page(
            user=request.user, page=paginate(request, qs, PAGE_SIZE), object_type="exercise", detail=request.path
        ),
        "can_create": services.can_plan_any(user=request.user),
    }
    return render_list(
        request,
        "coordination/exercises/exercise_list.html",
        "coordination/exercises/partials/exercise_results.html",
        context,
    )


@login_required
@require_http_methods(["GET", "POST"])
@forbidden_page
def exercise_create(request: HttpRequest) -> HttpResponse:
    if not services.can_plan_any(user=request.user):
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
    return render(request, "coordination/exercises/exercise_form.html", {"form": form, **zone_context(form.zone_name)})


def _exercise_context(
    request: HttpRequest,
    exercise: Exercise,
    *,
    review_form: forms.ExerciseReviewForm | None = None,
    item_form: forms.ActionItemForm | None = None,
) -> dict[str, Any]:
    user = request.user
    can_plan = services.can_plan_exercise(actor=user, exercise=exercise)
    initial = {"observations": exercise.observations, "strengths": exercise.strengths, "gaps": exercise.gaps}
    return {
        "exercise": exercise,
        "can_plan": can_plan,
        "items": selectors.action_item_rows(user=user, items=exercise.action_items.all()),
        "statuses": ActionItem.Status.choices,
        "review_form": review_form or (forms.ExerciseReviewForm(initial=initial) if can_plan else None),
        "item_form": item_form or (forms.ActionItemForm() if can_plan else None),
        **zone_context(zone_of_areas(exercise.areas.all())),
    }


@login_required
@require_GET
def exercise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    exercise = selectors.exercise_get(user=request.user, pk=pk)
    return render(request, "coordination/exercises/exercise_detail.html", _exercise_context(request, exercise))


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
    exercise = selectors.exercise_get_for_change(user=request.user, pk=pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            save(actor=request.user, exercise=exercise, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, done)
            return redirect("exercise-detail", pk=exercise.pk)
    context = _exercise_context(request, exercise, **{form_key: form})  # type: ignore[arg-type]
    return render(request, "coordination/exercises/exercise_detail.html", context, status=400)


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
    return redirect(_item_return(request, item))


@login_required
@require_http_methods(["GET", "POST"])
@forbidden_page
def action_item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change an item's text, owner and due date (its parent's planners; others who read it get
    the 403 page, the rest 404)."""
    item = selectors.action_item_get_for_edit(user=request.user, pk=pk)
    form = forms.ActionItemEditForm(request.POST or None, item=item)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_item_update(actor=request.user, item=item, **form.cleaned_data)
        except ValidationError as error:
            item.refresh_from_db()
            form.add_service_errors(error)
        else:
            messages.success(request, _("The action item is updated."))
            return redirect(_item_return(request, item))
    context = {"item": item, "form": form, "back": _item_return(request, item)}
    return render(request, "coordination/exercises/action_item_form.html", context)


def _item_return(request: HttpRequest, item: ActionItem) -> str:
    """Back where the status was changed (`next`, a path of this site), else the item's parent."""
    target = request.POST.get("next", "") or request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    if item.meeting_id:
        return reverse("meeting-detail", args=[item.meeting_id])
    if item.programme_id:
        return reverse("programme-detail", args=[item.programme_id])
    if item.evaluation_id:
        return reverse("evaluation-detail", args=[item.evaluation_id])
    return reverse("exercise-detail", args=[item.exercise_id])


@login_required
@require_GET
@vary_on_headers("HX-Request")
def action_item_list(request: HttpRequest) -> HttpResponse:
    """The action items of the user's agencies (and of the exercises and meetings they plan),
    of exercises and meetings alike: where the desk's overdue block leads."""
    filterset = forms.ActionItemPageFilter(
        request.GET or None, queryset=selectors.action_item_list(user=request.user), user=request.user
    )
    qs = filterset.qs.order_by("due_date", "id")
    page = paginate(request, qs, PAGE_SIZE)
    context = {
        "filter": filterset,
        "page": page,
        "rows": selectors.action_item_rows(user=request.user, items=page.object_list),
        "statuses": ActionItem.Status.choices,
    }
    return render_list(
        request,
        "coordination/exercises/action_item_list.html",
        "coordination/exercises/partials/action_item_results.html",
        context,
    )
