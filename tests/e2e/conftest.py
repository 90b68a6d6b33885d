"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

Playwright cannot download its own browser
here, so it launches /usr/bin/chromium (`make chromium` installs it). Without it the tests are
skipped on a developer's machine, but fail in CI (CI=true), where a skip would hide a missing
install step.
"""

import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from agencies.models import Agency, Camera, Membership, VitalObject
from tests.factories import (
    AgencyFactory,
    AreaFactory,
    CameraFactory,
    MembershipFactory,
    UserFactory,
    VitalObjectFactory,
)

# live_server runs in a thread while Playwright's sync API runs an event loop in this one;
# Django would otherwise refuse ORM calls from the test body ("async unsafe").
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
HERE = Path(__file__).resolve().parent
# Gitignored. pytest-playwright empties test-results/ when any pytest session starts: a run
# beside others in the same tree can keep its screenshots elsewhere with SINERGI_SCREENSHOTS.
SCREENSHOTS = Path(os.environ.get("SINERGI_SCREENSHOTS") or HERE.parents[1] / "test-results" / "screenshots")
PASSWORD = "correct-horse-battery"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} is missing: run `make chromium` (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # An Indonesian browser: Accept-Language decides the first page's language.
    return {**browser_context_args, "locale": "id-ID", "viewport": {"width": 1280, "height": 860}}


@pytest.fixture
def context(context):
    """Playwright's 30 s for an action (a full-page screenshot of a map page, say) was once not
    enough on CI's two cores with two browsers and two live servers busy: a slow step waits up
    to a minute before it fails the test. Assertions keep their own timeouts (expect's)."""
    context.set_default_timeout(60_000)
    return context


@pytest.fixture
def e2e_world(transactional_db, world):
    """The personas of tests/conftest.py, committed so that the live server's thread sees them,
    plus enough of a city to make the pages look like the real thing."""
    a = world.a
    a.duty_email = "piket@polres-bontang.example"
    a.duty_radio = "Ch 7 (Polri)"
    a.address = "Jl. Bhayangkara No. 1, Bontang"
    a.headquarters_area = world.areas.bontang_utara
    a.save()
    for user, name in ((world.alice, ("Alice", "Wulandari")), (world.carol, ("Carol", "Siregar"))):
        user.first_name, user.last_name = name
        user.save()
    Membership.objects.filter(user=world.alice).update(title="Kasi Humas")
    extra = [
        ("Kodim Bontang", "kodim-0908", Agency.Kind.MILITARY, world.areas.bontang),
        ("Basarnas Balikpapan", "basarnas-bpp", Agency.Kind.SEARCH_RESCUE, world.areas.balikpapan),
        ("BNN Kota Bontang", "bnnk-bontang", Agency.Kind.NARCOTICS, world.areas.bontang),
        ("Damkar Bontang", "damkar-bontang", Agency.Kind.FIRE, world.areas.bontang),
        ("PT Gas Alam Khatulistiwa", "gas-khatulistiwa", Agency.Kind.COMPANY, world.areas.bontang_utara),
        ("Siskamling RT 12 Guntung", "siskamling-guntung-12", Agency.Kind.COMMUNITY, world.areas.guntung),
    ]
    agencies = {}
    for name, code, kind, area in extra:
        agencies[code] = AgencyFactory(name=name, code=code, kind=kind, jurisdiction=[area])
        MembershipFactory(user=UserFactory(username=f"liaison-{code}"), agency=agencies[code])
    plant = VitalObjectFactory(
        name="Kilang LNG Khatulistiwa",
        kind=VitalObject.Kind.LNG_PLANT,
        area=world.areas.guntung,
        operator=agencies["gas-khatulistiwa"],
        is_national=True,
    )
    plant.guarding_agencies.set([a, agencies["kodim-0908"]])
    CameraFactory(code="cctv-btg-01", name="Simpang Tugu", area=world.areas.guntung, operator=a)
    CameraFactory(
        code="cctv-btg-02",
        name="Pelabuhan Lok Tuan",
        area=world.areas.guntung,
        operator=a,
        status=Camera.Status.OFFLINE,
    )
    return SimpleNamespace(**vars(world), extra=agencies)


@pytest.fixture
def many_villages(e2e_world):
    """34 more villages in Bontang Utara: enough for its list to need a second page."""
    return [
        AreaFactory(name=f"Kelurahan {i:02}", parent=e2e_world.areas.bontang_utara, postal_code=f"753{i:02}")
        for i in range(1, 35)
    ]


@pytest.fixture
def shot(page, _awkward_clock):
    """`shot("name")` saves the page as test-results/screenshots/name.png (full page). Not at an
    awkward instant of --clock (tests/conftest.py): the test already saved that name on the
    real clock, and a journey's dozen full-page screenshots cost seconds at each instant."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def _shot(name: str, *, full_page: bool = True) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        if _awkward_clock is not None:
            return path
        if full_page:  # else the sticky navbar is drawn where the window was scrolled to
            page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return _shot


def login_with_form(page, live_server, username: str) -> None:
    """Log a persona in as a person does: the password on the login form, then, for one who
    must use a second factor (commanders, staff), the code their authenticator app shows now
    (their TOTP device, made here if they have none yet, as if set up earlier)."""
    from django.contrib.auth import get_user_model

    from tests.two_factor import confirmed_device, needs_two_factor, totp_code

    user = get_user_model().objects.get(username=username)
    device = confirmed_device(user) if needs_two_factor(user) else None
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-form button[type=submit]")
    if device is not None:
        page.wait_for_url(f"{live_server.url}/accounts/2fa/verify/**")
        page.fill("#id_token", totp_code(device))
        page.click("#two-factor-verify-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def login_with_session(page, live_server, username: str) -> None:
    """Give the page the session a login through the form gives (verified with the persona's
    authenticator when they need a second factor: tests/two_factor.py), then open the dashboard,
    where the form leads. The form itself is driven by the tests of logging in (test_two_factor,
    test_directory's login page, the phone journeys of test_patrol_phone and test_threats); the
    other journeys start signed in, without its four page loads (~0.8 s a test)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    page.context.add_cookies([session_cookie(live_server, client)])
    page.goto(f"{live_server.url}/")


def session_cookie(live_server, client) -> dict[str, str]:
    """The session of a test client signed in with `force_login` (verified with the user's
    authenticator when they need a second factor: tests/two_factor.py), as a cookie for a
    browser context of the live server."""
    from django.conf import settings

    value = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {"name": settings.SESSION_COOKIE_NAME, "value": value, "url": live_server.url}


@pytest.fixture
def login(page, live_server):
    """Sign a persona in (`login_with_session`); `login_with_form` drives the login form."""

    def _login(username: str) -> None:
        login_with_session(page, live_server, username)

    return _login
