"""Who must sign in with a second factor, and whether this session has.

A user must use two-factor login (a TOTP authenticator app, with recovery codes) when
`SINERGI_REQUIRE_2FA` is on (the default) and they are active staff, a commander of an active
agency, or an active member of an agency that requires it of every member
(`Agency.two_factor_required`, set by its commander: capability `agency.two_factor`). Whoever
has a confirmed authenticator, required or not, must verify it after the password. The
middleware (`agencies/accounts/middleware.py`) and the API's session authentication
(`agencies/accounts/authentication.py`) ask the same question here.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.http import HttpRequest
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from common.types import User

from ..membership import user_is_staff
from ..models import Membership

R = Membership.Role


class TwoFactorState(NamedTuple):
    required: bool  # this user must use a second factor
    has_device: bool  # this user has a confirmed authenticator


def two_factor_state(*, user: User) -> TwoFactorState:
    """What the second factor asks of this user, read once per user object: one query (the
    user's memberships with their agencies, which the navigation bar and the capability checks
    then reuse: `user_memberships`), two for a user of no agency."""
    cached: TwoFactorState | None = getattr(user, "_sinergi_2fa", None)
    if cached is not None:
        return cached
    has_device_q = Exists(TOTPDevice.objects.filter(user=OuterRef("user"), confirmed=True))
    memberships: list[Membership] = list(
        Membership.objects.filter(user_id=user.pk or 0, is_active=True)
        .select_related("agency")
        .annotate(has_device=has_device_q)
    )
    _remember_memberships(user, memberships)
    active = [m for m in memberships if m.agency.is_active]
    required = bool(getattr(settings, "SINERGI_REQUIRE_2FA", True)) and (
        user_is_staff(user) or any(m.role == R.COMMANDER or m.agency.two_factor_required for m in active)
    )
    if memberships:
        has_device = bool(memberships[0].has_device)  # type: ignore[attr-defined,union-attr]
    else:
        has_device = TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()
    state = TwoFactorState(required=required, has_device=has_device)
    user._sinergi_2fa = state  # type: ignore[attr-defined,union-attr]
    return state


def _remember_memberships(user: User, memberships: list[Membership]) -> None:
    """Seed the per-user caches that the capability checks read (roles.user_roles,
    membership.user_agency_ids) and the navigation bar's list (`user_memberships`)."""
    user._sinergi_memberships = memberships  # type: ignore[attr-defined,union-attr]
    active = [m for m in memberships if m.agency.is_active]
    if getattr(user, "_sinergi_agency_ids", None) is None:
        user._sinergi_agency_ids = {m.agency_id for m in active}  # type: ignore[attr-defined,union-attr]
    if getattr(user, "_sinergi_roles", None) is None:
        user._sinergi_roles = {m.agency_id: m.role for m in active}  # type: ignore[attr-defined,union-attr]


def user_memberships(*, user: User) -> list[Membership]:
    """The user's active memberships with their agencies (the navigation bar's), read once per
    user object."""
    cached: list[Membership] | None = getattr(user, "_sinergi_memberships", None)
    if cached is None:
        cached = list(user.memberships.filter(is_active=True).select_related("agency"))  # type: ignore[union-attr]
        _remember_memberships(user, cached)
    return cached


def session_is_verified(*, request: HttpRequest | Any) -> bool:
    """The session passed the second factor (django-otp's OTPMiddleware read it)."""
    user = getattr(request, "user", None)
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def two_factor_pending(*, request: HttpRequest | Any) -> str | None:
    """What a signed-in user must do before anything else: "verify" (enter a code), "setup"
    (required, no authenticator yet) or None (nothing: verified, or not asked of them)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or session_is_verified(request=request):
        return None
    state = two_factor_state(user=user)
    if state.has_device:
        return "verify"
    if state.required:
        return "setup"
    return None


def totp_device_for(*, user: User) -> TOTPDevice | None:
    """The user's confirmed authenticator, if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def recovery_codes_left(*, user: User) -> int:
    """How many unused recovery codes the user has."""
    device = StaticDevice.objects.filter(user=user, name=RECOVERY_DEVICE_NAME).first()
    return device.token_set.count() if device else 0


RECOVERY_DEVICE_NAME = "recovery"
