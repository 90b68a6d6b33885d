"""Two middlewares of the dashboard's sessions (configured in config/settings.py MIDDLEWARE).

- TwoFactorMiddleware: a signed-in user who must pass a second factor and has not reaches
  only the login, logout and two-factor pages (and static files, languages); anything else
  redirects to the verify step (they have an authenticator) or to its set-up (they must have
  one and do not). The API is left to its authentication classes: a session-authenticated
  call is refused there (agencies/accounts/authentication.py), a token stays token-only.
- IdleSessionMiddleware: a session unused for SINERGI_SESSION_IDLE_MINUTES (30) is logged out
  and the next request goes to the login page with a message. The last activity is kept in
  Django's cache (Redis in production) under the session's key, rewritten at most once a
  minute: in the session itself it would cost a database write per request. Requests that
  the page sends by itself (htmx polling, marked with the X-Sinergi-Poll header: the alert
  badge every 30 s, a threat's progress every 3 s) do not count as activity, else an open tab
  would keep its session alive for ever; they are logged out like any other once idle.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .selectors import two_factor_pending

LAST_SEEN_KEY = "sinergi_last_seen"
POLL_HEADER = "HTTP_X_SINERGI_POLL"


def _exempt_prefixes() -> tuple[str, ...]:
    return (
        reverse("login"),
        reverse("logout"),
        "/accounts/2fa/",
        "/i18n/",
        reverse("javascript-catalog"),
        "/" + settings.STATIC_URL.lstrip("/"),
        "/api/",
    )


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    """A redirect that htmx follows as a whole page (a fragment request would swap the login
    page into a badge otherwise)."""
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


class TwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(_exempt_prefixes()):
            pending = two_factor_pending(request=request)
            if pending is not None:
                target = reverse("two-factor-verify" if pending == "verify" else "two-factor-setup")
                return _redirect(request, f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


class IdleSessionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            idle = float(getattr(settings, "SINERGI_SESSION_IDLE_MINUTES", 30)) * 60
            key = f"{LAST_SEEN_KEY}:{request.session.session_key}"
            last_seen = cache.get(key)
            if isinstance(last_seen, int | float) and idle > 0 and now - last_seen > idle:
                cache.delete(key)
                logout(request)
                messages.info(request, _("You were signed out after a while without activity. Log in again."))
                query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
                return _redirect(request, f"{reverse('login')}?{query}" if query else reverse("login"))
            polled = bool(request.META.get(POLL_HEADER))
            if not polled and (not isinstance(last_seen, int | float) or now - last_seen >= 60):
                # Kept for a day past the idle limit, then a missing mark reads as "active now".
                cache.set(key, int(now), int(idle) + 86_400)
        return self.get_response(request)
