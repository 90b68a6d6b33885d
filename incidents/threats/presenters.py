"""What the threat pages show, shaped for their templates: a threat's local time zone and
state, its timeline, the fan-out progress panel and the inbox rows (views.py stays thin)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies import selectors as agency_selectors
from agencies.localtime import in_zone
from agencies.models import Area, Classification, Severity
from common.types import User
from incidents.models import Alert, Certainty, Delivery, QuickResponse, Threat, ThreatEvent, Urgency

from . import selectors as threat_selectors
from .forms import (
    zone_label,
)

PENDING = (Delivery.Status.QUEUED, Delivery.Status.SENDING, Delivery.Status.RETRYING)
STATUS_ORDER = [
    Delivery.Status.QUEUED,
    Delivery.Status.SENDING,
    Delivery.Status.RETRYING,
    Delivery.Status.SENT,
    Delivery.Status.FAILED,
    Delivery.Status.CANCELLED,
]


def localise(threat: Threat) -> Threat:
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


def timeline(threat: Threat) -> list[TimelineRow]:
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
    withdrawn: bool = False


def progress_context(user: User, threat: Threat) -> dict[str, Any]:
    """The progress panel as this user may see it, and whether it should keep polling."""
    own = agency_selectors.user_agency_ids(user=user)
    is_issuer = threat_selectors.can_follow_progress(user=user, threat=threat)
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
            withdrawn=entry["withdrawn"],
        )
        for entry in progress["agencies"]
        if is_issuer or entry["agency_id"] in own
    ]
    acknowledged = sum(1 for row in rows if row.acknowledged_at)
    pending = sum(row.pending for row in rows)
    # A withdrawn alert (its agency may no longer read the threat) waits for nothing.
    waiting_for_ack = not threat.is_cancelled and any(not r.acknowledged_at and not r.withdrawn for r in rows)
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


def decorate_rows(user: User, rows: list[Delivery]) -> None:
    """Localise each row's threat; `withdrawn` (from `threat_selectors.inbox`) rows show none of it."""
    readable = threat_selectors.readable_threat_ids(user=user, threat_ids={row.alert.threat_id for row in rows})
    for row in rows:
        localise(row.alert.threat)
        row.alert.withdrawn = getattr(row, "withdrawn", False)  # type: ignore[attr-defined]
        row.threat_readable = row.alert.threat_id in readable  # type: ignore[attr-defined]


# Why an area was linked to an imported alert (Threat.area_matches, cap/areas.py).
AREA_MATCH_REASONS = {
    "polygon": gettext_lazy("its centre lies inside the alert's polygon"),
    "circle": gettext_lazy("its centre lies inside the alert's circle"),
    "geocode": gettext_lazy("the alert's geocode"),
    "name": gettext_lazy("its name (areaDesc)"),
}
AREA_MATCHES_SHOWN = 50


def cap_origin(user: User, threat: Threat) -> dict[str, Any]:
    """An imported threat's origin for its page: the CAP messages received (with their documents),
    why each area was chosen (the first AREA_MATCHES_SHOWN), whether the reader may open the source."""
    matches = [
        {**match, "reason_label": AREA_MATCH_REASONS.get(match.get("reason", ""), match.get("reason", ""))}
        for match in (threat.area_matches or [])[:AREA_MATCHES_SHOWN]
    ]
    return {
        "cap_messages": list(threat.messages.order_by("revision")),
        "area_matches": matches,
        "area_matches_more": max(0, len(threat.area_matches or []) - AREA_MATCHES_SHOWN),
        "can_see_source": threat_selectors.can_manage_cap_sources(user=user),
    }
