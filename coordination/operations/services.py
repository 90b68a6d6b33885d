"""Writes of joint operations, their participations and situation reports, and the predicates
the pages ask before they offer an action (the same rules the services apply).

Every service is atomic, validates with `full_clean()`, checks the actor's capability
(`agencies/roles.py`) and appends to the operation's timeline. Callers fetch the target through
a selector first (404 for what the actor may not see); the services answer PermissionDenied when
the actor sees it but may not act, and ValidationError (a 400 in the API) for bad input or an
illegal workflow move.

Who may do what:
- create an operation: a commander, liaison or planner ("operation.plan"), for their own agency
  (the lead);
- change it, its participations and its links, and move it along: the same roles of the lead
  agency, except that only a commander of the lead agency approves it ("operation.approve");
- write a sitrep: an acting member (not a viewer: "operation.report") of the lead or a
  participating agency.
Platform staff may do everything.

Participating agencies' members are told in-app (`coordination.notifications`, one bulk INSERT
per event) when their agency is added, when the plan changes and when the operation starts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency, Area, Membership
from agencies.roles import agencies_with, has_capability
from agencies.selectors import user_is_staff
from common.services import model_update, signed_in, timeline_append
from common.types import User
from coordination.models import JointOperation, OperationEvent, Participation, SitRep
from coordination.notifications.services import notify_agencies
from coordination.rules import check_window, holds_capability, lead_agency_of_actor, require_capability
from incidents.selectors import incident_list
from incidents.threats.selectors import threat_list

S = JointOperation.Status
TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.PLANNED: (S.APPROVED, S.CANCELLED),
    S.APPROVED: (S.ACTIVE, S.CANCELLED),
    S.ACTIVE: (S.COMPLETED, S.CANCELLED),
    S.COMPLETED: (S.REVIEWED,),
    S.REVIEWED: (),
    S.CANCELLED: (),
}

OPERATION_FIELDS = (
    "name",
    "kind",
    "classification",
    "objectives",
    "command_post",
    "command_post_lat",
    "command_post_lon",
    "starts_at",
    "ends_at",
)
PARTICIPATION_FIELDS = ("role", "personnel", "vehicles", "liaison")
SITREP_FIELDS = ("resources_committed", "casualties_dead", "casualties_injured", "casualties_missing", "needs")


# --- Who may do what -----------------------------------------------------------------------


def require_operation_planner(*, actor: User, operation: JointOperation) -> Agency | None:
    """A commander, liaison or planner of the lead agency (or staff), else PermissionDenied."""
    return require_capability(
        actor=actor,
        agency_ids=[operation.lead_agency_id],
        capability="operation.plan",
        message=_("Only commanders, liaisons and planners of the lead agency may change this operation."),
    )


def can_plan_any(*, user: User) -> bool:
    """A commander, liaison or planner of some agency: who may plan an operation for their
    agency from the pages (`operation_create` with the user's agency). Staff must name the lead
    agency, which only the API and the admin ask for: the service refuses staff without one,
    so the pages do not offer it to them."""
    return bool(agencies_with(user=user, capability="operation.plan"))


def can_plan_operation(*, actor: User, operation: JointOperation) -> bool:
    """`require_operation_planner`'s rule, as a question."""
    return holds_capability(actor=actor, agency_ids=[operation.lead_agency_id], capability="operation.plan")


def can_approve_operation(*, actor: User, operation: JointOperation) -> bool:
    """Only a commander of the lead agency approves an operation (or staff)."""
    return holds_capability(actor=actor, agency_ids=[operation.lead_agency_id], capability="operation.approve")


def allowed_transitions(*, actor: User, operation: JointOperation) -> list[str]:
    """The moves the actor may make now (what the detail page offers as buttons)."""
    if not can_plan_operation(actor=actor, operation=operation):
        return []
    moves = list(TRANSITIONS[operation.status])
    if S.APPROVED in moves and not can_approve_operation(actor=actor, operation=operation):
        moves.remove(S.APPROVED)
    return moves


def can_report_operation(*, user: User, operation: JointOperation) -> bool:
    """`sitrep_create`'s rule: staff, or an acting member of the lead or a participating agency."""
    return has_capability(
        user=user, capability="operation.report", agency_ids={operation.lead_agency_id, *_participant_ids(operation)}
    )


# --- Helpers -------------------------------------------------------------------------------


def _event(operation: JointOperation, **event: Any) -> OperationEvent:
    """A line of the operation's timeline (`common.services.timeline_append`)."""
    return timeline_append(OperationEvent, operation=operation, **event)


def _plain(value: Any) -> Any:
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, datetime | date):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def _changes(changed: dict[str, tuple[Any, Any]]) -> dict[str, list[Any]]:
    """`model_update`'s changes as the timeline stores them: [old, new], JSON-ready."""
    return {name: [_plain(old), _plain(new)] for name, (old, new) in changed.items()}


def _participant_ids(operation: JointOperation) -> set[int]:
    return set(operation.participations.values_list("agency_id", flat=True))


def _notify_plan_changed(*, operation: JointOperation, actor: User) -> None:
    notify_agencies(
        operation=operation,
        agency_ids=_participant_ids(operation),
        kind="changed",
        exclude=actor,
    )


# --- Operations ----------------------------------------------------------------------------


@transaction.atomic
def operation_create(
    *,
    actor: User,
    name: str,
    kind: str,
    lead_agency: Agency | None = None,
    areas: Sequence[Area] = (),
    **fields: Any,
) -> JointOperation:
    """Plan an operation led by the actor's agency (commander, liaison or planner); status planned."""
    agency = lead_agency_of_actor(actor=actor, agency=lead_agency, capability="operation.plan")
    operation = JointOperation(
        name=name,
        kind=kind,
        lead_agency=agency,
        created_by=signed_in(actor),
        **{k: v for k, v in fields.items() if k in OPERATION_FIELDS},
    )
    check_window(operation.starts_at, operation.ends_at)
    operation.full_clean()
    operation.save()
    if areas:
        operation.areas.set(areas)
    _event(operation, actor=actor, agency=agency, kind="created", message=name)
    return operation


@transaction.atomic
def operation_update(
    *, actor: User, operation: JointOperation, areas: Sequence[Area] | None = None, **fields: Any
) -> JointOperation:
    """Change the plan (lead agency's planners); the timeline records old and new values and
    the participating agencies are told. `fields` are among OPERATION_FIELDS (ValueError else)."""
    agency = require_operation_planner(actor=actor, operation=operation)
    if operation.status in (S.REVIEWED, S.CANCELLED):
        raise ValidationError({"status": _("A reviewed or cancelled operation cannot be changed.")})
    changes: dict[str, list[Any]] = _changes(model_update(instance=operation, fields=fields, allowed=OPERATION_FIELDS))
    if areas is not None:
        old_ids = sorted(operation.areas.values_list("pk", flat=True))
        new_ids = sorted(a.pk for a in areas)
        if old_ids != new_ids:
            changes["areas"] = [old_ids, new_ids]
    if not changes:
        return operation
    check_window(operation.starts_at, operation.ends_at)
    operation.full_clean()
    operation.save()
    if "areas" in changes:
        operation.areas.set(areas or [])
    _event(operation, actor=actor, agency=agency, kind="updated", data={"changes": changes})
    _notify_plan_changed(operation=operation, actor=actor)
    return operation


@transaction.atomic
def operation_change_status(*, actor: User, operation: JointOperation, status: str, note: str = "") -> JointOperation:
    """Move along planned > approved > active > completed > reviewed, or to cancelled.

    Only a commander of the lead agency approves; an illegal move is a ValidationError naming
    the allowed ones. Starting the operation tells every participating agency.
    """
    agency = require_operation_planner(actor=actor, operation=operation)
    operation = JointOperation.objects.select_for_update().get(pk=operation.pk)
    allowed = TRANSITIONS[operation.status]
    if status not in allowed:
        names = ", ".join(str(S(s).label) for s in allowed) or _("none")
        raise ValidationError(
            {
                "status": _("An operation cannot move from %(old)s to %(new)s. Allowed: %(allowed)s.")
                % {
                    "old": S(operation.status).label,
                    "new": S(status).label if status in S.values else status,
                    "allowed": names,
                }
            }
        )
    if status == S.APPROVED and not can_approve_operation(actor=actor, operation=operation):
        raise PermissionDenied(_("Only a commander of the lead agency may approve an operation."))
    old = operation.status
    operation.status = status
    if status == S.APPROVED:
        operation.approved_by = signed_in(actor)
        operation.approved_at = timezone.now()
    operation.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    _event(
        operation,
        actor=actor,
        agency=agency,
        kind="status",
        message=note,
        data={"from": old, "to": status},
    )
    if status == S.ACTIVE:
        notify_agencies(
            operation=operation,
            agency_ids=_participant_ids(operation),
            kind="started",
            exclude=actor,
        )
    return operation


def _readable(
    readable: QuerySet[Any], wanted: Sequence[int], *, field: str, missing: str, data: dict[str, list[int]]
) -> list[Any]:
    """The rows of `readable` (what the actor may read) with the `wanted` ids, noted in `data`
    under `field`; one missing or hidden is refused alike (`missing` on `field`)."""
    ids = set(wanted)
    found = list(readable.filter(pk__in=ids))
    if len(found) != len(ids):
        raise ValidationError({field: missing})
    data[field] = sorted(ids)
    return found


@transaction.atomic
def operation_link(
    *,
    actor: User,
    operation: JointOperation,
    incident_ids: Sequence[int] = (),
    threat_ids: Sequence[int] = (),
) -> JointOperation:
    """Link incidents and threats by id. Only those the actor can read: a hidden one is refused
    with the same message as one that does not exist."""
    agency = require_operation_planner(actor=actor, operation=operation)
    data: dict[str, list[int]] = {}
    if incident_ids:
        incidents = incident_list(user=actor)
        missing = _("No incident with this id.")
        operation.incidents.add(*_readable(incidents, incident_ids, field="incidents", missing=missing, data=data))
    if threat_ids:
        threats = threat_list(user=actor)
        missing = _("No threat with this id.")
        operation.threats.add(*_readable(threats, threat_ids, field="threats", missing=missing, data=data))
    if not data:
        raise ValidationError({"incidents": _("Give incidents, threats or both.")})
    _event(operation, actor=actor, agency=agency, kind="linked", data=data)
    return operation


# --- Participations ------------------------------------------------------------------------


def _check_liaison(liaison: Any, agency_id: int) -> None:
    if liaison is None:
        return
    if not Membership.objects.filter(user=liaison, agency_id=agency_id, is_active=True).exists():
        raise ValidationError({"liaison": _("The liaison must be a member of the participating agency.")})


@transaction.atomic
def participation_add(*, actor: User, operation: JointOperation, agency: Agency, **fields: Any) -> Participation:
    """Add an agency to the operation (lead agency's planners); its active members are told."""
    actor_agency = require_operation_planner(actor=actor, operation=operation)
    if not agency.is_active:
        raise ValidationError({"agency": _("This agency is not active.")})
    if operation.participations.filter(agency=agency).exists():
        raise ValidationError({"agency": _("This agency already takes part.")})
    participation = Participation(
        operation=operation, agency=agency, **{k: v for k, v in fields.items() if k in PARTICIPATION_FIELDS}
    )
    _check_liaison(participation.liaison, agency.pk)
    participation.full_clean()
    participation.save()
    _event(
        operation,
        actor=actor,
        agency=actor_agency,
        kind="participant_added",
        message=agency.name,
        data={"agency": agency.pk, **{k: _plain(getattr(participation, k)) for k in PARTICIPATION_FIELDS}},
    )
    notify_agencies(
        operation=operation,
        agency_ids=[agency.pk],
        kind="added",
        subject_agency=agency,
        exclude=actor,
    )
    return participation


@transaction.atomic
def participation_update(*, actor: User, participation: Participation, **fields: Any) -> Participation:
    """Change an agency's part (role, personnel, vehicles, liaison: PARTICIPATION_FIELDS, else
    ValueError); a plan change for all."""
    operation = participation.operation
    actor_agency = require_operation_planner(actor=actor, operation=operation)
    changes = _changes(model_update(instance=participation, fields=fields, allowed=PARTICIPATION_FIELDS))
    if not changes:
        return participation
    _check_liaison(participation.liaison, participation.agency_id)
    participation.full_clean()
    participation.save()
    _event(
        operation,
        actor=actor,
        agency=actor_agency,
        kind="participant_changed",
        message=participation.agency.name,
        data={"agency": participation.agency_id, "changes": changes},
    )
    _notify_plan_changed(operation=operation, actor=actor)
    return participation


@transaction.atomic
def participation_remove(*, actor: User, participation: Participation) -> None:
    """Take an agency off the operation; it and the remaining participants are told."""
    operation = participation.operation
    actor_agency = require_operation_planner(actor=actor, operation=operation)
    agency = participation.agency
    told = _participant_ids(operation)
    participation.delete()
    _event(
        operation,
        actor=actor,
        agency=actor_agency,
        kind="participant_removed",
        message=agency.name,
        data={"agency": agency.pk},
    )
    notify_agencies(
        operation=operation,
        agency_ids=told,
        kind="removed",
        subject_agency=agency,
        exclude=actor,
    )


# --- Situation reports ---------------------------------------------------------------------


@transaction.atomic
def sitrep_create(
    *,
    actor: User,
    operation: JointOperation,
    period_start: datetime,
    period_end: datetime,
    summary: str,
    agency: Agency | None = None,
    **fields: Any,
) -> SitRep:
    """A situation report by an acting member of the lead or a participating agency."""
    agency_ids = {operation.lead_agency_id, *_participant_ids(operation)}
    if agency is not None:
        if agency.pk not in agency_ids:
            raise ValidationError({"agency": _("This agency does not take part in the operation.")})
        agency_ids = {agency.pk}
    if user_is_staff(actor):
        reporter = agency or operation.lead_agency
    else:
        found = require_capability(
            actor=actor,
            agency_ids=sorted(agency_ids),
            capability="operation.report",
            message=_("Only members of the agencies taking part may report on this operation."),
        )
        reporter = found or operation.lead_agency
    check_window(period_start, period_end, field="period_end")
    sitrep = SitRep(
        operation=operation,
        agency=reporter,
        author=signed_in(actor),
        period_start=period_start,
        period_end=period_end,
        summary=summary,
        **{k: v for k, v in fields.items() if k in SITREP_FIELDS},
    )
    sitrep.full_clean()
    sitrep.save()
    _event(operation, actor=actor, agency=reporter, kind="sitrep", message=summary[:200], data={"sitrep": sitrep.pk})
    return sitrep
