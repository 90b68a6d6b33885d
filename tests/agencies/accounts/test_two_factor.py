"""Two-factor login: who must use it, set-up, the verify step, recovery codes, the API, admin."""

import base64
import datetime
import re

import pytest
import time_machine
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from agencies.accounts import services

from ...two_factor import confirmed_device, totp_code, unverified_login

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"


def _password_login(client, username):
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client.get(response["Location"])


def test_a_commander_without_an_authenticator_is_sent_to_set_one_up(client, world):
    response = _password_login(client, "carol")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two-factor-setup"))
    for url in (reverse("incident-list"), reverse("agency-detail", args=[world.a.pk]), "/admin/"):
        assert client.get(url)["Location"].startswith(reverse("two-factor-setup"))


def test_the_set_up_page_draws_the_qr_code_and_shows_the_key(client, world):
    unverified_login(client, world.carol)
    page = client.get(reverse("two-factor-setup")).content.decode()
    device = TOTPDevice.objects.get(user=world.carol, confirmed=False)
    assert "<svg" in page
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', page).group(1)
    assert base64.b32decode(secret.replace(" ", "")) == device.bin_key
    # A reload shows the same key (the phone that scanned it stays right).
    assert secret in client.get(reverse("two-factor-setup")).content.decode()


def test_setting_up_with_the_right_code_verifies_and_shows_recovery_codes_once(client, world):
    unverified_login(client, world.carol)
    client.get(reverse("two-factor-setup"))
    device = TOTPDevice.objects.get(user=world.carol)
    wrong = client.post(reverse("two-factor-setup"), {"token": "000000" if totp_code(device) != "000000" else "111111"})
    assert wrong.status_code == 200
    assert TOTPDevice.objects.get(pk=device.pk).confirmed is False
    done = client.post(reverse("two-factor-setup"), {"token": totp_code(device), "next": "/incidents/"})
    assert done.status_code == 302
    assert TOTPDevice.objects.get(pk=device.pk).confirmed is True
    page = client.get(done["Location"]).content.decode()
    codes = re.findall(r'<code class="user-select-all">([a-z2-9]{5}-[a-z2-9]{5})</code>', page)
    assert len(codes) == 10
    assert StaticDevice.objects.get(user=world.carol).token_set.count() == 10
    again = client.get(reverse("two-factor-recovery")).content.decode()
    assert codes[0] not in again  # shown once
    assert client.get(reverse("incident-list")).status_code == 200


def test_a_user_with_an_authenticator_must_verify_after_the_password(client, world):
    device = confirmed_device(world.alice)  # a liaison who chose to set one up
    response = _password_login(client, "alice")
    assert response["Location"].startswith(reverse("two-factor-verify"))
    assert client.get(reverse("incident-list"))["Location"].startswith(reverse("two-factor-verify"))
    wrong = client.post(reverse("two-factor-verify"), {"token": "12345"})
    assert wrong.status_code == 200
    assert "not right" in wrong.content.decode() or "tidak benar" in wrong.content.decode()
    # django-otp makes a guesser wait after each wrong code (1 s after the first): a person retyping does.
    with time_machine.travel(datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=2), tick=False):
        right = client.post(reverse("two-factor-verify"), {"token": totp_code(device), "next": "/incidents/"})
    assert right["Location"] == "/incidents/"
    assert client.get(reverse("incident-list")).status_code == 200


def test_the_verify_step_does_not_follow_a_next_to_another_site(client, world):
    device = confirmed_device(world.alice)
    unverified_login(client, world.alice)
    response = client.post(reverse("two-factor-verify"), {"token": totp_code(device), "next": "https://evil.example/"})
    assert response["Location"] == reverse("dashboard")


def test_a_recovery_code_verifies_once(client, world):
    confirmed_device(world.carol)
    codes = services.recovery_codes_generate(user=world.carol)
    unverified_login(client, world.carol)
    assert client.post(reverse("two-factor-verify"), {"token": codes[0]}).status_code == 302
    assert StaticDevice.objects.get(user=world.carol).token_set.count() == 9
    other = APIClient()
    unverified_login(other, world.carol)
    assert other.post(reverse("two-factor-verify"), {"token": codes[0]}).status_code == 200  # used up


def test_new_recovery_codes_retire_the_old_ones(client, world):
    client.force_login(world.carol)  # verified
    old = services.recovery_codes_generate(user=world.carol)
    response = client.post(reverse("two-factor-recovery-regenerate"))
    assert response.status_code == 302
    page = client.get(reverse("two-factor-recovery")).content.decode()
    new = re.findall(r'<code class="user-select-all">([a-z2-9]{5}-[a-z2-9]{5})</code>', page)
    assert len(new) == 10 and not set(new) & set(old)
    fresh = APIClient()
    unverified_login(fresh, world.carol)
    assert fresh.post(reverse("two-factor-verify"), {"token": new[0]}).status_code == 302
    other = APIClient()
    unverified_login(other, world.carol)
    assert other.post(reverse("two-factor-verify"), {"token": old[0]}).status_code == 200


def test_an_unverified_session_cannot_make_new_recovery_codes(client, world):
    confirmed_device(world.carol)
    old = services.recovery_codes_generate(user=world.carol)
    unverified_login(client, world.carol)
    assert client.post(reverse("two-factor-recovery-regenerate"))["Location"] == reverse("two-factor-verify")
    assert sorted(t.token for t in StaticDevice.objects.get(user=world.carol).token_set.all()) == sorted(
        c.replace("-", "") for c in old
    )


def test_an_unverified_session_is_refused_by_the_api_but_a_token_is_not(client, world):
    unverified_login(client, world.carol)
    refused = client.get("/api/v1/incidents/")
    assert refused.status_code == 403
    assert refused.json()["detail"]
    key = Token.objects.create(user=world.carol).key
    assert APIClient().get("/api/v1/incidents/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    client.force_login(world.carol)  # verified
    assert client.get("/api/v1/incidents/").status_code == 200


def test_a_liaison_needs_no_second_factor_until_the_agency_requires_it(client, world):
    unverified_login(client, world.alice)
    assert client.get(reverse("incident-list")).status_code == 200
    commander = APIClient()
    commander.force_authenticate(world.carol)
    response = commander.patch(f"/api/v1/agencies/{world.a.pk}/", {"two_factor_required": True}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["two_factor_required"] is True
    assert client.get(reverse("incident-list"))["Location"].startswith(reverse("two-factor-setup"))
    # Bob's agency did not ask.
    unverified_login(client, world.bob)
    assert client.get(reverse("incident-list")).status_code == 200


def test_only_a_commander_of_the_agency_sets_the_requirement(world):
    for user in (world.alice, world.dave):
        api = APIClient()
        api.force_authenticate(user)
        response = api.patch(f"/api/v1/agencies/{world.a.pk}/", {"two_factor_required": True}, format="json")
        assert response.status_code in (403, 404)
    world.a.refresh_from_db()
    assert world.a.two_factor_required is False


def test_django_admin_needs_a_verified_session(client, world):
    unverified_login(client, world.admin)
    assert client.get("/admin/")["Location"].startswith(reverse("two-factor-setup"))
    client.force_login(world.admin)  # verified
    assert client.get("/admin/").status_code == 200


def test_the_requirement_can_be_switched_off_for_a_closed_demo(client, world, settings):
    settings.SINERGI_REQUIRE_2FA = False
    unverified_login(client, world.carol)
    assert client.get(reverse("incident-list")).status_code == 200


def test_staff_reset_a_lost_authenticator(world):
    confirmed_device(world.carol)
    services.recovery_codes_generate(user=world.carol)
    with pytest.raises(Exception):  # noqa: B017 (PermissionDenied)
        services.two_factor_reset(actor=world.alice, user=world.carol)
    assert TOTPDevice.objects.filter(user=world.carol).count() == 1
    assert services.two_factor_reset(actor=world.admin, user=world.carol) == 2
    assert not TOTPDevice.objects.filter(user=world.carol).exists()
    assert not StaticDevice.objects.filter(user=world.carol).exists()


def test_the_commander_requires_it_of_every_member_on_the_agency_page(client, world):
    client.force_login(world.carol)
    page = client.get(reverse("agency-detail", args=[world.a.pk])).content.decode()
    assert reverse("agency-two-factor", args=[world.a.pk]) in page
    response = client.post(reverse("agency-two-factor", args=[world.a.pk]), {"two_factor_required": "1"})
    assert response.status_code == 302
    world.a.refresh_from_db()
    assert world.a.two_factor_required is True
    client.post(reverse("agency-two-factor", args=[world.a.pk]), {"two_factor_required": "0"})
    world.a.refresh_from_db()
    assert world.a.two_factor_required is False


def test_a_liaison_is_not_offered_the_switch_and_is_refused(client, world):
    client.force_login(world.alice)
    page = client.get(reverse("agency-detail", args=[world.a.pk])).content.decode()
    assert 'data-testid="agency-two-factor"' in page  # reads it, as a member
    assert reverse("agency-two-factor", args=[world.a.pk]) not in page
    assert client.post(reverse("agency-two-factor", args=[world.a.pk]), {"two_factor_required": "1"}).status_code == 403
    world.a.refresh_from_db()
    assert world.a.two_factor_required is False


def test_staff_reset_a_users_authenticator_from_django_admin(client, world):
    confirmed_device(world.carol)
    services.recovery_codes_generate(user=world.carol)
    client.force_login(world.admin)  # verified
    response = client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [world.carol.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "carol" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=world.carol).exists()
    assert not StaticDevice.objects.filter(user=world.carol).exists()
    # The admin's own device is untouched.
    assert TOTPDevice.objects.filter(user=world.admin, confirmed=True).exists()
