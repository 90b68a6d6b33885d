"""Writes of partnerships, the agreements (MoUs) between agencies, and the predicates the pages
ask before they offer an action. Two-sided (docs/security.md, "Partnerships"): one party's
commander proposes, every other party's commander accepts, any party's commander ends; a
change is a new proposal. Nothing is deleted: the rows and their answers are the history,
and each step is written to the audit log. Re-exported by `agencies.services`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.services import signed_in
from common.types import User

from .models import Agency, AuditLog, Classification, Partnership, PartnershipAnswer
from .roles import agencies_with, has_capability
from .selectors import require_capability, user_is_staff

PartnershipStatus = Partnership.Status
Answer = PartnershipAnswer.Answer


def _audit_partnership(*, actor: User, partnership: Partnership, action: str, agency_id: int | None) -> None:
    AuditLog.objects.create(
        user=signed_in(actor),
        action=action,
        object_type="partnership",
        object_id=str(partnership.pk),
        classification=Classification.RESTRICTED,
        detail=f"agency {agency_id}" if agency_id else "platform",
    )


def can_propose_partnership(*, user: User, agency: Agency) -> bool:
    """Staff, or a commander of `agency` proposing on its behalf."""
    return has_capability(user=user, capability="partnership.propose", agency_ids=[agency.pk])


def partnership_answer_agencies(*, user: User, partnership: Partnership) -> set[int]:
    """The parties for which the user may accept or decline the partnership now: those whose
    answer is pending, where the user is a commander (staff: every pending one)."""
    if partnership.status != PartnershipStatus.PROPOSED:
        return set()
    pending = {a.agency_id for a in partnership.answers.all() if a.answer == Answer.PENDING}
    if user_is_staff(user):
        return pending
    return agencies_with(user=user, capability="partnership.accept", among=pending)


def partnership_end_agencies(*, user: User, partnership: Partnership) -> set[int]:
    """The parties on whose behalf the user may end the partnership now: any party of one in
    force; of a proposal, the proposing agency (a withdrawal; the others decline). A commander
    of that party, or staff (any party)."""
    parties = {a.pk for a in partnership.agencies.all()}
    if partnership.status == PartnershipStatus.IN_FORCE:
        among = parties
    elif partnership.status == PartnershipStatus.PROPOSED:
        among = {partnership.proposed_by_agency_id} & parties if partnership.proposed_by_agency_id else set()
    else:
        return set()
    if user_is_staff(user):
        return parties
    return agencies_with(user=user, capability="partnership.end", among=among)


def can_end_partnership(*, user: User, partnership: Partnership, agency: Agency | None = None) -> bool:
    allowed = partnership_end_agencies(user=user, partnership=partnership)
    return bool(allowed) if agency is None else agency.pk in allowed


def _locked(partnership: Partnership) -> Partnership:
    # One answer at a time per partnership: two commanders accepting at once both see the other
    # still pending, and the partnership would never come into force.
    return Partnership.objects.select_for_update().get(pk=partnership.pk)


def _choose_party(*, allowed: set[int], agency: Agency | None, staff: bool, several: str) -> int | None:
    """The party on whose behalf the actor acts: `agency` if the actor may act for it, else
    their only one; several: they must say which (staff with none: the platform)."""
    if agency is not None:
        if agency.pk not in allowed:
            raise PermissionDenied(_("You may act only for an agency whose commander you are."))
        return agency.pk
    if len(allowed) == 1:
        return next(iter(allowed))
    if len(allowed) > 1:
        raise ValidationError({"agency": several})
    if staff:
        return None
    raise PermissionDenied(_("Only a commander of one of its parties may do this."))


@transaction.atomic
def partnership_propose(
    *,
    actor: User,
    title: str,
    agencies: Sequence[Agency],
    valid_from: date,
    valid_until: date | None = None,
    scopes: Iterable[str] = (),
    reference: str = "",
    notes: str = "",
    document: Any = None,
    proposing_agency: Agency | None = None,
    supersedes: Partnership | None = None,
) -> Partnership:
    """Propose an agreement between two or more agencies on behalf of one of them (its
    commander, or staff). It grants nothing until every other party's commander accepts it.
    A wider or longer agreement is a new proposal that `supersedes` the one in force."""
    agencies = list(dict.fromkeys(agencies))
    if len(agencies) < 2:
        raise ValidationError({"agencies": _("A partnership binds at least two agencies.")})
    party_ids = [a.pk for a in agencies]
    staff = user_is_staff(actor)
    if proposing_agency is not None:
        if proposing_agency.pk not in party_ids:
            raise ValidationError({"proposing_agency": _("The proposing agency must be one of the parties.")})
        require_capability(user=actor, agency_id=proposing_agency.pk, capability="partnership.propose")
    elif not staff:
        mine = agencies_with(user=actor, capability="partnership.propose", among=party_ids)
        if not mine:
            raise PermissionDenied(_("Only a commander of one of its agencies may propose a partnership."))
        if len(mine) > 1:
            raise ValidationError(
                {"proposing_agency": _("You command several of these agencies: say for which one you propose.")}
            )
        proposing_agency = next(a for a in agencies if a.pk in mine)
    scopes = set(scopes)
    unknown = scopes - set(Partnership.Scope.values)
    if unknown:
        raise ValidationError({"scopes": _("Unknown scope: %(s)s.") % {"s": ", ".join(sorted(unknown))}})
    if not scopes:
        raise ValidationError({"scopes": _("Choose at least one scope.")})
    if valid_until and valid_until < valid_from:
        raise ValidationError({"valid_until": _("The end of validity comes before its start.")})
    if supersedes is not None:
        if supersedes.status != PartnershipStatus.IN_FORCE:
            raise ValidationError({"supersedes": _("Only a partnership in force can be superseded.")})
        if proposing_agency is not None and not supersedes.agencies.filter(pk=proposing_agency.pk).exists():
            raise ValidationError({"supersedes": _("Your agency is no party to that partnership.")})
    now = timezone.now()
    partnership = Partnership(
        title=title,
        reference=reference,
        valid_from=valid_from,
        valid_until=valid_until,
        notes=notes,
        status=PartnershipStatus.PROPOSED,
        proposed_by=signed_in(actor),
        proposed_by_agency=proposing_agency,
        proposed_at=now,
        supersedes=supersedes,
        **{s: (s in scopes) for s in Partnership.Scope.values},
    )
    if document is not None:
        partnership.document = document
    partnership.full_clean()
    partnership.save()
    partnership.agencies.set(agencies)
    proposer_id = proposing_agency.pk if proposing_agency else None
    PartnershipAnswer.objects.bulk_create(
        [
            PartnershipAnswer(
                partnership=partnership,
                agency=a,
                answer=Answer.ACCEPTED if a.pk == proposer_id else Answer.PENDING,
                answered_by=signed_in(actor) if a.pk == proposer_id else None,
                answered_at=now if a.pk == proposer_id else None,
            )
            for a in agencies
        ]
    )
    _audit_partnership(actor=actor, partnership=partnership, action="partnership.propose", agency_id=proposer_id)
    return partnership


def _answer(*, actor: User, partnership: Partnership, agency: Agency | None, accept: bool) -> Partnership:
    partnership = _locked(partnership)
    if partnership.status != PartnershipStatus.PROPOSED:
        raise ValidationError(_("This partnership no longer awaits answers."))
    answers = {a.agency_id: a for a in PartnershipAnswer.objects.filter(partnership=partnership)}
    allowed = partnership_answer_agencies(user=actor, partnership=partnership)
    if (
        agency is not None
        and agency.pk in answers
        and answers[agency.pk].answer != Answer.PENDING
        and (user_is_staff(actor) or agencies_with(user=actor, capability="partnership.accept", among=[agency.pk]))
    ):
        raise ValidationError({"agency": _("This agency has already answered.")})
    party = _choose_party(allowed=allowed, agency=agency, staff=False, several=_("Say for which agency you answer."))
    assert party is not None  # staff=False: a party, or PermissionDenied
    now = timezone.now()
    row = answers[party]
    row.answer = Answer.ACCEPTED if accept else Answer.DECLINED
    row.answered_by = signed_in(actor)
    row.answered_at = now
    row.save(update_fields=["answer", "answered_by", "answered_at"])
    if not accept:
        partnership.status = PartnershipStatus.DECLINED
    elif all(a.answer == Answer.ACCEPTED for a in answers.values()):
        partnership.status = PartnershipStatus.IN_FORCE
        partnership.in_force_since = now
        if partnership.supersedes_id:
            old = Partnership.objects.select_for_update().get(pk=partnership.supersedes_id)
            if old.status == PartnershipStatus.IN_FORCE:
                old.status = PartnershipStatus.SUPERSEDED
                old.ended_at, old.ended_by, old.ended_by_agency_id = now, signed_in(actor), party
                old.save(update_fields=["status", "ended_at", "ended_by", "ended_by_agency", "updated_at"])
                _audit_partnership(actor=actor, partnership=old, action="partnership.supersede", agency_id=party)
    partnership.save(update_fields=["status", "in_force_since", "updated_at"])
    action = "partnership.accept" if accept else "partnership.decline"
    _audit_partnership(actor=actor, partnership=partnership, action=action, agency_id=party)
    return partnership


@transaction.atomic
def partnership_accept(*, actor: User, partnership: Partnership, agency: Agency | None = None) -> Partnership:
    """Accept a proposal on behalf of a party whose answer is pending (its commander, or staff;
    `agency` says which party when the actor could answer for several). Once every party has
    accepted, the partnership is in force (and the one it supersedes is superseded)."""
    return _answer(actor=actor, partnership=partnership, agency=agency, accept=True)


@transaction.atomic
def partnership_decline(*, actor: User, partnership: Partnership, agency: Agency | None = None) -> Partnership:
    """Decline a proposal on behalf of a party whose answer is pending (its commander, or
    staff): the proposal is closed for good and grants nothing."""
    return _answer(actor=actor, partnership=partnership, agency=agency, accept=False)


@transaction.atomic
def partnership_end(*, actor: User, partnership: Partnership, agency: Agency | None = None) -> Partnership:
    """End a partnership in force on behalf of any party, or withdraw a proposal on behalf of
    the proposing agency (its commander, or staff). From then on it grants nothing."""
    partnership = _locked(partnership)
    if partnership.status not in (PartnershipStatus.PROPOSED, PartnershipStatus.IN_FORCE):
        raise ValidationError(_("This partnership is no longer in force nor proposed."))
    staff = user_is_staff(actor)
    allowed = partnership_end_agencies(user=actor, partnership=partnership)
    party = _choose_party(allowed=allowed, agency=agency, staff=staff, several=_("Say for which agency you end it."))
    partnership.status = PartnershipStatus.ENDED
    partnership.ended_at = timezone.now()
    partnership.ended_by = signed_in(actor)
    partnership.ended_by_agency_id = party
    partnership.save(update_fields=["status", "ended_at", "ended_by", "ended_by_agency", "updated_at"])
    _audit_partnership(actor=actor, partnership=partnership, action="partnership.end", agency_id=party)
    return partnership
