"""Dashboard pages of incidents: thin views over selectors and services (the risk register's
pages are in risks/views.py, citizens' reports' in reports/views.py).

Access (docs/security.md, "Access"), as the selectors and services decide it:
- every page needs a session (anonymous visitors go to the login page);
- reads go through `selectors.incident_list/incident_get`, scoped to the
  user: what a user may not read is absent from lists and maps and answers 404 on its pages
  and on every action posted to it;
- writes go through `services`; a user who may read but not act (a viewer, an agency that is
  not on the incident) gets PermissionDenied, rendered as a 403 page. The pages that change an
  incident read it through `selectors.incident_get_for_change`, which asks the services' rule
  first; the pages offer actions by the same `can_*` predicates; the services are the guard.
- the timeline's rows are shaped in `presenters.py`.

Lists follow the agency directory's htmx pattern (agencies/views.py): the filter form swaps
the results partial, pushes the URL, and `Vary: HX-Request` keeps caches from mixing the two.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from agencies import selectors as agency_selectors
from agencies.audit import audit_page
from agencies.localtime import in_zone
from agencies.models import Agency, Area, Severity
from agencies.selectors import map_areas
from common.htmx import wants_partial as _wants_partial
from common.pagination import SEARCH_COUNT_BOUND, paginate
from common.types import User
from common.views import forbidden_page, map_settings

from . import forms, presenters, selectors, services
from .exports import SEVERITY_NAMES as CAP_SEVERITY_NAMES
from .models import Incident
from .reports import selectors as report_selectors

INCIDENT_PAGE_SIZE = 25
# Area dots drawn under the incident map when there are no tiles (a province: ~150 rows).
MAP_MAX_AREAS = 600


# --- Presentation helpers ------------------------------------------------------------------


def _detail_context(
    request: HttpRequest,
    incident: Incident,
    *,
    status_form: forms.IncidentStatusForm | None = None,
    note_form: forms.IncidentNoteForm | None = None,
    assign_form: forms.IncidentAssignForm | None = None,
) -> dict[str, Any]:
    user = request.user
    can_manage = services.can_manage_incident(user=user, incident=incident)
    can_note = services.can_note_incident(user=user)
    context: dict[str, Any] = {
        "incident": incident,
        "timeline": presenters.incident_timeline_rows(user=user, incident=incident),
        "occurred": in_zone(incident.occurred_at, incident.area),
        "reported": in_zone(incident.reported_at, incident.area),
        "resolved": in_zone(incident.resolved_at, incident.area) if incident.resolved_at else "",
        "updated": in_zone(incident.updated_at, incident.area),
        "ancestors": list(agency_selectors.area_ancestors(area=incident.area).filter(level__gte=Area.Level.REGENCY)),
        "can_manage": can_manage,
        "can_note": can_note,
        "allowed": [Incident.Status(s) for s in services.allowed_transitions(incident)],
        "status_form": status_form or forms.IncidentStatusForm(),
        "note_form": note_form or forms.IncidentNoteForm(),
        "has_point": incident.latitude is not None and incident.longitude is not None,
        "citizen_reports": report_selectors.incident_citizen_reports(user=user, incident=incident),
        **map_settings(),
    }
    if services.can_assign_incident(user=user, incident=incident):
        context["assign_form"] = assign_form or forms.IncidentAssignForm(
            candidates=selectors.incident_assign_candidates(user=user, incident=incident), incident=incident
        )
    return context


def _area_points(user: User) -> list[dict[str, Any]]:
    """The regencies and districts of the user's jurisdiction drawn under the maps: their
    boundary (GeoJSON) when known, else their centroid (see agencies.selectors.map_areas)."""
    return map_areas(forms.jurisdiction_areas(user=user), limit=MAP_MAX_AREAS)


# --- Incidents -----------------------------------------------------------------------------


@login_required
@require_GET
@vary_on_headers("HX-Request")
def incident_list(request: HttpRequest) -> HttpResponse:
    filterset = forms.IncidentPageFilter(request.GET or None, user=request.user)
    incidents = filterset.qs.prefetch_related(
        Prefetch("involved_agencies", queryset=Agency.objects.only("id", "name").order_by("name"))
    )
    context = {
        "filter": filterset,
        "page": audit_page(
            user=request.user,
            page=paginate(
                request, incidents, INCIDENT_PAGE_SIZE, bound=SEARCH_COUNT_BOUND if request.GET.get("q") else None
            ),
            object_type="incident",
            detail=request.path,
        ),
        "is_filtered": filterset.is_filtered,
        "can_create": services.can_log_incident(user=request.user),
    }
    if _wants_partial(request):
        return render(request, "incidents/partials/incident_results.html", context)
    return render(request, "incidents/incident_list.html", context)


@login_required
@require_GET
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    incident = selectors.incident_get(user=request.user, pk=pk)
    return render(request, "incidents/incident_detail.html", _detail_context(request, incident))


@login_required
@require_POST
@forbidden_page
def incident_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Move the incident along the workflow; an illegal move re-renders the page naming the legal ones."""
    incident = selectors.incident_get_for_change(user=request.user, pk=pk)
    form = forms.IncidentStatusForm(request.POST)
    if form.is_valid():
        try:
            updated = services.incident_change_status(
                actor=request.user,
                incident=incident,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Status changed to %(status)s.") % {"status": updated.get_status_display()})
            return redirect("incident-detail", pk=incident.pk)
    return render(
        request, "incidents/incident_detail.html", _detail_context(request, incident, status_form=form), status=400
    )


@login_required
@require_POST
@forbidden_page
def incident_note(request: HttpRequest, pk: int) -> HttpResponse:
    incident = selectors.incident_get(user=request.user, pk=pk)
    form = forms.IncidentNoteForm(request.POST)
    if form.is_valid():
        try:
            services.incident_add_note(actor=request.user, incident=incident, message=form.cleaned_data["message"])
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Note added to the timeline."))
            return redirect(f"{reverse('incident-detail', args=[incident.pk])}#timeline")
    return render(
        request, "incidents/incident_detail.html", _detail_context(request, incident, note_form=form), status=400
    )


@login_required
@require_POST
@forbidden_page
def incident_assign(request: HttpRequest, pk: int) -> HttpResponse:
    # Checking who may assign first keeps anyone else from even reading the candidate agencies
    # through the form's error messages.
    incident = selectors.incident_get_for_assign(user=request.user, pk=pk)
    form = forms.IncidentAssignForm(
        request.POST,
        candidates=selectors.incident_assign_candidates(user=request.user, incident=incident),
        incident=incident,
    )
    if form.is_valid():
        try:
            services.incident_assign(actor=request.user, incident=incident, **form.service_kwargs())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Agencies updated."))
            return redirect("incident-detail", pk=incident.pk)
    return render(
        request, "incidents/incident_detail.html", _detail_context(request, incident, assign_form=form), status=400
    )


@login_required
@require_http_methods(["GET", "POST"])
@forbidden_page
def incident_create(request: HttpRequest) -> HttpResponse:
    if not services.can_log_incident(user=request.user):
        raise PermissionDenied(_("Viewers and users without an agency cannot log incidents."))
    form = forms.IncidentForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            incident = services.incident_create(actor=request.user, **form.service_kwargs())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Incident %(ref)s logged.") % {"ref": incident.reference})
            return redirect("incident-detail", pk=incident.pk)
    return render(
        request,
        "incidents/incident_form.html",
        {"form": form, "incident": None, "areas": _area_points(request.user), **map_settings()},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
@forbidden_page
def incident_edit(request: HttpRequest, pk: int) -> HttpResponse:
    incident = selectors.incident_get_for_change(user=request.user, pk=pk)
    form = forms.IncidentForm(request.POST or None, user=request.user, incident=incident)
    if request.method == "POST" and form.is_valid():
        try:
            services.incident_update(actor=request.user, incident=incident, **form.service_kwargs())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Incident %(ref)s updated.") % {"ref": incident.reference})
            return redirect("incident-detail", pk=incident.pk)
    return render(
        request,
        "incidents/incident_form.html",
        {"form": form, "incident": incident, "areas": _area_points(request.user), **map_settings()},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_GET
def incident_area_search(request: HttpRequest) -> HttpResponse:
    """The area picker's suggestions: areas of the user's jurisdiction matching `q`."""
    query = request.GET.get("q", "")[:120]
    areas = forms.area_search(user=request.user, query=query)
    return render(
        request,
        "incidents/partials/incident_area_options.html",
        {"areas": [(area, forms.area_label(area)) for area in areas], "query": query.strip()},
    )


@login_required
@require_GET
def incident_map(request: HttpRequest) -> HttpResponse:
    """A full-height map fed by /api/v1/incidents.geojson for the visible box and the filters."""
    filterset = forms.IncidentPageFilter(request.GET or None, user=request.user, queryset=Incident.objects.none())
    # The GeoJSON speaks codes (category code, CAP severity name, status): the popups name them.
    labels = {
        "categories": {c.code: c.name for c in selectors.category_list(active_only=False)},
        "severities": {name: str(Severity(value).label) for value, name in CAP_SEVERITY_NAMES.items()},
        "statuses": {value: str(label) for value, label in Incident.Status.choices},
        "loading": _("Loading…"),
        "count_one": _("%s incident in view"),
        "count_other": _("%s incidents in view"),
        "truncated": _("only the newest are shown: zoom in to see the others"),
        "error": _("The incidents could not be loaded."),
    }
    return render(
        request,
        "incidents/incident_map.html",
        {
            "filter": filterset,
            "areas": _area_points(request.user),
            "labels": labels,
            "severities": [(value, label) for value, label in Severity.choices if value],
            "carried": [(name, value) for name in ("q", "area") for value in request.GET.getlist(name) if value],
            "geojson_url": reverse("api-incident-geojson"),
            **map_settings(),
        },
    )
