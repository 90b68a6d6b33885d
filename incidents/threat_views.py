"""Dashboard pages of threats and the alert inbox: thin views over threat selectors and services.

Access (docs/security.md, "Access"), as the selectors and services decide it:
- every page needs a session (anonymous visitors go to the login page);
- threats are read through `threat_selectors.threat_list/threat_get`: what a user may not read
  is absent from the list and answers 404 on its pages and on every action posted to it;
- logging, updating and cancelling go through `threat_services`; a user who may read but not
  act (a viewer, another agency) gets PermissionDenied, rendered as a 403 page;
- the fan-out progress of every alerted agency is shown to the issuing agency's members and to
  staff; an alerted agency sees its own alert only;
- alerts are read through `threat_selectors.alert_list/alert_get/inbox` (the user's agencies'
  alerts); any member of the alerted agency acknowledges.

The progress panel polls itself with htmx (`hx-trigger="every 3s"`) while a delivery is still
pending or an alert unacknowledged; once all is settled the partial comes back without the
trigger and with status 286, which tells htmx to stop polling.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from agencies import selectors as agency_selectors
from agencies.localtime import in_zone
from agencies.models import Area, Classification, Severity
from agencies.selectors import user_is_staff as _is_staff
from agencies.services import audit_reads
from common.htmx import wants_partial as _wants_partial
from common.pagination import paginate
from common.views import forbidden_page

from . import selectors, threat_selectors, threat_services
from .models import Alert, Certainty, Delivery, QuickResponse, Threat, ThreatEvent, Urgency
from .services import ACTING_ROLES
from .threat_forms import (
    QUICK_RESPONSES,
    AcknowledgeForm,
    InboxFilterForm,
    ThreatCancelForm,
    ThreatForm,
    ThreatPageFilter,
    zone_label,
)

THREAT_PAGE_SIZE = 25
INBOX_PAGE_SIZE = 25
# htmx stops polling an element when its request answers 286.
STOP_POLLING = 286
PENDING = (Delivery.Status.QUEUED, Delivery.Status.SENDING, Delivery.Status.RETRYING)
STATUS_ORDER = [
    Delivery.Status.QUEUED,
    Delivery.Status.SENDING,
    Delivery.Status.RETRYING,
    Delivery.Status.SENT,
    Delivery.Status.FAILED,
]
# The areas a list row or the inbox needs to name a threat's areas and its time zone.
AREAS_PREFETCH = Prefetch("areas", queryset=Area.objects.only("id", "name", "level", "timezone", "path"))


def _paginate(request: HttpRequest, queryset: QuerySet[Any], per_page: int) -> Page:
    """The requested page; an out-of-range or malformed `page` gives the nearest valid one."""
    return paginate(request, queryset, per_page)


def _can_log(user: Any) -> bool:
    """Staff, or a member whose role may log threats (not a viewer)."""
    return threat_services.can_log_threat(user=user)


def _can_manage(user: Any, threat: Threat) -> bool:
    """Staff, or an acting member of the issuing agency: who `threat_update/cancel` let through."""
    return threat_services.can_manage_threat(user=user, threat=threat)


def _require_manager(user: Any, threat: Threat) -> None:
    # Checked before the form is even built, so that a viewer learns nothing from its errors.
    if not _can_manage(user, threat):
        raise PermissionDenied(
            _("Only commanders, liaisons, planners and analysts of the issuing agency change a threat.")
        )


# --- Presentation helpers ------------------------------------------------------------------


def _localise(threat: Threat) -> Threat:
    """Give the threat the time zone of its first area (`tz_name`, `tz_label`), and its state.

    Uses the prefetched areas (Area's ordering puts the biggest area first); a threat without
    portal areas (an imported CAP alert) shows the server's zone.
    """
    first = next(iter(threat.areas.all()), None)
    threat.tz_name = first.timezone if first else settings.TIME_ZONE  # type: ignore[attr-defined]
    threat.tz_label = zone_label(threat.tz_name)  # type: ignore[attr-defined]
    now = timezone.now()
    if threat.is_cancelled:
        state, label = "cancelled", _("Cancelled")
    elif threat.expires_at and threat.expires_at <= now:
        state, label = "expired", _("Expired")
    elif threat.msg_type == Threat.MsgType.UPDATE:
        state, label = "updated", _("Active · updated")
    else:
        state, label = "active", _("Active")
    threat.state, threat.state_label = state, label  # type: ignore[attr-defined]
    return threat


@dataclass
class TimelineRow:
    event: ThreatEvent
    details: list[tuple[str, str]] = field(default_factory=list)


# Lazy labels: translated when a page is rendered, in its language.
_FIELD_LABELS = {f.name: f.verbose_name for f in Threat._meta.get_fields() if hasattr(f, "verbose_name")}


def _shown(key: str, value: Any, area_names: dict[int, str], threat: Threat) -> str:
    """A timeline change's new value made readable (the service stores str(value))."""
    try:
        if key == "severity":
            return str(Severity(int(value)).label)
        if key == "urgency":
            return str(Urgency(int(value)).label)
        if key == "certainty":
            return str(Certainty(int(value)).label)
        if key == "classification":
            return str(Classification(value).label)
        if key == "areas":
            return ", ".join(area_names.get(pk, f"#{pk}") for pk in value) or "—"
        if key in ("effective_at", "expires_at", "onset_at") and value not in (None, "", "None"):
            return in_zone(datetime.datetime.fromisoformat(str(value)), threat)
    except (ValueError, TypeError):
        pass
    return "—" if value in (None, "", "None") else str(value)


def _timeline(threat: Threat) -> list[TimelineRow]:
    events = list(threat.events.select_related("actor", "actor_agency"))
    area_ids = {pk for e in events for pk in ((e.data or {}).get("changes") or {}).get("areas", [])}
    area_names = dict(Area.objects.filter(pk__in=area_ids).values_list("pk", "name")) if area_ids else {}
    rows = []
    for event in events:
        data = event.data or {}
        row = TimelineRow(event=event)
        for key, value in (data.get("changes") or {}).items():
            label = capfirst(str(_FIELD_LABELS.get(key, key)))
            row.details.append((label, _shown(key, value, area_names, threat)))
        if event.kind == ThreatEvent.Kind.FANNED_OUT:
            row.details.append(
                (
                    _("Revision %(n)s") % {"n": data.get("revision", "?")},
                    _("%(alerts)s agencies, %(deliveries)s messages")
                    % {"alerts": data.get("alerts", 0), "deliveries": data.get("deliveries", 0)},
                )
            )
        if event.kind == ThreatEvent.Kind.ESCALATED:
            row.details.append((_("Escalation level"), str(data.get("level", "?"))))
        if event.kind == ThreatEvent.Kind.ACKNOWLEDGED and data.get("quick_response") in QuickResponse.values:
            row.details.append((_("Quick response"), str(QuickResponse(data["quick_response"]).label)))
        rows.append(row)
    return rows


# --- Progress ------------------------------------------------------------------------------


@dataclass
class AgencyProgress:
    alert_id: int
    agency_id: int
    agency: str
    reason_label: str
    statuses: list[tuple[str, str, int]]
    pending: int
    acknowledged_at: datetime.datetime | None
    acknowledged_by: str | None
    response: str
    escalation_level: int


def _progress_context(user: Any, threat: Threat) -> dict[str, Any]:
    """The progress panel as this user may see it, and whether it should keep polling."""
    own = agency_selectors.user_agency_ids(user=user)
    is_issuer = _is_staff(user) or (threat.issuing_agency_id is not None and threat.issuing_agency_id in own)
    progress = threat_selectors.threat_progress(threat=threat)
    reasons = dict(Alert.Reason.choices)
    labels = dict(Delivery.Status.choices)
    rows = [
        AgencyProgress(
            alert_id=entry["alert_id"],
            agency_id=entry["agency_id"],
            agency=entry["agency"],
            reason_label=str(reasons.get(entry["reason"], entry["reason"])),
            statuses=[(s, str(labels[s]), entry["deliveries"].get(s, 0)) for s in STATUS_ORDER],
            pending=sum(entry["deliveries"].get(s, 0) for s in PENDING),
            acknowledged_at=entry["acknowledged_at"],
            acknowledged_by=entry["acknowledged_by"],
            response=entry["response_display"],
            escalation_level=entry["escalation_level"],
        )
        for entry in progress["agencies"]
        if is_issuer or entry["agency_id"] in own
    ]
    acknowledged = sum(1 for row in rows if row.acknowledged_at)
    pending = sum(row.pending for row in rows)
    waiting_for_ack = not threat.is_cancelled and acknowledged < len(rows)
    visible = is_issuer or bool(rows)
    settled = not visible or (progress["fanned_out"] and not pending and not waiting_for_ack)
    totals = [(s, str(labels[s]), progress["deliveries"].get(s, 0)) for s in STATUS_ORDER] if is_issuer else []
    return {
        "threat": threat,
        "is_issuer": is_issuer,
        "progress_rows": rows,
        "fanned_out": progress["fanned_out"],
        "alert_count": len(rows),
        "acknowledged_count": acknowledged,
        "acknowledged_percent": round(100 * acknowledged / len(rows)) if rows else 0,
        "pending_count": pending,
        "totals": totals,
        "settled": settled,
        "poll": not settled,
    }


# --- Threats -------------------------------------------------------------------------------


@login_required
@require_GET
@vary_on_headers("HX-Request")
def threat_list(request: HttpRequest) -> HttpResponse:
    threats = threat_selectors.threat_list(user=request.user).prefetch_related(AREAS_PREFETCH)
    filterset = ThreatPageFilter(request.GET or None, user=request.user, queryset=threats)
    page = _paginate(request, filterset.qs, THREAT_PAGE_SIZE)
    for threat in page.object_list:
        _localise(threat)
    context = {
        "filter": filterset,
        "page": page,
        "is_filtered": filterset.is_filtered,
        "can_create": _can_log(request.user),
    }
    if _wants_partial(request):
        return render(request, "incidents/partials/threat_results.html", context)
    return render(request, "incidents/threat_list.html", context)


def _form_page(request: HttpRequest, form: ThreatForm, threat: Threat | None) -> HttpResponse:
    return render(
        request,
        "incidents/threat_form.html",
        {"form": form, "threat": threat},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
@forbidden_page
def threat_create(request: HttpRequest) -> HttpResponse:
    if not _can_log(request.user):
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
    threat = _localise(threat_selectors.threat_get(user=request.user, pk=pk))
    return render(request, "incidents/threat_detail.html", _detail_context(request, threat))


def _detail_context(
    request: HttpRequest, threat: Threat, cancel_form: ThreatCancelForm | None = None
) -> dict[str, Any]:
    user = request.user
    incident_visible = (
        threat.incident_id is not None and selectors.incident_list(user=user).filter(pk=threat.incident_id).exists()
    )
    return {
        **_progress_context(user, threat),
        "timeline": _timeline(threat),
        "can_manage": _can_manage(user, threat) and not threat.is_cancelled,
        "cancel_form": cancel_form or ThreatCancelForm(),
        "cap_url": f"/api/v1/threats/{threat.pk}/cap.xml",
        "incident_visible": incident_visible,
        "areas": list(threat.areas.all()),
        "named": list(threat.named_agencies.all()),
        "has_english": bool(threat.headline_en or threat.description_en or threat.instruction_en),
    }


@login_required
@require_GET
def threat_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress panel alone, polled by the threat page. Not audited: the page read was."""
    threat = _localise(threat_selectors.threat_get(user=request.user, pk=pk, audit=False))
    context = _progress_context(request.user, threat)
    response = render(request, "incidents/partials/threat_progress.html", context)
    if context["settled"] and getattr(request, "htmx", False):
        response.status_code = STOP_POLLING
    return response


@login_required
@require_http_methods(["GET", "POST"])
@forbidden_page
def threat_edit(request: HttpRequest, pk: int) -> HttpResponse:
    threat = threat_selectors.threat_get(user=request.user, pk=pk)
    _require_manager(request.user, threat)
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
    threat = threat_selectors.threat_get(user=request.user, pk=pk)
    _require_manager(request.user, threat)
    form = ThreatCancelForm(request.POST)
    if form.is_valid():
        try:
            threat_services.threat_cancel(actor=request.user, threat=threat, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Threat cancelled: every alerted agency is told."))
            return redirect("threat-detail", pk=threat.pk)
    _localise(threat)
    context = _detail_context(request, threat, cancel_form=form)
    context["open_cancel"] = True
    return render(request, "incidents/threat_detail.html", context, status=400)


@login_required
@require_POST
@forbidden_page
def threat_from_incident(request: HttpRequest, pk: int) -> HttpResponse:
    """Raise a threat from an incident the user may read, on behalf of an agency on the incident."""
    incident = selectors.incident_get(user=request.user, pk=pk)
    overrides: dict[str, Any] = {}
    acting = agency_selectors.managed_agency_ids(user=request.user, roles=ACTING_ROLES)
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


def _inbox_rows(user: Any) -> QuerySet[Delivery]:
    """One row per alert: the user's latest in-app delivery of it, `unread` if any of them is.

    An alert may reach a user several times (an update, an escalation): the inbox lists the
    alert once, as acknowledgement is per alert.
    """
    mine = threat_selectors.inbox(user=user)
    # "No later delivery of the same alert to me", tested per row as the page walks the inbox
    # index newest first: a page costs its own rows. (pk IN (MAX(pk) GROUP BY alert) grouped
    # every delivery the user ever got before the first row came out.)
    later = Delivery.objects.filter(
        user=user, channel=Delivery.Channel.IN_APP, alert_id=OuterRef("alert_id"), pk__gt=OuterRef("pk")
    )
    unread = Delivery.objects.filter(
        user=user, channel=Delivery.Channel.IN_APP, alert_id=OuterRef("alert_id"), read_at__isnull=True
    )
    # Joined: the alert, its threat and category. The agencies and the acknowledging member
    # come by primary key in their own small queries: with them joined too, PostgreSQL spent
    # 20 ms planning the eight-table join for 1 ms of execution.
    return (
        mine.filter(~Exists(later))
        .annotate(unread=Exists(unread))
        .select_related(None)
        .select_related("alert__threat__category")
        .prefetch_related(
            "alert__agency",
            "alert__acknowledged_by",
            "alert__threat__issuing_agency",
            Prefetch("alert__threat__areas", queryset=AREAS_PREFETCH.queryset),
        )
    )


def _readable_threat_ids(user: Any, threat_ids: set[int]) -> set[int]:
    """Which of these threats the user may open (an escalated alert may reach beyond the readers)."""
    if not threat_ids:
        return set()
    return set(threat_selectors.threat_list(user=user).filter(pk__in=threat_ids).values_list("pk", flat=True))


def _mark_alert_read(user: Any, alert: Alert) -> None:
    ids = list(threat_selectors.inbox(user=user).filter(alert=alert, read_at__isnull=True).values_list("pk", flat=True))
    if ids:
        threat_services.inbox_mark_read(user=user, delivery_ids=ids)


def _decorate_rows(user: Any, rows: list[Delivery]) -> None:
    readable = _readable_threat_ids(user, {row.alert.threat_id for row in rows})
    for row in rows:
        _localise(row.alert.threat)
        row.threat_readable = row.alert.threat_id in readable  # type: ignore[attr-defined]


@login_required
@require_GET
@vary_on_headers("HX-Request")
def alert_inbox(request: HttpRequest) -> HttpResponse:
    form = InboxFilterForm(request.GET or None)
    rows = _inbox_rows(request.user)
    if form.is_bound and form.is_valid():
        show = form.cleaned_data.get("show")
        if show == "unacknowledged":
            rows = rows.filter(alert__acknowledged_at__isnull=True).exclude(
                alert__threat__msg_type=Threat.MsgType.CANCEL
            )
        elif show == "unread":
            rows = rows.filter(unread=True)  # type: ignore[misc]  # an annotation
        if form.cleaned_data.get("min_severity") is not None:
            rows = rows.filter(alert__threat__severity__gte=form.cleaned_data["min_severity"])
    page = _paginate(request, rows, INBOX_PAGE_SIZE)
    _decorate_rows(request.user, list(page.object_list))
    context = {
        "filter_form": form,
        "page": page,
        "is_filtered": form.is_filtered,
        "quick_responses": QUICK_RESPONSES,
    }
    if _wants_partial(request):
        return render(request, "incidents/partials/inbox_results.html", context)
    # The page's header says these too; the navbar's bell reuses them (no second count).
    context["inbox_badge"] = threat_selectors.inbox_counts(user=request.user)
    return render(request, "incidents/inbox.html", context)


@require_GET
def alert_badge(request: HttpRequest) -> HttpResponse:
    """The navbar's bell alone: it refreshes itself (every 30 s) on a page left open.

    A session that has ended gets an empty 286: htmx removes the bell and stops polling,
    instead of swapping the login page into the navbar.
    """
    if not request.user.is_authenticated:
        return HttpResponse(status=STOP_POLLING)
    counts = threat_selectors.inbox_counts(user=request.user)
    return render(request, "incidents/partials/nav_alerts.html", {"inbox_badge": counts})


@login_required
@require_GET
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    alert = threat_selectors.alert_get(user=request.user, pk=pk)
    _mark_alert_read(request.user, alert)
    threat = _localise(alert.threat)
    # The page shows the threat's text: a read like the threat page's, audited alike.
    audit_reads(user=request.user, objects=[threat], object_type="threat")
    return render(
        request,
        "incidents/alert_detail.html",
        {
            "alert": alert,
            "threat": threat,
            "areas": list(threat.areas.all()),
            "threat_readable": bool(_readable_threat_ids(request.user, {threat.pk})),
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
    alert = threat_selectors.alert_get(user=request.user, pk=pk)
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
    if _wants_partial(request):
        if request.POST.get("place") == "row" and (row := _inbox_rows(request.user).filter(alert=alert).first()):
            _decorate_rows(request.user, [row])
            response = render(request, "incidents/partials/inbox_row.html", {**context, "row": row})
            # The inbox's heading counts what is waiting: swapped out of band with the row.
            response.content += render_to_string(
                "incidents/partials/inbox_summary.html", {"oob": True}, request=request
            ).encode()
        else:
            _localise(alert.threat)
            response = render(request, "incidents/partials/alert_ack.html", {**context, "threat": alert.threat})
        response["HX-Trigger"] = "alerts-changed"  # the navbar's bell refreshes its counts
        return response
    if form.errors:
        messages.error(request, " ".join(str(m) for errors in form.errors.values() for m in errors))
    elif was_acknowledged:
        messages.info(request, _("This alert had already been acknowledged."))
    else:
        messages.success(request, _("Alert acknowledged for %(agency)s.") % {"agency": alert.agency.name})
    return redirect(_safe_next(request, reverse("alert-detail", args=[alert.pk])))
