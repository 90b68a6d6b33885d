"""Reads of running an agency: invitations (for its commanders) and the link's state."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from common.selectors import get_or_404
from common.types import User

from ..membership import user_is_staff
from ..models import Agency, Invitation, Membership
from ..roles import agencies_with
from ..selectors import require_capability
from .services import token_hash


def invitation_list(*, user: User, agency: Agency | None = None) -> QuerySet[Invitation]:
    """Invitations of the agencies where the user manages members (every agency's for staff)."""
    qs = Invitation.objects.select_related("agency", "invited_by", "accepted_by")
    if not user_is_staff(user):
        qs = qs.filter(agency_id__in=agencies_with(user=user, capability="agency.members"))
    if agency is not None:
        qs = qs.filter(agency=agency)
    return qs.order_by("-created_at", "-id")


def invitation_get(*, user: User, pk: int | str) -> Invitation:
    """One invitation of an agency whose members the user manages, else 404: read and changed
    by the same capability (who may not manage members does not learn who was invited)."""
    return get_or_404(invitation_list(user=user), pk=pk)


def invitation_get_for_change(*, user: User, pk: int | str) -> Invitation:
    return invitation_get(user=user, pk=pk)


def invitation_by_token(*, token: str) -> tuple[Invitation | None, str]:
    """The invitation a link names and its state: "open", "used", "revoked", "expired", or
    (None, "unknown") for a token nobody issued. Read by hash, so no timing tells a near guess."""
    if not token or len(token) > 100:
        return None, "unknown"
    invitation = Invitation.objects.select_related("agency").filter(token_hash=token_hash(token)).first()
    if invitation is None:
        return None, "unknown"
    if invitation.accepted_at is not None:
        return invitation, "used"
    if invitation.revoked_at is not None:
        return invitation, "revoked"
    if invitation.expires_at <= timezone.now() or not invitation.agency.is_active:
        return invitation, "expired"
    return invitation, "open"


def member_list(*, user: User, agency: Agency) -> QuerySet[Membership]:
    """Every membership of the agency, active or not, for who manages its members."""
    require_capability(user=user, agency_id=agency.pk, capability="agency.members")
    return (
        Membership.objects.filter(agency=agency).select_related("user").order_by("-is_active", "role", "user__username")
    )
