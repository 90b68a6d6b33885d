"""Writes of the risk register: record and change a risk assessment of an area and a hazard.

Acting members (not viewers) of the assessing agency write, staff any (agencies/roles.py,
"risk.write"). Callers fetch an assessment to change through
`selectors.risk_get_for_change` first (404 unseen, 403 seen but not changeable).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from agencies.models import Agency
from agencies.roles import agencies_with, roles_for
from agencies.selectors import user_agency_ids, user_is_staff
from common.services import model_update
from common.types import User
from incidents import services as incident_services
from incidents.models import RiskAssessment

RISK_FIELDS = (
    "area",
    "hazard",
    "likelihood",
    "impact",
    "vulnerabilities",
    "mitigations",
    "assessed_on",
    "review_due",
    "classification",
)


def can_record_risk(*, user: User) -> bool:
    """A member whose role may record risks: `risk_create` for the user's agency. Staff must
    name the assessing agency, which the page does not ask: it does not offer them the form."""
    return bool(agencies_with(user=user, capability="risk.write"))


def _acting_agency(*, actor: User, agency: Agency | None) -> Agency | None:
    return incident_services.acting_agency(actor=actor, agency=agency, roles=roles_for("risk.write"))


@transaction.atomic
def risk_create(*, actor: User, agency: Agency | None = None, **fields: Any) -> RiskAssessment:
    """Record a risk assessment of an area and hazard for the actor's agency."""
    acting = _acting_agency(actor=actor, agency=agency)
    if acting is None:
        raise ValidationError({"assessing_agency": _("Say which agency assessed this risk.")})
    risk = RiskAssessment(assessing_agency=acting, **{k: v for k, v in fields.items() if k in RISK_FIELDS})
    if risk.area_id:
        risk.area_path = risk.area.path
    _risk_validate(risk)
    risk.save()
    return risk


@transaction.atomic
def risk_update(*, actor: User, risk: RiskAssessment, **fields: Any) -> RiskAssessment:
    """Change an assessment: acting members of the assessing agency, or staff."""
    if not user_is_staff(actor) and risk.assessing_agency_id not in user_agency_ids(user=actor):
        raise PermissionDenied(_("Only the assessing agency may change this assessment."))
    _acting_agency(actor=actor, agency=risk.assessing_agency)
    model_update(instance=risk, fields=fields, allowed=RISK_FIELDS)
    risk.area_path = risk.area.path
    _risk_validate(risk)
    risk.save()
    return risk


def _risk_validate(risk: RiskAssessment) -> None:
    if risk.review_due and risk.assessed_on and risk.review_due < risk.assessed_on:
        raise ValidationError({"review_due": _("The review date comes before the assessment.")})
    risk.full_clean(exclude=["area_path", "score"])
