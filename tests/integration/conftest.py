"""Integration tests: real PostgreSQL, real Redis, a real Celery worker.

They skip when REDIS_URL or a PostgreSQL DATABASE_URL is not set (the default SQLite run), and
fail instead when SINERGI_REQUIRE_SERVICES=1 (CI), so a broken CI environment can never turn
them into silent skips. A service that is configured but does not answer is always a failure.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connections

POSTGRES_ENGINES = {"django.db.backends.postgresql", "django.contrib.gis.db.backends.postgis"}


def _missing_services() -> list[str]:
    missing = []
    if not getattr(settings, "REDIS_URL", ""):
        missing.append("REDIS_URL is not set")
    if settings.DATABASES["default"]["ENGINE"] not in POSTGRES_ENGINES:
        missing.append("DATABASE_URL does not point at PostgreSQL")
    return missing


@pytest.fixture(autouse=True)
def _require_services() -> None:
    missing = _missing_services()
    if missing:
        reason = "integration test needs real services: " + "; ".join(missing)
        if os.environ.get("SINERGI_REQUIRE_SERVICES") == "1":
            pytest.fail(reason + " (SINERGI_REQUIRE_SERVICES=1)", pytrace=False)
        pytest.skip(reason)
    try:
        # Fail fast: kombu would otherwise retry a dead broker for a long time before giving up.
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.fail(f"REDIS_URL is set but Redis does not answer: {exc}", pytrace=False)


@pytest.fixture
def celery_queue() -> str:
    """A queue of this test's own: a worker of another test run on the same Redis never takes its messages."""
    return f"sinergi-test-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def celery_worker(_require_services, transactional_db, settings, celery_queue) -> Iterator[object]:
    """A Celery worker thread on the real broker, consuming `celery_queue`, writing to the test database.

    `transactional_db`, not `db`: the worker runs in another thread with its own connection, so
    it sees only committed rows, and the test sees its writes only once it commits.
    """
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    # The worker thread's connection must not outlive the test: pytest-django drops the test
    # database at the end of the session, which PostgreSQL refuses while a session is open.
    # Celery's Django fixup closes connections after every task; CONN_MAX_AGE=0 makes sure.
    db_settings = connections["default"].settings_dict
    old_max_age = db_settings.get("CONN_MAX_AGE")
    db_settings["CONN_MAX_AGE"] = 0
    try:
        with start_worker(
            app,
            perform_ping_check=False,
            queues=[celery_queue],
            pool="solo",
            concurrency=1,
            shutdown_timeout=20,
        ) as worker:
            yield worker
    finally:
        db_settings["CONN_MAX_AGE"] = old_max_age
        # Leave nothing behind in the shared Redis: the queue's list and kombu's binding sets
        # for the direct exchange it declared under the same name.
        redis.Redis.from_url(settings.REDIS_URL).delete(
            celery_queue, f"_kombu.binding.{celery_queue}", f"_kombu.binding_permanent.{celery_queue}"
        )


# --- Added for the fan-out reliability tests ------------------------------------------------
# Routing, a worker thread started when the test says, and worker *processes* (prefork, as in
# production) that a test may SIGKILL.

BASE_DIR = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def celery_routed(settings, celery_queue) -> str:
    """Every task this process publishes (threat_fan_out, deliver_batch, alerts_sweep...) goes to
    this test's queue, never to a stray worker on the default "celery" queue.

    Celery reads Django settings live (config/celery.py uses config_from_object), and its router
    reads `task_default_queue` at each publish, so the settings fixture routes and restores it.
    """
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_TASK_DEFAULT_QUEUE = celery_queue
    return celery_queue


def broker_pool_reset(app, *, close: bool = False) -> None:
    """Make the next publish connect to the broker URL Django settings name now: Celery caches
    its connection and producer pools on first use.

    With `close`, also close and forget the pools of the URL in use now (a test's own broker
    that is going away). kombu keeps pools in a process-wide registry keyed by URL, so a pool is
    only ever closed that way: closing the shared broker's pool would break later tests.
    """
    if close:
        from kombu import pools
        from kombu.utils.collections import eqhash

        connection = app.connection_for_write()
        for group in (pools.producers, pools.connections):
            if eqhash(connection) in group:
                with contextlib.suppress(Exception):  # closing connections to a broker that is gone
                    group[connection].force_close_all()
                del group[connection]
        connection.release()
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None


@pytest.fixture
def celery_worker_factory(_require_services, transactional_db, settings, celery_queue):
    """`with celery_worker_factory(): ...` runs a worker thread like `celery_worker`, but starts it
    when the test says (e.g. once the broker it must use is up). Same database rules."""
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    db_settings = connections["default"].settings_dict
    old_max_age = db_settings.get("CONN_MAX_AGE")
    db_settings["CONN_MAX_AGE"] = 0

    @contextlib.contextmanager
    def _start() -> Iterator[object]:
        with start_worker(
            app, perform_ping_check=False, queues=[celery_queue], pool="solo", concurrency=1, shutdown_timeout=20
        ) as worker:
            yield worker

    try:
        yield _start
    finally:
        db_settings["CONN_MAX_AGE"] = old_max_age
        with contextlib.suppress(redis.RedisError):
            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).delete(
                celery_queue, f"_kombu.binding.{celery_queue}", f"_kombu.binding_permanent.{celery_queue}"
            )


def database_url_for_workers() -> str:
    """A URL of the database this test run writes to (pytest-django's test_<name>)."""
    from urllib.parse import quote

    db = connections["default"].settings_dict
    auth = quote(db.get("USER") or "postgres")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


class WorkerProcess:
    """`celery -A config worker --pool prefork` in its own process group, so that `kill()` takes
    the main process and its pool children down at once, as a machine or OOM kill would."""

    def __init__(self, *, queue: str, broker_url: str, workdir: Path, name: str, concurrency: int, env: dict):
        self.queue = queue
        self.log_path = workdir / f"{name}.log"
        self.pidfile = workdir / f"{name}.pid"
        # The worker publishes too (threat_fan_out queues deliver_batch): a settings module of
        # its own sends those to this test's queue. CELERY_TASK_DEFAULT_QUEUE is not read from
        # the environment by config/settings.py.
        settings_module = f"sinergi_worker_settings_{queue.replace('-', '_')}"
        (workdir / f"{settings_module}.py").write_text(
            f"from config.settings import *  # noqa: F403\nCELERY_TASK_DEFAULT_QUEUE = {queue!r}\n"
        )
        full_env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": settings_module,
            "PYTHONPATH": os.pathsep.join([str(workdir), str(BASE_DIR)]),
            "DATABASE_URL": database_url_for_workers(),
            "REDIS_URL": broker_url,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            **env,
        }
        celery = str(Path(sys.executable).parent / "celery")
        command = [
            celery, "-A", "config", "worker", "--pool", "prefork", "-c", str(concurrency), "-Q", queue,
            "-n", f"{name}-{queue}@%h", "--pidfile", str(self.pidfile), "-l", "INFO",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]  # fmt: skip
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                command, cwd=BASE_DIR, env=full_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if " ready." in self.log():
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        raise AssertionError(f"the worker did not start within {timeout} s:\n{self.log()[-3000:]}")

    def _signal_group(self, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, sig)

    def kill(self) -> None:
        """SIGKILL the whole worker: no warm shutdown, no acknowledgements, no clean-up."""
        self._signal_group(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        """Warm shutdown (SIGTERM), SIGKILL if it does not finish in 10 s."""
        if self.proc.poll() is None:
            self._signal_group(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        # Pool children outlive a killed parent only for as long as their current task.
        self._signal_group(signal.SIGKILL)


def _forget_unacked(client: redis.Redis, queue: str) -> None:
    """Drop kombu's record of messages a killed worker held unacknowledged for `queue`.

    kombu keeps them in the "unacked" hash and would restore them after the visibility timeout
    (an hour), to a queue nobody reads by then.
    """
    for tag, raw in client.hgetall("unacked").items():
        with contextlib.suppress(ValueError, TypeError, IndexError):
            if json.loads(raw)[2] == queue:
                client.hdel("unacked", tag)
                client.zrem("unacked_index", tag)


@pytest.fixture
def celery_worker_process(_require_services, transactional_db, settings, celery_queue, tmp_path):
    """A factory of worker processes on this test's queue, writing to the test database:
    `start(broker_url=..., concurrency=2, env={...})` returns a WorkerProcess (already ready).

    Every worker is stopped at teardown, before pytest-django flushes the database (PostgreSQL
    would wait on their connections otherwise).
    """
    workers: list[WorkerProcess] = []
    brokers: set[str] = set()

    def start(*, broker_url: str | None = None, concurrency: int = 2, env: dict | None = None) -> WorkerProcess:
        broker_url = broker_url or settings.REDIS_URL
        brokers.add(broker_url)
        worker = WorkerProcess(
            queue=celery_queue,
            broker_url=broker_url,
            workdir=tmp_path,
            name=f"worker{len(workers) + 1}",
            concurrency=concurrency,
            env={k: str(v) for k, v in (env or {}).items()},
        )
        workers.append(worker)
        worker.wait_ready()
        return worker

    try:
        yield start
    finally:
        for worker in workers:
            worker.stop()
        for url in brokers:
            with contextlib.suppress(redis.RedisError):
                client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
                client.delete(
                    celery_queue, f"_kombu.binding.{celery_queue}", f"_kombu.binding_permanent.{celery_queue}"
                )
                _forget_unacked(client, celery_queue)
