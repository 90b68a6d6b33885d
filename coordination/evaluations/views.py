"""Dashboard pages of periodic evaluations (/evaluations/).

Access, as `selectors` and `services` decide it: every page needs a session; an evaluation the
user may not read answers 404 on its pages, downloads and every action posted to it; a reader
who may not act gets a 403 page and nothing changes. The pages offer only what the services'
`evaluation_rights` allow; the services are the guard.

The detail page reads the stored snapshot (never computes): a draft is recomputed by its
writers' button and nightly by the beat.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from common.htmx import render_list
from common.pagination import paginate
from common.views import forbidden_page, forbidden_response
from coordination.exercises.selectors import action_item_rows
from coordination.models import ActionItem, Evaluation

from . import forms, selectors, services
from .kpis.definitions import KPIS
from .presenters import figures
from .reports.exports import evaluation_csv, evaluation_xlsx
from .reports.pdf import evaluation_pdf

PAGE_SIZE = 25
TEMPLATE = "coordination/evaluations/evaluation_detail.html"
LANGUAGES = ("id", "en")


def _language(request: HttpRequest) -> str:
    """The reader's language; ?lang=en|id overrides it (a report for a partner abroad)."""
    asked = request.GET.get("lang", "")
    if asked in LANGUAGES:
        return asked
    return "en" if (get_language() or "").startswith("en") else "id"


@login_required
@require_GET
@vary_on_headers("HX-Request")
def evaluation_list(request: HttpRequest) -> HttpResponse:
    filterset = forms.EvaluationPageFilter(request.GET or None, queryset=selectors.evaluation_list(user=request.user))
    page = paginate(request, filterset.qs, PAGE_SIZE)
    language = _language(request)
    rows = [
        {"evaluation": e, "title": selectors.evaluation_title(e, language), "scope": selectors.scope_label(e)}
        for e in page.object_list
    ]
    context = {
        "filter": filterset,
        "page": page,
        "rows": rows,
        "can_create": services.can_create_any(user=request.user),
    }
    return render_list(
        request,
        "coordination/evaluations/evaluation_list.html",
        "coordination/evaluations/partials/evaluation_results.html",
        context,
    )


@login_required
@require_http_methods(["GET", "POST"])
@forbidden_page
def evaluation_create(request: HttpRequest) -> HttpResponse:
    if not services.can_create_any(user=request.user):
        return forbidden_response(request)
    form = forms.EvaluationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            evaluation = services.evaluation_create(actor=request.user, **form.service_values())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The evaluation is drafted and its figures computed."))
            return redirect("evaluation-detail", pk=evaluation.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "coordination/evaluations/evaluation_form.html", {"form": form}, status=status)


def _context(request: HttpRequest, evaluation: Evaluation, **given: Any) -> dict[str, Any]:
    user = request.user
    language = _language(request)
    rights = services.evaluation_rights(actor=user, evaluation=evaluation)
    change = rights["change"]
    items = list(evaluation.action_items.all())
    by_finding: dict[int | None, list[dict[str, Any]]] = {}
    for row in action_item_rows(user=user, items=items):
        by_finding.setdefault(row["item"].finding_id, []).append(row)
    # A finding's edit form is drawn by the template from one list of choices (a widget per
    # finding would render its ~50 options through templates each time: the page's main cost).
    bound = given.get("finding_forms", {})
    findings = [
        {
            "finding": f,
            "kpi": KPIS[f.kpi].label if f.kpi in KPIS else "",
            "items": by_finding.get(f.pk, []),
            "form": bound.get(f.pk),
            "text": bound[f.pk].data.get(f"f{f.pk}-text", f.text) if f.pk in bound else f.text,
            "current_kpi": bound[f.pk].data.get(f"f{f.pk}-kpi", f.kpi) if f.pk in bound else f.kpi,
        }
        for f in evaluation.findings.all()
    ]
    previous, previous_items = selectors.previous_action_items(user=user, evaluation=evaluation)
    return {
        "evaluation": evaluation,
        "title": selectors.evaluation_title(evaluation, language),
        "period_label": services.period_of(evaluation).label(language),
        "scope": selectors.scope_label(evaluation),
        "rights": rights,
        "kpi_choices": forms.kpi_choices(evaluation) if change else [],
        "figures": figures(evaluation.snapshot or {}, language=language),
        "findings": findings,
        "loose_items": by_finding.get(None, []),
        "statuses": ActionItem.Status.choices,
        "summary_form": given.get("summary_form")
        or (
            forms.SummaryForm(
                initial={"title": evaluation.title, "summary": evaluation.summary, "recurring": evaluation.recurring}
            )
            if change
            else None
        ),
        "finding_form": given.get("finding_form") or (forms.FindingForm(evaluation=evaluation) if change else None),
        "item_form": given.get("item_form")
        or (forms.EvaluationActionItemForm(evaluation=evaluation) if change else None),
        "previous": previous,
        "previous_title": selectors.evaluation_title(previous, language) if previous else "",
        "previous_items": selectors.follow_ups(items=previous_items),
        "tables": ["kpis", *sorted((evaluation.snapshot or {}).get("breakdowns", {}))],
        "language": language,
    }


@login_required
@require_GET
def evaluation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = selectors.evaluation_get(user=request.user, pk=pk)
    return render(request, TEMPLATE, _context(request, evaluation))


def _step(request: HttpRequest, pk: int, step: Any, done: str) -> HttpResponse:
    evaluation = selectors.evaluation_get(user=request.user, pk=pk)
    try:
        step(evaluation)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect("evaluation-detail", pk=evaluation.pk)


@login_required
@require_POST
@forbidden_page
def evaluation_recompute(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        lambda e: services.evaluation_recompute(actor=request.user, evaluation=e),
        _("The figures are computed again from the data as it is now."),
    )


@login_required
@require_POST
@forbidden_page
def evaluation_review(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        lambda e: services.evaluation_review(actor=request.user, evaluation=e),
        _("The evaluation is reviewed: it may now be published."),
    )


@login_required
@require_POST
@forbidden_page
def evaluation_return(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        lambda e: services.evaluation_return(actor=request.user, evaluation=e),
        _("The evaluation is back to draft."),
    )


@login_required
@require_POST
@forbidden_page
def evaluation_public(request: HttpRequest, pk: int) -> HttpResponse:
    """The public summary on (`public=1`) or off (anything else)."""
    on = request.POST.get("public") == "1"
    step = services.evaluation_publish_public if on else services.evaluation_withdraw_public
    done = _("The public summary is on the public portal.") if on else _("The public summary is withdrawn.")
    return _step(request, pk, lambda e: step(actor=request.user, evaluation=e), done)


@login_required
@require_http_methods(["GET", "POST"])
@forbidden_page
def evaluation_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose the partner agencies and publish: the figures are computed a last time, then frozen."""
    evaluation = selectors.evaluation_get(user=request.user, pk=pk)
    services.require_publisher(actor=request.user, evaluation=evaluation)
    form = forms.PublishForm(request.POST or None, evaluation=evaluation)
    is_open = evaluation.status == Evaluation.Status.REVIEWED
    if is_open and request.method == "POST" and form.is_valid():
        try:
            services.evaluation_publish(
                actor=request.user, evaluation=evaluation, shared_with=list(form.cleaned_data["shared_with"])
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The evaluation is published; its figures are now frozen."))
            return redirect("evaluation-detail", pk=evaluation.pk)
    context = {
        "evaluation": evaluation,
        "title": selectors.evaluation_title(evaluation, _language(request)),
        "form": form,
        "open": is_open,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "coordination/evaluations/evaluation_publish.html", context, status=status)


@login_required
@require_POST
@forbidden_page
def evaluation_update(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = selectors.evaluation_get_for_change(user=request.user, pk=pk)
    form = forms.SummaryForm(request.POST)
    if form.is_valid():
        try:
            services.evaluation_update(actor=request.user, evaluation=evaluation, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The summary is saved."))
            return redirect("evaluation-detail", pk=evaluation.pk)
    return render(request, TEMPLATE, _context(request, evaluation, summary_form=form), status=400)


@login_required
@require_POST
@forbidden_page
def evaluation_finding_add(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = selectors.evaluation_get_for_change(user=request.user, pk=pk)
    form = forms.FindingForm(request.POST, evaluation=evaluation)
    if form.is_valid():
        try:
            services.evaluation_finding_add(actor=request.user, evaluation=evaluation, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The finding is added."))
            return redirect("evaluation-detail", pk=evaluation.pk)
    return render(request, TEMPLATE, _context(request, evaluation, finding_form=form), status=400)


@login_required
@require_POST
@forbidden_page
def evaluation_finding_edit(request: HttpRequest, pk: int) -> HttpResponse:
    finding = selectors.evaluation_finding_get_for_change(user=request.user, pk=pk)
    evaluation = finding.evaluation
    form = forms.FindingForm(request.POST, evaluation=evaluation, prefix=f"f{finding.pk}")
    if form.is_valid():
        try:
            services.evaluation_finding_change(actor=request.user, finding=finding, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The finding is saved."))
            return redirect("evaluation-detail", pk=evaluation.pk)
    return render(request, TEMPLATE, _context(request, evaluation, finding_forms={finding.pk: form}), status=400)


@login_required
@require_POST
@forbidden_page
def evaluation_finding_delete(request: HttpRequest, pk: int) -> HttpResponse:
    finding = selectors.evaluation_finding_get_for_change(user=request.user, pk=pk)
    evaluation_pk = finding.evaluation_id
    try:
        services.evaluation_finding_delete(actor=request.user, finding=finding)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The finding is deleted."))
    return redirect("evaluation-detail", pk=evaluation_pk)


@login_required
@require_POST
@forbidden_page
def evaluation_finding_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a finding one place up (`direction=up`) or down."""
    finding = selectors.evaluation_finding_get_for_change(user=request.user, pk=pk)
    evaluation = finding.evaluation
    order = [f.pk for f in evaluation.findings.all()]
    i = order.index(finding.pk)
    j = i - 1 if request.POST.get("direction") == "up" else i + 1
    if 0 <= j < len(order):
        order[i], order[j] = order[j], order[i]
        try:
            services.evaluation_findings_reorder(actor=request.user, evaluation=evaluation, order=order)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return redirect("evaluation-detail", pk=evaluation.pk)


@login_required
@require_POST
@forbidden_page
def evaluation_action_item_add(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = selectors.evaluation_get_for_change(user=request.user, pk=pk)
    form = forms.EvaluationActionItemForm(request.POST, evaluation=evaluation)
    if form.is_valid():
        try:
            services.evaluation_action_item_create(actor=request.user, evaluation=evaluation, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The action item is added."))
            return redirect("evaluation-detail", pk=evaluation.pk)
    return render(request, TEMPLATE, _context(request, evaluation, item_form=form), status=400)


# --- Downloads -------------------------------------------------------------------------------


def _download(content: bytes | str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def evaluation_report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = selectors.evaluation_get(user=request.user, pk=pk)
    _previous, previous_items = selectors.previous_action_items(user=request.user, evaluation=evaluation)
    content = evaluation_pdf(
        evaluation=evaluation,
        findings=list(evaluation.findings.all()),
        actions=list(evaluation.action_items.all()),
        previous_actions=previous_items,
        language=_language(request),
    )
    return _download(content, "application/pdf", f"evaluasi-{evaluation.pk}.pdf")


@login_required
@require_GET
def evaluation_tables_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = selectors.evaluation_get(user=request.user, pk=pk)
    content = evaluation_xlsx(evaluation=evaluation, language=_language(request))
    return _download(
        content,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"evaluasi-{evaluation.pk}.xlsx",
    )


@login_required
@require_GET
def evaluation_table_csv(request: HttpRequest, pk: int, table: str) -> HttpResponse:
    evaluation = selectors.evaluation_get(user=request.user, pk=pk)
    try:
        content = evaluation_csv(evaluation=evaluation, table=table, language=_language(request))
    except ValueError:
        raise Http404 from None
    return _download(content, "text/csv; charset=utf-8", f"evaluasi-{evaluation.pk}-{table}.csv")


# --- KPI targets ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@forbidden_page
def evaluation_targets(request: HttpRequest) -> HttpResponse:
    """Each KPI's label, unit, default, the city's target and an agency's (`?agency=`: one of the
    user's agencies; staff any): editable by who may set them (`services.can_set_targets`)."""
    user = request.user
    agencies = selectors.target_agencies(user=user)
    chosen = next(
        (a for a in agencies if str(a.pk) == request.GET.get("agency", "")), agencies[0] if agencies else None
    )
    status = 200
    if request.method == "POST":
        form = forms.TargetForm(request.POST)
        if form.is_valid():
            agency = form.cleaned_data["agency"]
            if agency is not None and agency not in agencies:
                raise Http404
            try:
                if form.cleaned_data["value"] is None:
                    services.kpi_target_clear(actor=user, kpi=form.cleaned_data["kpi"], agency=agency)
                else:
                    services.kpi_target_set(
                        actor=user, kpi=form.cleaned_data["kpi"], agency=agency, value=form.cleaned_data["value"]
                    )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                status = 400
            else:
                messages.success(request, _("The target is saved."))
                query = f"?agency={agency.pk}" if agency else (f"?agency={chosen.pk}" if chosen else "")
                return redirect(reverse("evaluation-targets") + query)
        else:
            messages.error(request, " ".join(str(m) for errors in form.errors.values() for m in errors))
            status = 400
    context = {
        "rows": selectors.target_rows(agency_id=chosen.pk if chosen else None),
        "agencies": agencies,
        "chosen": chosen,
        "can_city": services.can_set_targets(user=user, agency_id=None),
        "can_agency": chosen is not None and services.can_set_targets(user=user, agency_id=chosen.pk),
    }
    return render(request, "coordination/evaluations/evaluation_targets.html", context, status=status)


# --- The public summary (no login) ------------------------------------------------------------


@require_GET
def public_evaluation_list(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.public_evaluation_list(), PAGE_SIZE)
    language = _language(request)
    rows = [{"evaluation": e, "title": selectors.evaluation_title(e, language)} for e in page.object_list]
    return render(request, "coordination/evaluations/public_list.html", {"page": page, "rows": rows})


@require_GET
def public_evaluation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The public summary: the public figures only, and the summary text; no findings, no
    actions, nothing of who wrote it."""
    evaluation = selectors.public_evaluation_get(pk=pk)
    language = _language(request)
    context = {
        "evaluation": evaluation,
        "title": selectors.evaluation_title(evaluation, language),
        "period_label": services.period_of(evaluation).label(language),
        "figures": figures(evaluation.snapshot or {}, language=language, public_only=True),
    }
    return render(request, "coordination/evaluations/public_detail.html", context)
