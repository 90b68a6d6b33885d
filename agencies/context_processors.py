from django.conf import settings
from django.http import HttpRequest

from .accounts.selectors import two_factor_pending, user_memberships
from .roles import remember_roles, roles_for


def portal(request: HttpRequest) -> dict:
    """What every dashboard page needs: the user's agencies for the navigation bar."""
    user = getattr(request, "user", None)
    memberships = []
    if user is not None and user.is_authenticated:
        memberships = user_memberships(user=user)
        remember_roles(user=user, memberships=memberships)
        # "Manage my agency" in the user menu, for who holds a management capability there.
        members, manage = roles_for("agency.members"), roles_for("agency.manage")
        for m in memberships:
            m.manage_page = (  # type: ignore[attr-defined]
                "agency-members" if m.role in members else "agency-subscriptions" if m.role in manage else ""
            )
    return {
        "portal_memberships": memberships,
        "SITE_URL": settings.SITE_URL,
        # Signed in but the second factor is still to pass: the page shows no menus.
        "two_factor_pending": two_factor_pending(request=request),
    }
