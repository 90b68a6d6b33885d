"""Reads of joint exercises and their action items, scoped to the user.

Who reads an exercise: `coordination.rules` (its classification, with participation), as for
an operation. Staff read everything. What a user may not read is absent from lists and answers
404 (`exercise_get`, `action_item_get`); what they read but may not change answers 403
(`exercise_get_for_change`, `action_item_get_for_change`). Reads of confidential and secret
exercises are audited by `exercise_get`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from agencies.models import Agency, Area
from agencies.selectors import user_agency_ids, user_is_staff
from agencies.services import audit_reads
from common.selectors import get_or_404
from common.types import User
from coordination.models import ActionItem, Exercise
from coordination.rules import plan_visibility_q

from .services import (
    action_item_rights,
    require_action_item_updater,
    require_exercise_planner,
    require_item_planner,
)


def exercise_visibility_q(*, user: User) -> Q | None:
    """The Q an exercise must match for `user` to read it; None means everything (staff)."""
    return plan_visibility_q(
        user=user,
        participant_exists=lambda ids: Exists(
            Exercise.participants.through.objects.filter(exercise_id=OuterRef("pk"), agency_id__in=ids)
        ),
    )


def exercise_list(*, user: User) -> QuerySet[Exercise]:
    qs = Exercise.objects.select_related("lead_agency")
    q = exercise_visibility_q(user=user)
    return qs if q is None else qs.filter(q)


def exercise_get(*, user: User, pk: int | str, audit: bool = True) -> Exercise:
    """One exercise the user may read, with its participants, areas and action items, or 404."""
    qs = exercise_list(user=user).prefetch_related(
        Prefetch("participants", queryset=Agency.objects.only("id", "name", "code").order_by("name")),
        Prefetch("areas", queryset=Area.objects.only("id", "name", "level").order_by("name")),
        Prefetch("action_items", queryset=ActionItem.objects.select_related("owner_agency").order_by("due_date", "id")),
    )
    exercise = get_or_404(qs, pk=pk)
    if audit:
        audit_reads(user=user, objects=[exercise], object_type="exercise")
    return exercise


def exercise_get_for_change(*, user: User, pk: int | str) -> Exercise:
    """One exercise the user may read (else 404) and plan (else PermissionDenied: a commander,
    liaison or planner of the lead agency, or staff)."""
    exercise = exercise_get(user=user, pk=pk)
    require_exercise_planner(actor=user, exercise=exercise)
    return exercise


def exercise_action_items(*, exercise: Exercise) -> QuerySet[ActionItem]:
    """The action items of an exercise the caller already read through `exercise_get`, by due date."""
    return exercise.action_items.select_related("owner_agency").order_by("due_date", "id")


def action_item_list(*, user: User) -> QuerySet[ActionItem]:
    """Action items (of exercises, meetings, programmes and evaluations) owned by the user's
    agencies, or of exercises their agencies lead, meetings and programmes they organise and
    evaluations they write (staff: all)."""
    qs = ActionItem.objects.select_related(
        "owner_agency",
        "owner_person",
        "exercise",
        "exercise__lead_agency",
        "meeting",
        "meeting__organiser",
        "programme",
        "programme__organiser",
        "evaluation",
        "evaluation__owner_agency",
    )
    if user_is_staff(user):
        return qs
    own = user_agency_ids(user=user)
    if not own:
        return qs.none()
    return qs.filter(
        Q(owner_agency_id__in=own)
        | Q(exercise__lead_agency_id__in=own)
        | Q(meeting__organiser_id__in=own)
        | Q(programme__organiser_id__in=own)
        | Q(evaluation__owner_agency_id__in=own)
    )


def action_item_get(*, user: User, pk: int | str) -> ActionItem:
    return get_or_404(action_item_list(user=user), pk=pk)


def action_item_get_for_change(*, user: User, pk: int | str) -> ActionItem:
    """One action item the user may read (else 404) and move along (else PermissionDenied: an
    acting member of its owner agency, a planner of its exercise's lead agency or meeting's
    organiser, or staff)."""
    item = action_item_get(user=user, pk=pk)
    require_action_item_updater(actor=user, item=item)
    return item


def action_item_get_for_edit(*, user: User, pk: int | str) -> ActionItem:
    """One action item the user may read (else 404) and edit: its text, owner and due date
    (else PermissionDenied: the planners of its exercise's lead or meeting's organiser, staff)."""
    item = action_item_get(user=user, pk=pk)
    require_item_planner(actor=user, item=item)
    return item


def action_item_is_overdue(item: ActionItem, *, today: date | None = None) -> bool:
    """Not done and due before today (`overdue_action_items` is the same rule as a query)."""
    return item.status != ActionItem.Status.DONE and item.due_date < (today or timezone.localdate())


def action_item_rows(*, user: User, items: Iterable[ActionItem]) -> list[dict[str, Any]]:
    """Action items as the pages list them (an exercise's, a meeting's, the owner's page): each
    with whether it is overdue, and whether the user may move its status and edit it (the
    services' rules, `services.action_item_rights`, read in one query for all the items)."""
    today = timezone.localdate()
    items = list(items)
    rights = action_item_rights(actor=user, items=items)
    return [
        {
            "item": item,
            "overdue": action_item_is_overdue(item, today=today),
            "can_update": rights[item.pk][0],
            "can_edit": rights[item.pk][1],
        }
        for item in items
    ]


def overdue_action_items(*, user: User | None) -> QuerySet[ActionItem]:
    """Items (of exercises and meetings) owned by the user's agencies, not done, due before
    today (the desk's block and the action-items page's "overdue").

    Served by the partial index `action_open_idx` (owner agency, due date, where not done).
    """
    own = user_agency_ids(user=user) if user and user.is_authenticated else set()
    if not own:
        return ActionItem.objects.none()
    return (
        ActionItem.objects.filter(owner_agency_id__in=own, due_date__lt=timezone.localdate())
        .exclude(status=ActionItem.Status.DONE)
        .select_related("owner_agency", "owner_person", "exercise", "meeting", "programme", "evaluation")
        .order_by("due_date", "id")
    )
