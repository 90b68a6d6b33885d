"""Dashboard pages of incidents and the risk register: thin views over selectors and services.

Access (docs/security.md, "Access"), as the selectors and services decide it:
- every page needs a session (anonymous visitors go to the login page);
- reads go through `selectors.incident_list/incident_get/risk_list/risk_get`, scoped to the
  user: what a user may not read is absent from lists and maps and answers 404 on its pages
  and on every action posted to it;
- writes go through `services`; a user who may read but not act (a viewer, an agency that is
  not on the incident) gets PermissionDenied, rendered as a 403 page. The pages hide what a
  role cannot do, but the services are the guard.

Lists follow the agency directory's htmx pattern (agencies/views.py): the filter form swaps
the results partial, pushes the URL, and `Vary: HX-Request` keeps caches from mixing the two.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page
from django.db.models import Prefetch, QuerySet
from django.db.models.functions import Lower
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from agencies import selectors as agency_selectors
from agencies.localtime import in_zone
from agencies.models import Agency, Area, Classification, Severity
from agencies.selectors import map_areas
from common.htmx import wants_partial as _wants_partial
from common.pagination import SEARCH_COUNT_BOUND, paginate
from common.views import forbidden_page

from . import forms, selectors, services
from .exports import SEVERITY_NAMES as CAP_SEVERITY_NAMES
from .models import Category, Incident, IncidentEvent, Urgency
from .reports import selectors as report_selectors

INCIDENT_PAGE_SIZE = 25
# Area dots drawn under the incident map when there are no tiles (a province: ~150 rows).
MAP_MAX_AREAS = 600

View = Callable[..., HttpResponse]


def _paginate(request: HttpRequest, queryset: QuerySet[Any], per_page: int) -> Page:
    """The requested page; an out-of-range or malformed `page` gives the nearest valid one."""
    return paginate(request, queryset, per_page)


def _can_act(user: Any) -> bool:
    """Staff, or a member whose role may log incidents and risks (not a viewer)."""
    return services.can_log_incident(user=user)


def _can_manage(user: Any, incident: Incident) -> bool:
    return services.can_manage_incident(user=user, incident=incident)


# --- Presentation helpers ------------------------------------------------------------------


def local_time(value: datetime.datetime | None, area: Area) -> str:
    """ "3 Mei 2026 14:05 WITA": the time as the people of the area read it."""
    return in_zone(value, area)


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class TimelineRow:
    event: IncidentEvent
    when: str
    kind_label: str
    changes: list[Change] = field(default_factory=list)


_FIELD_LABELS = {f.name: f.verbose_name for f in Incident._meta.get_fields() if hasattr(f, "verbose_name")}


def _timeline_rows(user: Any, incident: Incident, events: list[IncidentEvent]) -> list[TimelineRow]:
    """The timeline with its data made readable: ids become names, codes become labels.

    Names are resolved with one query per kind of reference (agencies, categories, areas,
    cameras, vital objects), whatever the number of entries.
    """
    refs: dict[str, set[Any]] = {"agency": set(), "category": set(), "area": set(), "camera": set(), "vital": set()}
    for event in events:
        data = event.data or {}
        for key, values in (data.get("changes") or {}).items():
            kind = {"category": "category", "area": "area", "camera": "camera", "vital_object": "vital"}.get(key)
            if kind:
                refs[kind].update(v for v in values if v is not None)
        if "lead_agency" in data:
            refs["agency"].update(v for v in data["lead_agency"] if v)
        if "involved_agencies" in data:
            for ids in data["involved_agencies"]:
                refs["agency"].update(ids or [])
        if "vital_object" in data and not isinstance(data["vital_object"], list):
            refs["vital"].add(data["vital_object"])
    names: dict[str, dict[Any, str]] = {key: {} for key in refs}
    if refs["agency"]:
        names["agency"] = dict(
            agency_selectors.agency_list(user=user).filter(pk__in=refs["agency"]).values_list("pk", "name")
        )
    if refs["category"]:
        names["category"] = {c.pk: c.name for c in Category.objects.filter(pk__in=refs["category"])}
    if refs["area"]:
        names["area"] = dict(agency_selectors.area_list().filter(pk__in=refs["area"]).values_list("pk", "name"))
    if refs["camera"]:
        cameras = (
            agency_selectors.camera_list(user=user).filter(pk__in=refs["camera"]).values_list("pk", "code", "name")
        )
        names["camera"] = {pk: f"{code} · {name}" for pk, code, name in cameras}
    if refs["vital"]:
        vitals = agency_selectors.vital_object_list(user=user).filter(pk__in=refs["vital"]).values_list("pk", "name")
        names["vital"] = dict(vitals)

    def ref(kind: str, value: Any) -> str:
        if value in (None, ""):
            return "—"
        return names[kind].get(value) or f"#{value}"

    def shown(key: str, value: Any) -> str:
        if value in (None, ""):
            return "—"
        try:
            if key == "severity":
                return str(Severity(int(value)).label)
            if key == "urgency":
                return str(Urgency(int(value)).label)
            if key == "classification":
                return str(Classification(value).label)
            if key in ("from", "to", "status"):
                return str(Incident.Status(value).label)
            if key == "occurred_at":
                return local_time(datetime.datetime.fromisoformat(value), incident.area)
        except (ValueError, TypeError):
            return str(value)
        kind = {"category": "category", "area": "area", "camera": "camera", "vital_object": "vital"}.get(key)
        return ref(kind, value) if kind else str(value)

    rows = []
    for event in events:
        data = event.data or {}
        row = TimelineRow(event=event, when=local_time(event.at, incident.area), kind_label=event.get_kind_display())
        for key, (old, new) in (data.get("changes") or {}).items():
            row.changes.append(Change(str(_FIELD_LABELS.get(key, key)).capitalize(), shown(key, old), shown(key, new)))
        if "from" in data and "to" in data:
            row.changes.append(Change(_("Status"), shown("from", data["from"]), shown("to", data["to"])))
        if "lead_agency" in data:
            old, new = data["lead_agency"]
            row.changes.append(Change(_("Lead agency"), ref("agency", old), ref("agency", new)))
        if "involved_agencies" in data:
            before, after = data["involved_agencies"]
            row.changes.append(
                Change(
                    _("Involved agencies"),
                    ", ".join(sorted(ref("agency", i) for i in before)) or "—",
                    ", ".join(sorted(ref("agency", i) for i in after)) or "—",
                )
            )
        if event.kind == IncidentEvent.Kind.LINKED:
            if "camera" in data:
                row.changes.append(Change(_("Camera"), "—", str(data["camera"])))
            if "vital_object" in data:
                row.changes.append(Change(_("Vital object"), "—", ref("vital", data["vital_object"])))
        if event.kind == IncidentEvent.Kind.MERGED:
            if "into" in data:
                row.changes.append(Change(_("Duplicate of"), "—", str(data["into"])))
            if "duplicate" in data:
                row.changes.append(Change(_("Duplicate merged in"), "—", str(data["duplicate"])))
        rows.append(row)
    return rows


def _assign_candidates(user: Any, incident: Incident) -> QuerySet[Agency]:
    """Active agencies working in the incident's regency or city, plus those already on it."""
    area = incident.area
    regency = area
    if area.level > Area.Level.REGENCY:
        regency = agency_selectors.area_ancestors(area=area).filter(level=Area.Level.REGENCY).first() or area
    working = agency_selectors.agency_list(user=user, filters={"area": regency, "is_active": True})
    ids = set(working.values_list("pk", flat=True))
    ids |= {a.pk for a in incident.involved_agencies.all()}
    ids |= {i for i in (incident.lead_agency_id, incident.reporting_agency_id) if i}
    return agency_selectors.agency_list(user=user).filter(pk__in=ids).order_by(Lower("name"), "pk")


def _detail_context(
    request: HttpRequest,
    incident: Incident,
    *,
    status_form: forms.IncidentStatusForm | None = None,
    note_form: forms.IncidentNoteForm | None = None,
    assign_form: forms.IncidentAssignForm | None = None,
) -> dict[str, Any]:
    user = request.user
    can_manage = _can_manage(user, incident)
    can_note = _can_act(user)
    events = list(selectors.incident_timeline(incident=incident))
    context: dict[str, Any] = {
        "incident": incident,
        "timeline": _timeline_rows(user, incident, events),
        "occurred": local_time(incident.occurred_at, incident.area),
        "reported": local_time(incident.reported_at, incident.area),
        "resolved": local_time(incident.resolved_at, incident.area) if incident.resolved_at else "",
        "updated": local_time(incident.updated_at, incident.area),
        "ancestors": list(agency_selectors.area_ancestors(area=incident.area).filter(level__gte=Area.Level.REGENCY)),
        "can_manage": can_manage,
        "can_note": can_note,
        "allowed": [Incident.Status(s) for s in services.allowed_transitions(incident)],
        "status_form": status_form or forms.IncidentStatusForm(),
        "note_form": note_form or forms.IncidentNoteForm(),
        "has_point": incident.latitude is not None and incident.longitude is not None,
        "citizen_reports": report_selectors.incident_citizen_reports(user=user, incident=incident),
        **_map_settings(),
    }
    if can_manage:
        context["assign_form"] = assign_form or forms.IncidentAssignForm(
            candidates=_assign_candidates(user, incident), incident=incident
        )
    return context


def _area_points(user: Any) -> list[dict[str, Any]]:
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
        "can_create": _can_act(request.user),
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
    incident = selectors.incident_get(user=request.user, pk=pk)
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
    incident = selectors.incident_get(user=request.user, pk=pk)
    # Who may assign is the service's call; checking first keeps a viewer from even reading the
    # candidate agencies through the form's error messages.
    services.require_incident_manager(actor=request.user, incident=incident)
    form = forms.IncidentAssignForm(
        request.POST, candidates=_assign_candidates(request.user, incident), incident=incident
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
    if not _can_act(request.user):
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
    incident = selectors.incident_get(user=request.user, pk=pk)
    services.require_incident_manager(actor=request.user, incident=incident)
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
