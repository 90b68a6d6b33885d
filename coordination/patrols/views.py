"""Dashboard pages of patrol planning: calendar, shift detail, new shift, recurring plan, coverage.

Thin views over the feature's selectors, services and presenters:
- every page needs a session (anonymous visitors go to the login page);
- what the user may not see answers 404 (`selectors.shift_get`), a write the role does not allow
  a 403 page that says why (the services decide; the pages offer their actions through the same
  `can_*` predicates);
- the calendar is a server-rendered grid (week, month or day: `presenters.calendar_grid`),
  filtered through htmx: the filter form swaps the grid partial and pushes the URL. Its queries
  are bounded whatever the number of shifts: the shifts with their areas and units (3), the
  conflicts of the window (2), the filter choices and the user's agencies.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from agencies.audit import audit_rows
from agencies.localtime import in_zone
from agencies.models import Agency, Area
from agencies.selectors import filter_agency_choices, user_agency_ids, user_is_staff
from common.htmx import wants_partial
from common.types import User
from common.views import forbidden_page
from coordination.models import JointOperation
from coordination.operations.selectors import operation_list

from . import forms, presenters, selectors, services
from .conflicts import ShiftConflictError, conflicts_describe, shift_conflicts
from .coverage import coverage_list

View = Callable[..., HttpResponse]


# The patrols' own 403 page: its link leads back to the calendar.
_forbidden = forbidden_page(template="coordination/patrols/patrol_forbidden.html")


def _area_choices(user: User, *, max_level: int = Area.Level.DISTRICT) -> QuerySet[Area]:
    """Areas to plan and filter by: the user's agencies' jurisdictions down to districts (staff:
    provinces and regencies, the 548 rows a select can hold)."""
    if user_is_staff(user):
        return Area.objects.filter(level__lte=Area.Level.REGENCY).order_by("level", "name")
    paths = selectors.jurisdiction_paths(user=user)
    if not paths:
        return Area.objects.none()
    q = Q()
    for path in paths:
        q |= Q(path__startswith=path)
    return Area.objects.filter(q, level__lte=max_level).order_by("level", "name")


def _agency_choices(user: User, selected: Any = None) -> QuerySet[Agency]:
    """The agency filter's choices: those the user works beside (`filter_agency_choices`)."""
    if not (user_is_staff(user) or user_agency_ids(user=user)):
        return Agency.objects.none()
    return filter_agency_choices(user=user, selected=selected)


def _plannable_operations(user: User) -> QuerySet[JointOperation]:
    """The operations the user may attach shifts to (`selectors.can_plan`'s rule, as a query)."""
    return selectors.operation_list_plannable(user=user).order_by("name")


def _require_can_plan_any(user: User) -> None:
    if not selectors.can_plan_any(user=user):
        raise PermissionDenied(_("Only commanders, liaisons and planners of the operation's agencies plan its shifts."))


# --- Calendar ------------------------------------------------------------------------------


@login_required
@vary_on_headers("HX-Request")
def patrol_calendar(request: HttpRequest) -> HttpResponse:
    """The planner's calendar: a week (7 columns) or a month (weeks x 7 days) of shifts."""
    user = request.user
    form = forms.CalendarFilterForm(
        request.GET or None, agencies=_agency_choices(user, request.GET.get("agency")), areas=_area_choices(user)
    )
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    view = data.get("view") or "week"
    area = data.get("area")
    grid = presenters.calendar_grid(
        user=user,
        view=view,
        day=data.get("date"),
        tz=presenters.display_zone(user=user, area=area),
        filters={"agency": data.get("agency"), "area": area, "kind": data.get("kind")},
        query=request.GET,
        page=presenters.page_number(request.GET.get("page")) if view == "day" else 1,
    )
    audit_rows(
        user=user,
        rows=[block["shift"] for row in grid["rows"] for cell in row for block in cell["blocks"]],
        object_type="operation",
        record=lambda shift: shift.operation,
        detail=request.path,
    )
    partial = wants_partial(request)
    context = {
        "form": form,
        **grid,
        "can_plan": selectors.can_plan_any(user=user),
        "feeds": [] if partial else presenters.feed_boxes(user=user),
    }
    template = (
        "coordination/patrols/partials/patrol_calendar_grid.html"
        if partial
        else "coordination/patrols/patrol_calendar.html"
    )
    return render(request, template, context)


# --- Shift detail --------------------------------------------------------------------------


@login_required
def patrol_shift_detail(request: HttpRequest, pk: int) -> HttpResponse:
    shift = selectors.shift_get(user=request.user, pk=pk)
    areas = list(shift.areas.all())
    tz = selectors.zone_of(areas)
    statuses, missed = presenters.route_statuses(shift=shift, tz=tz)
    conflicts = shift_conflicts(shift=shift, user=request.user)
    context = {
        "shift": shift,
        "areas": areas,
        "starts": in_zone(shift.starts_at, tz),
        "ends": in_zone(shift.ends_at, tz),
        "statuses": statuses,
        "check_ins": [{"row": c, "at": in_zone(c.at, tz)} for c in shift.check_ins.all()],
        "roster_visible": selectors.roster_visible(user=request.user, shift=shift),
        "can_check_in": selectors.can_check_in(user=request.user, shift=shift),
        "conflicts": conflicts,
        "overrides": [
            {
                "row": o,
                "at": in_zone(o.at, tz),
                "conflicts": conflicts_describe(conflicts=o.conflicts, user=request.user, tz=tz),
            }
            for o in shift.overrides.all()
        ],
        "missed": missed,
    }
    return render(request, "coordination/patrols/patrol_shift_detail.html", context)


# --- New shift and recurring plan ----------------------------------------------------------


Save = Callable[[dict[str, Any], list[dict[str, Any]], str], HttpResponse]


def _plan_page(
    request: HttpRequest, *, form_class: type[forms.ShiftForm] | type[forms.GenerateForm], template: str, save: Save
) -> HttpResponse:
    """A planning form with its units (new shift, recurring plan): `save(data, units,
    override_reason)` calls the service and answers; a clash shows the conflicts, bad input
    the form's errors (400)."""
    user = request.user
    _require_can_plan_any(user)
    form = form_class(
        request.POST or None, operations=_plannable_operations(user), areas=_area_choices(user, max_level=4)
    )
    formset = forms.ContributionFormSet(request.POST or None, prefix="units")
    conflicts: list[dict[str, Any]] = []
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = form.cleaned_data
        units = [c for f in formset.forms if (c := f.as_contribution())]
        try:
            return save(data, units, data["override_reason"] if data.get("override") else "")
        except ShiftConflictError as exc:
            conflicts = exc.conflicts
        except ValidationError as exc:
            form.add_error(None, exc.messages)
    status = 400 if request.method == "POST" else 200
    return render(request, template, {"form": form, "formset": formset, "conflicts": conflicts}, status=status)


@login_required
@_forbidden
@require_http_methods(["GET", "POST"])
def patrol_shift_create(request: HttpRequest) -> HttpResponse:
    def save(data: dict[str, Any], units: list[dict[str, Any]], override_reason: str) -> HttpResponse:
        shift = services.shift_create(
            user=request.user,
            operation=data["operation"],
            kind=data["kind"],
            title=data["title"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            areas=[data["area"]] if data.get("area") else [],
            notes=data["notes"],
            contributions=units,
            override_reason=override_reason,
        )
        messages.success(request, _("Shift saved."))
        return redirect("patrol-shift-detail", pk=shift.pk)

    return _plan_page(
        request, form_class=forms.ShiftForm, template="coordination/patrols/patrol_shift_form.html", save=save
    )


@login_required
@_forbidden
@require_http_methods(["GET", "POST"])
def patrol_generate(request: HttpRequest) -> HttpResponse:
    def save(data: dict[str, Any], units: list[dict[str, Any]], override_reason: str) -> HttpResponse:
        shifts = services.patrol_plan_generate(
            user=request.user,
            operation=data["operation"],
            first_date=data["first_date"],
            days=data["days"],
            start_time=data["start_time"],
            end_time=data["end_time"],
            areas=[data["area"]],
            kind=data["kind"],
            title=data["title"],
            contributions=units,
            override_reason=override_reason,
        )
        messages.success(request, _("%(n)d shifts planned.") % {"n": len(shifts)})
        url = reverse("patrol-calendar")
        return redirect(f"{url}?date={data['first_date'].isoformat()}&area={data['area'].pk}")

    return _plan_page(
        request, form_class=forms.GenerateForm, template="coordination/patrols/patrol_generate.html", save=save
    )


# --- Coverage ------------------------------------------------------------------------------


@login_required
def patrol_coverage(request: HttpRequest) -> HttpResponse:
    user = request.user
    cities = _area_choices(user, max_level=Area.Level.REGENCY).filter(level__lte=Area.Level.REGENCY)
    form = forms.CoverageForm(request.GET or None, areas=cities)
    city = None
    if form.is_bound and form.is_valid():
        city = form.cleaned_data["area"]
    elif not form.is_bound:
        city = cities.filter(level=Area.Level.REGENCY).first()
        form = forms.CoverageForm(initial={"area": city}, areas=cities)
    rows = coverage_list(user=user, city=city) if city else []
    return render(
        request,
        "coordination/patrols/patrol_coverage.html",
        {"form": form, "city": city, "rows": rows, "operations": _plannable_operations(user)},
    )


@login_required
@_forbidden
@require_POST
def patrol_coverage_fill(request: HttpRequest) -> HttpResponse:
    # Any operation the user sees: whether they may plan it is the service's call (403), the
    # rule that decided whether the page offered the button at all.
    form = forms.FillForm(request.POST, operations=operation_list(user=request.user))
    if not form.is_valid():
        if "operation" in form.errors:
            raise Http404  # none, or one the user does not see
        messages.error(request, _("Choose an operation and an area."))
        return redirect("patrol-coverage")
    area: Area = form.cleaned_data["area"]
    try:
        shifts = services.coverage_fill(user=request.user, area=area, operation=form.cleaned_data["operation"])
    except ShiftConflictError as exc:
        messages.error(request, " ".join(c["message"] for c in exc.conflicts))
        shifts = []
    if shifts:
        messages.success(request, _("%(n)d shifts planned in %(area)s.") % {"n": len(shifts), "area": area.name})
    url = reverse("patrol-coverage")
    return redirect(f"{url}?area={area.parent_id}" if area.parent_id else url)


# --- Check-in at a checkpoint (the unit's phone page) --------------------------------------


@login_required
@_forbidden
@require_http_methods(["GET", "POST"])
def patrol_check_in(request: HttpRequest, pk: int) -> HttpResponse:
    """The shift's checkpoints in order, a big button each, late and missed marked; posting one
    checks in through `services.checkin_create` with the browser's position if it was allowed.
    Who may not check in (`selectors.can_check_in`) reads the statuses without buttons."""
    user = request.user
    shift = selectors.shift_get(user=user, pk=pk)
    form = forms.CheckInForm(request.POST if request.method == "POST" else None, shift=shift)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                check_in = services.checkin_create(
                    user=user,
                    shift=shift,
                    checkpoint=data["checkpoint"],
                    latitude=data["latitude"],
                    longitude=data["longitude"],
                )
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                where = check_in.checkpoint.name if check_in.checkpoint else shift.title or shift.operation.name
                messages.success(request, _("Checked in at %(place)s.") % {"place": where})
                return redirect("patrol-check-in", pk=shift.pk)
        status = 400
    tz = selectors.zone_of(list(shift.areas.all()))
    statuses, missed = presenters.route_statuses(shift=shift, tz=tz, checked_at=True)
    context = {
        "shift": shift,
        "form": form,
        "can_check_in": selectors.can_check_in(user=user, shift=shift),
        "starts": in_zone(shift.starts_at, tz),
        "ends": in_zone(shift.ends_at, tz),
        "statuses": statuses,
        "route_less_check_ins": [in_zone(c.at, tz) for c in shift.check_ins.all() if c.checkpoint_id is None],
        "missed": missed,
    }
    return render(request, "coordination/patrols/patrol_check_in.html", context, status=status)


# --- Calendar feed (subscribe box on the calendar) -----------------------------------------


@login_required
@_forbidden
@require_POST
def patrol_feed_create(request: HttpRequest, pk: int) -> HttpResponse:
    agency = selectors.calendar_feed_agency_get(user=request.user, pk=pk)
    services.calendar_feed_get_or_create(user=request.user, agency=agency)
    messages.success(request, _("The calendar link of %(agency)s is ready.") % {"agency": agency.name})
    return redirect(f"{reverse('patrol-calendar')}#feed")


@login_required
@_forbidden
@require_POST
def patrol_feed_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    agency = selectors.calendar_feed_agency_get(user=request.user, pk=pk)
    services.calendar_feed_rotate(user=request.user, agency=agency)
    messages.success(
        request,
        _("The calendar link of %(agency)s is new: the old one no longer works.") % {"agency": agency.name},
    )
    return redirect(f"{reverse('patrol-calendar')}#feed")
