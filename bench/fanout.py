"""Benchmark: a threat's fan-out through a real broker and worker, beside the naive way and the floor.

    .venv/bin/python bench/fanout.py                          # 1,000, 10,000 and 50,000 recipients
    .venv/bin/python bench/fanout.py --sizes 1000,10000 --naive-max 1000

It creates a throwaway PostgreSQL database (`sinergi_bench_fanout`, on DATABASE_URL's server or
127.0.0.1:5432), migrates it, uses Redis at REDIS_URL (default redis://127.0.0.1:6379/14) on a
queue of its own, and starts its own worker: `celery -A config worker --pool prefork -c 2`.
For N recipients (N/100 agencies x 100 members subscribed to one city; in-app deliveries) it
times, side by side:

- ours: from the commit of `threat_log` until every delivery is recorded (the worker's
  `threat_fan_out` commits them in one transaction), median of --repeat runs;
- naive: one Celery task per recipient that writes one delivery row, the way it is usually
  written (the tasks are defined here, not in the app); run up to --naive-max recipients and for
  at most --naive-timeout seconds, extrapolated beyond that (marked "~");
- floor: one `INSERT ... SELECT` of the same N rows in PostgreSQL, best of 3;
- in-process: `incidents.threats.fanout.threat_fan_out` called directly (no broker, no worker), to tell
  the fan-out's own cost from the broker hop.

Then 10,000 webhook deliveries to a local receiver (raw sockets, keep-alive; its capacity is
measured first so that it cannot be the bottleneck unseen), and the latency a partner feels:
commit of `threat_log` to the first webhook received, over --latency-threats threats with the
worker idle in between. It drops the database at the end. See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from celery import shared_task

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DIR = Path(__file__).resolve().parent
# SINERGI_BENCH_DB names another throwaway database (two people benchmarking on one server).
BENCH_DB = os.environ.get("SINERGI_BENCH_DB", "sinergi_bench_fanout")
DEFAULT_SERVER_URL = "postgres://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"
MEMBERS_PER_AGENCY = 100
WORKER_CONCURRENCY = 2

TARGET_10K_SECONDS = 1.0
FRESH_N = 10_000
TARGET_FRESH_SPREAD = 1.5  # the slowest of the fresh fan-outs at most 1.5x the fastest
TARGET_VS_NAIVE = 50.0
TARGET_VS_FLOOR = 5.0
TARGET_WEBHOOKS_SECONDS = 20.0
TARGET_P50_MS = 100.0
TARGET_P99_MS = 500.0


# --- The naive way: one task per recipient --------------------------------------------------
# Registered in the bench worker through `celery worker -I fanout` (this file, with bench/ on
# PYTHONPATH); explicit names, since this module is `__main__` in the bench process.


@shared_task(name="bench.fanout.naive_fan_out", ignore_result=True)
def naive_fan_out(threat_id: int) -> None:
    """Resolve recipients and create alerts as ours does, then queue one task per member."""
    from agencies.models import Membership
    from incidents.models import Alert, Threat
    from incidents.threats import fanout

    threat = Threat.objects.select_related("category__parent").get(pk=threat_id)
    recipients = fanout.threat_recipients(threat)
    Alert.objects.bulk_create(
        [Alert(threat=threat, agency_id=a, reason=r, revision=threat.revision) for a, r in recipients.reasons.items()],
        ignore_conflicts=True,
    )
    alerts = dict(Alert.objects.filter(threat=threat).values_list("agency_id", "pk"))
    members = Membership.objects.filter(agency_id__in=list(alerts), is_active=True, user__is_active=True)
    for agency_id, user_id in members.values_list("agency_id", "user_id"):
        naive_delivery.delay(alerts[agency_id], user_id, threat.revision)


@shared_task(name="bench.fanout.naive_delivery", ignore_result=True)
def naive_delivery(alert_id: int, user_id: int, revision: int) -> None:
    """One delivery row, idempotent the usual way (get_or_create on the unique key)."""
    from django.utils import timezone

    from incidents.models import Delivery

    Delivery.objects.get_or_create(
        alert_id=alert_id,
        revision=revision,
        channel=Delivery.Channel.IN_APP,
        recipient_key=f"user:{user_id}",
        defaults={"user_id": user_id, "status": Delivery.Status.SENT, "sent_at": timezone.now()},
    )


# --- A webhook receiver that keeps up -------------------------------------------------------


def _receiver_main(sock: socket.socket, count, first_at) -> None:
    """Raw HTTP/1.1 with keep-alive, a thread per connection: read a request, count it, answer
    200. `first_at` takes the time.time() of the first request after it is reset to 0 (wall
    clock: comparable with the timestamps the worker writes in the database)."""

    def handle(conn: socket.socket) -> None:
        buf = b""
        with conn:
            while True:
                while b"\r\n\r\n" not in buf:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    buf += chunk
                head, _, buf = buf.partition(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                while len(buf) < length:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    buf += chunk
                buf = buf[length:]
                now = time.time()
                with first_at.get_lock():
                    if first_at.value == 0.0:
                        first_at.value = now
                with count.get_lock():
                    count.value += 1
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")

    while True:
        conn, _addr = sock.accept()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=handle, args=(conn,), daemon=True).start()


def _blast(port: int, requests: int, body_size: int, out) -> None:
    """A client as cheap as possible: one keep-alive socket, one request after the other."""
    body = b"x" * body_size
    request = (
        b"POST /capacity HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for _ in range(requests):
            s.sendall(request)
            got = b""
            while not got.endswith(b"\r\n\r\n"):
                got += s.recv(4096)
    out.put(requests)


class Receiver:
    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self.count = ctx.Value("q", 0)
        self.first_at = ctx.Value("d", 0.0)
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        sock.listen(128)
        self.port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = ctx.Process(target=_receiver_main, args=(sock, self.count, self.first_at), daemon=True)
        self.proc.start()
        sock.close()

    def capacity(self, *, clients: int = 2, requests: int = 3000, body_size: int = 1200) -> float:
        """Requests a second the receiver answers to `clients` keep-alive clients."""
        out = self.ctx.Queue()
        procs = [self.ctx.Process(target=_blast, args=(self.port, requests, body_size, out)) for _ in range(clients)]
        started = time.perf_counter()
        for p in procs:
            p.start()
        for p in procs:
            p.join(120)
        seconds = time.perf_counter() - started
        done = sum(out.get(timeout=5) for _ in procs)
        return done / seconds

    def stop(self) -> None:
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(5)


# --- Database, broker, worker ---------------------------------------------------------------


def _with_db_name(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def _psycopg_conninfo(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(("postgresql", parts.netloc, parts.path, parts.query, ""))


class PostgresDatabase:
    """A throwaway database on the server of `server_url`, created fresh and dropped at the end."""

    def __init__(self, server_url: str) -> None:
        self.url = _with_db_name(server_url, BENCH_DB)
        self.admin_conninfo = _psycopg_conninfo(_with_db_name(server_url, "postgres"))

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.admin_conninfo, autocommit=True) as conn:
            conn.execute(sql)

    def create(self) -> None:
        self._admin(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        self._admin(f"CREATE DATABASE {BENCH_DB}")

    def drop(self) -> None:
        self._admin(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")

    def describe(self) -> str:
        import psycopg

        with psycopg.connect(self.admin_conninfo) as conn:
            version = conn.execute("SHOW server_version").fetchone()[0]
        parts = urlsplit(self.url)
        return f"PostgreSQL {version} at {parts.hostname}:{parts.port or 5432}, throwaway database {BENCH_DB}"


class Worker:
    """`celery -A config worker --pool prefork -c 2` on the bench database and queue."""

    def __init__(self, *, db_url: str, redis_url: str, queue: str, workdir: Path) -> None:
        self.queue = queue
        self.name = f"bench-{queue}@{socket.gethostname()}"
        self.log_path = workdir / "worker.log"
        # The worker publishes too (threat_fan_out queues deliver_batch, naive_fan_out queues
        # naive_delivery): a settings module of its own routes them to the bench queue.
        (workdir / "bench_fanout_settings.py").write_text(
            f"from config.settings import *  # noqa: F403\nCELERY_TASK_DEFAULT_QUEUE = {queue!r}\n"
        )
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench_fanout_settings",
            "PYTHONPATH": os.pathsep.join([str(workdir), str(BASE_DIR), str(BENCH_DIR)]),
            "DATABASE_URL": db_url,
            "REDIS_URL": redis_url,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "SINERGI_WEBHOOK_TIMEOUT": "5",
        }
        celery = str(Path(sys.executable).parent / "celery")
        command = [
            celery, "-A", "config", "worker", "--pool", "prefork", "-c", str(WORKER_CONCURRENCY),
            "-Q", queue, "-n", self.name, "-I", "fanout", "-l", "WARNING",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]  # fmt: skip
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    def wait_ready(self, timeout: float = 60) -> None:
        from config.celery import app

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            if app.control.ping(destination=[self.name], timeout=0.5):
                return
        raise RuntimeError(f"the worker did not start: {self.log_path.read_text()[-3000:]}")

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=15)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)


def _setup_django(database_url: str, redis_url: str, queue: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["REDIS_URL"] = redis_url
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"
    os.environ["SINERGI_WEBHOOK_ALLOW_PRIVATE"] = "1"  # the partners here are local receivers
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("LOG_LEVEL", "ERROR")  # the broker-down warnings are not the point here
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from django.conf import settings

    settings.CELERY_TASK_DEFAULT_QUEUE = queue  # Celery reads Django settings live


# --- Worlds ---------------------------------------------------------------------------------


class World:
    """Agencies subscribed to a city of their own, members in bulk, and an issuing liaison."""

    _n = 0

    def __init__(self, province, issuer_user, *, agencies: int, members: int, webhooks: int = 0, url: str = ""):
        from django.contrib.auth import get_user_model
        from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX

        from agencies.models import Agency, Area, Membership, Subscription

        World._n += 1
        tag = f"w{World._n}"
        self.city = Area.objects.create(
            source_id=990_000 + World._n,
            name=f"Kota {tag}",
            parent=province,
            level=Area.Level.REGENCY,
            path=f"{province.path}{990_000 + World._n}/",
            timezone=province.timezone,
        )
        self.issuer = issuer_user
        rows = Agency.objects.bulk_create(
            [Agency(name=f"{tag} agency {i}", code=f"{tag}-agency-{i}", kind=Agency.Kind.FIRE) for i in range(agencies)]
        )
        User = get_user_model()
        users = User.objects.bulk_create(
            [
                User(username=f"{tag}-{i}-{j}", password=UNUSABLE_PASSWORD_PREFIX)
                for i in range(agencies)
                for j in range(members)
            ],
            batch_size=5000,
        )
        Membership.objects.bulk_create(
            [Membership(user=u, agency=rows[n // members], role=Membership.Role.VIEWER) for n, u in enumerate(users)],
            batch_size=5000,
        )
        subs = Subscription.objects.bulk_create(
            [
                Subscription(
                    agency=agency,
                    name=f"{agency.code} {k}",
                    channel_webhook=bool(webhooks),
                    webhook_url=f"{url}/{agency.code}/{k}" if webhooks else "",
                    webhook_secret="bench-secret" if webhooks else "",
                )
                for agency in rows
                for k in range(max(webhooks, 1))
            ],
            batch_size=5000,
        )
        Through = Subscription.areas.through
        Through.objects.bulk_create(
            [Through(subscription_id=s.pk, area_id=self.city.pk) for s in subs], batch_size=5000
        )
        self.recipients = agencies * members
        self.webhooks = agencies * webhooks

    def log(self, headline: str = "Ancaman bom di pelabuhan") -> tuple[object, float]:
        """Log a threat; returns it and the time.monotonic() of its commit (before the publish)."""
        from django.db import transaction

        from agencies.models import Severity
        from incidents.models import Category
        from incidents.threats import services as threat_services

        committed: list[float] = []
        with transaction.atomic():
            # Registered first, so it runs at commit before threat_log's own on_commit publish.
            transaction.on_commit(lambda: committed.extend((time.monotonic(), time.time())))
            threat = threat_services.threat_log(
                actor=self.issuer,
                headline=headline,
                category=Category.objects.get(code="terrorism-threat"),
                areas=[self.city],
                severity=Severity.MODERATE,
            )
        threat.committed_wall = committed[1]
        return threat, committed[0]


@contextlib.contextmanager
def _fan_out_queued(how):
    """Swap what threat_log queues on commit (ours, the naive fan-out, or nothing)."""
    from incidents.threats import services as threat_services

    original = threat_services.queue_fan_out
    threat_services.queue_fan_out = how
    try:
        yield
    finally:
        threat_services.queue_fan_out = original


def _queue_naive(threat_id: int) -> None:
    from django.db import transaction

    transaction.on_commit(lambda: naive_fan_out.apply_async((threat_id,)))


def _deliveries(threat_id: int, **filters) -> int:
    from incidents.models import Delivery

    return Delivery.objects.filter(alert__threat_id=threat_id, **filters).count()


def _poll(predicate, *, interval: float, timeout: float, relative: float = 0.01) -> bool:
    """Poll until `predicate()`; the interval grows to `relative` x the time waited so far, so
    that polling (a query each time) stays ~1% of the measurement and does not compete for the
    CPUs with the worker it measures."""
    started = time.monotonic()
    deadline = started + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(max(interval, (time.monotonic() - started) * relative))
    return predicate()


# --- Measurements ---------------------------------------------------------------------------


def measure_ours(world: World) -> tuple[float, int]:
    """Commit of threat_log -> the worker's fan-out transaction committed (all rows at once)."""
    from incidents.models import Threat

    threat, committed = world.log()
    done = _poll(
        lambda: Threat.objects.filter(pk=threat.pk, fanned_out_revision__gte=1).exists(), interval=0.002, timeout=120
    )
    seconds = time.monotonic() - committed
    if not done:
        raise RuntimeError(f"threat {threat.pk} was not fanned out within 120 s")
    return seconds, threat.pk


def _alert_scans() -> tuple[int, int, int]:
    """(sequential scans, rows they read, index scans) of incidents_alert, from the statistics
    views: a count that the machine's load does not move, unlike the seconds."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT seq_scan, seq_tup_read, coalesce(idx_scan, 0) FROM pg_stat_user_tables"
            " WHERE relname = 'incidents_alert'"
        )
        return cursor.fetchone()


def measure_fresh(world: World, count: int) -> list[float]:
    """`count` fan-outs of FRESH_N in a row on a fresh database, each printed as it comes.

    Fresh as in production a minute after the first alerts: autovacuum has analyzed
    `incidents_alert` while it held a handful of rows (done here by an ANALYZE, since its
    naptime would make the run wait), and nothing analyzes it again during the run, while each
    fan-out adds N/100 alerts. The foreign-key checks of the deliveries are where that shows.
    """
    from django.db import connection

    from incidents.models import Alert

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE incidents_alert")
    print(
        f"  Fresh database: {count} consecutive fan-outs of {FRESH_N:,} recipients, commit -> recorded"
        f" (incidents_alert analyzed at {Alert.objects.count()} rows, as autovacuum leaves it):"
    )
    before = _alert_scans()
    runs = []
    for i in range(count):
        seconds, threat_id = measure_ours(world)
        runs.append(seconds)
        print(
            f"    fan-out {i + 1}: {seconds * 1000:6.0f} ms  ({_deliveries(threat_id):,} deliveries;"
            f" {Alert.objects.count():,} alerts in the table)",
            flush=True,
        )
    # The worker's backends report their counts when idle, within PostgreSQL's 10 s interval.
    time.sleep(11)
    after = _alert_scans()
    seq, rows, idx = (a - b for a, b in zip(after, before, strict=True))
    print(
        f"    incidents_alert over the {count} fan-outs: {seq:,} sequential scans reading {rows:,} rows,"
        f" {idx:,} index scans"
    )
    print()
    return runs


def measure_in_process(world: World, *, profile: bool) -> tuple[float, str]:
    """threat_fan_out called here, without broker or worker: the fan-out's own cost."""
    from incidents.threats import fanout

    with _fan_out_queued(lambda threat_id: None):
        threat, _committed = world.log()
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started = time.perf_counter()
    fanout.threat_fan_out(threat_id=threat.pk)
    seconds = time.perf_counter() - started
    if profiler is not None:
        import io
        import pstats

        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(18)
        lines = [f"  cProfile of threat_fan_out, {world.recipients:,} recipients (in-process):"]
        lines += ["    " + line for line in out.getvalue().splitlines() if line.strip()]
        return seconds, "\n".join(lines)
    return seconds, ""


FLOOR_SQL = """
    INSERT INTO incidents_delivery
        (alert_id, revision, channel, recipient_key, user_id, subscription_id, address,
         escalation_level, status, attempts, last_error, next_attempt_at, claimed_at,
         claim_token, sent_at, read_at, created_at)
    SELECT a.id, 1, 'in_app', 'user:' || CAST(m.user_id AS TEXT), m.user_id, NULL, '',
           0, 'sent', 0, '', now(), NULL, '', now(), NULL, now()
    FROM incidents_alert a
    JOIN agencies_membership m ON m.agency_id = a.agency_id AND m.is_active
    JOIN auth_user u ON u.id = m.user_id AND u.is_active
    WHERE a.threat_id = %s
    ON CONFLICT DO NOTHING
"""


def measure_floor(threat_id: int, n: int, runs: int = 3) -> float:
    """The same N rows with one INSERT ... SELECT (alerts already there), best of `runs`."""
    from django.db import connection, transaction

    best = float("inf")
    for _ in range(runs):
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM incidents_delivery"
                " WHERE alert_id IN (SELECT id FROM incidents_alert WHERE threat_id = %s)",
                [threat_id],
            )
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(FLOOR_SQL, [threat_id])
            inserted = cursor.rowcount
        best = min(best, time.perf_counter() - started)
        if inserted != n:
            raise RuntimeError(f"floor inserted {inserted} rows, expected {n}")
    return best


def measure_naive(world: World, *, timeout: float, redis_client, queue: str) -> tuple[float, bool]:
    """One task per recipient. Returns (seconds, extrapolated?)."""
    with _fan_out_queued(_queue_naive):
        threat, committed = world.log()
    n = world.recipients
    done = _poll(lambda: _deliveries(threat.pk) >= n, interval=0.05, timeout=timeout)
    seconds = time.monotonic() - committed
    if done:
        return seconds, False
    written = _deliveries(threat.pk)
    # Time-boxed: drop what is left in the queue, let the worker finish the few tasks it
    # holds, and extrapolate from the rate so far.
    redis_client.delete(queue)
    while True:
        time.sleep(1)
        now = _deliveries(threat.pk)
        if now == written:
            break
        written = now
    return seconds * n / max(written, 1), True


def measure_webhooks(world: World, receiver: Receiver) -> tuple[float, float, int]:
    """Commit -> every webhook delivery recorded sent. Returns (seconds, receiver req/s, received)."""
    before = receiver.count.value
    threat, committed = world.log()
    n = world.webhooks
    done = _poll(lambda: _deliveries(threat.pk, channel="webhook", status="sent") >= n, interval=0.05, timeout=300)
    seconds = time.monotonic() - committed
    if not done:
        raise RuntimeError(f"only {_deliveries(threat.pk, channel='webhook', status='sent')} of {n} webhooks sent")
    received = receiver.count.value - before
    return seconds, received / seconds, received


STAGES = (
    "commit -> alerts created (broker hop, lock, recipients)",
    "-> webhook deliveries inserted (phase 1 of the fan-out)",
    "-> webhook claimed (commit, queue, broker hop, claim)",
    "-> webhook received (load, sign, POST)",
)


def measure_latency(world: World, receiver: Receiver, threats: int) -> tuple[list[float], list[list[float]]]:
    """Commit of threat_log -> first webhook at the receiver, the worker idle in between (ms),
    and where the time went, from the timestamps the worker wrote (same machine, same clock)."""
    from incidents.models import Alert, Delivery

    samples, stages = [], []
    for n in range(threats):
        receiver.first_at.value = 0.0
        threat, _committed = world.log(headline=f"Latency {n}")
        if not _poll(lambda: receiver.first_at.value != 0.0, interval=0.001, timeout=30):
            raise RuntimeError(f"no webhook for threat {threat.pk} within 30 s")
        received = receiver.first_at.value
        samples.append((received - threat.committed_wall) * 1000)
        _poll(
            lambda t=threat.pk: _deliveries(t, channel="webhook", status="sent") >= world.webhooks,
            interval=0.01,
            timeout=30,
        )
        alerted = Alert.objects.filter(threat=threat).order_by("created_at").values_list("created_at", flat=True)[0]
        # The fan-out queues what travels before it writes the in-app rows (two phases), so the
        # stage ends when the webhook deliveries exist, not at the FANNED_OUT event.
        fanned = (
            Delivery.objects.filter(alert__threat=threat, channel="webhook")
            .order_by("created_at")
            .values_list("created_at", flat=True)[0]
        )
        claimed = (
            Delivery.objects.filter(alert__threat=threat, channel="webhook")
            .order_by("claimed_at")
            .values_list("claimed_at", flat=True)[0]
        )
        marks = [threat.committed_wall, alerted.timestamp(), fanned.timestamp(), claimed.timestamp(), received]
        stages.append([(b - a) * 1000 for a, b in zip(marks, marks[1:], strict=False)])
        time.sleep(0.2)  # idle: the next threat finds the worker waiting
    return samples, stages


# --- Output ---------------------------------------------------------------------------------


def _fmt_s(seconds: float | None, approx: bool = False) -> str:
    if seconds is None:
        return "-"
    return ("~" if approx else "") + (f"{seconds:.3f}" if seconds < 10 else f"{seconds:.1f}")


def _print_table(header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def fmt(cells):
        return "  " + "  ".join(str(c).rjust(w) for c, w in zip(cells, widths, strict=True))

    print(fmt(header))
    print(fmt(["-" * w for w in widths]))
    for row in rows:
        print(fmt(row))


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,50000", help="Recipient counts (multiples of 100).")
    parser.add_argument("--repeat", type=int, default=3, help="Runs of ours per size (the median is shown).")
    parser.add_argument("--naive-max", type=int, default=10000, help="Largest N the naive way runs for.")
    parser.add_argument("--naive-timeout", type=float, default=300, help="Seconds before the naive run is cut.")
    parser.add_argument("--webhooks", type=int, default=10000, help="Webhook deliveries (multiple of 100); 0 skips.")
    parser.add_argument("--latency-threats", type=int, default=100, help="Threats for the latency figures; 0 skips.")
    parser.add_argument("--profile", action="store_true", help="cProfile the in-process fan-out of the largest N.")
    parser.add_argument(
        "--server-url", default=None, help=f"PostgreSQL server (default: DATABASE_URL's, else {DEFAULT_SERVER_URL})."
    )
    parser.add_argument("--keep", action="store_true", help="Do not drop the database at the end.")
    parser.add_argument(
        "--fresh",
        type=int,
        default=8,
        help=f"Consecutive fan-outs of {FRESH_N:,} on the freshly migrated database, first of all (0 skips).",
    )
    parser.add_argument("--fresh-only", action="store_true", help="Only the fresh-database fan-outs.")
    args = parser.parse_args(argv)
    if args.fresh_only:
        args.sizes, args.webhooks, args.latency_threats = "", 0, 0
        args.fresh = args.fresh or 8
    sizes = sorted(int(s) for s in args.sizes.split(",") if s)

    # The receiver forks first, before Django opens connections or threads.
    ctx = multiprocessing.get_context("fork")
    receiver = Receiver(ctx)
    env_url = os.environ.get("DATABASE_URL", "")
    server = args.server_url or (env_url if env_url.startswith(("postgres", "pgsql", "psql")) else "")
    db = PostgresDatabase(server or DEFAULT_SERVER_URL)
    redis_url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    queue = f"bench-fanout-{uuid.uuid4().hex[:10]}"
    failures: list[str] = []
    worker: Worker | None = None
    workdir = Path(tempfile.mkdtemp(prefix="bench-fanout-"))
    redis_client = None
    db.create()
    try:
        _setup_django(db.url, redis_url, queue)
        import django
        import redis
        from django.contrib.auth import get_user_model
        from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
        from django.core.management import call_command

        from agencies.models import Agency, Area, Membership

        redis_client = redis.Redis.from_url(redis_url)
        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        migrate_seconds = time.perf_counter() - started
        receiver_capacity = receiver.capacity() if args.webhooks else 0.0

        worker = Worker(db_url=db.url, redis_url=redis_url, queue=queue, workdir=workdir)
        province = Area.objects.create(
            source_id=980_000, name="Kalimantan Timur", level=Area.Level.PROVINCE, path="/980000/"
        )
        issuer = Agency.objects.create(name="Polres Bontang", code="polres-bontang", kind=Agency.Kind.POLICE)
        alice = get_user_model().objects.create(username="alice", password=UNUSABLE_PASSWORD_PREFIX)
        Membership.objects.create(user=alice, agency=issuer, role=Membership.Role.LIAISON)
        started = time.perf_counter()
        worlds = {
            n: World(province, alice, agencies=n // MEMBERS_PER_AGENCY, members=MEMBERS_PER_AGENCY) for n in sizes
        }
        hooks = (
            World(province, alice, agencies=100, members=1, webhooks=args.webhooks // 100, url=receiver.url)
            if args.webhooks
            else None
        )
        latency_world = (
            World(province, alice, agencies=10, members=100, webhooks=1, url=receiver.url)
            if args.latency_threats
            else None
        )
        fresh_world = (
            World(province, alice, agencies=FRESH_N // MEMBERS_PER_AGENCY, members=MEMBERS_PER_AGENCY)
            if args.fresh
            else None
        )
        warm = World(province, alice, agencies=1, members=10)
        setup_seconds = time.perf_counter() - started
        worker.wait_ready()
        for _ in range(2 * WORKER_CONCURRENCY):  # warm both pool processes (imports, connections)
            measure_ours(warm)
        fresh_runs = measure_fresh(fresh_world, args.fresh) if fresh_world else []

        results, profile_text = [], ""
        for n in sizes:
            world = worlds[n]
            ours_runs, threat_id = [], None
            for _ in range(args.repeat):
                seconds, threat_id = measure_ours(world)
                if _deliveries(threat_id) != n:
                    failures.append(f"N={n}: {_deliveries(threat_id)} deliveries recorded, expected {n}")
                ours_runs.append(seconds)
            ours = statistics.median(ours_runs)
            floor = measure_floor(threat_id, n)
            in_process, profile_text = measure_in_process(world, profile=args.profile and n == sizes[-1])
            naive, approx = None, False
            if n <= args.naive_max:
                naive, approx = measure_naive(world, timeout=args.naive_timeout, redis_client=redis_client, queue=queue)
            results.append((n, ours, ours_runs, naive, approx, floor, in_process))
        # Beyond --naive-max: extrapolate from the largest measured naive rate (tasks a second).
        measured = [(n, naive) for n, _o, _r, naive, _a, _f, _i in results if naive is not None]
        if measured:
            rate_n, rate_s = measured[-1]
            results = [
                (n, o, r, naive if naive is not None else rate_s * n / rate_n, a or naive is None, f, i)
                for n, o, r, naive, a, f, i in results
            ]

        webhook_result = measure_webhooks(hooks, receiver) if hooks else None
        latencies, stages = (
            measure_latency(latency_world, receiver, args.latency_threats) if latency_world else ([], [])
        )

        load = os.getloadavg()
        print("Sinergi: fan-out benchmark")
        print(f"  database  {db.describe()}")
        print(f"  broker    Redis {redis_url}, queue {queue}")
        print(
            f"  worker    celery -A config worker --pool prefork -c {WORKER_CONCURRENCY} (one process group), "
            f"send batches {_batches()}"
        )
        print(
            f"  machine   {os.cpu_count()} CPU(s), Python {platform.python_version()}, Django {django.get_version()}, "
            f"load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1/5/15 min)"
        )
        print(f"  setup     migrate {migrate_seconds:.1f} s, worlds {setup_seconds:.1f} s (not counted)")
        print()
        print("  Threat logged -> every delivery recorded (in-app), seconds")
        rows = []
        for n, ours, runs, naive, approx, floor, in_process in results:
            rows.append(
                [
                    f"{n:,}",
                    _fmt_s(ours),
                    _fmt_s(naive, approx),
                    f"{floor:.3f}",
                    f"{in_process:.3f}",
                    f"{naive / ours:,.0f}x" if naive else "-",
                    f"{ours / floor:.1f}x",
                    " ".join(f"{r:.3f}" for r in runs),
                ]
            )
        _print_table(
            [
                "N",
                "ours s",
                "naive s",
                "floor s",
                "in-proc s",
                "ours vs naive (faster)",
                "ours vs floor (slower)",
                "ours runs",
            ],
            rows,
        )
        if any(approx for _n, _o, _r, _naive, approx, _f, _i in results):
            print(
                f"  ~ naive extrapolated: runs beyond --naive-max {args.naive_max:,} or --naive-timeout "
                f"{args.naive_timeout:.0f} s use the rate measured at the largest naive run"
            )
        print("  in-proc: threat_fan_out called in this process (no broker hop, no worker): the fan-out's own cost")
        print()
        verdicts = []
        if fresh_runs:
            spread = max(fresh_runs) / min(fresh_runs)
            label = (
                f"fresh database: slowest of {len(fresh_runs)} fan-outs within {TARGET_FRESH_SPREAD:g}x of the fastest"
            )
            value = f"{spread:.1f}x ({min(fresh_runs) * 1000:.0f}-{max(fresh_runs) * 1000:.0f} ms)"
            verdicts.append((label, spread <= TARGET_FRESH_SPREAD, value))
        by_n = {r[0]: r for r in results}
        if 10000 in by_n:
            ours = by_n[10000][1]
            verdicts.append(
                (f"10,000 recipients under {TARGET_10K_SECONDS:g} s", ours < TARGET_10K_SECONDS, f"{ours:.3f} s")
            )
        for n, ours, _runs, naive, approx, floor, _i in results:
            if naive:
                value = f"{naive / ours:,.0f}x" + (" (naive extrapolated)" if approx else "")
                label = f"N={n:,}: at least {TARGET_VS_NAIVE:g}x faster than naive"
                verdicts.append((label, naive / ours >= TARGET_VS_NAIVE, value))
            label = f"N={n:,}: within {TARGET_VS_FLOOR:g}x of the floor"
            verdicts.append((label, ours / floor <= TARGET_VS_FLOOR, f"{ours / floor:.1f}x"))
        if webhook_result:
            seconds, rate, received = webhook_result
            print(
                f"  Webhooks: {args.webhooks:,} deliveries, commit -> all sent: {seconds:.2f} s "
                f"({args.webhooks / seconds:,.0f}/s; receiver got {received:,}, its capacity "
                f"{receiver_capacity:,.0f} req/s with 2 raw keep-alive clients: "
                f"{'not' if rate < 0.5 * receiver_capacity else 'possibly'} the bottleneck)"
            )
            label = f"{args.webhooks:,} webhooks under {TARGET_WEBHOOKS_SECONDS:g} s"
            verdicts.append((label, seconds < TARGET_WEBHOOKS_SECONDS, f"{seconds:.2f} s"))
            if received != args.webhooks:
                failures.append(f"the receiver got {received} webhook requests, expected {args.webhooks}")
        if latencies:
            cuts = statistics.quantiles(latencies, n=100, method="inclusive")
            p50, p99 = statistics.median(latencies), cuts[98]
            print(
                f"  Partner latency: commit of threat_log -> first webhook received, {len(latencies)} threats "
                f"({latency_world.recipients:,} in-app + {latency_world.webhooks} webhook recipients each): "
                f"p50 {p50:.0f} ms, p90 {cuts[89]:.0f} ms, p99 {p99:.0f} ms, max {max(latencies):.0f} ms"
            )
            for k, label in enumerate(STAGES):
                values = [row[k] for row in stages]
                print(f"    {label:<56} median {statistics.median(values):6.1f} ms, max {max(values):6.1f} ms")
            verdicts.append((f"latency p50 under {TARGET_P50_MS:g} ms", p50 < TARGET_P50_MS, f"{p50:.0f} ms"))
            verdicts.append((f"latency p99 under {TARGET_P99_MS:g} ms", p99 < TARGET_P99_MS, f"{p99:.0f} ms"))
        if profile_text:
            print()
            print(profile_text)
        print()
        print("  Targets")
        for label, ok, value in verdicts:
            print(f"    {_verdict(ok)}  {label}: {value}")
        if load[0] > (os.cpu_count() or 1):
            print(f"  note: load average {load[0]:.1f} > {os.cpu_count()} CPUs: other work shared the machine")
        failures.extend(f"target missed: {label} ({value})" for label, ok, value in verdicts if not ok)
    finally:
        if worker is not None:
            worker.stop()
        receiver.stop()
        if redis_client is not None:
            with contextlib.suppress(Exception):
                redis_client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        if args.keep:
            print(f"  kept: {db.url}")
        else:
            db.drop()

    for failure in failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    return 1 if failures else 0


def _batches() -> str:
    from incidents.threats.fanout import SEND_BATCH

    return ", ".join(f"{k} {v}" for k, v in SEND_BATCH.items())


if __name__ == "__main__":
    sys.exit(main())
