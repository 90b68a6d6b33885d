"""Dashboard pages of the agencies app: thin views that call a selector and render.

Every read goes through `agencies.selectors`, which scopes it to the user: what a user may not
see is absent (an empty directory) or a 404 (a detail page), never a 403 with details.

Pages whose lists update with htmx render only their results partial for an htmx request
(except a history-restore request, which needs the whole page), and say so with
`Vary: HX-Request` so that a browser cache never serves the partial for a full page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import Lower
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from common.htmx import wants_partial as _wants_partial

from . import selectors
from .forms import AgencyDirectoryFilter, AreaSearchForm
from .models import Agency, Area, Camera, Membership, Partnership, VitalObject, zone_label

AGENCY_PAGE_SIZE = 20
AREA_PAGE_SIZE = 30
# An agency page lists its cameras; a big operator may run hundreds, the rest is in the API.
CAMERA_LIMIT = 50
ROLE_ORDER = {role: index for index, role in enumerate(Membership.Role.values)}


def _paginate(request: HttpRequest, queryset: QuerySet[Any], per_page: int) -> Page:
    """The requested page; an out-of-range or malformed `page` gives the nearest valid one."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


# --- Dashboard -----------------------------------------------------------------------------


@dataclass
class AgencyCard:
    """One of the user's agencies as the dashboard shows it."""

    membership: Membership
    agency: Agency
    partners: list[Agency] = field(default_factory=list)
    partnership_count: int = 0


def _agency_cards(user: Any) -> list[AgencyCard]:
    agency_ids = selectors.user_agency_ids(user=user)
    if not agency_ids:
        return []
    agencies = {
        agency.pk: agency
        for agency in selectors.agency_list(user=user)
        .filter(pk__in=agency_ids)
        .prefetch_related(Prefetch("jurisdiction", queryset=Area.objects.only("id", "name", "level")))
    }
    memberships = selectors.membership_list(user=user).filter(user=user, is_active=True, agency_id__in=agency_ids)
    cards = [AgencyCard(membership=m, agency=agencies[m.agency_id]) for m in memberships if m.agency_id in agencies]
    today = timezone.localdate()
    partnerships = selectors.partnership_list(user=user).filter(agencies__in=agency_ids).distinct()
    for partnership in partnerships:
        if not partnership.is_valid_on(today):
            continue
        parties = list(partnership.agencies.all())
        for card in cards:
            if any(party.pk == card.agency.pk for party in parties):
                card.partnership_count += 1
                known = {p.pk for p in card.partners}
                card.partners.extend(p for p in parties if p.pk != card.agency.pk and p.pk not in known)
    for card in cards:
        card.partners.sort(key=lambda agency: agency.name)
    return cards


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """`/`: a member's dashboard; an anonymous visitor gets the citizens' public page instead of
    the staff login (report an event, follow a report, the current public alerts)."""
    if not request.user.is_authenticated:
        return public_home(request)
    return render(
        request,
        "agencies/dashboard.html",
        {"cards": _agency_cards(request.user), "is_member": selectors.user_is_member(user=request.user)},
    )


# The public page lists at most this many current public alerts, the most severe first.
PUBLIC_ALERT_LIMIT = 10


def public_home(request: HttpRequest) -> HttpResponse:
    """The citizens' front door: small, phone first, no script. The alerts are the public CAP
    feed's (`incidents.threats.selectors.public_threats`) without the cancelled ones."""
    from incidents.models import Threat
    from incidents.report_forms import TrackForm
    from incidents.threats.selectors import public_threats

    alerts = list(
        public_threats()
        .exclude(msg_type=Threat.MsgType.CANCEL)
        .order_by("-severity", "-sent_at", "-id")[:PUBLIC_ALERT_LIMIT]
    )
    for alert in alerts:  # times in the zone of the alert's first area, labelled WIB/WITA/WIT
        first = next(iter(alert.areas.all()), None)
        alert.tz_name = first.timezone if first else settings.TIME_ZONE  # type: ignore[attr-defined]
        alert.tz_label = zone_label(alert.tz_name)  # type: ignore[attr-defined]
    return render(request, "agencies/public_home.html", {"alerts": alerts, "track_form": TrackForm()})


# --- Agency directory ----------------------------------------------------------------------


@login_required
@require_GET
@vary_on_headers("HX-Request")
def agency_list(request: HttpRequest) -> HttpResponse:
    directory = AgencyDirectoryFilter(request.GET or None, user=request.user)
    # Meta.ordering does not apply to the selector's GROUP BY (member counts): order here.
    agencies = directory.qs.order_by(Lower("name"), "pk").prefetch_related(
        Prefetch("jurisdiction", queryset=Area.objects.only("id", "name", "level").order_by("level", "name"))
    )
    context = {
        "filter": directory,
        "page": _paginate(request, agencies, AGENCY_PAGE_SIZE),
        "is_member": selectors.user_is_member(user=request.user),
        "is_filtered": any(request.GET.get(name) for name in directory.filters),
    }
    if _wants_partial(request):
        return render(request, "agencies/partials/agency_results.html", context)
    return render(request, "agencies/agency_list.html", context)


@dataclass
class MemberRow:
    membership: Membership
    show_contact: bool


@dataclass
class PartnershipRow:
    partnership: Partnership
    partners: list[Agency]
    scopes: list[str]
    is_valid: bool


@dataclass
class VitalObjectRow:
    vital_object: VitalObject
    is_operator: bool
    is_guard: bool


def _member_rows(user: Any, agency: Agency) -> list[MemberRow]:
    memberships = selectors.membership_list(user=user, agency=agency).filter(is_active=True)
    rows = [
        MemberRow(membership=m, show_contact=selectors.membership_can_see_contact(user=user, membership=m))
        for m in memberships
    ]
    rows.sort(key=lambda row: (ROLE_ORDER.get(row.membership.role, 99), row.membership.user.get_full_name().lower()))
    return rows


def _partnership_rows(user: Any, agency: Agency) -> list[PartnershipRow]:
    today = timezone.localdate()
    return [
        PartnershipRow(
            partnership=p,
            partners=[party for party in p.agencies.all() if party.pk != agency.pk],
            scopes=[str(Partnership.Scope(scope).label) for scope in p.scopes],
            is_valid=p.is_valid_on(today),
        )
        for p in selectors.partnership_list(user=user, filters={"agency": agency})
    ]


def _vital_object_rows(user: Any, agency: Agency) -> list[VitalObjectRow]:
    objects = (
        selectors.vital_object_list(user=user)
        .filter(Q(operator=agency) | Q(guarding_agencies=agency))
        .distinct()
        .order_by("name")
    )
    return [
        VitalObjectRow(
            vital_object=vo,
            is_operator=vo.operator_id == agency.pk,
            is_guard=any(guard.pk == agency.pk for guard in vo.guarding_agencies.all()),
        )
        for vo in objects
    ]


@login_required
@require_GET
def agency_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agency = selectors.agency_get(user=request.user, pk=pk)
    cameras: QuerySet[Camera] = selectors.camera_list(user=request.user).filter(operator=agency).order_by("code")
    camera_count = cameras.count()
    return render(
        request,
        "agencies/agency_detail.html",
        {
            "agency": agency,
            "members": _member_rows(request.user, agency),
            "partnerships": _partnership_rows(request.user, agency),
            "vital_objects": _vital_object_rows(request.user, agency),
            "cameras": cameras[:CAMERA_LIMIT] if camera_count else [],
            "camera_count": camera_count,
            "camera_limit": CAMERA_LIMIT,
            "is_own_agency": agency.pk in selectors.user_agency_ids(user=request.user),
        },
    )


# --- Area browser --------------------------------------------------------------------------


def _with_child_counts(queryset: QuerySet[Area]) -> QuerySet[Area]:
    # Meta.ordering does not apply to a GROUP BY query: order explicitly, or pages overlap.
    return queryset.annotate(child_count=Count("children")).order_by("level", "name", "pk")


@login_required
@require_GET
@vary_on_headers("HX-Request")
def area_browser(request: HttpRequest) -> HttpResponse:
    """Provinces to start the drill-down from, or the areas whose name matches a search."""
    form = AreaSearchForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters = {k: v for k, v in (("name", form.cleaned_data["q"]), ("level", form.cleaned_data["level"])) if v}
    if filters:
        areas = selectors.area_list(filters=filters).select_related("parent__parent")
    else:
        areas = selectors.area_list(filters={"level": Area.Level.PROVINCE})
    context = {
        "form": form,
        "page": _paginate(request, _with_child_counts(areas), AREA_PAGE_SIZE),
        "searching": bool(filters),
    }
    if _wants_partial(request):
        return render(request, "agencies/partials/area_results.html", context)
    return render(request, "agencies/area_browser.html", context)


@login_required
@require_GET
@vary_on_headers("HX-Request")
def area_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One area: its place in the hierarchy, its children (or a search below it), who covers it."""
    area = selectors.area_get(pk=pk)
    form = AreaSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    if query:
        below = selectors.area_descendants(area=area).filter(name__icontains=query).select_related("parent__parent")
    else:
        below = selectors.area_list(filters={"parent": area.pk})
    context = {
        "area": area,
        "form": form,
        "query": query,
        "page": _paginate(request, _with_child_counts(below), AREA_PAGE_SIZE),
        "child_level": Area.Level(area.level + 1) if area.level < Area.Level.VILLAGE else None,
    }
    if _wants_partial(request):
        return render(request, "agencies/partials/area_children.html", context)
    context.update(
        {
            "ancestors": list(selectors.area_ancestors(area=area)),
            "covering_agencies": selectors.agency_list(user=request.user)
            .filter(selectors.area_covering_q(area=area))
            .distinct()
            .order_by(Lower("name")),
            "is_member": selectors.user_is_member(user=request.user),
        }
    )
    return render(request, "agencies/area_detail.html", context)
