"""Dashboard pages of coordination meetings.

Access, as `coordination.meetings.selectors` and `.services` decide it: every page needs a
session; a meeting the user may not read answers 404 on its pages and on every action posted
to it; a reader who may not act gets a 403 page and nothing changes. The pages offer only what
the services' `can_*` predicates allow; the services are the guard.

Times are shown and typed in the zone of the meeting's area (WIB, WITA, WIT).
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
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from common.htmx import render_list
from common.pagination import paginate
from common.views import forbidden_page, forbidden_response
from coordination.exercises.selectors import action_item_rows
from coordination.form_fields import zone_context
from coordination.models import ActionItem, Meeting, MeetingInvitee

from . import forms, presenters, selectors, services
from .ical import meeting_ical

PAGE_SIZE = 25
TEMPLATE = "coordination/meetings/meeting_detail.html"


@login_required
@require_GET
@vary_on_headers("HX-Request")
def meeting_list(request: HttpRequest) -> HttpResponse:
    filterset = forms.MeetingPageFilter(
        request.GET or None, queryset=selectors.meeting_list(user=request.user), user=request.user
    )
    qs = filterset.qs.order_by("-starts_at", "-id")
    context = {
        "filter": filterset,
        "page": paginate(request, qs, PAGE_SIZE),
        "can_create": services.can_schedule_any(user=request.user),
    }
    return render_list(
        request,
        "coordination/meetings/meeting_list.html",
        "coordination/meetings/partials/meeting_results.html",
        context,
    )


def _save_meeting(request: HttpRequest, form: forms.MeetingForm, save: Callable[..., Meeting]) -> Meeting | None:
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
def meeting_create(request: HttpRequest) -> HttpResponse:
    if not services.can_schedule_any(user=request.user):
        return forbidden_response(request)
    form = forms.MeetingForm(request.POST or None, user=request.user, with_organiser=True)
    if request.method == "POST":
        meeting = _save_meeting(request, form, lambda **data: services.meeting_create(actor=request.user, **data))
        if meeting is not None:
            messages.success(request, _("The meeting is scheduled and the invitees are told."))
            return redirect("meeting-detail", pk=meeting.pk)
    context = {"form": form, "meeting": None, **zone_context(form.zone_name)}
    return render(request, "coordination/meetings/meeting_form.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
@forbidden_page
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get_for_change(user=request.user, pk=pk)
    if meeting.status != Meeting.Status.SCHEDULED:
        return forbidden_response(request, _("This meeting is no longer scheduled."))
    form = forms.MeetingForm(
        request.POST or None,
        initial=forms.meeting_initial(meeting),
        user=request.user,
        zone=presenters.meeting_zone(meeting),
    )
    if request.method == "POST":
        saved = _save_meeting(
            request, form, lambda **data: services.meeting_update(actor=request.user, meeting=meeting, **data)
        )
        if saved is not None:
            messages.success(request, _("The meeting is saved."))
            return redirect("meeting-detail", pk=meeting.pk)
    context = {"form": form, "meeting": meeting, **zone_context(form.zone_name)}
    return render(request, "coordination/meetings/meeting_form.html", context, status=400 if form.errors else 200)


def _context(request: HttpRequest, meeting: Meeting, **forms_given: Any) -> dict[str, Any]:
    user = request.user
    invitees = list(meeting.invitees.all())
    keeper = services.can_keep_minutes(actor=user, meeting=meeting) and meeting.status != Meeting.Status.CANCELLED
    attendance = services.can_take_attendance(actor=user, meeting=meeting)
    mine = services.rsvp_rows(actor=user, meeting=meeting) if meeting.status == Meeting.Status.SCHEDULED else []
    return {
        "meeting": meeting,
        "invitee_rows": presenters.invitee_rows(invitees),
        "rsvp_counts": presenters.rsvp_counts(invitees),
        "my_rsvp": mine,
        "rsvp_choices": forms.RsvpForm.base_fields["response"].choices,  # type: ignore[attr-defined]
        "can_schedule": services.can_schedule(actor=user, meeting=meeting)
        and meeting.status == Meeting.Status.SCHEDULED,
        "can_attendance": attendance,
        "can_record": keeper,
        "minutes_form": forms_given.get("minutes_form")
        or (forms.MinutesForm(initial={"minutes": meeting.minutes}) if attendance else None),
        "decision_form": forms_given.get("decision_form") or (forms.DecisionForm() if keeper else None),
        "item_form": forms_given.get("item_form") or (forms.MeetingActionItemForm(meeting=meeting) if keeper else None),
        "items": action_item_rows(user=user, items=meeting.action_items.all()),
        "statuses": ActionItem.Status.choices,
        "rsvp_labels": dict(MeetingInvitee.Rsvp.choices),
        **presenters.text_html(meeting),
        **zone_context(presenters.meeting_zone(meeting)),
    }


@login_required
@require_GET
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    return render(request, TEMPLATE, _context(request, meeting))


@login_required
@require_POST
@forbidden_page
def meeting_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get_for_change(user=request.user, pk=pk)
    try:
        services.meeting_cancel(actor=request.user, meeting=meeting)
    except ValidationError:
        messages.error(request, _("This meeting is no longer scheduled."))
    else:
        messages.success(request, _("The meeting is cancelled and the invitees are told."))
    return redirect("meeting-detail", pk=meeting.pk)


@login_required
@require_POST
@forbidden_page
def meeting_rsvp(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    form = forms.RsvpForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an answer."))
        return redirect("meeting-detail", pk=meeting.pk)
    try:
        services.meeting_rsvp(actor=request.user, meeting=meeting, response=form.cleaned_data["response"])
    except ValidationError:
        messages.error(request, _("This meeting is no longer scheduled."))
    else:
        messages.success(request, _("Your answer is recorded."))
    return redirect("meeting-detail", pk=meeting.pk)


@login_required
@require_POST
@forbidden_page
def meeting_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """Each invitee row posted as `present-<id>` = "1" (present) or "0" (absent)."""
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    services.require_minutes_keeper(actor=request.user, meeting=meeting)
    present: dict[int, bool] = {}
    for row in meeting.invitees.all():
        value = request.POST.get(f"present-{row.pk}")
        if value in {"0", "1"}:
            present[row.pk] = value == "1"
    try:
        services.meeting_attendance(actor=request.user, meeting=meeting, present=present)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The attendance is recorded."))
    return redirect("meeting-detail", pk=meeting.pk)


def _record_post(
    request: HttpRequest,
    pk: int,
    *,
    form_class: Callable[..., Any],
    save: Callable[..., Any],
    done: str,
    form_key: str,
) -> HttpResponse:
    """An organiser's form on the meeting page: saved through `save`, then back to the page; a
    refusal re-renders the page with the form's errors (400)."""
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    services.require_minutes_keeper(actor=request.user, meeting=meeting)
    form = form_class(request.POST, meeting)
    if form.is_valid():
        try:
            save(actor=request.user, meeting=meeting, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, done)
            return redirect("meeting-detail", pk=meeting.pk)
    return render(request, TEMPLATE, _context(request, meeting, **{form_key: form}), status=400)


@login_required
@require_POST
@forbidden_page
def meeting_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    return _record_post(
        request,
        pk,
        form_class=lambda data, meeting: forms.MinutesForm(data),
        save=services.meeting_minutes,
        done=_("The minutes are saved."),
        form_key="minutes_form",
    )


@login_required
@require_POST
@forbidden_page
def meeting_decision_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _record_post(
        request,
        pk,
        form_class=lambda data, meeting: forms.DecisionForm(data),
        save=services.meeting_decision_add,
        done=_("The decision is recorded."),
        form_key="decision_form",
    )


@login_required
@require_POST
@forbidden_page
def meeting_action_item_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _record_post(
        request,
        pk,
        form_class=lambda data, meeting: forms.MeetingActionItemForm(data, meeting=meeting),
        save=services.meeting_action_item_create,
        done=_("The action item is added."),
        form_key="item_form",
    )


@login_required
@require_GET
def meeting_ics(request: HttpRequest, pk: int) -> HttpResponse:
    """The iCalendar invitation (METHOD:REQUEST) of a meeting the user may read."""
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    response = HttpResponse(meeting_ical(meeting=meeting), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response
