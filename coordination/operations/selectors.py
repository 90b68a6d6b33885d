"""Reads of joint operations, their participations, timeline, sitreps and links, scoped to the user.

Who reads an operation: `coordination.rules` (its classification, with participation): the
one rule the API, the pages and the patrols (a shift is seen by whoever sees its operation)
read through `operation_visibility_q`. Staff read everything. What a user may not read is
absent from lists and answers 404 (`operation_get`); what they read but may not change answers
403 (`operation_get_for_change`). Reads of confidential and secret operations are audited by
`operation_get`.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from agencies.models import Area
from agencies.services import audit_reads
from common.selectors import get_or_404
from common.types import User
from coordination.models import JointOperation, OperationEvent, Participation, SitRep
from coordination.rules import plan_visibility_q
from incidents.selectors import incident_list
from incidents.threats.selectors import threat_list

from .services import require_operation_planner


def operation_visibility_q(*, user: User, prefix: str = "") -> Q | None:
    """The Q an operation (through `prefix`, e.g. "operation__" from a shift) must match for
    `user` to read it; None means everything (staff)."""
    return plan_visibility_q(
        user=user,
        prefix=prefix,
        participant_exists=lambda ids: Exists(
            Participation.objects.filter(operation_id=OuterRef(f"{prefix}pk"), agency_id__in=ids)
        ),
    )


def operation_list(*, user: User) -> QuerySet[JointOperation]:
    """Operations the user may read, latest start first; `OperationFilter` narrows them."""
    qs = JointOperation.objects.select_related("lead_agency")
    q = operation_visibility_q(user=user)
    return qs if q is None else qs.filter(q)


def operation_get(*, user: User, pk: int | str, audit: bool = True) -> JointOperation:
    """One operation the user may read, with its participations and areas, or 404."""
    qs = (
        operation_list(user=user)
        .select_related("approved_by", "created_by")
        .prefetch_related(
            Prefetch("participations", queryset=Participation.objects.select_related("agency", "liaison")),
            Prefetch("areas", queryset=Area.objects.only("id", "name", "level", "timezone").order_by("name")),
        )
    )
    operation = get_or_404(qs, pk=pk)
    if audit:
        audit_reads(user=user, objects=[operation], object_type="operation")
    return operation


def operation_get_for_change(*, user: User, pk: int | str) -> JointOperation:
    """One operation the user may read (else 404) and plan (else PermissionDenied: a commander,
    liaison or planner of the lead agency, or staff)."""
    operation = operation_get(user=user, pk=pk)
    require_operation_planner(actor=user, operation=operation)
    return operation


def operation_timeline(*, operation: JointOperation) -> QuerySet[OperationEvent]:
    """The timeline of an operation the caller already read through `operation_get`."""
    return operation.events.select_related("actor", "actor_agency").order_by("at", "id")


def operation_sitreps(*, operation: JointOperation) -> QuerySet[SitRep]:
    """Situation reports in the order of their periods."""
    return operation.sitreps.select_related("agency", "author").order_by("period_start", "id")


def operation_participation_get(*, operation: JointOperation, pk: int | str) -> Participation:
    return get_or_404(operation.participations.select_related("agency", "liaison", "operation"), pk=pk)


def operation_linked(*, user: User, operation: JointOperation) -> dict[str, Any]:
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
