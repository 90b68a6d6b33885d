"""Dashboard pages of the agencies app: thin views that call a selector and render.

Every read goes through `agencies.selectors`, which scopes it to the user: what a user may not
see is absent (an empty directory) or a 404 (a detail page), never a 403 with details.

Pages whose lists update with htmx render only their results partial for an htmx request
(except a history-restore request, which needs the whole page), and say so with
`Vary: HX-Request` so that a browser cache never serves the partial for a full page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import Lower
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from common.htmx import wants_partial as _wants_partial
from common.pagination import paginate
from common.types import User
from common.views import forbidden_page

from . import selectors, services
from .filters import AuditLogFilter
from .forms import AgencyDirectoryFilter, AreaSearchForm, PartnershipProposeForm
from .manage import services as manage_services
from .models import Agency, Area, Camera, Membership, Partnership, PartnershipAnswer, VitalObject

AGENCY_PAGE_SIZE = 20
AUDIT_PAGE_SIZE = 50
AREA_PAGE_SIZE = 30
# An agency page lists its cameras; a big operator may run hundreds, the rest is in the API.
CAMERA_LIMIT = 50
ROLE_ORDER = {role: index for index, role in enumerate(Membership.Role.values)}
# The directory and the area browser count their rows exactly: their longest list (every area
# of the country, some 91,000) stays under this bound, so `paginate` never cuts a count short.
DIRECTORY_COUNT_BOUND = 1_000_000


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
        "page": paginate(request, agencies, AGENCY_PAGE_SIZE, bound=DIRECTORY_COUNT_BOUND),
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
    is_valid: bool  # in force today (`Partnership.is_in_force`)
    answers: list[PartnershipAnswer]
    # What the user may do on behalf of the page's agency (`agencies.partnerships` predicates).
    can_answer: bool
    can_end: bool
    can_read_document: bool
    can_upload_document: bool


@dataclass
class VitalObjectRow:
    vital_object: VitalObject
    is_operator: bool
    is_guard: bool


def _member_rows(user: User, agency: Agency) -> list[MemberRow]:
    memberships = selectors.membership_list(user=user, agency=agency).filter(is_active=True)
    rows = [
        MemberRow(membership=m, show_contact=selectors.membership_can_see_contact(user=user, membership=m))
        for m in memberships
    ]
    rows.sort(key=lambda row: (ROLE_ORDER.get(row.membership.role, 99), row.membership.user.get_full_name().lower()))
    return rows


def _partnership_rows(user: User, agency: Agency) -> list[PartnershipRow]:
    today = timezone.localdate()
    return [
        PartnershipRow(
            partnership=p,
            partners=[party for party in p.agencies.all() if party.pk != agency.pk],
            scopes=[str(Partnership.Scope(scope).label) for scope in p.scopes],
            is_valid=p.is_in_force(today),
            answers=list(p.answers.all()),
            can_answer=agency.pk in services.partnership_answer_agencies(user=user, partnership=p),
            can_end=services.can_end_partnership(user=user, partnership=p, agency=agency),
            can_read_document=bool(p.document) and manage_services.can_read_document(user=user, partnership=p),
            can_upload_document=manage_services.can_upload_document(user=user, partnership=p, agency=agency),
        )
        for p in selectors.partnership_list(user=user, filters={"agency": agency})
    ]


def _vital_object_rows(user: User, agency: Agency) -> list[VitalObjectRow]:
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


def _agency_page(
    request: HttpRequest, agency: Agency, propose_form: PartnershipProposeForm | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    cameras: QuerySet[Camera] = selectors.camera_list(user=user).filter(operator=agency).order_by("code")
    camera_count = cameras.count()
    if propose_form is None and services.can_propose_partnership(user=user, agency=agency):
        propose_form = PartnershipProposeForm(agency=agency)
    return render(
        request,
        "agencies/agency_detail.html",
        {
            "agency": agency,
            "members": _member_rows(user, agency),
            "partnerships": _partnership_rows(user, agency),
            "propose_form": propose_form,
            "vital_objects": _vital_object_rows(user, agency),
            "cameras": cameras[:CAMERA_LIMIT] if camera_count else [],
            "camera_count": camera_count,
            "camera_limit": CAMERA_LIMIT,
            "is_own_agency": agency.pk in selectors.user_agency_ids(user=user),
            "can_read_audit": selectors.can_read_audit(user=user, agency=agency),
            "can_require_two_factor": services.can_require_two_factor(user=user, agency=agency),
            "can_manage_members": manage_services.can_manage_members(user=user, agency=agency),
            "can_manage_agency": manage_services.can_manage_agency(user=user, agency=agency),
            "can_edit_contact": manage_services.can_edit_contact(user=user, agency=agency),
        },
        status=status,
    )


@login_required
@require_GET
@vary_on_headers("HX-Request")
def agency_audit(request: HttpRequest, pk: int) -> HttpResponse:
    """Who read the agency's confidential and secret records: its commanders and staff."""
    agency = selectors.agency_get(user=request.user, pk=pk)
    audit = selectors.agency_audit_list(user=request.user, agency=agency)
    filterset = AuditLogFilter(request.GET or None, queryset=audit)
    valid = filterset.is_bound and filterset.is_valid()
    # Bad filter values show their errors on the form and the unfiltered list (never a 500).
    rows = filterset.qs if valid else audit
    context = {
        "agency": agency,
        "filter": filterset,
        "page": paginate(request, rows, AUDIT_PAGE_SIZE),
        "is_filtered": valid and any(v not in (None, "") for v in filterset.form.cleaned_data.values()),
    }
    if _wants_partial(request):
        return render(request, "agencies/partials/audit_results.html", context)
    return render(request, "agencies/agency_audit.html", context)


@login_required
@require_GET
def agency_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _agency_page(request, selectors.agency_get(user=request.user, pk=pk))


@login_required
@require_POST
def agency_two_factor(request: HttpRequest, pk: int) -> HttpResponse:
    """Require two-factor login of every member (or of commanders only): its commander, staff."""
    agency = selectors.agency_get(user=request.user, pk=pk)
    required = request.POST.get("two_factor_required") == "1"
    services.agency_update(actor=request.user, agency=agency, two_factor_required=required)
    if required:
        messages.success(
            request, _("Every member of %(agency)s must now use two-factor login.") % {"agency": agency.name}
        )
    else:
        messages.success(
            request, _("Only the commanders of %(agency)s must now use two-factor login.") % {"agency": agency.name}
        )
    return redirect("agency-detail", pk=agency.pk)


# --- Partnerships: propose, accept, decline, end (on the agency page) -------------------------


@login_required
@require_POST
@forbidden_page
def partnership_propose(request: HttpRequest, pk: int) -> HttpResponse:
    """A commander proposes a partnership of the agency `pk` with another (staff: any agency)."""
    agency = selectors.agency_get(user=request.user, pk=pk)
    selectors.require_capability(user=request.user, agency_id=agency.pk, capability="partnership.propose")
    form = PartnershipProposeForm(request.POST, agency=agency)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.partnership_propose(
                actor=request.user,
                proposing_agency=agency,
                agencies=[agency, data["partner"]],
                title=data["title"],
                reference=data["reference"],
                scopes=data["scopes"],
                valid_from=data["valid_from"],
                valid_until=data["valid_until"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The partnership is proposed: it is in force once the other party accepts it."))
            return redirect("agency-detail", pk=agency.pk)
    return _agency_page(request, agency, propose_form=form, status=400)


def _partnership_step(request: HttpRequest, pk: int, service: Callable[..., Partnership], done: str) -> HttpResponse:
    """Accept, decline or end the partnership `pk` on behalf of the agency the page was about
    (the form's `agency`), then back to that agency's page."""
    partnership = selectors.partnership_get_for_change(user=request.user, pk=pk)
    parties = {party.pk: party for party in partnership.agencies.all()}
    raw = request.POST.get("agency", "")
    agency = parties.get(int(raw)) if raw.isdigit() else None
    if agency is None:
        raise PermissionDenied(_("Say for which of its parties you act."))
    try:
        service(actor=request.user, partnership=partnership, agency=agency)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect("agency-detail", pk=agency.pk)


@login_required
@require_POST
@forbidden_page
def partnership_accept(request: HttpRequest, pk: int) -> HttpResponse:
    return _partnership_step(request, pk, services.partnership_accept, _("You accepted the partnership."))


@login_required
@require_POST
@forbidden_page
def partnership_decline(request: HttpRequest, pk: int) -> HttpResponse:
    return _partnership_step(request, pk, services.partnership_decline, _("You declined the partnership."))


@login_required
@require_POST
@forbidden_page
def partnership_end(request: HttpRequest, pk: int) -> HttpResponse:
    return _partnership_step(request, pk, services.partnership_end, _("The partnership is ended."))


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
        "page": paginate(request, _with_child_counts(areas), AREA_PAGE_SIZE, bound=DIRECTORY_COUNT_BOUND),
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
        "page": paginate(request, _with_child_counts(below), AREA_PAGE_SIZE, bound=DIRECTORY_COUNT_BOUND),
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
