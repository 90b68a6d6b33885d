"""Dashboard pages of threats and the alert inbox: thin views over threat selectors and services.

Access (docs/security.md, "Access"), as the selectors and services decide it:
- every page needs a session (anonymous visitors go to the login page);
- threats are read through `selectors.threat_list/threat_get` (`threat_get_for_change` for an
  edit or a cancel): what a user may not read is absent from the list and answers 404 on its
  pages and on every action posted to it;
- logging, updating and cancelling go through `services.py`; a user who may read but not act
  (a viewer, another agency) gets PermissionDenied, rendered as a 403 page; the pages offer
  an action by the same `can_*` predicates of selectors.py;
- the fan-out progress of every alerted agency is shown to the issuing agency's members and to
  staff; an alerted agency sees its own alert only;
- alerts are read through `selectors.alert_list/alert_get/inbox` (the user's agencies'
  alerts, `alert_get_for_acknowledge` to acknowledge); any member of the alerted agency
  acknowledges.

The progress panel polls itself with htmx (`hx-trigger="every 3s"`) while a delivery is still
pending or an alert unacknowledged; once all is settled the partial comes back without the
trigger and with status 286, which tells htmx to stop polling.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from agencies import selectors as agency_selectors
from agencies.audit import audit_page
from agencies.models import Classification
from agencies.roles import roles_for
from common.htmx import STOP_POLLING, wants_partial
from common.pagination import paginate
from common.types import User
from common.views import forbidden_page
from incidents import selectors
from incidents.models import Alert, Threat

from . import presenters, test_alert
from . import selectors as threat_selectors
from . import services as threat_services
from .forms import (
    QUICK_RESPONSES,
    AcknowledgeForm,
    InboxFilterForm,
    ThreatCancelForm,
    ThreatForm,
    ThreatPageFilter,
)

THREAT_PAGE_SIZE = 25
INBOX_PAGE_SIZE = 25


def _threat_for_change(request: HttpRequest, pk: int) -> Threat:
    """The threat to edit or cancel (`threat_get_for_change`), checked before the form is even
    built, so that a viewer learns nothing from its errors; refused in the pages' words."""
    try:
        return threat_selectors.threat_get_for_change(user=request.user, pk=pk)
    except PermissionDenied:
        raise PermissionDenied(
            _("Only commanders, liaisons, planners and analysts of the issuing agency change a threat.")
        ) from None


def _mark_alert_read(user: User, alert: Alert) -> None:
    ids = list(threat_selectors.inbox(user=user).filter(alert=alert, read_at__isnull=True).values_list("pk", flat=True))
    if ids:
        threat_services.inbox_mark_read(user=user, delivery_ids=ids)


# --- Threats -------------------------------------------------------------------------------


@login_required
@require_GET
@vary_on_headers("HX-Request")
def threat_list(request: HttpRequest) -> HttpResponse:
    threats = threat_selectors.threat_list(user=request.user).prefetch_related(threat_selectors.AREAS_PREFETCH)
    filterset = ThreatPageFilter(request.GET or None, user=request.user, queryset=threats)
    page = audit_page(
        user=request.user,
        page=paginate(request, filterset.qs, THREAT_PAGE_SIZE),
        object_type="threat",
        detail=request.path,
    )
    for threat in page.object_list:
        presenters.localise(threat)
    context = {
        "filter": filterset,
        "page": page,
        "is_filtered": filterset.is_filtered,
        "can_create": threat_selectors.can_log_threat(user=request.user),
    }
    if wants_partial(request):
        return render(request, "incidents/threats/partials/threat_results.html", context)
    return render(request, "incidents/threats/threat_list.html", context)


def _form_page(request: HttpRequest, form: ThreatForm, threat: Threat | None) -> HttpResponse:
    return render(
        request,
        "incidents/threats/threat_form.html",
        {"form": form, "threat": threat},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
@forbidden_page
def threat_create(request: HttpRequest) -> HttpResponse:
    if not threat_selectors.can_log_threat(user=request.user):
        raise PermissionDenied(_("Viewers and users without an agency cannot log threats."))
    form = ThreatForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            threat = threat_services.threat_log(actor=request.user, **form.service_kwargs())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Threat logged: the alerts are going out."))
            return redirect("threat-detail", pk=threat.pk)
    return _form_page(request, form, None)


@login_required
@require_GET
def threat_detail(request: HttpRequest, pk: int) -> HttpResponse:
    threat = presenters.localise(threat_selectors.threat_get(user=request.user, pk=pk))
    return render(request, "incidents/threats/threat_detail.html", _detail_context(request, threat))


def _detail_context(
    request: HttpRequest, threat: Threat, cancel_form: ThreatCancelForm | None = None
) -> dict[str, Any]:
    user = request.user
    incident_visible = (
        threat.incident_id is not None and selectors.incident_list(user=user).filter(pk=threat.incident_id).exists()
    )
    return {
        **presenters.progress_context(user, threat),
        "timeline": presenters.timeline(threat),
        "can_manage": threat_selectors.can_manage_threat(user=user, threat=threat) and not threat.is_cancelled,
        "cancel_form": cancel_form or ThreatCancelForm(),
        "cap_url": f"/api/v1/threats/{threat.pk}/cap.xml",
        "incident_visible": incident_visible,
        "areas": list(threat.areas.all()),
        "named": list(threat.named_agencies.all()),
        "has_english": bool(threat.headline_en or threat.description_en or threat.instruction_en),
        **(presenters.cap_origin(user, threat) if threat.source == Threat.Source.CAP_IMPORT else {}),
    }


@login_required
@require_GET
def threat_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress panel alone, polled by the threat page. Not audited: the page read was."""
    threat = presenters.localise(threat_selectors.threat_get(user=request.user, pk=pk, audit=False))
    context = presenters.progress_context(request.user, threat)
    response = render(request, "incidents/threats/partials/threat_progress.html", context)
    if context["settled"] and getattr(request, "htmx", False):
        response.status_code = STOP_POLLING
    return response


@login_required
@require_http_methods(["GET", "POST"])
@forbidden_page
def threat_edit(request: HttpRequest, pk: int) -> HttpResponse:
    threat = _threat_for_change(request, pk)
    if threat.is_cancelled:
        messages.error(request, _("This threat was cancelled; log a new one."))
        return redirect("threat-detail", pk=threat.pk)
    form = ThreatForm(request.POST or None, user=request.user, threat=threat)
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        kwargs.pop("issuing_agency", None)
        try:
            threat_services.threat_update(actor=request.user, threat=threat, **kwargs)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Threat updated: every recipient is alerted again."))
            return redirect("threat-detail", pk=threat.pk)
    return _form_page(request, form, threat)


@login_required
@require_POST
@forbidden_page
def threat_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    threat = _threat_for_change(request, pk)
    form = ThreatCancelForm(request.POST)
    if form.is_valid():
        try:
            threat_services.threat_cancel(actor=request.user, threat=threat, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Threat cancelled: every alerted agency is told."))
            return redirect("threat-detail", pk=threat.pk)
    presenters.localise(threat)
    context = _detail_context(request, threat, cancel_form=form)
    context["open_cancel"] = True
    return render(request, "incidents/threats/threat_detail.html", context, status=400)


@login_required
@require_POST
@forbidden_page
def threat_from_incident(request: HttpRequest, pk: int) -> HttpResponse:
    """Raise a threat from an incident the user may read, on behalf of an agency on the incident."""
    incident = selectors.incident_get(user=request.user, pk=pk)
    overrides: dict[str, Any] = {}
    acting = agency_selectors.managed_agency_ids(user=request.user, roles=roles_for("threat.log"))
    if acting and len(acting) > 1:
        on_incident = [i for i in (incident.reporting_agency_id, incident.lead_agency_id) if i in acting]
        on_incident += [a.pk for a in incident.involved_agencies.all() if a.pk in acting]
        if on_incident:
            overrides["issuing_agency"] = agency_selectors.agency_list(user=request.user).get(pk=on_incident[0])
    if incident.classification == Classification.SECRET:
        # A secret threat reaches named agencies only: those on the secret incident.
        ids = {incident.reporting_agency_id, incident.lead_agency_id} | {a.pk for a in incident.involved_agencies.all()}
        overrides["named_agencies"] = list(agency_selectors.agency_list(user=request.user).filter(pk__in=ids - {None}))
    try:
        threat = threat_services.threat_from_incident(actor=request.user, incident=incident, **overrides)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        target = reverse("incident-detail", args=[incident.pk])
    else:
        messages.success(
            request, _("Threat raised from %(ref)s: the alerts are going out.") % {"ref": incident.reference}
        )
        target = reverse("threat-detail", args=[threat.pk])
    if getattr(request, "htmx", False):
        return HttpResponse(status=204, headers={"HX-Redirect": target})
    return redirect(target)


# --- Inbox ---------------------------------------------------------------------------------


@login_required
@require_GET
@vary_on_headers("HX-Request")
def alert_inbox(request: HttpRequest) -> HttpResponse:
    form = InboxFilterForm(request.GET or None)
    rows = threat_selectors.inbox_rows(user=request.user)
    if form.is_bound and form.is_valid():
        show = form.cleaned_data.get("show")
        if show == "unacknowledged":
            rows = (
                rows.filter(alert__acknowledged_at__isnull=True)
                .exclude(alert__threat__msg_type=Threat.MsgType.CANCEL)
                .filter(withdrawn=False)  # type: ignore[misc]  # an annotation
            )
        elif show == "unread":
            rows = rows.filter(unread=True, withdrawn=False)  # type: ignore[misc]  # annotations
        if form.cleaned_data.get("min_severity") is not None:
            # A withdrawn alert's severity is the threat's business: it never matches.
            rows = rows.filter(  # type: ignore[misc]  # `withdrawn` is an annotation
                alert__threat__severity__gte=form.cleaned_data["min_severity"], withdrawn=False
            )
    page = audit_page(
        user=request.user,
        page=paginate(request, rows, INBOX_PAGE_SIZE),
        object_type="threat",
        record=lambda row: None if getattr(row, "withdrawn", False) else row.alert.threat,
        detail=request.path,
    )
    presenters.decorate_rows(request.user, list(page.object_list))
    context = {
        "filter_form": form,
        "page": page,
        "is_filtered": form.is_filtered,
        "quick_responses": QUICK_RESPONSES,
    }
    if wants_partial(request):
        return render(request, "incidents/threats/partials/inbox_results.html", context)
    # The page's header says these too; the navbar's bell reuses them (no second count).
    context["inbox_badge"] = threat_selectors.inbox_counts(user=request.user)
    return render(request, "incidents/threats/inbox.html", context)


@require_GET
def alert_badge(request: HttpRequest) -> HttpResponse:
    """The navbar's bell alone: it refreshes itself (every 30 s) on a page left open.

    A session that has ended gets an empty 286: htmx removes the bell and stops polling,
    instead of swapping the login page into the navbar.
    """
    if not request.user.is_authenticated:
        return HttpResponse(status=STOP_POLLING)
    counts = threat_selectors.inbox_counts(user=request.user)
    return render(request, "incidents/threats/partials/nav_alerts.html", {"inbox_badge": counts})


@login_required
@require_GET
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    alert = threat_selectors.alert_get(user=request.user, pk=pk)
    _mark_alert_read(request.user, alert)
    threat = presenters.localise(alert.threat)  # alert_get audited the read of its text
    return render(
        request,
        "incidents/threats/alert_detail.html",
        {
            "alert": alert,
            "threat": threat,
            "areas": list(threat.areas.all()),
            "threat_readable": bool(threat_selectors.readable_threat_ids(user=request.user, threat_ids={threat.pk})),
            "ack_form": AcknowledgeForm(),
            "quick_responses": QUICK_RESPONSES,
        },
    )


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


@login_required
@require_POST
@forbidden_page
def alert_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    """Acknowledge for the agency. Repeating it is harmless: the first acknowledgement stays."""
    alert = threat_selectors.alert_get_for_acknowledge(user=request.user, pk=pk)
    was_acknowledged = alert.acknowledged_at is not None
    form = AcknowledgeForm(request.POST)
    if form.is_valid():
        try:
            alert = threat_services.alert_acknowledge(
                actor=request.user, alert=alert, response=form.response_text(), quick_response=form.quick_response()
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            _mark_alert_read(request.user, alert)
    context: dict[str, Any] = {
        "alert": alert,
        "ack_form": form if form.errors else AcknowledgeForm(),
        "quick_responses": QUICK_RESPONSES,
        "just_acknowledged": not was_acknowledged and alert.acknowledged_at is not None,
    }
    if wants_partial(request):
        if request.POST.get("place") == "row" and (
            row := threat_selectors.inbox_rows(user=request.user).filter(alert=alert).first()
        ):
            presenters.decorate_rows(request.user, [row])
            response = render(request, "incidents/threats/partials/inbox_row.html", {**context, "row": row})
            # The inbox's heading counts what is waiting: swapped out of band with the row.
            response.content += render_to_string(
                "incidents/threats/partials/inbox_summary.html", {"oob": True}, request=request
            ).encode()
        else:
            presenters.localise(alert.threat)
            response = render(request, "incidents/threats/partials/alert_ack.html", {**context, "threat": alert.threat})
        response["HX-Trigger"] = "alerts-changed"  # the navbar's bell refreshes its counts
        return response
    if form.errors:
        messages.error(request, " ".join(str(m) for errors in form.errors.values() for m in errors))
    elif was_acknowledged:
        messages.info(request, _("This alert had already been acknowledged."))
    else:
        messages.success(request, _("Alert acknowledged for %(agency)s.") % {"agency": alert.agency.name})
    return redirect(_safe_next(request, reverse("alert-detail", args=[alert.pk])))


@login_required
@require_POST
@forbidden_page
def subscription_test_alert(request: HttpRequest, pk: int) -> HttpResponse:
    """The "send a test alert" button of a subscription: each channel's outcome on the page."""
    subscription = agency_selectors.subscription_get_for_change(user=request.user, pk=pk)
    results = test_alert.subscription_test_alert(actor=request.user, subscription=subscription)
    return render(
        request,
        "incidents/threats/test_alert.html",
        {"subscription": subscription, "agency": subscription.agency, "results": results},
    )
