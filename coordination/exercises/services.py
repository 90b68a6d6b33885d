"""Writes of joint exercises, their after-action review and action items, and the predicates
the pages ask before they offer an action (the same rules the services apply).

Every service is atomic, validates with `full_clean()` and checks the actor's capability
(`agencies/roles.py`). Callers fetch the target through a selector first (404 for what the actor
may not see); the services answer PermissionDenied when the actor sees it but may not act, and
ValidationError (a 400 in the API) for bad input.

Who may do what: plan, change and review an exercise, and add its action items: a commander,
liaison or planner of the lead agency ("exercise.plan"); an action item's status also an acting
member of its owner agency ("action_item.update"). Platform staff may do everything.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency, Area
from agencies.roles import agencies_with, roles_for
from agencies.selectors import user_is_staff, user_roles_in
from common.services import model_update, signed_in
from common.types import User
from coordination.models import ActionItem, Exercise
from coordination.rules import check_window, holds_capability, lead_agency_of_actor, require_capability

EXERCISE_FIELDS = ("name", "kind", "scenario", "starts_at", "ends_at", "classification")
ACTION_ITEM_FIELDS = ("description", "owner_agency", "owner_person", "due_date", "status")
# What only the lead agency's planners change on an action item (its owner agency may move its status).
ACTION_ITEM_PLANNING_FIELDS = frozenset({"description", "owner_agency", "owner_person", "due_date"})


# --- Who may do what -----------------------------------------------------------------------


def require_exercise_planner(*, actor: User, exercise: Exercise) -> Agency | None:
    return require_capability(
        actor=actor,
        agency_ids=[exercise.lead_agency_id],
        capability="exercise.plan",
        message=_("Only commanders, liaisons and planners of the lead agency may change this exercise."),
    )


def can_plan_any(*, user: User) -> bool:
    """A commander, liaison or planner of some agency: who may plan an exercise for their
    agency from the pages (`exercise_create` with the user's agency). Staff must name the lead
    agency, which only the API and the admin ask for: the service refuses staff without one,
    so the pages do not offer it to them."""
    return bool(agencies_with(user=user, capability="exercise.plan"))


def can_plan_exercise(*, actor: User, exercise: Exercise) -> bool:
    """`require_exercise_planner`'s rule, as a question."""
    return holds_capability(actor=actor, agency_ids=[exercise.lead_agency_id], capability="exercise.plan")


def item_parent(item: ActionItem) -> tuple[int, str]:
    """The agency that keeps the item's parent and the capability it plans it with: an
    exercise's lead ("exercise.plan"), a meeting's organiser ("meeting.minutes"), a programme's
    organiser ("programme.report"), an evaluation's agency ("evaluation.write"). Action items are
    one model for exercises, meetings, programmes and evaluations: its rules are written here,
    where it began."""
    if item.evaluation is not None:
        return item.evaluation.owner_agency_id, "evaluation.write"
    if item.meeting is not None:
        return item.meeting.organiser_id, "meeting.minutes"
    if item.programme is not None:
        return item.programme.organiser_id, "programme.report"
    assert item.exercise is not None
    return item.exercise.lead_agency_id, "exercise.plan"


def item_frozen(item: ActionItem) -> bool:
    """An item of an evaluation that is no longer a draft: its text, owner and due date are part
    of what was reviewed and published; only its status still moves (a follow-up)."""
    return item.evaluation is not None and item.evaluation.status != "draft"


def require_item_planner(*, actor: User, item: ActionItem) -> None:
    """A planner of the item's parent (its exercise's lead, its meeting's or programme's
    organiser), or staff."""
    agency_id, capability = item_parent(item)
    require_capability(
        actor=actor,
        agency_ids=[agency_id],
        capability=capability,
        message=_("Only the planners of the item's exercise, meeting or programme may change this item."),
    )


def action_item_rights(*, actor: User, items: Iterable[ActionItem]) -> dict[int, tuple[bool, bool]]:
    """{item id: (may move its status, may edit it)} for each item, with one query of the
    actor's roles. Moving the status: an acting member of the owner agency ("action_item.update")
    or a planner of the parent; editing the text, owner and due date: a planner of the parent
    (its exercise's lead, its meeting's organiser: `item_parent`); staff both."""
    items = list(items)
    if user_is_staff(actor):
        return {item.pk: (True, not item_frozen(item)) for item in items}
    parents = {item.pk: item_parent(item) for item in items}
    roles = user_roles_in(
        user=actor, agency_ids={i.owner_agency_id for i in items} | {agency for agency, _c in parents.values()}
    )
    rights = {}
    for item in items:
        parent, capability = parents[item.pk]
        plans = roles.get(parent) in roles_for(capability)
        moves = plans or roles.get(item.owner_agency_id) in roles_for("action_item.update")
        rights[item.pk] = (moves, plans and not item_frozen(item))
    return rights


def can_update_action_item(*, actor: User, item: ActionItem) -> bool:
    """Whether the actor may move the item's status (`action_item_rights`)."""
    return action_item_rights(actor=actor, items=[item])[item.pk][0]


def can_edit_action_item(*, actor: User, item: ActionItem) -> bool:
    """Whether the actor may change the item's text, owner and due date (`action_item_rights`;
    `require_item_planner` enforces it)."""
    return action_item_rights(actor=actor, items=[item])[item.pk][1]


def check_owner_person(*, owner_agency: Agency, owner_person: Any) -> None:
    """An item's owner person is an active member of its owner agency (ValidationError)."""
    if owner_person is not None and not owner_person.memberships.filter(agency=owner_agency, is_active=True).exists():
        raise ValidationError({"owner_person": _("The owner person must be a member of the owner agency.")})


def require_action_item_updater(*, actor: User, item: ActionItem) -> None:
    if not can_update_action_item(actor=actor, item=item):
        raise PermissionDenied(
            _("Only the owner agency and the planners of its exercise, meeting or programme may update this item.")
        )


# --- Exercises -----------------------------------------------------------------------------


@transaction.atomic
def exercise_create(
    *,
    actor: User,
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
    agency = lead_agency_of_actor(actor=actor, agency=lead_agency, capability="exercise.plan")
    check_window(starts_at, ends_at)
    exercise = Exercise(
        name=name,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        lead_agency=agency,
        created_by=signed_in(actor),
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
    actor: User,
    exercise: Exercise,
    participants: Sequence[Agency] | None = None,
    areas: Sequence[Area] | None = None,
    **fields: Any,
) -> Exercise:
    """Change an exercise's plan (lead agency's planners); `fields` are among EXERCISE_FIELDS
    (ValueError else)."""
    require_exercise_planner(actor=actor, exercise=exercise)
    model_update(instance=exercise, fields=fields, allowed=EXERCISE_FIELDS)
    check_window(exercise.starts_at, exercise.ends_at)
    exercise.full_clean()
    exercise.save()
    if participants is not None:
        exercise.participants.set(participants)
    if areas is not None:
        exercise.areas.set(areas)
    return exercise


@transaction.atomic
def exercise_review(
    *, actor: User, exercise: Exercise, observations: str = "", strengths: str = "", gaps: str = ""
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


# --- Action items --------------------------------------------------------------------------


@transaction.atomic
def action_item_create(
    *,
    actor: User,
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
        exercise=exercise,
        description=description,
        owner_agency=owner_agency,
        due_date=due_date,
        status=status,
        closed_at=timezone.now() if status == ActionItem.Status.DONE else None,
    )
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def action_item_update(*, actor: User, item: ActionItem, **fields: Any) -> ActionItem:
    """Change an item (of an exercise or a meeting): its status by the owner agency's acting
    members or the parent's planners; its description, owner and due date by the parent's
    planners only. `fields` are among
    ACTION_ITEM_FIELDS (ValueError else)."""
    if ACTION_ITEM_PLANNING_FIELDS & set(fields):
        require_item_planner(actor=actor, item=item)
        if item_frozen(item):
            raise ValidationError(
                {"description": _("This evaluation is reviewed or published: only the status moves.")}
            )
    else:
        require_action_item_updater(actor=actor, item=item)
    was_done = item.status == ActionItem.Status.DONE
    model_update(instance=item, fields=fields, allowed=ACTION_ITEM_FIELDS)
    if item.status == ActionItem.Status.DONE and not was_done:
        item.closed_at = timezone.now()
    elif item.status != ActionItem.Status.DONE:
        item.closed_at = None
    if {"owner_agency", "owner_person"} & set(fields):
        if not item.owner_agency.is_active and "owner_agency" in fields:
            raise ValidationError({"owner_agency": _("This agency is not active.")})
        check_owner_person(owner_agency=item.owner_agency, owner_person=item.owner_person)
    item.full_clean()
    item.save()
    return item
