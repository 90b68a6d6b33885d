"""Two-factor login: setting an authenticator up, verifying a session, recovery codes, reset.

The devices are django-otp's: a TOTP device (RFC 6238, 30 s steps, 6 digits, one step of
drift either way) per user, and a static device named "recovery" holding single-use recovery
codes. Both throttle wrong guesses themselves (django-otp's ThrottlingMixin: each failure
doubles the wait before the next try is even checked).
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Sequence
from typing import Any

import django_otp
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from common.types import User

from ..membership import user_is_staff
from .selectors import RECOVERY_DEVICE_NAME

RECOVERY_CODES = 10
# 10 characters of a 32-letter alphabet without look-alikes (no 0/O, 1/I/L): 50 bits each.
_RECOVERY_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
AUTHENTICATOR_NAME = "authenticator"


def _clean_token(token: str) -> str:
    return "".join(token.split()).replace("-", "").lower()


def totp_setup_device(*, user: User) -> TOTPDevice:
    """The authenticator being set up (unconfirmed): the same one until it is confirmed, so
    that reloading the page does not change the QR code under a phone that scanned it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False, name=AUTHENTICATOR_NAME).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


@transaction.atomic
def totp_setup_confirm(*, request: HttpRequest | Any, device: TOTPDevice, token: str) -> list[str]:
    """Confirm the authenticator with a code it shows; the session counts as verified and the
    user's recovery codes are made (returned once, never readable again). ValidationError on a
    wrong code."""
    user = request.user
    if device.user_id != user.pk or device.confirmed:
        raise PermissionDenied
    if not device.verify_token(_clean_token(token)):
        raise ValidationError({"token": _("That code is not right. Enter the 6 digits your app shows now.")})
    # One authenticator per user: a new one replaces any earlier.
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    django_otp.login(request, device)
    return recovery_codes_generate(user=user)


@transaction.atomic
def recovery_codes_generate(*, user: User) -> list[str]:
    """New recovery codes for the user; the old ones stop working. Each works once."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = ["".join(secrets.choice(_RECOVERY_ALPHABET) for _i in range(10)) for _n in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def two_factor_verify(*, request: HttpRequest | Any, token: str) -> bool:
    """Verify the session with a code of the user's authenticator or one recovery code (used
    up): True when it matched."""
    device = django_otp.match_token(request.user, _clean_token(token))
    if device is None:
        return False
    django_otp.login(request, device)
    return True


@transaction.atomic
def two_factor_reset(*, actor: User, user: User) -> int:
    """Remove a user's authenticator and recovery codes (platform staff only, e.g. for a lost
    phone): at the next login they set a new one up. Returns how many devices were removed."""
    if not user_is_staff(actor):
        raise PermissionDenied
    devices = TOTPDevice.objects.filter(user=user).count() + StaticDevice.objects.filter(user=user).count()
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    return devices


# The demo's authenticator key (`make run`): printed with the demo logins, never used elsewhere.
DEMO_TOTP_KEY = b"sinergi-demo-2026!!!".hex()


def demo_totp_key_text() -> str:
    """The demo key as an authenticator app takes it (base32, in groups of four)."""
    secret = base64.b32encode(bytes.fromhex(DEMO_TOTP_KEY)).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def demo_totp_code() -> str:
    """The code an authenticator with the demo key shows now."""
    return f"{TOTP(bytes.fromhex(DEMO_TOTP_KEY)).token():06d}"


def demo_authenticators_seed(*, users: Sequence[Any]) -> None:
    """Give each demo user who must use a second factor the demo authenticator (idempotent)."""
    for user in users:
        TOTPDevice.objects.filter(user=user).exclude(name=DEMO_DEVICE_NAME).delete()
        TOTPDevice.objects.update_or_create(
            user=user, name=DEMO_DEVICE_NAME, defaults={"key": DEMO_TOTP_KEY, "confirmed": True}
        )


DEMO_DEVICE_NAME = "demo authenticator"
