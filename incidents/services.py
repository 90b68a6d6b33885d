"""Writes of the incidents app. Every service is atomic, validates with `full_clean()`, checks
the actor's role and appends to the incident's timeline; nothing here edits or deletes a
timeline entry.

Callers fetch the target through a selector first (which answers 404 for what the actor may
not see); the services then answer PermissionDenied when the actor sees it but may not act.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies import services as agencies_services
from agencies.models import Agency, Area, Camera, VitalObject
from agencies.roles import agencies_with, has_capability, roles_for
from agencies.selectors import user_agency_ids, user_is_staff, user_roles_in
from common.services import model_update, signed_in, timeline_append
from common.types import User

from .models import (
    Category,
    Incident,
    IncidentEvent,
    ReferenceCounter,
)

S = Incident.Status
TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.REPORTED: (S.VERIFIED, S.REJECTED, S.DUPLICATE),
    S.VERIFIED: (S.RESPONDING, S.CONTAINED, S.RESOLVED, S.REJECTED, S.DUPLICATE),
    S.RESPONDING: (S.CONTAINED, S.RESOLVED),
    S.CONTAINED: (S.RESPONDING, S.RESOLVED),
    S.RESOLVED: (S.CLOSED, S.RESPONDING),
    S.CLOSED: (),
    S.REJECTED: (S.REPORTED,),
    S.DUPLICATE: (),
}

# Statuses that mean "verified by now" (in order: verified, then a response under way): the
# first move into RESPONSE_STAGES sets verified_at, the first into RESPONSE_STAGES[1:] responding_at.
RESPONSE_STAGES: tuple[str, ...] = (S.VERIFIED, S.RESPONDING, S.CONTAINED, S.RESOLVED, S.CLOSED)


def acting_agency(
    *,
    actor: User,
    agency: Agency | None = None,
    roles: Sequence[str] | None = None,
    field: str = "reporting_agency",
) -> Agency | None:
    """agencies.services.acting_agency with the roles that may log incidents unless `roles`
    says otherwise; staff may act for no agency."""
    if roles is None:
        roles = roles_for("incident.log")
    return agencies_services.acting_agency(actor=actor, agency=agency, roles=roles, field=field)


def can_log_incident(*, user: User) -> bool:
    """Staff, or a member whose role may log incidents (not a viewer): whom `incident_create` lets through."""
    return has_capability(user=user, capability="incident.log")


def can_note_incident(*, user: User) -> bool:
    """Staff, or an acting member of any agency (the incident is one they can read): `incident_add_note`'s rule."""
    return has_capability(user=user, capability="incident.note")


def can_manage_incident(*, user: User, incident: Incident) -> bool:
    """`require_incident_manager` as a question: edit, status, assign, link, merge (the pages
    ask it before offering them; `selectors.incident_get_for_change` asks the rule itself)."""
    try:
        require_incident_manager(actor=user, incident=incident)
    except PermissionDenied:
        return False
    return True


def steering_agency_id(incident: Incident) -> int | None:
    """The agency that decides who works on the incident: its lead, or the reporting agency
    while no lead is set."""
    return incident.lead_agency_id or incident.reporting_agency_id


def can_assign_incident(*, user: User, incident: Incident) -> bool:
    """`require_incident_assigner` as a question (the detail page asks it before offering the
    assign form)."""
    try:
        require_incident_assigner(actor=user, incident=incident)
    except PermissionDenied:
        return False
    return True


def require_incident_assigner(*, actor: User, incident: Incident) -> Agency | None:
    """The one rule of who changes the agencies on an incident (its lead and involved ones):
    staff, or a member holding "incident.assign" in its steering agency (`steering_agency_id`).
    An involved agency or a partner may work on the incident but never adds agencies to it.
    Returns the agency the actor acts for (None for staff)."""
    if user_is_staff(actor):
        return None
    steering = steering_agency_id(incident)
    if steering in agencies_with(user=actor, capability="incident.assign", among=[steering]):
        return Agency.objects.get(pk=steering)
    raise PermissionDenied(_("Only commanders and liaisons of the lead agency may change the agencies on an incident."))


def require_incident_manager(*, actor: User, incident: Incident) -> Agency | None:
    """The one rule of who may change an incident: the actor must hold "incident.manage"
    (command or liaise) in the reporting, lead or an involved agency, or be staff. Returns the
    agency the actor acts for (None for staff)."""
    if user_is_staff(actor):
        return None
    candidates = {incident.reporting_agency_id, incident.lead_agency_id}
    candidates |= set(incident.involved_agencies.values_list("pk", flat=True))
    roles = user_roles_in(user=actor, agency_ids=candidates)
    managing = roles_for("incident.manage")
    for agency_id, role in roles.items():
        if role in managing:
            return Agency.objects.get(pk=agency_id)
    raise PermissionDenied(
        _("Only commanders and liaisons of the reporting, lead or involved agencies may change this incident.")
    )


def _event(incident: Incident, **event: Any) -> IncidentEvent:
    """A line of the incident's timeline (`common.services.timeline_append`)."""
    return timeline_append(IncidentEvent, incident=incident, **event)


def reference_prefix(area: Area) -> str:
    """The regency/city code of the area (areaid's BSNI code, e.g. BON for Kota Bontang)."""
    parts = [p for p in area.path.split("/") if p]
    if area.level == Area.Level.REGENCY:
        code = area.code
    elif area.level > Area.Level.REGENCY and len(parts) >= 2:
        regency_path = "/" + "/".join(parts[:2]) + "/"
        code = Area.objects.filter(path=regency_path).values_list("code", flat=True).first() or ""
    else:
        code = (area.code or "").replace("ID-", "")
    return (code or "IDN").upper()[:8]


def next_reference(*, prefix: str, year: int) -> str:
    """The next number for (prefix, year): unique and gap-free.

    Must run inside the transaction that saves the incident. The counter row is locked
    (SELECT ... FOR UPDATE) until that transaction ends, so concurrent creators queue on it
    and a rollback gives the number back. Call it last, just before the insert, to hold the
    lock for as short a time as possible.
    """
    ReferenceCounter.objects.get_or_create(prefix=prefix, year=year)
    counter = ReferenceCounter.objects.select_for_update().get(prefix=prefix, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{prefix}-{year}-{counter.last:06d}"


INCIDENT_FIELDS = (
    "title",
    "description",
    "category",
    "severity",
    "urgency",
    "classification",
    "area",
    "latitude",
    "longitude",
    "occurred_at",
    "camera",
    "vital_object",
)


@transaction.atomic
def incident_create(
    *,
    actor: User,
    title: str,
    category: Category,
    area: Area,
    occurred_at: datetime | None = None,
    reporting_agency: Agency | None = None,
    lead_agency: Agency | None = None,
    involved_agencies: Sequence[Agency] = (),
    source: str = Incident.Source.AGENCY,
    **fields: Any,
) -> Incident:
    """Log an incident for the actor's agency, with its reference number and first timeline entry.
    Naming its lead or involved agencies is assigning them: `require_incident_assigner`'s rule,
    the reporting agency steering the new incident."""
    agency = acting_agency(actor=actor, agency=reporting_agency)
    incident = Incident(
        title=title,
        category=category,
        area=area,
        area_path=area.path,
        occurred_at=occurred_at or timezone.now(),
        reporting_agency=agency,
        lead_agency=lead_agency,
        source=source,
        created_by=signed_in(actor),
        **{k: v for k, v in fields.items() if k in INCIDENT_FIELDS},
    )
    if incident.occurred_at > timezone.now() + timedelta(minutes=5):
        raise ValidationError({"occurred_at": _("An incident cannot occur in the future.")})
    if not category.is_active:
        raise ValidationError({"category": _("This category is no longer in use.")})
    if lead_agency is not None or involved_agencies:
        require_incident_assigner(actor=actor, incident=Incident(reporting_agency=agency))
    incident.reference = "PENDING"
    incident.full_clean(exclude=["reference", "area_path"])
    incident.reference = next_reference(prefix=reference_prefix(area), year=incident.occurred_at.year)
    incident.save()
    if involved_agencies:
        incident.involved_agencies.set(involved_agencies)
    _event(incident, actor=actor, agency=agency, kind=IncidentEvent.Kind.CREATED, message=title)
    return incident


@transaction.atomic
def incident_update(*, actor: User, incident: Incident, **fields: Any) -> Incident:
    """Change an incident's description fields (INCIDENT_FIELDS only: another key is a
    ValueError); the timeline records old and new values."""
    agency = require_incident_manager(actor=actor, incident=incident)
    changed = model_update(instance=incident, fields=fields, allowed=INCIDENT_FIELDS)
    changes = {key: [_plain(old), _plain(new)] for key, (old, new) in changed.items()}
    if not changes:
        return incident
    if "area" in changes:
        incident.area_path = incident.area.path
    incident.full_clean(exclude=["reference", "area_path"])
    incident.save()
    _event(incident, actor=actor, agency=agency, kind=IncidentEvent.Kind.UPDATED, data={"changes": changes})
    return incident


def _plain(value: Any) -> Any:
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def allowed_transitions(incident: Incident) -> tuple[str, ...]:
    return TRANSITIONS.get(incident.status, ())


@transaction.atomic
def incident_change_status(*, actor: User, incident: Incident, status: str, note: str = "") -> Incident:
    """Move an incident along the workflow; an illegal move says which moves are allowed."""
    agency = require_incident_manager(actor=actor, incident=incident)
    # Lock the row: two liaisons moving the same incident at once must not both succeed from
    # the same starting status.
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    allowed = allowed_transitions(incident)
    if status not in allowed:
        names = ", ".join(str(S(s).label) for s in allowed) or _("none")
        raise ValidationError(
            {
                "status": _("Cannot move from %(current)s to %(wanted)s. Allowed: %(allowed)s.")
                % {
                    "current": S(incident.status).label,
                    "wanted": S(status).label if status in S.values else status,
                    "allowed": names,
                }
            }
        )
    old = incident.status
    incident.status = status
    now = timezone.now()
    if status in (S.RESOLVED, S.CLOSED) and incident.resolved_at is None:
        incident.resolved_at = now
    elif status in (S.RESPONDING, S.REPORTED):
        incident.resolved_at = None
    # The first time each stage was reached (the evaluations' response times); never moved back.
    if status in RESPONSE_STAGES and incident.verified_at is None:
        incident.verified_at = now
    if status in RESPONSE_STAGES[1:] and incident.responding_at is None:
        incident.responding_at = now
    incident.save(update_fields=["status", "verified_at", "responding_at", "resolved_at", "updated_at"])
    kind = IncidentEvent.Kind.VERIFIED if status == S.VERIFIED else IncidentEvent.Kind.STATUS
    _event(incident, actor=actor, agency=agency, kind=kind, message=note, data={"from": old, "to": status})
    return incident


def incident_verify(*, actor: User, incident: Incident, note: str = "") -> Incident:
    """Confirm a reported incident (reported -> verified)."""
    return incident_change_status(actor=actor, incident=incident, status=S.VERIFIED, note=note)


@transaction.atomic
def incident_assign(
    *,
    actor: User,
    incident: Incident,
    lead_agency: Agency | None = None,
    involved_agencies: Sequence[Agency] | None = None,
) -> Incident:
    """Set the lead agency and/or the involved agencies: only the steering agency's commanders
    and liaisons, or staff (`require_incident_assigner`)."""
    agency = require_incident_assigner(actor=actor, incident=incident)
    data: dict[str, Any] = {}
    if lead_agency is not None and lead_agency.pk != incident.lead_agency_id:
        if not lead_agency.is_active:
            raise ValidationError({"lead_agency": _("This agency is not active.")})
        data["lead_agency"] = [incident.lead_agency_id, lead_agency.pk]
        incident.lead_agency = lead_agency
        incident.save(update_fields=["lead_agency", "updated_at"])
    if involved_agencies is not None:
        inactive = [a.name for a in involved_agencies if not a.is_active]
        if inactive:
            raise ValidationError({"involved_agencies": _("Not active: %(names)s.") % {"names": ", ".join(inactive)}})
        before = sorted(incident.involved_agencies.values_list("pk", flat=True))
        after = sorted({a.pk for a in involved_agencies})
        if before != after:
            incident.involved_agencies.set(involved_agencies)
            data["involved_agencies"] = [before, after]
    if data:
        names = []
        if incident.lead_agency:
            names.append(_("lead: %(name)s") % {"name": incident.lead_agency.name})
        _event(
            incident, actor=actor, agency=agency, kind=IncidentEvent.Kind.ASSIGNED, message="; ".join(names), data=data
        )
    return incident


@transaction.atomic
def incident_add_note(*, actor: User, incident: Incident, message: str) -> IncidentEvent:
    """Add a note to the timeline: any acting member of an agency that can read the incident."""
    message = (message or "").strip()
    if not message:
        raise ValidationError({"message": _("A note cannot be empty.")})
    if len(message) > 5000:
        raise ValidationError({"message": _("A note has at most 5000 characters.")})
    agency = None
    if not user_is_staff(actor):
        own = user_roles_in(user=actor, agency_ids=user_agency_ids(user=actor))
        noting = roles_for("incident.note")
        acting = [aid for aid, role in own.items() if role in noting]
        if not acting:
            raise PermissionDenied(_("Viewers cannot add notes."))
        agency = Agency.objects.get(pk=sorted(acting)[0])
    return _event(incident, actor=actor, agency=agency, kind=IncidentEvent.Kind.NOTE, message=message)


@transaction.atomic
def incident_link(
    *, actor: User, incident: Incident, camera: Camera | None = None, vital_object: VitalObject | None = None
) -> Incident:
    """Link a CCTV camera or a vital object to the incident."""
    agency = require_incident_manager(actor=actor, incident=incident)
    data: dict[str, Any] = {}
    if camera is not None:
        incident.camera = camera
        data["camera"] = camera.code
    if vital_object is not None:
        incident.vital_object = vital_object
        data["vital_object"] = vital_object.pk
    if not data:
        raise ValidationError({"camera": _("Give a camera or a vital object to link.")})
    incident.save(update_fields=["camera", "vital_object", "updated_at"])
    _event(incident, actor=actor, agency=agency, kind=IncidentEvent.Kind.LINKED, data=data)
    return incident


@transaction.atomic
def incident_merge(*, actor: User, duplicate: Incident, into: Incident) -> Incident:
    """Mark `duplicate` as a duplicate of `into`; its citizen reports move over.

    The actor must be allowed to change both incidents (`require_incident_manager` on each): a
    merge writes to both. It never changes who works on `into`: the duplicate's agencies are
    not added (that would let anyone who can read an incident join it by merging their own into
    it); the lead of `into` adds them through `incident_assign` if it wants them."""
    if duplicate.pk == into.pk:
        raise ValidationError({"into": _("An incident cannot be a duplicate of itself.")})
    agency = require_incident_manager(actor=actor, incident=duplicate)
    require_incident_manager(actor=actor, incident=into)
    if into.status == S.DUPLICATE:
        raise ValidationError({"into": _("Merge into the original incident, not into another duplicate.")})
    if duplicate.status not in (S.REPORTED, S.VERIFIED):
        raise ValidationError(
            {
                "status": _("Only reported or verified incidents can be merged (this one is %(s)s).")
                % {"s": duplicate.get_status_display()}
            }
        )
    old = duplicate.status
    duplicate.status = S.DUPLICATE
    duplicate.duplicate_of = into
    duplicate.save(update_fields=["status", "duplicate_of", "updated_at"])
    duplicate.citizen_reports.update(incident=into)
    _event(
        duplicate,
        actor=actor,
        agency=agency,
        kind=IncidentEvent.Kind.MERGED,
        data={"from": old, "into": into.reference},
    )
    _event(into, actor=actor, agency=agency, kind=IncidentEvent.Kind.MERGED, data={"duplicate": duplicate.reference})
    return duplicate
