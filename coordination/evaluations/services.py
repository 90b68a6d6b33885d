"""Writes of periodic evaluations, and the predicates the pages ask before they offer an action
(the same rules the services apply).

Every service writes in one transaction, validates with `full_clean()` and checks the actor's capability
(`agencies/roles.py`) in the evaluation's owner agency. Callers fetch the evaluation through a
selector first (404 for what the actor may not read); the services answer PermissionDenied when
the actor reads it but may not act, and ValidationError (a 400 in the API) for bad input or a
step the status does not allow.

The workflow: draft > reviewed > published. Who may do what (staff: everything):
- create by hand, recompute, change the title and summary, write findings and follow-up action
  items (all on a draft only): the owner's acting members ("evaluation.write");
- review a draft, or send a reviewed one back to draft: the owner's commander ("evaluation.review");
- publish a reviewed one to partner agencies (recomputed one last time, then frozen), publish or
  withdraw its public summary: the owner's commander ("evaluation.publish");
- set the owner's KPI targets: its commanders and liaisons ("evaluation.targets"); the city's
  targets: staff.
A published evaluation never recomputes: its snapshot, findings and summary are what was signed.
Its action items still move (they are follow-ups, `exercises.services.action_item_update`).

The beat drafts each recurring series' evaluation once its period has ended
(`evaluation_schedule`, no actor) and recomputes open drafts nightly.

The services that compute figures (create, schedule, recompute, publish) compute them before
their transaction opens, after the checks: outside a transaction the engine reads on several
connections side by side (`kpis.compute`), and no row lock is held for the seconds a city's
year takes. Inside the transaction they check the status again under the lock; a duplicate
drafted meanwhile is the unique constraint's, answered as the same field error.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency, Area, Partnership, partnership_in_force_q
from agencies.roles import agencies_with, roles_for
from agencies.selectors import user_is_staff, user_roles_in
from agencies.services import acting_agency
from common.services import signed_in
from common.types import User
from coordination.exercises.services import check_owner_person
from coordination.models import ActionItem, Evaluation, EvaluationFinding, KpiTarget
from coordination.rules import require_capability

from .kpis.compute import Scope, compute_snapshot
from .kpis.definitions import KPIS
from .kpis.targets import targets_for
from .periods import MONTHS, Period

S = Evaluation.Status
SK = Evaluation.ScopeKind
CAPABILITIES = ("evaluation.write", "evaluation.review", "evaluation.publish")
MAX_FINDINGS = 50
# Findings and action items are written while the evaluation is a draft (reviewed and published
# ones are what the commander read and signed).
EDITABLE = (S.DRAFT,)


# --- Who may do what -----------------------------------------------------------------------


def _held(actor: User, evaluation: Evaluation) -> set[str]:
    """The evaluation capabilities the actor holds in its owner agency (staff: all): one query,
    or none when the request's roles are already read."""
    if user_is_staff(actor):
        return set(CAPABILITIES)
    role = user_roles_in(user=actor, agency_ids=[evaluation.owner_agency_id]).get(evaluation.owner_agency_id)
    return {c for c in CAPABILITIES if role in roles_for(c)}


def evaluation_rights(*, actor: User, evaluation: Evaluation) -> dict[str, bool]:
    """Every action the evaluation's page may offer, as the services decide it."""
    held = _held(actor, evaluation)
    status = evaluation.status
    write = "evaluation.write" in held
    publish = "evaluation.publish" in held
    return {
        "change": status in EDITABLE and write,
        "recompute": status == S.DRAFT and write,
        "review": status == S.DRAFT and "evaluation.review" in held,
        "return": status == S.REVIEWED and "evaluation.review" in held,
        "publish": status == S.REVIEWED and publish,
        "public": status == S.PUBLISHED and publish and not evaluation.public,
        "withdraw_public": status == S.PUBLISHED and publish and evaluation.public,
    }


def can_create_any(*, user: User) -> bool:
    """An acting member of some agency, or staff: the list's "new evaluation" button."""
    return user_is_staff(user) or bool(agencies_with(user=user, capability="evaluation.write"))


def can_set_targets(*, user: User, agency_id: int | None) -> bool:
    """The city's targets (agency None): staff; an agency's: its commanders and liaisons."""
    if user_is_staff(user):
        return True
    return agency_id is not None and bool(agencies_with(user=user, capability="evaluation.targets", among=[agency_id]))


def _require(actor: User, evaluation: Evaluation, capability: str, message: str) -> None:
    require_capability(actor=actor, agency_ids=[evaluation.owner_agency_id], capability=capability, message=message)


def require_writer(*, actor: User, evaluation: Evaluation) -> None:
    _require(
        actor, evaluation, "evaluation.write", _("Only the acting members of its agency may draft this evaluation.")
    )


def require_publisher(*, actor: User, evaluation: Evaluation) -> None:
    _require(
        actor, evaluation, "evaluation.publish", _("Only the commander of its agency may publish this evaluation.")
    )


def _require_draft(evaluation: Evaluation, field: str = "status") -> None:
    if evaluation.status not in EDITABLE:
        raise ValidationError({field: _("Only a draft evaluation may be changed; send it back to draft first.")})


def _require_status(evaluation: Evaluation, status: str, message: Any) -> None:
    """ValidationError on "status" unless the evaluation is at `status` (checked once before
    the figures are computed, again under the lock)."""
    if evaluation.status != status:
        raise ValidationError({"status": message})


def _locked(evaluation: Evaluation) -> Evaluation:
    """The row, locked for the transaction: two commanders pressing at once make one step."""
    return Evaluation.objects.select_for_update().get(pk=evaluation.pk)


# --- Scopes ---------------------------------------------------------------------------------


def partner_agency_ids(*, agency_id: int) -> set[int]:
    """Active agencies bound to `agency_id` by a partnership in force today, whatever its scope:
    those an evaluation may be published to."""
    partnerships = Partnership.objects.filter(partnership_in_force_q(), agencies=agency_id)
    return set(
        Agency.objects.filter(partnerships__in=partnerships, is_active=True)
        .exclude(pk=agency_id)
        .values_list("pk", flat=True)
    )


def covers_root_area(*, agency_id: int) -> bool:
    """Whether the agency's jurisdiction holds a root area (one without a parent: a province)."""
    return Area.objects.filter(agencies_with_jurisdiction=agency_id, parent__isnull=True).exists()


def scope_allowed(
    *, actor: User, owner: Agency, scope_kind: str, agency: Agency | None, area: Area | None, partnership: Any
) -> bool:
    """What an agency may evaluate (docs/security.md, "Evaluations"): itself; an area within its
    jurisdiction; a partnership it is party to and which is in force; the city when its
    jurisdiction holds a root area. Staff may evaluate any scope for any agency."""
    if user_is_staff(actor):
        return True
    if scope_kind == SK.AGENCY:
        return agency is not None and agency.pk == owner.pk
    if scope_kind == SK.AREA:
        return area is not None and owner.jurisdiction.filter(path__in=area.ancestor_paths).exists()
    if scope_kind == SK.PARTNERSHIP:
        return (
            partnership is not None
            and Partnership.objects.filter(partnership_in_force_q(), pk=partnership.pk, agencies=owner).exists()
        )
    return covers_root_area(agency_id=owner.pk)


def scope_key(*, scope_kind: str, agency: Agency | None, area: Area | None, partnership: Any) -> str:
    target = {SK.AGENCY: agency, SK.AREA: area, SK.PARTNERSHIP: partnership}.get(scope_kind)  # type: ignore[call-overload]
    return str(scope_kind) if target is None else f"{scope_kind}:{target.pk}"


def period_of(evaluation: Evaluation) -> Period:
    return Period(evaluation.period_kind, evaluation.period_start, evaluation.period_end)


# --- The snapshot ---------------------------------------------------------------------------


def _compute(evaluation: Evaluation) -> None:
    """Compute the figures now (the engine reads; nothing is written but this row's snapshot,
    which the caller saves)."""
    evaluation.snapshot = compute_snapshot(
        scope=Scope.from_evaluation(evaluation),
        period=period_of(evaluation),
        targets=targets_for(agency_id=evaluation.owner_agency_id),
    )
    evaluation.computed_at = timezone.now()


def _check_scope_given(scope_kind: str, agency: Agency | None, area: Area | None, partnership: Any) -> None:
    """ValidationError on the field of the scope's object when it is missing."""
    if scope_kind not in SK.values:
        raise ValidationError({"scope_kind": _("Choose what is evaluated.")})
    needed = {
        SK.AGENCY: ("scope_agency", agency),
        SK.AREA: ("scope_area", area),
        SK.PARTNERSHIP: ("scope_partnership", partnership),
    }
    if scope_kind in needed and needed[scope_kind][1] is None:  # type: ignore[index]
        raise ValidationError({needed[scope_kind][0]: _("Choose what is evaluated.")})  # type: ignore[index]


def _new(
    *,
    owner: Agency,
    period: Period,
    scope_kind: str,
    agency: Agency | None,
    area: Area | None,
    partnership: Any,
    **fields: Any,
) -> Evaluation:
    _check_scope_given(scope_kind, agency, area, partnership)
    keep = {SK.AGENCY: agency, SK.AREA: area, SK.PARTNERSHIP: partnership}
    evaluation = Evaluation(
        owner_agency=owner,
        period_kind=period.kind,
        period_start=period.start,
        period_end=period.end,
        scope_kind=scope_kind,
        scope_agency=keep[SK.AGENCY] if scope_kind == SK.AGENCY else None,
        scope_area=keep[SK.AREA] if scope_kind == SK.AREA else None,
        scope_partnership=keep[SK.PARTNERSHIP] if scope_kind == SK.PARTNERSHIP else None,
        scope_key=scope_key(scope_kind=scope_kind, agency=agency, area=area, partnership=partnership),
        **fields,
    )
    duplicate = ValidationError({"period_start": _("Your agency already has an evaluation of this scope and period.")})
    if Evaluation.objects.filter(
        owner_agency=owner, period_kind=period.kind, period_start=period.start, scope_key=evaluation.scope_key
    ).exists():
        raise duplicate
    _compute(evaluation)  # before the transaction (see the module's docstring)
    evaluation.full_clean(exclude=["scope_key"])
    try:
        with transaction.atomic():
            evaluation.save()
    except IntegrityError:  # drafted meanwhile, by another beat or person (evaluation_one_per_scope)
        raise duplicate from None
    return evaluation


def evaluation_create(
    *,
    actor: User,
    period_kind: str,
    period_start: datetime.date,
    scope_kind: str,
    owner_agency: Agency | None = None,
    scope_agency: Agency | None = None,
    scope_area: Area | None = None,
    scope_partnership: Any = None,
    title: str = "",
    recurring: bool = False,
) -> Evaluation:
    """A draft by hand, for the period of `period_kind` holding `period_start` (not one still to
    come), of a scope the owner may evaluate (`scope_allowed`); its figures are computed at once.
    The owner: the actor's agency where they are an acting member (staff name it)."""
    owner = acting_agency(
        actor=actor,
        agency=owner_agency,
        roles=roles_for("evaluation.write"),
        field="owner_agency",
        staff_without_agency=False,
    )
    assert owner is not None
    if period_kind not in MONTHS:
        raise ValidationError({"period_kind": _("Choose a month, a quarter, a semester or a year.")})
    period = Period.containing(period_kind, period_start)
    if period.start > timezone.localdate():
        raise ValidationError({"period_start": _("This period has not begun yet.")})
    _check_scope_given(scope_kind, scope_agency, scope_area, scope_partnership)
    if not scope_allowed(
        actor=actor,
        owner=owner,
        scope_kind=scope_kind,
        agency=scope_agency,
        area=scope_area,
        partnership=scope_partnership,
    ):
        raise ValidationError({"scope_kind": _("Your agency may not evaluate this scope.")})
    return _new(
        owner=owner,
        period=period,
        scope_kind=scope_kind,
        agency=scope_agency,
        area=scope_area,
        partnership=scope_partnership,
        title=title.strip(),
        recurring=bool(recurring),
        origin=Evaluation.Origin.MANUAL,
        created_by=signed_in(actor),
    )


def evaluation_schedule(*, series: Evaluation, period: Period) -> Evaluation | None:
    """The draft of `series`' evaluation for `period` (origin scheduled, recurring), unless it
    exists already: idempotent (the unique constraint settles two beats racing). No actor: the
    beat runs it."""
    try:
        return _new(
            owner=series.owner_agency,
            period=period,
            scope_kind=series.scope_kind,
            agency=series.scope_agency,
            area=series.scope_area,
            partnership=series.scope_partnership,
            title="",
            recurring=True,
            origin=Evaluation.Origin.SCHEDULED,
        )
    except ValidationError:
        return None


def evaluation_recompute(*, actor: User | None, evaluation: Evaluation) -> Evaluation:
    """Compute a draft's figures again from the data as it is now (`actor` None: the nightly
    beat). A reviewed evaluation is sent back to draft first; a published one never changes."""
    if actor is not None:
        require_writer(actor=actor, evaluation=evaluation)
    frozen = _("Only a draft is recomputed; a published evaluation is frozen.")
    _require_status(evaluation, S.DRAFT, frozen)
    _compute(evaluation)  # before the transaction (see the module's docstring)
    with transaction.atomic():
        _require_status(_locked(evaluation), S.DRAFT, frozen)
        evaluation.save(update_fields=["snapshot", "computed_at", "updated_at"])
    return evaluation


UPDATE_FIELDS = ("title", "summary", "recurring")


@transaction.atomic
def evaluation_update(*, actor: User, evaluation: Evaluation, **fields: Any) -> Evaluation:
    """Change a draft's title, summary or recurrence (its writers); `fields` among UPDATE_FIELDS."""
    require_writer(actor=actor, evaluation=evaluation)
    unknown = set(fields) - set(UPDATE_FIELDS)
    if unknown:
        raise ValueError(f"not changeable: {sorted(unknown)}")
    _require_draft(_locked(evaluation))
    for name, value in fields.items():
        setattr(evaluation, name, value.strip() if isinstance(value, str) else value)
    evaluation.full_clean(exclude=["scope_key"])
    evaluation.save()
    return evaluation


# --- The workflow ---------------------------------------------------------------------------


@transaction.atomic
def evaluation_review(*, actor: User, evaluation: Evaluation) -> Evaluation:
    """Mark a draft reviewed (the owner's commander): its figures and text are then what will be
    published."""
    _require(actor, evaluation, "evaluation.review", _("Only the commander of its agency may review this evaluation."))
    _require_status(_locked(evaluation), S.DRAFT, _("Only a draft may be reviewed."))
    evaluation.status, evaluation.reviewed_by, evaluation.reviewed_at = S.REVIEWED, signed_in(actor), timezone.now()
    evaluation.save(update_fields=["status", "reviewed_by", "reviewed_at", "updated_at"])
    return evaluation


@transaction.atomic
def evaluation_return(*, actor: User, evaluation: Evaluation) -> Evaluation:
    """Send a reviewed evaluation back to draft (the owner's commander)."""
    _require(actor, evaluation, "evaluation.review", _("Only the commander of its agency may send it back."))
    _require_status(_locked(evaluation), S.REVIEWED, _("Only a reviewed evaluation may be sent back to draft."))
    evaluation.status, evaluation.reviewed_by, evaluation.reviewed_at = S.DRAFT, None, None
    evaluation.save(update_fields=["status", "reviewed_by", "reviewed_at", "updated_at"])
    return evaluation


def evaluation_publish(*, actor: User, evaluation: Evaluation, shared_with: Sequence[Agency]) -> Evaluation:
    """Publish a reviewed evaluation to some of the owner's partner agencies (in force today; none
    is allowed: published inside the agency only): its figures are computed one last time and
    then frozen. The members of those agencies are told in their inbox (`evaluation.published`)."""
    _require(
        actor, evaluation, "evaluation.publish", _("Only the commander of its agency may publish this evaluation.")
    )
    unreviewed = _("Only a reviewed evaluation may be published.")
    _require_status(evaluation, S.REVIEWED, unreviewed)
    chosen = {a.pk for a in shared_with}
    if chosen - partner_agency_ids(agency_id=evaluation.owner_agency_id):
        raise ValidationError({"shared_with": _("Publish only to agencies in partnership with yours.")})
    _compute(evaluation)  # before the transaction (see the module's docstring)
    with transaction.atomic():
        _require_status(_locked(evaluation), S.REVIEWED, unreviewed)
        evaluation.status, evaluation.published_by = S.PUBLISHED, signed_in(actor)
        evaluation.published_at = timezone.now()
        evaluation.save(
            update_fields=["status", "snapshot", "computed_at", "published_by", "published_at", "updated_at"]
        )
        evaluation.shared_with.set(chosen)
        _tell(evaluation, chosen, actor=actor)
    return evaluation


def _tell(evaluation: Evaluation, agency_ids: set[int], *, actor: User) -> None:
    """Inbox entries for the members of the agencies it was published to (after commit).
    Imported here: the inbox reads evaluations."""
    from coordination.notifications.services import inbox_deliver

    if agency_ids:
        transaction.on_commit(
            lambda: inbox_deliver(
                agency_ids=agency_ids, kind="evaluation.published", exclude=signed_in(actor), evaluation=evaluation
            )
        )


def _public(actor: User, evaluation: Evaluation, public: bool) -> Evaluation:
    _require(actor, evaluation, "evaluation.publish", _("Only the commander of its agency may publish the summary."))
    if _locked(evaluation).status != S.PUBLISHED:
        raise ValidationError({"public": _("Only a published evaluation has a public summary.")})
    evaluation.public, evaluation.public_at = public, timezone.now() if public else None
    evaluation.save(update_fields=["public", "public_at", "updated_at"])
    return evaluation


@transaction.atomic
def evaluation_publish_public(*, actor: User, evaluation: Evaluation) -> Evaluation:
    """Show the public summary (public figures only) on the public portal (the owner's commander)."""
    return _public(actor, evaluation, True)


@transaction.atomic
def evaluation_withdraw_public(*, actor: User, evaluation: Evaluation) -> Evaluation:
    """Take the public summary off the public portal (the owner's commander)."""
    return _public(actor, evaluation, False)


# --- Findings -------------------------------------------------------------------------------


def _check_kpi(kpi: str) -> str:
    kpi = (kpi or "").strip()
    if kpi and kpi not in KPIS:
        raise ValidationError({"kpi": _("Unknown indicator.")})
    return kpi


@transaction.atomic
def evaluation_finding_add(*, actor: User, evaluation: Evaluation, text: str, kpi: str = "") -> EvaluationFinding:
    """A finding of a draft, after the others (its writers); optionally about one KPI."""
    require_writer(actor=actor, evaluation=evaluation)
    _require_draft(_locked(evaluation), "text")
    if evaluation.findings.count() >= MAX_FINDINGS:
        raise ValidationError({"text": _("At most %(n)d findings.") % {"n": MAX_FINDINGS}})
    last = evaluation.findings.order_by("-position").values_list("position", flat=True).first()
    finding = EvaluationFinding(
        evaluation=evaluation,
        text=text.strip(),
        kpi=_check_kpi(kpi),
        position=(last or 0) + 1,
        created_by=signed_in(actor),
    )
    finding.full_clean()
    finding.save()
    return finding


@transaction.atomic
def evaluation_finding_change(
    *, actor: User, finding: EvaluationFinding, text: str | None = None, kpi: str | None = None
) -> EvaluationFinding:
    """Change a finding of a draft (its writers)."""
    evaluation = finding.evaluation
    require_writer(actor=actor, evaluation=evaluation)
    _require_draft(_locked(evaluation), "text")
    if text is not None:
        finding.text = text.strip()
    if kpi is not None:
        finding.kpi = _check_kpi(kpi)
    finding.full_clean()
    finding.save()
    return finding


@transaction.atomic
def evaluation_finding_delete(*, actor: User, finding: EvaluationFinding) -> None:
    """Delete a finding of a draft (its writers); its action items stay, answering no finding."""
    evaluation = finding.evaluation
    require_writer(actor=actor, evaluation=evaluation)
    _require_draft(_locked(evaluation), "text")
    finding.delete()


@transaction.atomic
def evaluation_findings_reorder(*, actor: User, evaluation: Evaluation, order: Sequence[int]) -> None:
    """Put a draft's findings in `order` (every finding's id, once)."""
    require_writer(actor=actor, evaluation=evaluation)
    _require_draft(_locked(evaluation), "order")
    rows = {f.pk: f for f in evaluation.findings.all()}
    if sorted(order) != sorted(rows) or len(set(order)) != len(order):
        raise ValidationError({"order": _("Give every finding of this evaluation once.")})
    for position, pk in enumerate(order, start=1):
        rows[pk].position = position
    EvaluationFinding.objects.bulk_update(rows.values(), ["position"])


# --- Follow-up action items -----------------------------------------------------------------


@transaction.atomic
def evaluation_action_item_create(
    *,
    actor: User,
    evaluation: Evaluation,
    description: str,
    owner_agency: Agency,
    due_date: datetime.date,
    owner_person: Any = None,
    finding: EvaluationFinding | None = None,
) -> ActionItem:
    """A follow-up action of a draft, owned by an agency (and a person of it), optionally
    answering one of its findings (its writers). Shown again, done or not, in the next period's
    evaluation of the same series."""
    require_writer(actor=actor, evaluation=evaluation)
    _require_draft(_locked(evaluation), "description")
    if not owner_agency.is_active:
        raise ValidationError({"owner_agency": _("This agency is not active.")})
    check_owner_person(owner_agency=owner_agency, owner_person=owner_person)
    if finding is not None and finding.evaluation_id != evaluation.pk:
        raise ValidationError({"finding": _("This finding is not of this evaluation.")})
    item = ActionItem(
        evaluation=evaluation,
        finding=finding,
        description=description.strip(),
        owner_agency=owner_agency,
        owner_person=owner_person,
        due_date=due_date,
    )
    item.full_clean()
    item.save()
    return item


# --- KPI targets ----------------------------------------------------------------------------


def _require_targets(actor: User, agency: Agency | None) -> None:
    if agency is None:
        if not user_is_staff(actor):
            raise PermissionDenied(_("Only platform administrators set the city's targets."))
        return
    require_capability(
        actor=actor,
        agency_ids=[agency.pk],
        capability="evaluation.targets",
        message=_("Only the commanders and liaisons of the agency set its targets."),
    )


@transaction.atomic
def kpi_target_set(*, actor: User, kpi: str, value: Any, agency: Agency | None = None) -> KpiTarget:
    """Set a KPI's target: the agency's (its commanders and liaisons) or the city's (agency None:
    staff). Later evaluations (and drafts recomputed) use it; published ones keep theirs."""
    _require_targets(actor, agency)
    if kpi not in KPIS:
        raise ValidationError({"kpi": _("Unknown indicator.")})
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({"value": _("Give a number.")}) from None
    if not number.is_finite() or number < 0 or (KPIS[kpi].unit == "percent" and number > 100):
        raise ValidationError({"value": _("Give a number from 0 (100 at most for a percentage).")})
    target = KpiTarget.objects.select_for_update().filter(kpi=kpi, agency=agency).first() or KpiTarget(
        kpi=kpi, agency=agency
    )
    target.value, target.set_by = number, signed_in(actor)
    target.full_clean(validate_constraints=False)
    target.save()
    return target


@transaction.atomic
def kpi_target_clear(*, actor: User, kpi: str, agency: Agency | None = None) -> int:
    """Remove a KPI's target (the agency's, or the city's): the next one down applies again."""
    _require_targets(actor, agency)
    if kpi not in KPIS:
        raise ValidationError({"kpi": _("Unknown indicator.")})
    deleted, _rows = KpiTarget.objects.filter(kpi=kpi, agency=agency).delete()
    return deleted
