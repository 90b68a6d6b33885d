"""What a locked-out login sees (django-axes' AXES_LOCKOUT_CALLABLE): the login page again,
status 429, with the reason and how long to wait, in the user's language; never a bare 403.

The portal's login page and Django admin's login both come here (one lockout per username and
client address: config/settings.py AXES_*).
"""

from __future__ import annotations

import ipaddress
import math
from typing import Any

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from common.throttling import client_ident


def cool_off_minutes() -> int:
    """The lockout's length in whole minutes (AXES_COOLOFF_TIME)."""
    cool_off = settings.AXES_COOLOFF_TIME
    return max(1, math.ceil(cool_off.total_seconds() / 60))


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    response = render(
        request,
        "registration/login.html",
        {
            "form": form,
            "locked_out": True,
            "cool_off_minutes": cool_off_minutes(),
            "next": request.POST.get("next", ""),
        },
        status=429,
    )
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response


def client_ip(request: HttpRequest) -> str | None:
    """The client address axes records (AXES_CLIENT_IP_CALLABLE): the rate limits' one, or None
    when the request carries none (a test client's login, a management command), which
    PostgreSQL's inet column would refuse as text."""
    ident = client_ident(request)
    try:
        ipaddress.ip_address(ident)
    except ValueError:
        return None
    return ident
