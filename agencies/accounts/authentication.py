"""The API's session authentication, with the second factor enforced.

A browser session that has not passed the second factor it needs (agencies.accounts.selectors
.two_factor_pending) is refused by the API (403 with a message) as the pages redirect it. A
token (`Authorization: Token`, common.authentication.ThrottledTokenAuthentication) stays
token-only: a token is issued by staff in Django admin to a system, not typed at a login form.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.authentication import SessionScheme
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication

from .selectors import two_factor_pending


class TwoFactorSessionAuthentication(SessionAuthentication):
    def authenticate(self, request: Any) -> Any:
        result = super().authenticate(request)
        if result is not None and two_factor_pending(request=request._request) is not None:
            raise exceptions.PermissionDenied(
                _("Two-factor login is required: verify your authenticator code in the portal first.")
            )
        return result


class TwoFactorSessionScheme(SessionScheme):
    """The OpenAPI schema shows it as the session cookie it is (drf-spectacular's cookieAuth)."""

    target_class = "agencies.accounts.authentication.TwoFactorSessionAuthentication"
