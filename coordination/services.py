"""Writes of joint operations, situation reports and exercises (patrols live in `patrols.py`).

Every service is atomic, validates with `full_clean()`, checks the actor's role and, for an
operation, appends to its timeline. Callers fetch the target through a selector first (404 for
what the actor may not see); the services answer PermissionDenied when the actor sees it but may
not act, and ValidationError (a 400 in the API) for bad input or an illegal workflow move.

Who may do what:
- create an operation: a commander, liaison or planner, for their own agency (the lead);
- change it, its participations and its links, and move it along: the same roles of the lead
  agency, except that only a commander of the lead agency approves it;
- write a sitrep: an acting member (not a viewer) of the lead or a participating agency;
- exercises: the same roles of the lead agency; an action item's status also its owner agency.
Platform staff may do everything.

Participating agencies' members are told in-app (`Notification`, one bulk INSERT per event)
when their agency is added, when the plan changes and when the operation starts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency, Area, Membership
from agencies.roles import agencies_with, has_capability, roles_for
from agencies.selectors import user_is_staff as _is_staff
from agencies.selectors import user_roles_in
from agencies.services import acting_agency
from incidents.selectors import incident_list
from incidents.threats.selectors import threat_list

from .models import (
    ActionItem,
    Exercise,
    JointOperation,
    Notification,
    OperationEvent,
    Participation,
    SitRep,
)

# Roles that plan and steer operations and exercises.
PLANNING_ROLES = roles_for("operation.plan")
# Roles that may report (sitreps, action item progress): everyone but viewers.
ACTING_ROLES = roles_for("operation.report")

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
EXERCISE_FIELDS = ("name", "kind", "scenario", "starts_at", "ends_at", "classification")


def _user_or_none(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def _own_agency(*, actor: Any, agency: Agency | None, roles: Sequence[str], field: str = "lead_agency") -> Agency:
    """The agency the actor acts for: the one given (checked) or their only one with `roles`;
    staff too must name one (an operation always has a lead)."""
    acting = acting_agency(actor=actor, agency=agency, roles=roles, field=field, staff_without_agency=False)
    assert acting is not None  # staff_without_agency=False: an agency or an error
    return acting


def _require_role(*, actor: Any, agency_ids: Iterable[int], roles: Sequence[str], message: str) -> Agency | None:
    """The first of `agency_ids` in which the actor holds one of `roles` (None for staff), or 403."""
    if _is_staff(actor):
        return None
    held = user_roles_in(user=actor, agency_ids=agency_ids)
    for agency_id, role in held.items():
        if role in roles:
            return Agency.objects.get(pk=agency_id)
    raise PermissionDenied(message)


def require_operation_planner(*, actor: Any, operation: JointOperation) -> Agency | None:
    """A commander, liaison or planner of the lead agency (or staff), else PermissionDenied."""
    return _require_role(
        actor=actor,
        agency_ids=[operation.lead_agency_id],
        roles=PLANNING_ROLES,
        message=_("Only commanders, liaisons and planners of the lead agency may change this operation."),
    )


def can_plan_any(*, user: Any) -> bool:
    """A commander, liaison or planner of some agency: who may plan an operation or an exercise
    for their agency from the pages (`operation_create`, `exercise_create` with the user's
    agency). Staff must name the lead agency, which only the API and the admin ask for: the
    service refuses staff without one, so the pages do not offer it to them."""
    return bool(agencies_with(user=user, capability="operation.plan"))


def can_plan_operation(*, actor: Any, operation: JointOperation) -> bool:
    try:
        require_operation_planner(actor=actor, operation=operation)
    except PermissionDenied:
        return False
    return True


def allowed_transitions(*, actor: Any, operation: JointOperation) -> list[str]:
    """The moves the actor may make now (what the detail page offers as buttons)."""
    if not can_plan_operation(actor=actor, operation=operation):
        return []
    moves = list(TRANSITIONS[operation.status])
    lead = operation.lead_agency_id
    if (
        S.APPROVED in moves
        and not _is_staff(actor)
        and user_roles_in(user=actor, agency_ids=[lead]).get(lead) != Membership.Role.COMMANDER
    ):
        moves.remove(S.APPROVED)
    return moves


def _event(
    operation: JointOperation,
    *,
    actor: Any,
    agency: Agency | None,
    kind: str,
    message: str = "",
    data: dict[str, Any] | None = None,
) -> OperationEvent:
    return OperationEvent.objects.create(
        operation=operation,
        actor=_user_or_none(actor),
        actor_agency=agency,
        kind=kind,
        message=message,
        data=data or {},
    )


def _plain(value: Any) -> Any:
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, datetime | date):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def notify_agencies(
    *, operation: JointOperation, agency_ids: Iterable[int], kind: str, message: str, exclude: Any = None
) -> int:
    """One in-app notification for each active member of the agencies, in one INSERT.

    The actor is left out: they know what they just did. Returns how many were written.
    """
    ids = set(agency_ids)
    if not ids:
        return 0
    members = Membership.objects.filter(agency_id__in=ids, is_active=True, agency__is_active=True, user__is_active=True)
    if getattr(exclude, "pk", None):
        members = members.exclude(user_id=exclude.pk)
    seen: set[int] = set()
    rows = []
    for user_id, agency_id in members.values_list("user_id", "agency_id").order_by("agency_id", "user_id"):
        if user_id in seen:
            continue
        seen.add(user_id)
        rows.append(Notification(user_id=user_id, agency_id=agency_id, operation=operation, kind=kind, message=message))
    Notification.objects.bulk_create(rows)
    return len(rows)


def _participant_ids(operation: JointOperation) -> set[int]:
    return set(operation.participations.values_list("agency_id", flat=True))


def _check_window(start: datetime | None, end: datetime | None, field: str = "ends_at") -> None:
    if start and end and end <= start:
        raise ValidationError({field: _("The end must come after the start.")})


# --- Operations ----------------------------------------------------------------------------


@transaction.atomic
def operation_create(
    *,
    actor: Any,
    name: str,
    kind: str,
    lead_agency: Agency | None = None,
    areas: Sequence[Area] = (),
    **fields: Any,
) -> JointOperation:
    """Plan an operation led by the actor's agency (commander, liaison or planner); status planned."""
    agency = _own_agency(actor=actor, agency=lead_agency, roles=PLANNING_ROLES)
    operation = JointOperation(
        name=name,
        kind=kind,
        lead_agency=agency,
        created_by=_user_or_none(actor),
        **{k: v for k, v in fields.items() if k in OPERATION_FIELDS},
    )
    _check_window(operation.starts_at, operation.ends_at)
    operation.full_clean()
    operation.save()
    if areas:
        operation.areas.set(areas)
    _event(operation, actor=actor, agency=agency, kind="created", message=name)
    return operation


@transaction.atomic
def operation_update(
    *, actor: Any, operation: JointOperation, areas: Sequence[Area] | None = None, **fields: Any
) -> JointOperation:
    """Change the plan (lead agency's planners); the timeline records old and new values and
    the participating agencies are told."""
    agency = require_operation_planner(actor=actor, operation=operation)
    if operation.status in (S.REVIEWED, S.CANCELLED):
        raise ValidationError({"status": _("A reviewed or cancelled operation cannot be changed.")})
    changes: dict[str, list[Any]] = {}
    for key, value in fields.items():
        if key not in OPERATION_FIELDS:
            continue
        old = getattr(operation, key)
        if old != value:
            changes[key] = [_plain(old), _plain(value)]
            setattr(operation, key, value)
    if areas is not None:
        old_ids = sorted(operation.areas.values_list("pk", flat=True))
        new_ids = sorted(a.pk for a in areas)
        if old_ids != new_ids:
            changes["areas"] = [old_ids, new_ids]
    if not changes:
        return operation
    _check_window(operation.starts_at, operation.ends_at)
    operation.full_clean()
    operation.save()
    if "areas" in changes:
        operation.areas.set(areas or [])
    _event(operation, actor=actor, agency=agency, kind="updated", data={"changes": changes})
    notify_agencies(
        operation=operation,
        agency_ids=_participant_ids(operation),
        kind="changed",
        message=_("The plan of %(name)s changed.") % {"name": operation.name},
        exclude=actor,
    )
    return operation


@transaction.atomic
def operation_change_status(*, actor: Any, operation: JointOperation, status: str, note: str = "") -> JointOperation:
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
    if status == S.APPROVED and not _is_staff(actor):
        role = user_roles_in(user=actor, agency_ids=[operation.lead_agency_id]).get(operation.lead_agency_id)
        if role != Membership.Role.COMMANDER:
            raise PermissionDenied(_("Only a commander of the lead agency may approve an operation."))
    old = operation.status
    operation.status = status
    if status == S.APPROVED:
        operation.approved_by = _user_or_none(actor)
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
            message=_("%(name)s has started.") % {"name": operation.name},
            exclude=actor,
        )
    return operation


@transaction.atomic
def operation_link(
    *,
    actor: Any,
    operation: JointOperation,
    incident_ids: Sequence[int] = (),
    threat_ids: Sequence[int] = (),
) -> JointOperation:
    """Link incidents and threats by id. Only those the actor can read: a hidden one is refused
    with the same message as one that does not exist."""
    agency = require_operation_planner(actor=actor, operation=operation)
    data: dict[str, list[int]] = {}
    if incident_ids:
        ids = set(incident_ids)
        found = list(incident_list(user=actor).filter(pk__in=ids))
        if len(found) != len(ids):
            raise ValidationError({"incidents": _("No incident with this id.")})
        operation.incidents.add(*found)
        data["incidents"] = sorted(ids)
    if threat_ids:
        ids = set(threat_ids)
        found_threats = list(threat_list(user=actor).filter(pk__in=ids))
        if len(found_threats) != len(ids):
            raise ValidationError({"threats": _("No threat with this id.")})
        operation.threats.add(*found_threats)
        data["threats"] = sorted(ids)
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
def participation_add(*, actor: Any, operation: JointOperation, agency: Agency, **fields: Any) -> Participation:
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
        message=_("%(agency)s was added to %(name)s.") % {"agency": agency.name, "name": operation.name},
        exclude=actor,
    )
    return participation


@transaction.atomic
def participation_update(*, actor: Any, participation: Participation, **fields: Any) -> Participation:
    """Change an agency's part (role, personnel, vehicles, liaison); a plan change for all."""
    operation = participation.operation
    actor_agency = require_operation_planner(actor=actor, operation=operation)
    changes: dict[str, list[Any]] = {}
    for key, value in fields.items():
        if key in PARTICIPATION_FIELDS and getattr(participation, key) != value:
            changes[key] = [_plain(getattr(participation, key)), _plain(value)]
            setattr(participation, key, value)
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
    notify_agencies(
        operation=operation,
        agency_ids=_participant_ids(operation),
        kind="changed",
        message=_("The plan of %(name)s changed.") % {"name": operation.name},
        exclude=actor,
    )
    return participation


@transaction.atomic
def participation_remove(*, actor: Any, participation: Participation) -> None:
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
        kind="changed",
        message=_("%(agency)s no longer takes part in %(name)s.") % {"agency": agency.name, "name": operation.name},
        exclude=actor,
    )


# --- Situation reports ---------------------------------------------------------------------


@transaction.atomic
def can_report_operation(*, user: Any, operation: JointOperation) -> bool:
    """`sitrep_create`'s rule: staff, or an acting member of the lead or a participating agency."""
    return has_capability(
        user=user, capability="operation.report", agency_ids={operation.lead_agency_id, *_participant_ids(operation)}
    )


def sitrep_create(
    *,
    actor: Any,
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
    if _is_staff(actor):
        reporter = agency or operation.lead_agency
    else:
        found = _require_role(
            actor=actor,
            agency_ids=sorted(agency_ids),
            roles=ACTING_ROLES,
            message=_("Only members of the agencies taking part may report on this operation."),
        )
        reporter = found or operation.lead_agency
    _check_window(period_start, period_end, field="period_end")
    allowed = ("resources_committed", "casualties_dead", "casualties_injured", "casualties_missing", "needs")
    sitrep = SitRep(
        operation=operation,
        agency=reporter,
        author=_user_or_none(actor),
        period_start=period_start,
        period_end=period_end,
        summary=summary,
        **{k: v for k, v in fields.items() if k in allowed},
    )
    sitrep.full_clean()
    sitrep.save()
    _event(operation, actor=actor, agency=reporter, kind="sitrep", message=summary[:200], data={"sitrep": sitrep.pk})
    return sitrep


# --- Exercises -----------------------------------------------------------------------------


def require_exercise_planner(*, actor: Any, exercise: Exercise) -> Agency | None:
    return _require_role(
        actor=actor,
        agency_ids=[exercise.lead_agency_id],
        roles=PLANNING_ROLES,
        message=_("Only commanders, liaisons and planners of the lead agency may change this exercise."),
    )


def can_plan_exercise(*, actor: Any, exercise: Exercise) -> bool:
    try:
        require_exercise_planner(actor=actor, exercise=exercise)
    except PermissionDenied:
        return False
    return True


@transaction.atomic
def exercise_create(
    *,
    actor: Any,
    name: str,
    kind: str,
    starts_at: datetime,
    ends_at: datetime,
    lead_agency: Agency | None = None,
    participants: Sequence[Agency] = (),
    areas: Sequence[Area] = (),
    **fields: Any,
) -> Exercise:
    """Plan an exercise led by the actor's agency (commander, liaison or planner)."""
    agency = _own_agency(actor=actor, agency=lead_agency, roles=PLANNING_ROLES)
    _check_window(starts_at, ends_at)
    exercise = Exercise(
        name=name,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        lead_agency=agency,
        created_by=_user_or_none(actor),
        **{k: v for k, v in fields.items() if k in EXERCISE_FIELDS},
    )
    exercise.full_clean()
    exercise.save()
    if participants:
        exercise.participants.set(participants)
    if areas:
        exercise.areas.set(areas)
    return exercise


@transaction.atomic
def exercise_update(
    *,
    actor: Any,
    exercise: Exercise,
    participants: Sequence[Agency] | None = None,
    areas: Sequence[Area] | None = None,
    **fields: Any,
) -> Exercise:
    """Change an exercise's plan (lead agency's planners)."""
    require_exercise_planner(actor=actor, exercise=exercise)
    for key, value in fields.items():
        if key in EXERCISE_FIELDS:
            setattr(exercise, key, value)
    _check_window(exercise.starts_at, exercise.ends_at)
    exercise.full_clean()
    exercise.save()
    if participants is not None:
        exercise.participants.set(participants)
    if areas is not None:
        exercise.areas.set(areas)
    return exercise


@transaction.atomic
def exercise_review(
    *, actor: Any, exercise: Exercise, observations: str = "", strengths: str = "", gaps: str = ""
) -> Exercise:
    """Record the after-action review (lead agency's planners); only once the exercise began."""
    require_exercise_planner(actor=actor, exercise=exercise)
    if exercise.starts_at > timezone.now():
        raise ValidationError({"observations": _("An exercise can be reviewed once it has begun.")})
    if not (observations.strip() or strengths.strip() or gaps.strip()):
        raise ValidationError({"observations": _("Write observations, strengths or gaps.")})
    exercise.observations = observations
    exercise.strengths = strengths
    exercise.gaps = gaps
    exercise.reviewed_at = timezone.now()
    exercise.save(update_fields=["observations", "strengths", "gaps", "reviewed_at"])
    return exercise


@transaction.atomic
def action_item_create(
    *,
    actor: Any,
    exercise: Exercise,
    description: str,
    owner_agency: Agency,
    due_date: date,
    status: str = ActionItem.Status.OPEN,
) -> ActionItem:
    """An action item of the review, owned by an agency (lead agency's planners)."""
    require_exercise_planner(actor=actor, exercise=exercise)
    if not owner_agency.is_active:
        raise ValidationError({"owner_agency": _("This agency is not active.")})
    item = ActionItem(
        exercise=exercise, description=description, owner_agency=owner_agency, due_date=due_date, status=status
    )
    item.full_clean()
    item.save()
    return item


def can_update_action_item(*, actor: Any, item: ActionItem) -> bool:
    if _is_staff(actor):
        return True
    roles = user_roles_in(user=actor, agency_ids=[item.owner_agency_id, item.exercise.lead_agency_id])
    return roles.get(item.owner_agency_id) in ACTING_ROLES or roles.get(item.exercise.lead_agency_id) in PLANNING_ROLES


@transaction.atomic
def action_item_update(*, actor: Any, item: ActionItem, **fields: Any) -> ActionItem:
    """Change an item: its status by the owner agency's acting members or the lead's planners;
    its description, owner and due date by the lead's planners only."""
    planning_fields = {"description", "owner_agency", "due_date"} & set(fields)
    if planning_fields:
        require_exercise_planner(actor=actor, exercise=item.exercise)
    elif not can_update_action_item(actor=actor, item=item):
        raise PermissionDenied(_("Only the owner agency and the exercise's lead agency may update this item."))
    for key in ("description", "owner_agency", "due_date", "status"):
        if key in fields:
            setattr(item, key, fields[key])
    item.full_clean()
    item.save()
    return item


# --- Notifications -------------------------------------------------------------------------


def notification_mark_read(*, user: Any, ids: Sequence[int] | None = None) -> int:
    """Mark the user's notifications read (the given ones, or all); returns how many changed."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())
