"""The rules coordination's plans share: joint operations and exercises are both led by an
agency with other agencies taking part, so one rule says who reads them, one check says who
may change them, and one window check holds their times.

Who reads a plan (docs/security.md, "Access", with participation):
- public: anyone signed in;
- restricted: every member of an active agency;
- confidential: the lead agency, the participating agencies, and agencies whose valid
  partnership with the lead covers information sharing;
- secret: the lead and participating agencies only.
Staff read everything.

Who may act is read from `agencies/roles.py` (a capability of the agency concerned); staff
may do everything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, Q
from django.utils.translation import gettext as _

from agencies.models import Agency
from agencies.roles import roles_for
from agencies.selectors import classification_q, user_is_staff, user_roles_in
from agencies.services import acting_agency
from common.types import User


def plan_visibility_q(*, user: User, participant_exists: Callable[[set[int]], Exists], prefix: str = "") -> Q | None:
    """The Q a plan (through `prefix`, e.g. "operation__") must match for `user` to read it;
    None means everything (staff). `participant_exists(ids)` is an Exists() on the plan's
    participations. Involved: the lead and the participating agencies; a confidential plan is
    read too by the lead's information-sharing partners."""

    def involved(agency_ids: set[int]) -> Q:
        return Q(**{f"{prefix}lead_agency_id__in": agency_ids}) | Q(participant_exists(agency_ids))

    return classification_q(
        user=user,
        involved=involved,
        confidential=lambda own, partners: involved(own) | Q(**{f"{prefix}lead_agency_id__in": partners}),
        field=f"{prefix}classification",
    )


def _capable_agency_id(*, actor: User, agency_ids: Iterable[int], capability: str) -> int | None:
    """The first of `agency_ids` in which the actor holds `capability` (read now, not cached:
    a service acts on the roles as they are)."""
    roles = roles_for(capability)
    for agency_id, role in user_roles_in(user=actor, agency_ids=agency_ids).items():
        if role in roles:
            return agency_id
    return None


def holds_capability(*, actor: User, agency_ids: Iterable[int], capability: str) -> bool:
    """Staff, or a member holding `capability` in one of `agency_ids`: the `can_*` predicates'
    answer to what `require_capability` enforces."""
    return (
        user_is_staff(actor)
        or _capable_agency_id(actor=actor, agency_ids=agency_ids, capability=capability) is not None
    )


def require_capability(*, actor: User, agency_ids: Iterable[int], capability: str, message: str) -> Agency | None:
    """The first of `agency_ids` in which the actor holds `capability` (None for staff), or
    PermissionDenied with `message`."""
    if user_is_staff(actor):
        return None
    agency_id = _capable_agency_id(actor=actor, agency_ids=agency_ids, capability=capability)
    if agency_id is None:
        raise PermissionDenied(message)
    return Agency.objects.get(pk=agency_id)


def lead_agency_of_actor(*, actor: User, agency: Agency | None, capability: str) -> Agency:
    """The agency a new plan is led by: the one given (checked) or the actor's only one with
    `capability`; staff too must name one (a plan always has a lead)."""
    acting = acting_agency(
        actor=actor, agency=agency, roles=roles_for(capability), field="lead_agency", staff_without_agency=False
    )
    assert acting is not None  # staff_without_agency=False: an agency or an error
    return acting


def check_window(start: datetime | None, end: datetime | None, field: str = "ends_at") -> None:
    """ValidationError on `field` when the end does not come after the start."""
    if start and end and end <= start:
        raise ValidationError({field: _("The end must come after the start.")})
