"""The production profile and the service requirements of CI."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SINERGI_"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=60
    )


def test_the_production_profile_passes_check_deploy_without_warnings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SINERGI_PRODUCTION="1",
        DJANGO_SECRET_KEY="x" * 20 + "-a-long-random-production-secret-for-the-test-0123456789",
        DJANGO_ALLOWED_HOSTS="sinergi.example.go.id",
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", SINERGI_PRODUCTION="1", DJANGO_ALLOWED_HOSTS="sinergi.example.go.id")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_indonesian_is_the_default_language_and_english_the_second():
    assert settings.LANGUAGE_CODE == "id"
    assert [code for code, _ in settings.LANGUAGES] == ["id", "en"]


def test_ci_runs_on_postgresql_when_services_are_required():
    if os.environ.get("SINERGI_REQUIRE_SERVICES") != "1":
        pytest.skip("only meaningful where CI requires the real services")
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert settings.CELERY_BROKER_URL.startswith("redis://")


def test_a_parallel_test_worker_keeps_its_cache_out_of_the_brokers_database(settings, monkeypatch):
    """`cache.clear()` flushes a whole Redis database: a test worker whose cache shared the
    broker's database dropped the queued tasks of the other worker's test (tests/conftest.py)."""
    from django.core.cache import caches

    from tests.conftest import _cache_of_this_worker

    broker = "redis://127.0.0.1:6379/11"
    seen = set()
    for worker in ("gw0", "gw1", "gw4"):
        monkeypatch.setenv("PYTEST_XDIST_WORKER", worker)
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": broker}}
        _cache_of_this_worker()
        seen.add(settings.CACHES["default"]["LOCATION"])
    assert seen == {"redis://127.0.0.1:6379/12", "redis://127.0.0.1:6379/13", "redis://127.0.0.1:6379/0"}
    caches.__dict__.pop("settings", None)
