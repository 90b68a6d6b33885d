from django.conf import settings
from django.http import HttpRequest

from .roles import remember_roles


def portal(request: HttpRequest) -> dict:
    """What every dashboard page needs: the user's agencies for the navigation bar."""
    user = getattr(request, "user", None)
    memberships = []
    if user is not None and user.is_authenticated:
        memberships = list(user.memberships.filter(is_active=True).select_related("agency"))
        remember_roles(user=user, memberships=memberships)
    return {"portal_memberships": memberships, "SITE_URL": settings.SITE_URL}
