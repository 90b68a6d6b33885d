"""Logins are locked out after repeated failures (django-axes): per username and client address."""

import datetime

import pytest
import time_machine
from axes.models import AccessAttempt
from django.urls import reverse

PASSWORD = "correct-horse-battery"
pytestmark = pytest.mark.django_db


def _login(client, username, password, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def test_fifty_wrong_passwords_then_the_right_one_is_refused(client, world):
    for _ in range(50):
        _login(client, "alice", "guess")
    response = _login(client, "alice", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert response["Retry-After"] == str(15 * 60)


def test_the_lockout_page_is_the_login_page_with_the_cool_off_in_the_users_language(client, world):
    for _ in range(4):
        assert _login(client, "alice", "guess").status_code == 200
    assert _login(client, "alice", "guess").status_code == 429  # the fifth failure locks
    response = _login(client, "alice", PASSWORD)
    page = response.content.decode()
    assert response.status_code == 429
    assert 'data-testid="login-locked-out"' in page
    assert "15 menit" in page  # Bahasa Indonesia by default
    assert 'id="login-form"' in page
    english = _login(client, "alice", PASSWORD, HTTP_ACCEPT_LANGUAGE="en")
    assert "blocked for 15 minutes" in english.content.decode()


def test_the_fifth_failure_locks_and_the_fourth_does_not(client, world):
    for _ in range(4):
        _login(client, "alice", "guess")
    assert _login(client, "alice", PASSWORD).status_code == 302  # and clears the count
    assert AccessAttempt.objects.filter(username="alice").count() == 0
    for _ in range(5):
        _login(client, "alice", "guess")
    assert _login(client, "alice", PASSWORD).status_code == 429


def test_after_the_cool_off_the_right_password_works(client, world):
    start = datetime.datetime(2026, 12, 5, 10, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        for _ in range(50):
            _login(client, "alice", "guess")
        assert _login(client, "alice", PASSWORD).status_code == 429
    with time_machine.travel(start + datetime.timedelta(minutes=14), tick=False):
        assert _login(client, "alice", PASSWORD).status_code == 429
    with time_machine.travel(start + datetime.timedelta(minutes=16), tick=False):
        response = _login(client, "alice", PASSWORD)
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(world.alice.pk)


def test_another_address_or_another_username_is_not_locked(client, world):
    for _ in range(5):
        _login(client, "alice", "guess", REMOTE_ADDR="203.0.113.9")
    assert _login(client, "alice", PASSWORD, REMOTE_ADDR="203.0.113.9").status_code == 429
    assert _login(client, "bob", PASSWORD, REMOTE_ADDR="203.0.113.9").status_code == 302
    assert _login(client, "alice", PASSWORD, REMOTE_ADDR="198.51.100.7").status_code == 302


def test_behind_the_proxy_the_forwarded_address_is_counted(client, world, settings):
    settings.SINERGI_NUM_PROXIES = 1
    for _ in range(5):
        _login(client, "alice", "guess", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert AccessAttempt.objects.get(username="alice").ip_address == "203.0.113.9"
    other = _login(client, "alice", PASSWORD, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert other.status_code == 302  # same proxy, another client


def test_django_admin_login_is_locked_out_too(client, world):
    url = reverse("admin:login")
    for _ in range(5):
        client.post(url, {"username": "admin", "password": "guess", "otp_token": "000000"})
    response = client.post(url, {"username": "admin", "password": PASSWORD, "otp_token": "000000"})
    assert response.status_code == 429
    assert 'data-testid="login-locked-out"' in response.content.decode()
