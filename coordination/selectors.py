"""Reads of joint operations, sitreps, exercises and notifications, scoped to the user.

Who reads an operation or an exercise (docs/security.md, "Access", with participation):
- public: anyone signed in;
- restricted: every member of an active agency;
- confidential: the lead agency, the participating agencies, and agencies whose valid
  partnership with the lead covers information sharing;
- secret: the lead and participating agencies only.
Staff read everything. What a user may not read is absent from lists and answers 404 on
detail; reads of confidential and secret records are audited by the `*_get` selectors.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from agencies.models import Agency, Area
from agencies.selectors import classification_q, user_agency_ids
from agencies.selectors import user_is_staff as _is_staff
from agencies.services import audit_reads
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


def _visibility_q(*, user: Any, participant_exists: Any) -> Q | None:
    """Shared by operations and exercises: `participant_exists(ids)` is an Exists() on participation.
    Involved: the lead and the participating agencies; a confidential one is read too by the
    lead's information-sharing partners."""

    def involved(agency_ids: set[int]) -> Q:
        return Q(lead_agency_id__in=agency_ids) | Q(participant_exists(agency_ids))

    return classification_q(
        user=user,
        involved=involved,
        confidential=lambda own, partners: involved(own) | Q(lead_agency_id__in=partners),
    )


def operation_visibility_q(*, user: Any) -> Q | None:
    """The Q an operation must match for `user` to read it; None means everything (staff)."""
    return _visibility_q(
        user=user,
        participant_exists=lambda ids: Exists(
            Participation.objects.filter(operation_id=OuterRef("pk"), agency_id__in=ids)
        ),
    )


def operation_list(*, user: Any) -> QuerySet[JointOperation]:
    """Operations the user may read, latest start first; `OperationFilter` narrows them."""
    qs = JointOperation.objects.select_related("lead_agency")
    q = operation_visibility_q(user=user)
    return qs if q is None else qs.filter(q)


def operation_get(*, user: Any, pk: int | str, audit: bool = True) -> JointOperation:
    """One operation the user may read, with its participations and areas, or 404."""
    qs = (
        operation_list(user=user)
        .select_related("approved_by", "created_by")
        .prefetch_related(
            Prefetch("participations", queryset=Participation.objects.select_related("agency", "liaison")),
            Prefetch("areas", queryset=Area.objects.only("id", "name", "level", "timezone").order_by("name")),
        )
    )
    try:
        operation = qs.get(pk=pk)
    except (JointOperation.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if audit:
        audit_reads(user=user, objects=[operation], object_type="operation")
    return operation


def operation_timeline(*, operation: JointOperation) -> QuerySet[OperationEvent]:
    """The timeline of an operation the caller already read through `operation_get`."""
    return operation.events.select_related("actor", "actor_agency").order_by("at", "id")


def operation_sitreps(*, operation: JointOperation) -> QuerySet[SitRep]:
    """Situation reports in the order of their periods."""
    return operation.sitreps.select_related("agency", "author").order_by("period_start", "id")


def operation_participation_get(*, operation: JointOperation, pk: int | str) -> Participation:
    try:
        return operation.participations.select_related("agency", "liaison", "operation").get(pk=pk)
    except (Participation.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def operation_linked(*, user: Any, operation: JointOperation) -> dict[str, Any]:
    """Linked incidents and threats, only those the user may read."""
    return {
        "incidents": list(
            incident_list(user=user)
            .filter(operations=operation)
            .select_related("category", "area")
            .order_by("-occurred_at")
        ),
        "threats": list(threat_list(user=user).filter(operations=operation).order_by("-id")),
    }


# --- Exercises -----------------------------------------------------------------------------


def exercise_visibility_q(*, user: Any) -> Q | None:
    return _visibility_q(
        user=user,
        participant_exists=lambda ids: Exists(
            Exercise.participants.through.objects.filter(exercise_id=OuterRef("pk"), agency_id__in=ids)
        ),
    )


def exercise_list(*, user: Any) -> QuerySet[Exercise]:
    qs = Exercise.objects.select_related("lead_agency")
    q = exercise_visibility_q(user=user)
    return qs if q is None else qs.filter(q)


def exercise_get(*, user: Any, pk: int | str, audit: bool = True) -> Exercise:
    qs = exercise_list(user=user).prefetch_related(
        Prefetch("participants", queryset=Agency.objects.only("id", "name", "code").order_by("name")),
        Prefetch("areas", queryset=Area.objects.only("id", "name", "level").order_by("name")),
        Prefetch("action_items", queryset=ActionItem.objects.select_related("owner_agency").order_by("due_date", "id")),
    )
    try:
        exercise = qs.get(pk=pk)
    except (Exercise.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if audit:
        audit_reads(user=user, objects=[exercise], object_type="exercise")
    return exercise


def action_item_list(*, user: Any) -> QuerySet[ActionItem]:
    """Action items owned by the user's agencies, or of exercises they can read that their
    agencies lead (staff: all)."""
    qs = ActionItem.objects.select_related("owner_agency", "exercise", "exercise__lead_agency")
    if _is_staff(user):
        return qs
    own = user_agency_ids(user=user)
    if not own:
        return qs.none()
    return qs.filter(Q(owner_agency_id__in=own) | Q(exercise__lead_agency_id__in=own))


def action_item_get(*, user: Any, pk: int | str) -> ActionItem:
    try:
        return action_item_list(user=user).get(pk=pk)
    except (ActionItem.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def overdue_action_items(*, user: Any) -> QuerySet[ActionItem]:
    """Items owned by the user's agencies, not done, due before today (the dashboard's list).

    Served by the partial index `action_open_idx` (owner agency, due date, where not done).
    """
    own = user_agency_ids(user=user) if user and user.is_authenticated else set()
    if not own:
        return ActionItem.objects.none()
    return (
        ActionItem.objects.filter(owner_agency_id__in=own, due_date__lt=timezone.localdate())
        .exclude(status=ActionItem.Status.DONE)
        .select_related("owner_agency", "exercise")
        .order_by("due_date", "id")
    )


# --- Notifications -------------------------------------------------------------------------


def notification_list(*, user: Any, unread: bool | None = None) -> QuerySet[Notification]:
    """The user's own coordination notifications, newest first."""
    if not user or not user.is_authenticated:
        return Notification.objects.none()
    # The operation's areas and the agency's seat give the zone its time is shown in.
    qs = (
        Notification.objects.filter(user=user)
        .select_related("agency__headquarters_area", "operation")
        .prefetch_related("operation__areas")
    )
    if unread is True:
        qs = qs.filter(read_at__isnull=True)
    elif unread is False:
        qs = qs.filter(read_at__isnull=False)
    return qs
