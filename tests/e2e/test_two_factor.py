"""Two-factor login and the login lockout, as a person meets them in the browser."""

import base64

from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from tests.two_factor import confirmed_device, totp_code

from .conftest import PASSWORD

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 860}


def _fits(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _password(page: Page, live_server, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("#login-form button[type=submit]")


def test_a_commander_sets_up_an_authenticator_after_the_password(page: Page, live_server, e2e_world, shot):
    _password(page, live_server, "carol")
    page.wait_for_url(f"{live_server.url}/accounts/2fa/setup/**")
    expect(page.get_by_test_id("totp-qr").locator("svg")).to_be_visible()
    expect(page.get_by_test_id("nav-incidents")).to_have_count(0)  # no menus before the second factor
    shot("two-factor-setup-laptop")
    page.set_viewport_size(PHONE)
    assert _fits(page)
    shot("two-factor-setup-phone")
    page.set_viewport_size(LAPTOP)

    # The phone's app reads the key from the QR code; the typed key is the same one.
    secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    code = f"{TOTP(base64.b32decode(secret)).token():06d}"
    page.fill("#id_token", code)
    page.click("#two-factor-setup-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/accounts/2fa/recovery/**")
    expect(page.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
    shot("two-factor-recovery-codes-laptop")
    page.set_viewport_size(PHONE)
    assert _fits(page)
    shot("two-factor-recovery-codes-phone")
    page.get_by_role("link", name="Sudah saya simpan: lanjutkan").click()
    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_test_id("nav-incidents")).to_have_count(1)
    assert TOTPDevice.objects.get(user=e2e_world.carol).confirmed
    assert StaticDevice.objects.get(user=e2e_world.carol).token_set.count() == 10


def test_a_commander_with_an_authenticator_enters_its_code(page: Page, live_server, e2e_world, shot):
    device = confirmed_device(e2e_world.carol)
    _password(page, live_server, "carol")
    page.wait_for_url(f"{live_server.url}/accounts/2fa/verify/**")
    shot("two-factor-verify-laptop")
    page.fill("#id_token", "000000" if totp_code(device) != "000000" else "111111")
    page.click("#two-factor-verify-form button[type=submit]")
    expect(page.locator(".invalid-feedback")).to_contain_text("Kode itu tidak benar")
    page.set_viewport_size(PHONE)
    assert _fits(page)
    shot("two-factor-verify-error-phone")
    page.wait_for_timeout(2100)  # django-otp makes a guesser wait after a wrong code
    page.fill("#id_token", totp_code(device))
    page.click("#two-factor-verify-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_test_id("nav-incidents")).to_have_count(1)


def test_repeated_wrong_passwords_lock_the_login_with_a_message(page: Page, live_server, e2e_world, shot):
    for _ in range(5):
        _password(page, live_server, "alice", "not-her-password")
    _password(page, live_server, "alice")  # the right one, too late
    expect(page.get_by_test_id("login-locked-out")).to_contain_text("15 menit")
    assert page.url.endswith("/accounts/login/")
    shot("login-locked-out-laptop")
    page.set_viewport_size(PHONE)
    assert _fits(page)
    shot("login-locked-out-phone")
