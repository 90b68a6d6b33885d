"""Reads of periodic evaluations, scoped to the user, and the public portal's reads.

Who reads an evaluation (docs/security.md, "Evaluations"): the members of its owner agency,
drafts included; the members of an agency it was published to (`shared_with`), once published;
staff everything. What a user may not read is absent from lists and answers 404
(`evaluation_get`); what they read but may not change answers 403 (`evaluation_get_for_change`).
The public portal shows, without a login, the published evaluations whose public summary is
published (`public_evaluation_list`), and there only the public figures.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, Max, OuterRef, Prefetch, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from agencies.models import Agency, Area, Partnership, partnership_in_force_q
from agencies.roles import agencies_with
from agencies.selectors import user_agency_ids, user_is_staff
from common.selectors import get_or_404
from common.types import User
from coordination.community.portal.selectors import Section
from coordination.models import ActionItem, Evaluation, EvaluationFinding, KpiTarget

from . import services
from .periods import Period

S = Evaluation.Status
# The period choices of the "new evaluation" form: this many of each kind, the current one first.
RECENT_PERIODS = {"month": 13, "quarter": 9, "semester": 5, "year": 4}


def evaluation_visibility_q(*, user: User) -> Q | None:
    """The Q an evaluation must match for `user` to read it; None means everything (staff)."""
    if user_is_staff(user):
        return None
    own = user_agency_ids(user=user) if user and user.is_authenticated else set()
    if not own:
        return Q(pk__in=[])
    shared = Evaluation.shared_with.through.objects.filter(evaluation_id=OuterRef("pk"), agency_id__in=own)
    return Q(owner_agency_id__in=own) | (Q(status=S.PUBLISHED) & Q(Exists(shared)))


def evaluation_list(*, user: User, filters: dict[str, Any] | None = None) -> QuerySet[Evaluation]:
    """The evaluations the user may read, newest period first; `filters`: `status`,
    `period_kind`, `scope_kind`, `owner_agency`."""
    qs = Evaluation.objects.select_related("owner_agency", "scope_agency", "scope_area", "scope_partnership")
    q = evaluation_visibility_q(user=user)
    if q is not None:
        qs = qs.filter(q)
    for name in ("status", "period_kind", "scope_kind", "owner_agency"):
        if (filters or {}).get(name):
            qs = qs.filter(**{name: filters[name]})  # type: ignore[index]
    return qs.order_by("-period_start", "-id")


def evaluation_get(*, user: User, pk: int | str) -> Evaluation:
    """One evaluation the user may read, with its findings and action items, or 404."""
    items = ActionItem.objects.select_related("owner_agency", "owner_person", "finding", "evaluation").order_by(
        "due_date", "id"
    )
    qs = evaluation_list(user=user).prefetch_related(
        Prefetch("findings", queryset=EvaluationFinding.objects.order_by("position", "id")),
        Prefetch("action_items", queryset=items),
        Prefetch("shared_with", queryset=Agency.objects.only("id", "name").order_by("name")),
    )
    return get_or_404(qs.select_related("reviewed_by", "published_by", "created_by"), pk=pk)


def evaluation_get_for_change(*, user: User, pk: int | str) -> Evaluation:
    """One evaluation the user may read (else 404) and draft (else PermissionDenied: an acting
    member of its owner agency, or staff)."""
    evaluation = evaluation_get(user=user, pk=pk)
    services.require_writer(actor=user, evaluation=evaluation)
    return evaluation


def evaluation_finding_get_for_change(*, user: User, pk: int | str) -> EvaluationFinding:
    """A finding of an evaluation the user may read (else 404) and draft (else PermissionDenied)."""
    finding = get_or_404(EvaluationFinding.objects.all(), pk=pk)
    finding.evaluation = evaluation_get_for_change(user=user, pk=finding.evaluation_id)
    return finding


def evaluation_title(evaluation: Evaluation, language: str = "id") -> str:
    """Its title, else what and when it evaluates: "Kota — Triwulan III 2026"."""
    period = services.period_of(evaluation).label(language)
    return evaluation.title or f"{scope_label(evaluation)} — {period}"


def scope_label(evaluation: Evaluation) -> str:
    """What is evaluated, named: the agency, the area, the partnership, or "the city"."""
    target = evaluation.scope_agency or evaluation.scope_area or evaluation.scope_partnership
    if target is None:
        return str(evaluation.get_scope_kind_display())
    return str(getattr(target, "title", None) or getattr(target, "name", None) or target)


# --- The previous period and its follow-ups --------------------------------------------------


def evaluation_previous(*, user: User, evaluation: Evaluation) -> Evaluation | None:
    """The latest earlier evaluation of the same series (owner, scope, period kind) the user may
    read, or None."""
    return (
        evaluation_list(user=user)
        .filter(
            owner_agency_id=evaluation.owner_agency_id,
            scope_key=evaluation.scope_key,
            period_kind=evaluation.period_kind,
            period_start__lt=evaluation.period_start,
        )
        .first()
    )


@dataclass(frozen=True)
class FollowUp:
    item: ActionItem
    done: bool
    on_time: bool | None  # done by its due date (None while not done)
    overdue: bool


def follow_ups(*, items: Any, today: datetime.date | None = None) -> list[FollowUp]:
    """Action items with whether each is done, done on time (closed on or before its due date,
    in the portal's zone) and overdue."""
    today = today or timezone.localdate()
    rows = []
    for item in items:
        done = item.status == ActionItem.Status.DONE
        on_time = (timezone.localdate(item.closed_at) <= item.due_date if item.closed_at else None) if done else None
        rows.append(FollowUp(item=item, done=done, on_time=on_time, overdue=not done and item.due_date < today))
    return rows


def previous_action_items(*, user: User, evaluation: Evaluation) -> tuple[Evaluation | None, list[ActionItem]]:
    """The previous evaluation of the series (as `evaluation_previous`) and its action items."""
    previous = evaluation_previous(user=user, evaluation=evaluation)
    if previous is None:
        return None, []
    items = ActionItem.objects.filter(evaluation=previous).select_related("owner_agency", "owner_person", "finding")
    return previous, list(items.order_by("due_date", "id"))


# --- What the forms offer ---------------------------------------------------------------------


def writer_agencies(*, user: User) -> QuerySet[Agency]:
    """Agencies the user may draft evaluations for (staff: every active one)."""
    qs = Agency.objects.filter(is_active=True).order_by("name")
    if user_is_staff(user):
        return qs
    return qs.filter(pk__in=agencies_with(user=user, capability="evaluation.write"))


def evaluable_areas(*, agency_ids: set[int] | None) -> QuerySet[Area]:
    """Areas within the jurisdictions of `agency_ids` (None: every area), down to districts."""
    qs = Area.objects.filter(level__lte=Area.Level.DISTRICT).order_by("level", "name")
    if agency_ids is None:
        return qs
    paths = list(Area.objects.filter(agencies_with_jurisdiction__in=agency_ids).values_list("path", flat=True))
    if not paths:
        return qs.none()
    q = Q()
    for path in paths:
        q |= Q(path__startswith=path)
    return qs.filter(q)


def evaluable_partnerships(*, agency_ids: set[int] | None) -> QuerySet[Partnership]:
    """Partnerships in force that `agency_ids` are party to (None: every one in force)."""
    qs = Partnership.objects.filter(partnership_in_force_q()).order_by("title")
    if agency_ids is None:
        return qs
    return qs.filter(agencies__in=agency_ids).distinct()


def recent_periods(*, kind: str, today: datetime.date | None = None) -> list[Period]:
    """The current period of `kind` and those before it (RECENT_PERIODS of them)."""
    period = Period.containing(kind, today or timezone.localdate())
    rows = []
    for _i in range(RECENT_PERIODS[kind]):
        rows.append(period)
        period = period.previous()
    return rows


def partner_choices(*, evaluation: Evaluation) -> QuerySet[Agency]:
    """The agencies the evaluation may be published to: the owner's partners in force today."""
    ids = services.partner_agency_ids(agency_id=evaluation.owner_agency_id)
    return Agency.objects.filter(pk__in=ids).order_by("name")


def action_owner_choices(*, evaluation: Evaluation) -> QuerySet[Agency]:
    """The agencies an action item may be given to: the owner and its partners in force."""
    ids = services.partner_agency_ids(agency_id=evaluation.owner_agency_id) | {evaluation.owner_agency_id}
    return Agency.objects.filter(pk__in=ids, is_active=True).order_by("name")


def kpi_targets(*, agency_id: int | None) -> dict[tuple[str, int | None], KpiTarget]:
    """{(kpi, agency id or None): target} of the city and of `agency_id`: one query."""
    q = Q(agency__isnull=True) | (Q(agency_id=agency_id) if agency_id else Q(pk__in=[]))
    return {(t.kpi, t.agency_id): t for t in KpiTarget.objects.filter(q)}


# --- The public portal ---------------------------------------------------------------------


def public_evaluation_list() -> QuerySet[Evaluation]:
    """Published evaluations whose public summary is published, newest first (no login).
    Served by `evaluation_public_idx`."""
    return (
        Evaluation.objects.filter(public=True, status=S.PUBLISHED)
        .select_related("owner_agency", "scope_agency", "scope_area", "scope_partnership")
        .order_by("-published_at", "-id")
    )


def public_evaluation_get(*, pk: int | str) -> Evaluation:
    """One evaluation of the public list, else 404."""
    return get_or_404(public_evaluation_list(), pk=pk)


# The visitor's home shows at most this many evaluations (its section, registered in coordination/apps.py).
HOME_EVALUATION_LIMIT = 3


def public_section(request: HttpRequest) -> Section | None:
    """The visitor's home: the latest public summaries, or nothing when there is none."""
    rows = list(public_evaluation_list()[:HOME_EVALUATION_LIMIT])
    if not rows:
        return None
    return Section("evaluations", "coordination/evaluations/partials/public_section.html", {"evaluations": rows})


# --- Targets ----------------------------------------------------------------------------------


def target_agencies(*, user: User) -> list[Agency]:
    """The agencies whose targets the targets page shows the user: their own (staff: every active one)."""
    qs = Agency.objects.filter(is_active=True).order_by("name")
    if not user_is_staff(user):
        qs = qs.filter(pk__in=user_agency_ids(user=user))
    return list(qs.only("id", "name"))


def target_rows(*, agency_id: int | None) -> list[dict[str, Any]]:
    """Each KPI with its unit, default, the city's target and the agency's: one query."""
    from .kpis.definitions import KPIS

    targets = kpi_targets(agency_id=agency_id)
    return [
        {
            "kpi": kpi,
            "city": targets.get((key, None)),
            "agency": targets.get((key, agency_id)) if agency_id else None,
        }
        for key, kpi in KPIS.items()
    ]


def series_due(*, today: datetime.date) -> list[tuple[Evaluation, Period]]:
    """Every recurring series (owner agency, scope, period kind) of an active agency whose last
    ended period has no evaluation yet: its latest evaluation (the one a new draft copies its
    scope from) and that period. One query for the series, one per series that is due."""
    due = []
    latest = (
        Evaluation.objects.filter(recurring=True, owner_agency__is_active=True)
        .values("owner_agency_id", "scope_key", "period_kind")
        .annotate(last=Max("period_start"))
    )
    for series in latest:
        period = Period.last_ended(series["period_kind"], today)
        if period.start <= series["last"]:
            continue
        row = Evaluation.objects.select_related("owner_agency", "scope_agency", "scope_area", "scope_partnership").get(
            owner_agency_id=series["owner_agency_id"],
            scope_key=series["scope_key"],
            period_kind=series["period_kind"],
            period_start=series["last"],
        )
        due.append((row, period))
    return due


def open_draft_ids() -> list[int]:
    """The drafts the nightly beat recomputes (reviewed and published ones are never touched)."""
    return list(Evaluation.objects.filter(status=Evaluation.Status.DRAFT).order_by("id").values_list("pk", flat=True))
