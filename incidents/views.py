"""Dashboard pages of incidents and the risk register: thin views over selectors and services.

Access (docs/security.md, "Access"), as the selectors and services decide it:
- every page needs a session (anonymous visitors go to the login page);
- reads go through `selectors.incident_list/incident_get/risk_list/risk_get`, scoped to the
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

import itertools
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from agencies import selectors as agency_selectors
from agencies.localtime import in_zone
from agencies.models import Agency, Area, Severity
from agencies.selectors import map_areas
from common.htmx import wants_partial as _wants_partial
from common.pagination import SEARCH_COUNT_BOUND, paginate
from common.types import User
from common.views import forbidden_page

from . import forms, presenters, selectors, services
from .exports import SEVERITY_NAMES as CAP_SEVERITY_NAMES
from .models import Category, Incident, RiskAssessment

INCIDENT_PAGE_SIZE = 25
RISK_PAGE_SIZE = 25
ATTENTION_LIMIT = 10
# The heat map is a table: past ~60 rows it stops being read. The register lists the rest.
HEATMAP_MAX_AREAS = 60
# Area dots drawn under the incident map when there are no tiles (a province: ~150 rows).
MAP_MAX_AREAS = 600


# --- Presentation helpers ------------------------------------------------------------------


@dataclass
class RiskColour:
    """A score 1-25 as a colour from green (1) through amber to red (25), with readable text."""

    background: str
    foreground: str

    @property
    def style(self) -> str:
        return f"background-color:{self.background};color:{self.foreground}"


# The risk matrix's usual colours: green (1), lime, yellow (10), orange (15), red (20), deep red (25).
RISK_STOPS = [
    (1, (47, 158, 68)),
    (6, (148, 216, 45)),
    (10, (250, 204, 21)),
    (15, (253, 126, 20)),
    (20, (224, 49, 49)),
    (25, (158, 20, 20)),
]


def risk_colour(score: int | None) -> RiskColour:
    """Linear between the stops; text white or near-black, whichever contrasts more (WCAG)."""
    if not score:
        return RiskColour("#e9ecef", "#212529")
    score = max(1, min(25, int(score)))
    for (low, low_rgb), (high, high_rgb) in itertools.pairwise(RISK_STOPS):
        if low <= score <= high:
            t = (score - low) / (high - low)
            rgb = [round(a + (b - a) * t) for a, b in zip(low_rgb, high_rgb, strict=True)]
            break

    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * channel(rgb[0]) + 0.7152 * channel(rgb[1]) + 0.0722 * channel(rgb[2])
    background = "#{:02x}{:02x}{:02x}".format(*rgb)
    foreground = "#ffffff" if (1.05 / (luminance + 0.05)) >= ((luminance + 0.05) / 0.0625) else "#212529"
    return RiskColour(background, foreground)


def risk_band(score: int) -> str:
    if score >= 15:
        return _("Extreme")
    if score >= 10:
        return _("High")
    if score >= 5:
        return _("Medium")
    return _("Low")


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
        "citizen_reports": selectors.incident_citizen_reports(user=user, incident=incident),
        **_map_settings(),
    }
    if can_manage:
        context["assign_form"] = assign_form or forms.IncidentAssignForm(
            candidates=selectors.incident_assign_candidates(user=user, incident=incident), incident=incident
        )
    return context


def _area_points(user: User) -> list[dict[str, Any]]:
    """The regencies and districts of the user's jurisdiction drawn under the maps: their
    boundary (GeoJSON) when known, else their centroid (see agencies.selectors.map_areas)."""
    return map_areas(forms.jurisdiction_areas(user=user), limit=MAP_MAX_AREAS)


def _map_settings() -> dict[str, str]:
    return {
        "tile_url": getattr(settings, "SINERGI_MAP_TILE_URL", "") or "",
        "tile_attribution": getattr(settings, "SINERGI_MAP_TILE_ATTRIBUTION", "") or "",
    }


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
        "page": paginate(
            request, incidents, INCIDENT_PAGE_SIZE, bound=SEARCH_COUNT_BOUND if request.GET.get("q") else None
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
    # Checking who may assign first keeps a viewer from even reading the candidate agencies
    # through the form's error messages.
    incident = selectors.incident_get_for_change(user=request.user, pk=pk)
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
        {"form": form, "incident": None, "areas": _area_points(request.user), **_map_settings()},
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
        {"form": form, "incident": incident, "areas": _area_points(request.user), **_map_settings()},
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
            **_map_settings(),
        },
    )


# --- Risk register -------------------------------------------------------------------------


def _attention_rows(user: Any, within: Area | None) -> list[dict[str, Any]]:
    rows = selectors.areas_needing_attention(user=user, within=within, limit=ATTENTION_LIMIT)
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
        row["colour"] = risk_colour(row["max_score"])
    return rows


@login_required
@require_GET
@vary_on_headers("HX-Request")
def risk_list(request: HttpRequest) -> HttpResponse:
    filterset = forms.RiskPageFilter(request.GET or None, user=request.user)
    page = paginate(request, filterset.qs.order_by("-score", "review_due", "pk"), RISK_PAGE_SIZE)
    editable = agency_selectors.managed_agency_ids(user=request.user, roles=services.ACTING_ROLES)
    today = timezone.localdate()
    for risk in page.object_list:
        risk.colour = risk_colour(risk.score)
        risk.band = risk_band(risk.score)
        risk.overdue = risk.review_due < today
        risk.editable = editable is None or risk.assessing_agency_id in editable
    context = {
        "filter": filterset,
        "page": page,
        "is_filtered": filterset.is_filtered,
        "attention": _attention_rows(request.user, filterset.chosen_area),
        "can_create": services.can_record_risk(user=request.user),
    }
    if _wants_partial(request):
        return render(request, "incidents/partials/risk_results.html", context)
    return render(request, "incidents/risk_list.html", context)


@dataclass
class HeatCell:
    score: int
    count: int
    colour: RiskColour


@dataclass
class HeatRow:
    area_id: int
    name: str
    level_label: str
    max_score: int
    cells: list[HeatCell | None]
    lat: float | None
    lon: float | None


@login_required
@require_GET
def risk_heatmap(request: HttpRequest) -> HttpResponse:
    """Risk by area x hazard, coloured 1-25, and the areas' highest scores on a map."""
    filterset = forms.RiskPageFilter(request.GET or None, user=request.user)
    grouped = (
        filterset.qs.order_by()
        .values(
            "area_id",
            "area__name",
            "area__level",
            "area__centroid_lat",
            "area__centroid_lon",
            "hazard_id",
        )
        .annotate(top=Max("score"), count=Count("id"))
    )
    cells: dict[int, dict[int, tuple[int, int]]] = {}
    areas: dict[int, dict[str, Any]] = {}
    for row in grouped:
        areas.setdefault(row["area_id"], row)
        cells.setdefault(row["area_id"], {})[row["hazard_id"]] = (row["top"], row["count"])
    hazards = list(Category.objects.filter(pk__in={h for by in cells.values() for h in by}).order_by("sort_order"))
    levels = dict(Area.Level.choices)
    # Rank every area by its highest score, but build the cells of the rows shown only: a
    # province's 3,000 assessed areas cost 3,000 rows of colours for the 60 drawn.
    total_areas = len(areas)
    top = sorted(areas, key=lambda a: (-max(score for score, _n in cells[a].values()), areas[a]["area__name"]))
    rows = []
    for area_id in top[:HEATMAP_MAX_AREAS]:
        row = areas[area_id]
        by_hazard = cells[area_id]
        rows.append(
            HeatRow(
                area_id=area_id,
                name=row["area__name"],
                level_label=str(levels.get(row["area__level"], "")),
                max_score=max(score for score, _n in by_hazard.values()),
                cells=[
                    HeatCell(score=by_hazard[h.pk][0], count=by_hazard[h.pk][1], colour=risk_colour(by_hazard[h.pk][0]))
                    if h.pk in by_hazard
                    else None
                    for h in hazards
                ],
                lat=float(row["area__centroid_lat"]) if row["area__centroid_lat"] is not None else None,
                lon=float(row["area__centroid_lon"]) if row["area__centroid_lon"] is not None else None,
            )
        )
    points = [
        {
            "name": r.name,
            "lat": r.lat,
            "lon": r.lon,
            "score": r.max_score,
            "colour": risk_colour(r.max_score).background,
            "hazards": [
                {"name": h.name, "score": c.score} for h, c in zip(hazards, r.cells, strict=True) if c is not None
            ],
            "url": f"{reverse('risk-list')}?area={r.area_id}",
        }
        for r in rows
        if r.lat is not None and r.lon is not None
    ]
    legend = [(score, risk_colour(score)) for score in (1, 4, 5, 9, 10, 14, 15, 20, 25)]
    return render(
        request,
        "incidents/risk_heatmap.html",
        {
            "filter": filterset,
            "hazards": hazards,
            "rows": rows,
            "total_areas": total_areas,
            "max_rows": HEATMAP_MAX_AREAS,
            "points": points,
            "without_centroid": sum(1 for r in rows if r.lat is None or r.lon is None),
            "legend": legend,
            **_map_settings(),
        },
    )


def _require_risk_editor(user: Any, risk: RiskAssessment) -> None:
    """Only the assessing agency's acting members (and staff) edit its assessments."""
    if not agency_selectors.user_has_role(user=user, agency=risk.assessing_agency_id, roles=services.ACTING_ROLES):
        raise PermissionDenied(_("Only the assessing agency's members may change this assessment."))


@login_required
@require_http_methods(["GET", "POST"])
@forbidden_page
def risk_create(request: HttpRequest) -> HttpResponse:
    if not services.can_record_risk(user=request.user):
        raise PermissionDenied(_("Viewers and users without an agency cannot record risk assessments."))
    form = forms.RiskForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.risk_create(actor=request.user, **form.service_kwargs())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Risk assessment recorded."))
            return redirect("risk-list")
    return render(
        request, "incidents/risk_form.html", {"form": form, "risk": None}, status=400 if form.is_bound else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
@forbidden_page
def risk_edit(request: HttpRequest, pk: int) -> HttpResponse:
    risk = selectors.risk_get(user=request.user, pk=pk)
    _require_risk_editor(request.user, risk)
    form = forms.RiskForm(request.POST or None, user=request.user, risk=risk)
    if request.method == "POST" and form.is_valid():
        try:
            services.risk_update(actor=request.user, risk=risk, **form.service_kwargs())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Risk assessment updated."))
            return redirect("risk-list")
    return render(
        request,
        "incidents/risk_form.html",
        {"form": form, "risk": risk, "score_colour": risk_colour(risk.score)},
        status=400 if form.is_bound else 200,
    )
