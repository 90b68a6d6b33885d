"""Who belongs where: the raw membership reads every access rule starts from (the capability
table in roles.py and the selectors both read them; this module imports only the models)."""

from __future__ import annotations

from collections.abc import Iterable

from common.types import User

from .models import Membership


def user_is_staff(user: User | None) -> bool:
    """Platform admins (active staff users) see and may do everything."""
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


def user_roles_in(*, user: User, agency_ids: Iterable[int | None]) -> dict[int, str]:
    """{agency id: role} of the user's active memberships among `agency_ids` (active agencies)."""
    ids = [i for i in agency_ids if i]
    if not ids or not user or not user.is_authenticated:
        return {}
    return dict(
        Membership.objects.filter(user=user, agency_id__in=ids, is_active=True, agency__is_active=True).values_list(
            "agency_id", "role"
        )
    )


def user_agency_ids(*, user: User | None) -> set[int]:
    """Ids of the active agencies the user is an active member of (cached on the user object)."""
    if not user or not user.is_authenticated:
        return set()
    cached: set[int] | None = getattr(user, "_sinergi_agency_ids", None)
    if cached is None:
        cached = set(
            Membership.objects.filter(user=user, is_active=True, agency__is_active=True).values_list(
                "agency_id", flat=True
            )
        )
        user._sinergi_agency_ids = cached  # type: ignore[attr-defined]
    return cached
