"""Failed token authentications are counted per client address: past the limit, 429 with
Retry-After for the rest of the window, even for the right token."""

import datetime
import secrets

import pytest
import time_machine
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from coordination.patrols import services as patrol_services

pytestmark = pytest.mark.django_db
START = datetime.datetime(2026, 12, 5, 10, 0, 5, tzinfo=datetime.UTC)  # 5 s into a 15-minute window


def _fresh_address() -> str:
    """A client of its own for each test (an IPv6 /64 never used before): the counts live in the
    shared cache (Redis in CI), which a test must not flush."""
    return f"2001:db8:{secrets.randbelow(65536):x}:{secrets.randbelow(65536):x}::1"


@pytest.fixture(autouse=True)
def _clients():
    global CLIENT, OTHER
    CLIENT, OTHER = _fresh_address(), _fresh_address()


CLIENT = OTHER = ""


def _api(key, address=None):
    address = address or CLIENT
    return APIClient().get("/api/v1/agencies/", HTTP_AUTHORIZATION=f"Token {key}", REMOTE_ADDR=address)


@time_machine.travel(START, tick=False)
def test_guessing_api_tokens_is_refused_past_the_limit_even_with_the_right_token(world):
    key = Token.objects.create(user=world.alice).key
    for _ in range(10):
        assert _api("0" * 40).status_code == 401
    refused = _api("0" * 40)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) == 15 * 60 - 5
    assert _api(key).status_code == 429  # the right token too, for the rest of the window
    assert _api(key, address=OTHER).status_code == 200  # another client is not held


def test_api_token_failures_allowed_again_after_the_window(world):
    key = Token.objects.create(user=world.alice).key
    with time_machine.travel(START, tick=False):
        for _ in range(11):
            _api("bad")
        assert _api(key).status_code == 429
    with time_machine.travel(START + datetime.timedelta(minutes=15), tick=False):
        assert _api(key).status_code == 200


@time_machine.travel(START, tick=False)
def test_successful_token_use_does_not_count(world, settings):
    settings.SINERGI_TOKEN_FAILURE_LIMIT = 2
    key = Token.objects.create(user=world.alice).key
    for _ in range(20):
        assert _api(key).status_code == 200
    _api("bad")
    assert _api(key).status_code == 200
    _api("bad")
    assert _api(key).status_code == 429


def _feed(token, address=None):
    address = address or CLIENT
    return APIClient().get("/api/v1/shifts.ics", {"token": token}, REMOTE_ADDR=address)


@time_machine.travel(START, tick=False)
def test_guessing_calendar_feed_tokens_is_refused_past_the_limit(world):
    token = patrol_services.calendar_feed_get_or_create(user=world.alice, agency=world.a).token
    assert _feed(token).status_code == 200  # counts for nothing
    for _ in range(10):
        assert _feed("guess").status_code == 404
    refused = _feed("guess")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) == 15 * 60 - 5
    assert _feed(token).status_code == 429
    assert _feed(token, address=OTHER).status_code == 200
    # The API token's budget is its own.
    assert _api(Token.objects.create(user=world.alice).key).status_code == 200
