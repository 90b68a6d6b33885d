"""Idle dashboard sessions expire; the page's own polling does not keep them alive."""

import datetime

import pytest
import time_machine
from django.urls import reverse

pytestmark = pytest.mark.django_db
START = datetime.datetime(2026, 12, 5, 10, 0, tzinfo=datetime.UTC)


def _at(minutes):
    return time_machine.travel(START + datetime.timedelta(minutes=minutes), tick=False)


def test_a_session_used_within_the_idle_limit_stays(client, world):
    client.force_login(world.alice)
    for minute in (0, 29, 58, 87):
        with _at(minute):
            assert client.get(reverse("incident-list")).status_code == 200


def test_a_session_idle_past_the_limit_is_logged_out_with_a_message(client, world):
    client.force_login(world.alice)
    with _at(0):
        assert client.get(reverse("incident-list")).status_code == 200
    with _at(31):
        response = client.get(reverse("incident-list"))
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('login')}?next=%2Fincidents%2F"
        assert "_auth_user_id" not in client.session
        page = client.get(response["Location"]).content.decode()
    assert "tanpa aktivitas" in page


def test_polling_does_not_keep_an_idle_session_alive(client, world):
    client.force_login(world.alice)
    with _at(0):
        assert client.get(reverse("incident-list")).status_code == 200
    for minute in range(5, 31, 5):  # the alert badge polls by itself
        with _at(minute):
            badge = client.get(reverse("alert-badge"), HTTP_HX_REQUEST="true", HTTP_X_SINERGI_POLL="1")
            assert badge.status_code == 200
    with _at(31):
        badge = client.get(reverse("alert-badge"), HTTP_HX_REQUEST="true", HTTP_X_SINERGI_POLL="1")
    assert badge["HX-Redirect"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session


def test_the_idle_limit_is_a_setting(client, world, settings):
    settings.SINERGI_SESSION_IDLE_MINUTES = 5
    client.force_login(world.alice)
    with _at(0):
        client.get(reverse("incident-list"))
    with _at(6):
        assert client.get(reverse("incident-list")).status_code == 302


def test_sessions_end_at_most_twelve_hours_after_login(settings):
    assert settings.SESSION_COOKIE_AGE == 12 * 3600
