"""Pages of the risk register: thin views over the risks' selectors, services and presenters.

- /risks/ (risk-list): the assessments the user may read, filtered with htmx (`Vary:
  HX-Request`), beside the areas needing attention;
- /risks/heatmap/ (risk-heatmap): risk by area x hazard, coloured 1-25, and on a map;
- /risks/new/ and /risks/<pk>/edit/: the assessment form, through `services.risk_create` /
  `risk_update`. What the user may not read answers 404; what they read but may not change, 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from agencies.audit import audit_page
from common.htmx import wants_partial
from common.pagination import paginate
from common.views import forbidden_page, map_settings

from . import presenters, selectors, services
from .forms import RiskForm, RiskPageFilter

RISK_PAGE_SIZE = 25


@login_required
@require_GET
@vary_on_headers("HX-Request")
def risk_list(request: HttpRequest) -> HttpResponse:
    filterset = RiskPageFilter(request.GET or None, user=request.user)
    page = audit_page(
        user=request.user,
        page=paginate(request, filterset.qs.order_by("-score", "review_due", "pk"), RISK_PAGE_SIZE),
        object_type="risk",
        detail=request.path,
    )
    presenters.register_page_rows(user=request.user, page=page)
    context = {
        "filter": filterset,
        "page": page,
        "is_filtered": filterset.is_filtered,
        "attention": presenters.attention_rows(user=request.user, within=filterset.chosen_area),
        "can_create": services.can_record_risk(user=request.user),
    }
    if wants_partial(request):
        return render(request, "incidents/risks/partials/risk_results.html", context)
    return render(request, "incidents/risks/risk_list.html", context)


@login_required
@require_GET
def risk_heatmap(request: HttpRequest) -> HttpResponse:
    """Risk by area x hazard, coloured 1-25, and the areas' highest scores on a map."""
    filterset = RiskPageFilter(request.GET or None, user=request.user)
    return render(
        request,
        "incidents/risks/risk_heatmap.html",
        {"filter": filterset, **presenters.heatmap(risks=filterset.qs), **map_settings()},
    )


@login_required
@require_http_methods(["GET", "POST"])
@forbidden_page
def risk_create(request: HttpRequest) -> HttpResponse:
    if not services.can_record_risk(user=request.user):
        raise PermissionDenied(_("Viewers and users without an agency cannot record risk assessments."))
    form = RiskForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.risk_create(actor=request.user, **form.service_kwargs())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Risk assessment recorded."))
            return redirect("risk-list")
    return render(
        request, "incidents/risks/risk_form.html", {"form": form, "risk": None}, status=400 if form.is_bound else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
@forbidden_page
def risk_edit(request: HttpRequest, pk: int) -> HttpResponse:
    risk = selectors.risk_get_for_change(user=request.user, pk=pk)
    form = RiskForm(request.POST or None, user=request.user, risk=risk)
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
        "incidents/risks/risk_form.html",
        {"form": form, "risk": risk, "score_colour": presenters.risk_colour(risk.score)},
        status=400 if form.is_bound else 200,
    )
