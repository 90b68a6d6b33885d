"""The two-factor pages: set an authenticator up (QR code drawn here as SVG, the secret as
text), verify a session after the password, show the recovery codes once and make new ones."""

from __future__ import annotations

import base64
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import selectors, services
from .forms import TokenForm

# The codes made at set-up or regeneration wait here for the one page that shows them.
_NEW_CODES_KEY = "sinergi_new_recovery_codes"


def _next_url(request: HttpRequest) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return str(settings.LOGIN_REDIRECT_URL)


def _qr_svg(uri: str) -> str:
    """The otpauth:// URI as an inline SVG (segno, drawn on the server: nothing is fetched)."""
    return segno.make(uri, error="m").svg_inline(scale=5, dark="#000", light="#fff", border=2)


def _secret_groups(device: object) -> str:
    secret = base64.b32encode(bytes(device.bin_key)).decode()  # type: ignore[attr-defined]
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@never_cache
@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    state = selectors.two_factor_state(user=request.user)
    if state.has_device:
        # Replacing an authenticator goes through the verify step first (or staff's reset).
        if not selectors.session_is_verified(request=request):
            return redirect("two-factor-verify")
        messages.info(request, _("Your authenticator is already set up."))
        return redirect("two-factor-recovery")
    device = services.totp_setup_device(user=request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.totp_setup_confirm(request=request, device=device, token=form.cleaned_data["token"])
        except ValidationError as error:
            form.add_error("token", error.message_dict["token"])
        else:
            request.session[_NEW_CODES_KEY] = codes
            messages.success(request, _("Two-factor login is on. Keep your recovery codes somewhere safe."))
            return redirect(f"{reverse('two-factor-recovery')}?{urlencode({'next': _next_url(request)})}")
    return render(
        request,
        "agencies/accounts/two_factor_setup.html",
        {
            "form": form,
            "qr_svg": _qr_svg(device.config_url),
            "secret": _secret_groups(device),
            "required": state.required,
            "next": _next_url(request),
        },
    )


@never_cache
@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    if selectors.session_is_verified(request=request):
        return redirect(_next_url(request))
    state = selectors.two_factor_state(user=request.user)
    if not state.has_device:
        return redirect("two-factor-setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.two_factor_verify(request=request, token=form.cleaned_data["token"]):
            return redirect(_next_url(request))
        form.add_error(
            "token", _("That code is not right. Enter the 6 digits your app shows now, or one of your recovery codes.")
        )
    return render(request, "agencies/accounts/two_factor_verify.html", {"form": form, "next": _next_url(request)})


@never_cache
@login_required
def two_factor_recovery(request: HttpRequest) -> HttpResponse:
    """The recovery codes just made (shown once), or how many are left and a button for new ones."""
    state = selectors.two_factor_state(user=request.user)
    if not state.has_device:
        return redirect("two-factor-setup")
    if not selectors.session_is_verified(request=request):
        return redirect("two-factor-verify")
    codes = request.session.pop(_NEW_CODES_KEY, None)
    return render(
        request,
        "agencies/accounts/two_factor_recovery.html",
        {
            "codes": codes,
            "codes_left": selectors.recovery_codes_left(user=request.user),
            "next": _next_url(request),
        },
    )


@login_required
@require_POST
def two_factor_recovery_regenerate(request: HttpRequest) -> HttpResponse:
    state = selectors.two_factor_state(user=request.user)
    if not state.has_device:
        return redirect("two-factor-setup")
    if not selectors.session_is_verified(request=request):
        return redirect("two-factor-verify")
    request.session[_NEW_CODES_KEY] = services.recovery_codes_generate(user=request.user)
    messages.success(request, _("New recovery codes are ready: the old ones no longer work."))
    return redirect("two-factor-recovery")
