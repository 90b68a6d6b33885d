"""Two-factor login in tests, through a real django-otp device (nothing is bypassed).

- `verify_session(client, user)`: give the user a confirmed TOTP device (if none) and mark the
  test client's session verified with it, as `django_otp.login` does after a good code. The
  autouse fixture `_verified_force_login` (tests/conftest.py) calls it from `force_login` for
  every user who must use a second factor (staff, commanders, members of an agency that asks),
  so the suite's sessions are what a real login gives; the middleware still checks each request.
- `unverified_login(client, user)`: Django's own force_login, password only (for the tests of
  the enforcement itself).
- `totp_code(device)`: the code the user's authenticator app shows now (the next one when the
  current was already used: django-otp refuses a code twice).
"""

from __future__ import annotations

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP, hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

_original_force_login = Client.force_login


def confirmed_device(user) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    return device


def totp_code(device: TOTPDevice) -> str:
    device.refresh_from_db()
    now = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).t()
    counter = max(now, (device.last_t if device.last_t is not None else -1) + 1)
    return f"{hotp(device.bin_key, counter, digits=device.digits):0{device.digits}d}"


def needs_two_factor(user) -> bool:
    from agencies.accounts.selectors import two_factor_state

    fresh = type(user).objects.get(pk=user.pk)  # the caller's object keeps its own caches
    state = two_factor_state(user=fresh)
    return state.required or state.has_device


def verify_session(client: Client, user) -> TOTPDevice:
    device = confirmed_device(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def unverified_login(client: Client, user, backend: str | None = None) -> None:
    _original_force_login(client, user, backend)


def verified_force_login(client: Client, user, backend: str | None = None) -> None:
    _original_force_login(client, user, backend)
    if needs_two_factor(user):
        verify_session(client, user)
