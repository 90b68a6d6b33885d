"""Dashboard pages of patrol planning: calendar, shift detail, new shift, recurring plan, coverage.

Thin views over `coordination.patrols` (selectors and services in one module):
- every page needs a session (anonymous visitors go to the login page);
- what the user may not see answers 404 (`patrols.shift_get`), a write the role does not allow
  a 403 page that says why (the services decide; the pages only hide buttons);
- the calendar is a server-rendered grid (week or month), filtered through htmx: the filter
  form swaps the grid partial and pushes the URL. Its queries are bounded whatever the number
  of shifts: the shifts with their areas and units (3), the conflicts of the window (2), the
  filter choices and the user's agencies.
"""

from __future__ import annotations

import datetime
import functools
from collections import defaultdict
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections
from django.db.models import Q, QuerySet
from django.db.models.functions import TruncDate
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from agencies.localtime import date_range, in_zone
from agencies.models import Agency, Area, zone_label
from agencies.selectors import filter_agency_choices, user_agency_ids
from agencies.selectors import user_is_staff as _is_staff
from common.htmx import wants_partial as _wants_partial

from . import patrol_forms as forms
from . import patrols
from .models import JointOperation, PatrolShift, ShiftContribution

View = Callable[..., HttpResponse]


def _forbidden(view: View) -> View:
    """A service's PermissionDenied as a 403 page that says why."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            reason = str(exc) or _("Your role does not allow this.")
            return render(request, "coordination/patrol_forbidden.html", {"reason": reason}, status=403)

    return wrapper


def _jurisdiction_paths(user: Any) -> list[str]:
    return patrols.jurisdiction_paths(user=user)


def _area_choices(user: Any, *, max_level: int = Area.Level.DISTRICT) -> QuerySet[Area]:
    """Areas to plan and filter by: the user's agencies' jurisdictions down to districts (staff:
    provinces and regencies, the 548 rows a select can hold)."""
    if _is_staff(user):
        return Area.objects.filter(level__lte=Area.Level.REGENCY).order_by("level", "name")
    paths = _jurisdiction_paths(user)
    if not paths:
        return Area.objects.none()
    q = Q()
    for path in paths:
        q |= Q(path__startswith=path)
    return Area.objects.filter(q, level__lte=max_level).order_by("level", "name")


def _agency_choices(user: Any, selected: Any = None) -> QuerySet[Agency]:
    """The agency filter's choices: those the user works beside (`filter_agency_choices`)."""
    if not (_is_staff(user) or user_agency_ids(user=user)):
        return Agency.objects.none()
    return filter_agency_choices(user=user, selected=selected)


def _plannable_operations(user: Any) -> QuerySet[JointOperation]:
    """The operations the user may attach shifts to (`patrols.can_plan`'s rule, as a query)."""
    return patrols.operation_list_plannable(user=user).order_by("name")


def _require_can_plan_any(user: Any) -> None:
    if not patrols.can_plan_any(user=user):
        raise PermissionDenied(_("Only commanders, liaisons and planners of the operation's agencies plan its shifts."))


def _display_zone(user: Any, area: Area | None) -> ZoneInfo:
    if area is not None:
        return ZoneInfo(area.timezone)
    first = (
        Area.objects.filter(agencies_with_jurisdiction__in=user_agency_ids(user=user))
        .order_by("level")
        .values_list("timezone", flat=True)
        .first()
    )
    if first is None:
        # No jurisdiction (platform staff): the zone of the areas being patrolled next, not
        # the server's, so that a calendar of WITA shifts reads in WITA.
        first = (
            Area.objects.filter(patrol_shifts__ends_at__gte=timezone.now())
            .order_by("patrol_shifts__starts_at")
            .values_list("timezone", flat=True)
            .first()
        )
    return ZoneInfo(first or settings.TIME_ZONE)


def local_time(value: datetime.datetime, tz: ZoneInfo) -> str:
    return in_zone(value, tz)


# --- Calendar ------------------------------------------------------------------------------

# Shift blocks drawn in one day's cell: the rest fold into "+N more", a link to the day view,
# which pages through the day by the same number. The page's size and rendering time stay
# bounded however many shifts a day holds (a city plans hundreds).
CALENDAR_DAY_LIMIT = {"month": 4, "week": 8, "day": 50}


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
    tz = _display_zone(user, area)
    today = timezone.now().astimezone(tz).date()
    day = data.get("date") or today
    page_number = 1
    if view == "month":
        first = day.replace(day=1)
        grid_start = first - datetime.timedelta(days=first.weekday())
        next_month = (first + datetime.timedelta(days=32)).replace(day=1)
        weeks = ((next_month - grid_start).days + 6) // 7
        grid_days = weeks * 7
        prev_date = (first - datetime.timedelta(days=1)).replace(day=1)
        next_date = next_month
        heading = formats.date_format(first, "F Y")
    elif view == "day":
        grid_start = day
        grid_days = 1
        prev_date = day - datetime.timedelta(days=1)
        next_date = day + datetime.timedelta(days=1)
        heading = formats.date_format(day, "l j F Y")
        page_number = _page_number(request.GET.get("page"))
    else:
        grid_start = day - datetime.timedelta(days=day.weekday())
        grid_days = 7
        prev_date = grid_start - datetime.timedelta(days=7)
        next_date = grid_start + datetime.timedelta(days=7)
        # "Pekan 30 Nov – 6 Des 2026": "Minggu" would read as Sunday beside the day columns.
        heading = _("Week %(dates)s") % {"dates": date_range(grid_start, grid_start + datetime.timedelta(days=6))}
    start = datetime.datetime.combine(grid_start, datetime.time(0), tzinfo=tz)
    end = start + datetime.timedelta(days=grid_days)
    filters = {"agency": data.get("agency"), "area": area, "kind": data.get("kind"), "from": start, "to": end}
    limit = CALENDAR_DAY_LIMIT[view]
    window = patrols.shift_list(user=user, filters=filters)
    # Every shift of the window counts (the heading and the conflict figures), but only the
    # first `limit` of a day are drawn: a busy day folds into "+N more", linked to that day.
    # One light query for the whole window (id, local day, start): the count, the conflicts'
    # scope and which blocks each day draws; then the drawn shifts alone, with their relations.
    # Sorted by the database, and no timestamps fetched: parsing 10,000 of them costs more
    # than the query.
    keys = window.order_by("starts_at", "pk").values_list("pk", TruncDate("starts_at", tzinfo=tz))
    if connections[keys.db].vendor == "postgresql":
        keys = patrols.raw_tuples(keys)
    ids: set[int] = set()
    per_day: dict[datetime.date, int] = defaultdict(int)
    shown_ids: list[int] = []
    offset = (page_number - 1) * limit
    for pk, day_of in keys:
        ids.add(pk)
        d = max(day_of, grid_start)
        per_day[d] += 1
        if offset < per_day[d] <= offset + limit:
            shown_ids.append(pk)
    # Only the number of conflicts of each shift is drawn (the shift's page names them), so
    # no `user`: it would check the visibility of every clashing shift of the window.
    # Counted, not described: the grid draws a number per shift.
    badges = patrols.conflicts_by_shift(
        patrols.conflicts_compute(start=start, end=end, only_shift_ids=ids, tz=tz, describe=False)
    )
    # The drawn shifts come from the visible window above; the grid reads their operation's name
    # and (but in a month) their units, so no areas nor the prefetch's per-shift querysets.
    shown = (
        PatrolShift.objects.filter(pk__in=shown_ids)
        .select_related("operation")
        .only("pk", "kind", "title", "starts_at", "ends_at", "operation__name")
        .order_by("starts_at", "id")
    )
    units: dict[int, list[ShiftContribution]] = defaultdict(list)
    if view != "month" and shown_ids:
        for contribution in ShiftContribution.objects.filter(shift_id__in=shown_ids).select_related("agency"):
            units[contribution.shift_id].append(contribution)
    # Strings the grid would otherwise build with a tag or filter per block and per cell (a
    # month draws 140 blocks in 42 cells): the shift's URL from one reverse(), the times and
    # dates formatted here, in the active language as the filters would.
    url_head, _sentinel, url_tail = reverse("patrol-shift-detail", args=[987654321]).partition("987654321")
    by_day: dict[datetime.date, list[dict[str, Any]]] = defaultdict(list)
    for shift in shown:
        local_start = shift.starts_at.astimezone(tz)
        local_end = shift.ends_at.astimezone(tz)
        by_day[max(local_start.date(), grid_start)].append(
            {
                "shift": shift,
                "url": f"{url_head}{shift.pk}{url_tail}",
                # In the calendar's zone: the template's time filter would convert to the
                # site's zone (WIB) and a WITA shift would show an hour early.
                "times": f"{local_start:%H:%M}–{local_end:%H:%M}",
                "overnight": local_end.date() > local_start.date(),
                "conflicts": badges.get(shift.pk, []),
                "units": units.get(shift.pk, []),
            }
        )
    days = [grid_start + datetime.timedelta(days=i) for i in range(grid_days)]
    base = request.GET.copy()
    base.pop("date", None)
    base.pop("page", None)
    day_base = base.copy()
    day_base["view"] = "day"
    weekday_names = {d.weekday(): formats.date_format(d, "l") for d in days[:7]}
    cells = []
    for d in days:
        blocks = by_day.get(d, [])
        hidden = max(0, per_day.get(d, 0) - offset - len(blocks))
        cells.append(
            {
                "date": d,
                "iso": d.isoformat(),
                "weekday_name": weekday_names[d.weekday()],
                "blocks": blocks,
                "more": hidden,
                "more_query": _day_query(day_base, d, page_number + 1 if view == "day" else 1),
                "today": d == today,
                "other_month": view == "month" and d.month != day.month,
            }
        )
    rows = [cells[i : i + 7] for i in range(0, len(cells), 7)]
    context = {
        "form": form,
        "view": view,
        "rows": rows,
        "weekdays": [formats.date_format(d, "D") for d in days[:7]],
        "heading": heading,
        "tz_label": zone_label(str(tz)),
        "prev_query": _query(base, prev_date),
        "next_query": _query(base, next_date),
        "today_query": _query(base, today),
        "shift_count": len(ids),
        "conflict_count": sum(1 for pk in ids if badges.get(pk)),
        "page_number": page_number,
        "earlier_query": _day_query(day_base, grid_start, page_number - 1) if page_number > 1 else "",
        "can_plan": patrols.can_plan_any(user=user),
        "feeds": [] if _wants_partial(request) else _feed_boxes(user),
    }
    template = "coordination/partials/patrol_calendar_grid.html" if _wants_partial(request) else None
    return render(request, template or "coordination/patrol_calendar.html", context)


def _page_number(raw: str | None) -> int:
    try:
        return max(1, min(int(raw or 1), 10_000))
    except ValueError:
        return 1


def _day_query(base: Any, day: datetime.date, page: int) -> str:
    q = base.copy()
    q["date"] = day.isoformat()
    if page > 1:
        q["page"] = str(page)
    return q.urlencode()


def _query(base: Any, day: datetime.date) -> str:
    q = base.copy()
    q["date"] = day.isoformat()
    return q.urlencode()


# --- Shift detail --------------------------------------------------------------------------


@login_required
def patrol_shift_detail(request: HttpRequest, pk: int) -> HttpResponse:
    shift = patrols.shift_get(user=request.user, pk=pk)
    areas = list(shift.areas.all())
    tz = patrols.zone_of(areas)
    statuses = patrols.checkpoint_statuses(shift=shift)
    conflicts = patrols.shift_conflicts(shift=shift, user=request.user)
    context = {
        "shift": shift,
        "areas": areas,
        "starts": local_time(shift.starts_at, tz),
        "ends": local_time(shift.ends_at, tz),
        "statuses": [
            {**s, "planned": local_time(s["checkpoint"].planned_at, tz) if s["checkpoint"].planned_at else None}
            for s in statuses
        ],
        "check_ins": [{"row": c, "at": local_time(c.at, tz)} for c in shift.check_ins.all()],
        "roster_visible": patrols.roster_visible(user=request.user, shift=shift),
        "can_check_in": patrols.can_check_in(user=request.user, shift=shift),
        "conflicts": conflicts,
        "overrides": [{"row": o, "at": local_time(o.at, tz)} for o in shift.overrides.all()],
        "missed": sum(1 for s in statuses if s["status"] == "missed"),
    }
    return render(request, "coordination/patrol_shift_detail.html", context)


# --- New shift and recurring plan ----------------------------------------------------------


@login_required
@_forbidden
@require_http_methods(["GET", "POST"])
def patrol_shift_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_can_plan_any(user)
    form = forms.ShiftForm(
        request.POST or None, operations=_plannable_operations(user), areas=_area_choices(user, max_level=4)
    )
    formset = forms.ContributionFormSet(request.POST or None, prefix="units")
    conflicts: list[dict[str, Any]] = []
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = form.cleaned_data
        units = [c for f in formset.forms if (c := f.as_contribution())]
        try:
            shift = patrols.shift_create(
                user=user,
                operation=data["operation"],
                kind=data["kind"],
                title=data["title"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                areas=[data["area"]] if data.get("area") else [],
                notes=data["notes"],
                contributions=units,
                override_reason=data["override_reason"] if data.get("override") else "",
            )
        except patrols.ShiftConflictError as exc:
            conflicts = exc.conflicts
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Shift saved."))
            return redirect("patrol-shift-detail", pk=shift.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "coordination/patrol_shift_form.html",
        {"form": form, "formset": formset, "conflicts": conflicts},
        status=status,
    )


@login_required
@_forbidden
@require_http_methods(["GET", "POST"])
def patrol_generate(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_can_plan_any(user)
    form = forms.GenerateForm(
        request.POST or None, operations=_plannable_operations(user), areas=_area_choices(user, max_level=4)
    )
    formset = forms.ContributionFormSet(request.POST or None, prefix="units")
    conflicts: list[dict[str, Any]] = []
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = form.cleaned_data
        try:
            shifts = patrols.patrol_plan_generate(
                user=user,
                operation=data["operation"],
                first_date=data["first_date"],
                days=data["days"],
                start_time=data["start_time"],
                end_time=data["end_time"],
                areas=[data["area"]],
                kind=data["kind"],
                title=data["title"],
                contributions=[c for f in formset.forms if (c := f.as_contribution())],
                override_reason=data["override_reason"] if data.get("override") else "",
            )
        except patrols.ShiftConflictError as exc:
            conflicts = exc.conflicts
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("%(n)d shifts planned.") % {"n": len(shifts)})
            url = reverse("patrol-calendar")
            return redirect(f"{url}?date={data['first_date'].isoformat()}&area={data['area'].pk}")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "coordination/patrol_generate.html",
        {"form": form, "formset": formset, "conflicts": conflicts},
        status=status,
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
    rows = patrols.coverage_list(user=user, city=city) if city else []
    return render(
        request,
        "coordination/patrol_coverage.html",
        {"form": form, "city": city, "rows": rows, "operations": _plannable_operations(user)},
    )


@login_required
@_forbidden
@require_POST
def patrol_coverage_fill(request: HttpRequest) -> HttpResponse:
    # Any operation the user sees: whether they may plan it is the service's call (403), the
    # rule that decided whether the page offered the button at all.
    form = forms.FillForm(request.POST, operations=patrols.operation_list_for_shifts(user=request.user))
    if not form.is_valid():
        if "operation" in form.errors:
            raise Http404  # none, or one the user does not see
        messages.error(request, _("Choose an operation and an area."))
        return redirect("patrol-coverage")
    area: Area = form.cleaned_data["area"]
    try:
        shifts = patrols.coverage_fill(user=request.user, area=area, operation=form.cleaned_data["operation"])
    except patrols.ShiftConflictError as exc:
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
    checks in through `patrols.checkin_create` with the browser's position if it was allowed.
    Who may not check in (`patrols.can_check_in`) reads the statuses without buttons."""
    user = request.user
    shift = patrols.shift_get(user=user, pk=pk)
    form = forms.CheckInForm(request.POST if request.method == "POST" else None, shift=shift)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                check_in = patrols.checkin_create(
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
    tz = patrols.zone_of(list(shift.areas.all()))
    statuses = patrols.checkpoint_statuses(shift=shift)
    context = {
        "shift": shift,
        "form": form,
        "can_check_in": patrols.can_check_in(user=user, shift=shift),
        "starts": local_time(shift.starts_at, tz),
        "ends": local_time(shift.ends_at, tz),
        "statuses": [
            {
                **s,
                "planned": local_time(s["checkpoint"].planned_at, tz) if s["checkpoint"].planned_at else None,
                "checked_at": local_time(s["check_in"].at, tz) if s["check_in"] else None,
            }
            for s in statuses
        ],
        "route_less_check_ins": [local_time(c.at, tz) for c in shift.check_ins.all() if c.checkpoint_id is None],
        "missed": sum(1 for s in statuses if s["status"] == "missed"),
    }
    return render(request, "coordination/patrol_check_in.html", context, status=status)


# --- Calendar feed (subscribe box on the calendar) -----------------------------------------


def _feed_boxes(user: Any) -> list[dict[str, Any]]:
    """One box per agency of the user: its feed's URL if it has one, and what the user may do."""
    boxes = []
    for agency, feed in patrols.calendar_feeds_of_user(user=user):
        url = patrols.calendar_feed_url(feed) if feed else ""
        boxes.append(
            {
                "agency": agency,
                "url": url,
                # The scheme calendar applications open as a subscription (webcal://host/...).
                "webcal_url": "webcal" + url[url.index(":") :] if url else "",
                "can_get": patrols.can_get_feed(user=user, agency=agency),
                "can_rotate": feed is not None and patrols.can_rotate_feed(user=user, agency=agency),
            }
        )
    return boxes


def _feed_agency(request: HttpRequest, pk: int) -> Agency:
    """An agency the user belongs to, else 404: the calendar offers the feeds of the user's own
    agencies (staff included; they reach any agency's feed through the API or the admin)."""
    agency = Agency.objects.filter(pk=pk, pk__in=user_agency_ids(user=request.user)).first()
    if agency is None:
        raise Http404
    return agency


@login_required
@_forbidden
@require_POST
def patrol_feed_create(request: HttpRequest, pk: int) -> HttpResponse:
    agency = _feed_agency(request, pk)
    patrols.calendar_feed_get_or_create(user=request.user, agency=agency)
    messages.success(request, _("The calendar link of %(agency)s is ready.") % {"agency": agency.name})
    return redirect(f"{reverse('patrol-calendar')}#feed")


@login_required
@_forbidden
@require_POST
def patrol_feed_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    agency = _feed_agency(request, pk)
    patrols.calendar_feed_rotate(user=request.user, agency=agency)
    messages.success(
        request,
        _("The calendar link of %(agency)s is new: the old one no longer works.") % {"agency": agency.name},
    )
    return redirect(f"{reverse('patrol-calendar')}#feed")
