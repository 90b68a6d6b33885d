"""The benchmarks build their worlds with raw SQL (INSERT ... SELECT over generate_series), which
Django's migrations do not update: a NOT NULL column added to a model broke bench/pages.py's
alerts until someone ran it. Each PostgreSQL benchmark is run here at a tiny size, so that a
model change that its SQL no longer fits fails the suite, not the next measurement. They copy
one database migrated for the module (`template`) rather than each migrating its own."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from bench.pages import _admin, _url

from .conftest import POSTGRES_ENGINES

REPO = Path(__file__).resolve().parents[2]


def _server_url() -> str:
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/postgres"


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return env


@pytest.fixture(scope="module")
def template() -> Iterator[str | None]:
    """A database migrated once, which each benchmark copies (CREATE DATABASE ... TEMPLATE)
    instead of migrating a database of its own (20 s each, six times). None without PostgreSQL:
    the tests skip (or fail under SINERGI_REQUIRE_SERVICES, tests/integration/conftest.py)."""
    if settings.DATABASES["default"]["ENGINE"] not in POSTGRES_ENGINES:
        yield None
        return
    name = f"sinergi_bench_tpl_{uuid.uuid4().hex[:8]}"
    _admin(_server_url(), f"CREATE DATABASE {name}")
    try:
        migrated = subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v0"],
            cwd=REPO,
            env={**_env(), "DATABASE_URL": _url(_server_url(), name)},
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert migrated.returncode == 0, migrated.stderr[-4000:]
        yield name
    finally:
        _admin(_server_url(), f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _run(*args: str, template: str | None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args, "--server-url", _server_url(), *(["--template", template] if template else [])],
        cwd=REPO,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )


def _db() -> str:
    return f"sinergi_bench_smoke_{uuid.uuid4().hex[:8]}"


# (script, its arguments for a tiny world, what its output must hold).
WORLD = ("--repeat", "1", "--drop")
BENCHMARKS = {
    "pages": ("bench/pages.py", ("--scale", "0.0005", *WORLD), ("# built in", "risks", "patrols month")),
    "desk": ("bench/desk.py", ("--scale", "0.0005", *WORLD), ("p95",)),
    "incidents": ("bench/incidents.py", ("--rows", "2000", "--repeat", "1"), ("p95",)),
    "search": ("bench/search.py", ("--scale", "0.0005", *WORLD), ("# built in", "common term", "bare SQL of")),
    "surveys": ("bench/surveys.py", ("--scale", "0.001", *WORLD), ("survey_results", "bare SQL")),
    "evaluation": (
        "bench/evaluation.py",
        ("--scale", "0.001", *WORLD),
        ("# built in", "compute_snapshot, city, a year", "the same in turn, one connection", "bare SQL, all"),
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", BENCHMARKS)
def test_the_benchmark_builds_its_world_and_measures(template, name):
    script, args, expected = BENCHMARKS[name]
    own_db = ("--db", _db()) if "--drop" in args else ()
    done = _run(script, *args, *own_db, template=template)
    # Exit 1 means a target was missed (the machine may be busy); a traceback means the SQL broke.
    assert done.returncode in (0, 1), done.stdout[-2000:] + done.stderr[-4000:]
    assert "Traceback" not in done.stderr, done.stderr[-4000:]
    for text in expected:
        assert text in done.stdout, (text, done.stdout[-2000:])
