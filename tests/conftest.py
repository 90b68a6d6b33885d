"""Shared fixtures: a small area tree and the test personas (alice, bob, charlie...).

- alice: liaison of agency A (Polres), bob: liaison of agency B, A's partner (information
  sharing), charlie: liaison of agency C, an outsider; carol: commander of A; nobody: a
  signed-in user of no agency; admin: platform staff; and the anonymous citizen (`client`).
"""

import datetime
import itertools
import os
import secrets
import sys
import sysconfig
import tempfile
import time
import traceback
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytest
import time_machine
from django.utils import translation
from rest_framework.test import APIClient

from agencies.models import Agency, Area, Membership, TimeZoneChoice

from .factories import AgencyFactory, AreaFactory, MembershipFactory, PartnershipFactory, UserFactory

# --- Every file a test reads lives in the repository -------------------------------------------
# A fresh clone has nothing beside it. An audit hook (PEP 578: cheap, process-wide, so it sees the
# live server's thread too) watches opens and directory listings while tests are collected and
# run; a path outside the repository, the temporary directories, the interpreter's own tree
# (venv, site-packages, stdlib) and the system's directories fails the test (or the module's
# collection) that touched it, with where it happened.

REPO = Path(__file__).resolve().parent.parent
_SYSTEM = ("/usr", "/lib", "/lib64", "/bin", "/sbin", "/etc", "/proc", "/sys", "/dev", "/run", "/var")
_WATCHED = frozenset({"open", "os.listdir", "os.scandir", "glob.glob"})
_boundary = SimpleNamespace(allowed=(), watching=False, outside=[])


def _allowed_roots(config) -> tuple[str, ...]:
    roots = {REPO, Path(tempfile.gettempdir()), Path(sys.prefix), Path(sys.base_prefix), Path(sys.exec_prefix)}
    roots |= {Path(p) for p in sysconfig.get_paths().values()}
    if config.option.basetemp:
        roots.add(Path(config.option.basetemp))
    output = config.getoption("--output", default=None)  # pytest-playwright's traces and videos
    if output:
        roots.add(Path(output).absolute())
    if os.environ.get("SINERGI_SCREENSHOTS"):  # tests/e2e/conftest.py: where a run keeps its screenshots
        roots.add(Path(os.environ["SINERGI_SCREENSHOTS"]))
    resolved = {str(r.resolve()) for r in roots} | {str(r.absolute()) for r in roots}
    return tuple(sorted({r.rstrip("/") + "/" for r in resolved} | {s + "/" for s in _SYSTEM}))


def _inside(path: str) -> bool:
    return (path + "/").startswith(_boundary.allowed)


def _audit(event: str, args: tuple) -> None:
    if event not in _WATCHED or not _boundary.watching:
        return
    path = args[0] if args else None
    if path is None or isinstance(path, int):
        return
    try:
        path = os.fsdecode(path)
    except TypeError:
        return
    absolute = os.path.abspath(path)
    if _inside(absolute) or _inside(os.path.realpath(absolute)):
        return
    here = [f for f in traceback.extract_stack()[:-1] if f.filename.startswith(str(REPO))]
    where = f" at {here[-1].filename}:{here[-1].lineno}" if here else ""
    _boundary.outside.append(f"{event} {absolute!r}{where}")


# --- Any day, any hour: the awkward instants ---------------------------------------------------
# A test whose outcome depends on today's date, the weekday, the hour or the server's time zone is
# marked `dates`. `make test` runs the suite in one session with `--clock=now,awkward`: every test
# on the real clock ("now"), and each test marked `dates` once more at each instant of AWKWARD (a
# parameter of the test, so one session does them all), with the clock travelled there (and
# ticking) and, for an `instant@Zone`, the server's zone (TIME_ZONE) set to that zone. A test that
# pins its own instant (`@time_machine.travel(...)`) keeps it: the inner travel wins. The
# database's clock does not travel: every time the application stores comes from timezone.now(),
# never a database DEFAULT such as Now() (it broke the verification of citizen reports at an
# instant in the past).

AWKWARD_INSTANTS = {
    "saturday-2330-wita": "2026-12-05T23:30:00+08:00",  # Sunday already in WIT, still Saturday in WIB
    "sunday-2330-wib": "2026-12-06T23:30:00+07:00",  # still Sunday in WIB, the area's (WITA) week has turned
    "monday-0010-wib": "2026-12-07T00:10:00+07:00",  # Monday in WIB, already 02:10 in WIT
    "month-end-2200-wit": "2026-11-30T22:00:00+09:00",  # the last day of a month, late in WIT
    "new-year-eve-2330-wita": "2026-12-31T23:30:00+08:00",  # the year turns within the hour (in WIT: turned)
}
AWKWARD = [
    "saturday-2330-wita",
    "sunday-2330-wib",
    "monday-0010-wib",
    "month-end-2200-wit@Asia/Jayapura",  # with the server itself in WIT
    "new-year-eve-2330-wita",
]


def pytest_addoption(parser):
    group = parser.getgroup("sinergi")
    group.addoption(
        "--clock",
        default=os.environ.get("SINERGI_TEST_CLOCK", ""),
        help="run each test marked `dates` at these instants (comma-separated): an ISO date-time with its "
        f"offset or one of {', '.join(AWKWARD_INSTANTS)}, each optionally @Server/Zone; `awkward` for all "
        "of AWKWARD; `now` for the real clock (env SINERGI_TEST_CLOCK)",
    )
    group.addoption(
        "--clock-every-test",
        action="store_true",
        help="with --clock: travel for every test, not only those marked `dates` (finds unmarked ones)",
    )


def _clocks(config) -> list[tuple[str, datetime.datetime | None, str | None]]:
    """(name, instant, server zone or None) for each instant asked for with --clock; the instant
    is None for `now`, the real clock."""
    value = config.getoption("--clock")
    entries = []
    for entry in (e.strip() for e in value.split(",") if e.strip()):
        entries.extend(AWKWARD if entry == "awkward" else [entry])
    clocks: list[tuple[str, datetime.datetime | None, str | None]] = []
    for entry in entries:
        if entry == "now":
            clocks.append((entry, None, None))
            continue
        spec, _, zone = entry.partition("@")
        try:
            instant = datetime.datetime.fromisoformat(AWKWARD_INSTANTS.get(spec, spec))
            if zone:
                ZoneInfo(zone)
        except (ValueError, ZoneInfoNotFoundError):
            known = ", ".join(AWKWARD_INSTANTS)
            raise pytest.UsageError(f"--clock={entry!r}: give an ISO date-time or one of {known}, @a zone") from None
        if instant.tzinfo is None:
            raise pytest.UsageError(f"--clock={entry!r}: give the UTC offset (an instant, e.g. +08:00)")
        clocks.append((entry, instant, zone or None))
    return clocks


def pytest_generate_tests(metafunc):
    clocks = _clocks(metafunc.config)
    marked = metafunc.definition.get_closest_marker("dates") is not None
    if (
        clocks
        and "_awkward_clock" in metafunc.fixturenames
        and (marked or metafunc.config.getoption("--clock-every-test"))
    ):
        ids = [name.replace("/", "-") for name, _, _ in clocks]
        metafunc.parametrize("_awkward_clock", clocks, indirect=True, ids=ids)


@pytest.fixture(autouse=True)
def _awkward_clock(request):
    """At an instant of --clock, a test marked `dates` runs with the clock there (ticking): Django's
    timezone.now(), localdate(), date.today() and the live server's thread all see it, and so does
    the browser's JavaScript (`Date`) in a Playwright page. Yields (name, instant, zone) or None."""
    clock = getattr(request, "param", None)
    if clock is None or clock[1] is None:  # the real clock (no --clock, or `now`)
        yield None
        return
    _name, instant, zone = clock
    if zone:
        request.getfixturevalue("settings").TIME_ZONE = zone  # Django resets its zone caches and TZ
    with time_machine.travel(instant, tick=True):
        if "page" in request.fixturenames:
            page = request.getfixturevalue("page")
            page.clock.set_system_time(datetime.datetime.now(datetime.UTC))
        yield clock


# The modules whose tests take longest (`make test PYTEST_ARGS=--durations=40`), run first. The
# suite runs on two processes, a module's tests in one (pytest-xdist's loadscope, without its
# reordering by test count, which put these few-test modules last): started last, a two-minute
# module kept one process busy while the other had finished (the suite's last 3 % took 6 min).
SLOW_MODULES = (
    "tests/e2e/test_layout.py",  # 137 s
    "tests/integration/test_benchmarks_build.py",  # each benchmark builds its world
    "tests/test_times_in_zone.py",
    "tests/test_offered_actions.py",
    "tests/coordination/notifications/test_inbox_migration.py",  # migrations back and forth
    "tests/agencies/test_partnership_consent.py",
    "tests/test_null_relations.py",
    "tests/e2e/test_incidents.py",
    "tests/e2e/test_meetings.py",
    "tests/e2e/test_desk.py",
    "tests/e2e/test_surveys.py",
    "tests/e2e/test_citizen_report.py",
    "tests/e2e/test_portal.py",
    "tests/e2e/test_threats.py",
    "tests/e2e/test_programmes.py",
    "tests/e2e/test_evaluations.py",
    "tests/test_pages.py",
)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """The slow modules first (SLOW_MODULES), then the others by number of tests, most first (as
    pytest-xdist would order them); within a module the order pytest-django gave."""
    modules: dict[str, int] = {}
    for item in items:
        module = item.nodeid.split("::", 1)[0]
        modules[module] = modules.get(module, 0) + 1
    rank = {m: i for i, m in enumerate(SLOW_MODULES)}

    def key(item) -> tuple[int, int]:
        module = item.nodeid.split("::", 1)[0]
        return (rank.get(module, len(rank)), -modules[module] if module not in rank else 0)

    items.sort(key=key)


def pytest_report_header(config):
    clocks = _clocks(config)
    return [f"clock: tests marked `dates` also run at {', '.join(name for name, _, _ in clocks)}"] if clocks else []


def pytest_configure(config):
    _boundary.allowed = _allowed_roots(config)
    sys.addaudithook(_audit)  # hooks cannot be removed; `watching` turns it off between phases
    _cache_of_this_worker()
    _fast_passwords()


def _fast_passwords() -> None:
    """PBKDF2 takes ~0.3 s a hash by design, and tests create thousands of users: MD5 for the whole
    session, set before any test so that the worlds built once per module (the permission
    matrix's 22 personas) hash fast too, not only the function-scoped ones."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _cache_of_this_worker() -> None:
    """Under pytest-xdist (`make test` runs the suite in TEST_WORKERS processes), each worker keeps
    its cache in a Redis database of its own, and none in the broker's: tests clear the cache (a
    rate limit's window), and Redis clears a whole database at once, so a worker clearing the
    broker's database dropped the queued tasks of the other worker's test (a fan-out lost 9 of
    its 10 batches), and two workers sharing a cache cleared each other's windows mid-test.
    Worker gwN takes the database N + 1 after REDIS_URL's (wrapping at 16); the broker stays on
    REDIS_URL's (each test consumes a queue of its own). pytest-django already gives each worker
    a database of its own (test_<name>_gwN)."""
    from django.conf import settings

    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    location = settings.CACHES["default"].get("LOCATION", "")
    if not worker.startswith("gw") or not str(location).startswith("redis://"):
        return
    url = urlsplit(str(location))
    number = (int(url.path.strip("/") or 0) + 1 + int(worker[2:])) % 16
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": url._replace(path=f"/{number}").geturl()}}
    from django.core.cache import caches

    caches.__dict__.pop("settings", None)  # read again from the settings at the next use


def _outside_message() -> str:
    found, _boundary.outside[:] = list(dict.fromkeys(_boundary.outside)), []
    return "read outside the repository (a fresh clone has nothing there): " + "; ".join(found[:5])


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector):
    _boundary.watching, _boundary.outside[:] = True, []
    try:
        report = yield
    finally:
        _boundary.watching = False
    if _boundary.outside:
        report.outcome, report.longrepr = "failed", _outside_message()
    return report


def _watch_phase():
    _boundary.watching, _boundary.outside[:] = True, []
    try:
        yield
    except BaseException as error:
        if _boundary.outside:
            error.add_note(_outside_message())
        raise
    finally:
        _boundary.watching = False
    if _boundary.outside:
        pytest.fail(_outside_message(), pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    return (yield from _watch_phase())


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    return (yield from _watch_phase())


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    result = yield from _watch_phase()
    if nextitem is not None:  # after the last test the test database is gone
        _taxonomy_after_flush(item)
    return result


def _transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ()))) or bool(
        marker and (marker.kwargs.get("transaction") or (len(marker.args) > 0 and marker.args[0]))
    )


def _taxonomy_after_flush(item) -> None:
    """A transactional test (browser, integration) truncates every table once it has run, the
    category taxonomy of the data migration included; put the taxonomy back then, for whatever
    test this process runs next. Under pytest-xdist a process may run a module of ordinary tests
    after a transactional one, which pytest-django's ordering would never do in one process."""
    if not _transactional(item):
        return
    from pytest_django.plugin import blocking_manager_key

    from incidents.models import Category

    with item.config.stash[blocking_manager_key].unblock():
        if not Category.objects.exists():
            from .factories import category

            category("crime")


@pytest.fixture
def areas(db):
    province = AreaFactory(name="Kalimantan Timur", code="ID-KI")
    bontang = AreaFactory(name="Kota Bontang", parent=province, code="BON")
    bontang_utara = AreaFactory(name="Bontang Utara", parent=bontang)
    guntung = AreaFactory(name="Guntung", parent=bontang_utara, postal_code="75311")
    balikpapan = AreaFactory(name="Kota Balikpapan", parent=province, code="BPP")
    balikpapan_kota = AreaFactory(name="Balikpapan Kota", parent=balikpapan)
    return SimpleNamespace(
        province=province,
        bontang=bontang,
        bontang_utara=bontang_utara,
        guntung=guntung,
        balikpapan=balikpapan,
        balikpapan_kota=balikpapan_kota,
    )


@pytest.fixture
def world(areas):
    agency_a = AgencyFactory(
        name="Polres Bontang", code="polres-bontang", kind=Agency.Kind.POLICE, jurisdiction=[areas.bontang]
    )
    agency_b = AgencyFactory(
        name="BPBD Bontang", code="bpbd-bontang", kind=Agency.Kind.DISASTER, jurisdiction=[areas.bontang]
    )
    agency_c = AgencyFactory(
        name="Damkar Balikpapan", code="damkar-balikpapan", kind=Agency.Kind.FIRE, jurisdiction=[areas.balikpapan]
    )
    PartnershipFactory(title="MoU A-B", agencies=[agency_a, agency_b], information_sharing=True)
    alice = MembershipFactory(user=UserFactory(username="alice"), agency=agency_a, role=Membership.Role.LIAISON).user
    carol = MembershipFactory(user=UserFactory(username="carol"), agency=agency_a, role=Membership.Role.COMMANDER).user
    vera = MembershipFactory(user=UserFactory(username="vera"), agency=agency_a, role=Membership.Role.VIEWER).user
    bob = MembershipFactory(user=UserFactory(username="bob"), agency=agency_b, role=Membership.Role.LIAISON).user
    charlie = MembershipFactory(
        user=UserFactory(username="charlie"), agency=agency_c, role=Membership.Role.LIAISON
    ).user
    dave = MembershipFactory(user=UserFactory(username="dave"), agency=agency_c, role=Membership.Role.COMMANDER).user
    nobody = UserFactory(username="nobody")
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True)
    return SimpleNamespace(
        areas=areas,
        a=agency_a,
        b=agency_b,
        c=agency_c,
        alice=alice,
        carol=carol,
        vera=vera,
        bob=bob,
        charlie=charlie,
        dave=dave,
        nobody=nobody,
        admin=admin,
    )


@pytest.fixture
def api():
    """An API client; `api.force_authenticate(user)` to act as a persona, as is for anonymous."""
    return APIClient()


@pytest.fixture
def api_as(api):
    def _as(user):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return _as


@pytest.fixture(params=[TimeZoneChoice.WIB, TimeZoneChoice.WITA, TimeZoneChoice.WIT], ids=["WIB", "WITA", "WIT"])
def zone(request, world, settings):
    """Every area of the world in this zone (the round-trip tests run in each); the server stays in WIB."""
    assert settings.TIME_ZONE == TimeZoneChoice.WIB
    Area.objects.update(timezone=request.param)
    for area in vars(world.areas).values():
        area.refresh_from_db()
    return ZoneInfo(request.param)


@pytest.fixture(params=["id", "en"])
def language(request, settings):
    """The test runs in Bahasa Indonesia, then in English."""
    settings.LANGUAGE_CODE = request.param
    return request.param


@pytest.fixture(autouse=True)
def _static_without_manifest(settings):
    """Tests run with DEBUG off and no collectstatic: the project's manifest storage (whitenoise)
    would fail on {% static %}, so every rendered page resolves static files without a manifest."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Uploads of a test go to its own temporary folder, never into the work tree."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


# Each test's rate-limit windows: a day of its own (see `_throttle_clock`), numbered from a
# random start per process so that the windows of two runs sharing a Redis database never meet
# (not from the clock: tests read it inside a test, never at import).
_THROTTLE_DAYS = itertools.count(secrets.randbelow(100_000) * 10_000)


@pytest.fixture(autouse=True)
def _throttle_clock(monkeypatch):
    """The rate limits count in fixed windows (a minute, a day: `common.throttling`), so a test
    that sends two requests and expects the second refused failed whenever a minute turned
    between them. Each test gets a clock for the throttles that starts at the first second of a
    day of its own and runs on with the real (or travelled) time: no window turns within the
    test's first minute, and no test finds another's counts."""
    from common.throttling import WindowsThrottle

    start = time.time()
    base = next(_THROTTLE_DAYS) * 86_400.0
    monkeypatch.setattr(WindowsThrottle, "timer", staticmethod(lambda: base + (time.time() - start)))


@pytest.fixture(autouse=True)
def _fresh_process_caches():
    """Per-process caches of the hot paths (categories, area centroids) start empty in each test."""
    from incidents import selectors
    from incidents.reports import services

    selectors.category_cache_clear()
    services.centroid_cache_clear()
    yield
    selectors.category_cache_clear()
    services.centroid_cache_clear()


@pytest.fixture(autouse=True)
def _eager_celery(request, settings):
    """Unit tests run tasks in-process; integration tests talk to the real worker instead."""
    if request.node.get_closest_marker("integration") is None:
        settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture(autouse=True)
def _verified_force_login(monkeypatch):
    """`client.force_login(carol)` gives the session a real login would: for a user who must
    use a second factor, verified with their (real) TOTP device (tests/two_factor.py). The
    two-factor tests log in with `unverified_login` to see the enforcement."""
    from django.test import Client

    from .two_factor import verified_force_login

    monkeypatch.setattr(Client, "force_login", verified_force_login)


@pytest.fixture(autouse=True)
def _default_language():
    """A request leaves its language active in the thread: each test starts in the default one
    (Bahasa Indonesia), whatever language the previous test's last request asked for."""
    translation.deactivate()
    yield
    translation.deactivate()
