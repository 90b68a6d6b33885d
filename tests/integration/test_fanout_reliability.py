"""The fan-out of a threat against real PostgreSQL, Redis and Celery workers (issue 4, "Reliability").

What the fan-out guarantees, and what these tests hold it to:

- In the database, exactly once: one Delivery per (alert, revision, channel, recipient), by a
  unique index, whatever crashes and retries happen; every delivery ends in a final state (sent,
  or failed after its bound), none is lost, because the sweep finds whatever a lost message or a
  dead worker left behind.
- On the wire, at least once: a sender records "sent" after the receiver answered, so a worker
  killed between the two sends those deliveries again. Receivers dedupe on X-Sinergi-Delivery
  (the delivery's id, the same on every attempt). The duplicates are bounded by what the dead
  worker had claimed (state "sending"): at most its concurrency x the batch size.

Each test aims at ~30 s at most (the SIGKILL one takes ~12 s on a quiet 2-CPU machine) and
cleans up its processes, threads and servers in finally blocks.
"""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import redis
from django.contrib.auth import get_user_model
from django.core import mail
from django.db.models import Count, F

from agencies.models import Agency, Membership, Severity, Subscription
from incidents.models import Alert, Delivery, Threat
from incidents.threats import escalation, fanout, tasks
from incidents.threats import services as threat_services
from incidents.threats.transports import DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, webhook_verify
from tests.factories import AgencyFactory, AreaFactory, MembershipFactory, category
from tests.integration.waiting import wait_until

from .conftest import broker_pool_reset

pytestmark = pytest.mark.integration

D = Delivery.Status
SECRET = "test-signing-secret"
WAIT_SECONDS = 30


def _wait_until(predicate, *, timeout: float = WAIT_SECONDS, interval: float = 0.1) -> bool:
    return wait_until(predicate, timeout=timeout, interval=interval)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- A world of recipients, in bulk ---------------------------------------------------------


@dataclass
class World:
    area: object
    alice: object  # liaison of the issuing agency
    agencies: list[Agency]
    users: list[object]
    subscriptions: list[Subscription]


def _world(
    *,
    agencies: int,
    members: int,
    email: bool = False,
    webhooks_per_agency: int = 0,
    webhook_url: str = "",
) -> World:
    """`agencies` agencies subscribed to one city, `members` liaisons each, written in bulk
    (factories take ~10 s for 1,000 users). Each subscription may carry email and a webhook."""
    province = AreaFactory(name="Kalimantan Timur")
    city = AreaFactory(name="Kota Bontang", parent=province, code="BON")
    issuer = AgencyFactory(name="Polres Bontang", code="polres-bontang", jurisdiction=[city])
    alice = MembershipFactory(agency=issuer, role=Membership.Role.LIAISON).user

    rows = Agency.objects.bulk_create(
        [Agency(name=f"Agency {i:04d}", code=f"agency-{i:04d}", kind=Agency.Kind.FIRE) for i in range(agencies)]
    )
    User = get_user_model()
    users = User.objects.bulk_create(
        [
            User(username=f"u{i:04d}-{j:03d}", email=f"u{i:04d}-{j:03d}@example.test", password="!")
            for i in range(agencies)
            for j in range(members)
        ]
    )
    Membership.objects.bulk_create(
        [
            Membership(user=user, agency=rows[n // members], role=Membership.Role.LIAISON, phone="+6281234567890")
            for n, user in enumerate(users)
        ]
    )
    subs = Subscription.objects.bulk_create(
        [
            Subscription(
                agency=agency,
                name=f"{agency.code} {k}",
                channel_email=email,
                channel_webhook=bool(webhooks_per_agency),
                webhook_url=f"{webhook_url}/{agency.code}/{k}" if webhooks_per_agency else "",
                webhook_secret=SECRET if webhooks_per_agency else "",
            )
            for agency in rows
            for k in range(max(webhooks_per_agency, 1))
        ]
    )
    Through = Subscription.areas.through
    Through.objects.bulk_create([Through(subscription_id=s.pk, area_id=city.pk) for s in subs])
    return World(area=city, alice=alice, agencies=rows, users=users, subscriptions=subs)


def _log(world: World, headline: str = "Ancaman bom di pelabuhan") -> Threat:
    """threat_log as the liaison does it: its own transaction, the fan-out queued on commit
    (the test runs on transactional_db, so on_commit callbacks run for real)."""
    return threat_services.threat_log(
        actor=world.alice,
        headline=headline,
        category=category("terrorism-threat"),
        areas=[world.area],
        severity=Severity.MODERATE,
    )


def _statuses(threat: Threat, channel: str) -> Counter:
    return Counter(Delivery.objects.filter(alert__threat=threat, channel=channel).values_list("status", flat=True))


def _no_duplicate_rows(threat: Threat) -> bool:
    return not (
        Delivery.objects.filter(alert__threat=threat)
        .values("alert_id", "revision", "channel", "recipient_key")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .exists()
    )


# --- A webhook receiver ---------------------------------------------------------------------


@dataclass
class Hit:
    path: str
    delivery: int
    arrival: int  # 1 for the first request of this delivery, 2 for the next...
    status: int  # what the receiver answered (or meant to: "slow" answers after the sender left)
    signed: bool  # complete and correctly signed: what a verifying receiver accepts


@dataclass
class Receiver:
    """A real HTTP server on 127.0.0.1 in threads. `script` maps a path prefix to the answers
    to the successive requests of one delivery (the last repeats): an HTTP status, or "slow"
    (sleep past the sender's timeout, then 504). Other paths answer 200 after `delay` seconds."""

    delay: float = 0.0
    slow_seconds: float = 1.5
    script: dict[str, list] = field(default_factory=dict)
    hits: list[Hit] = field(default_factory=list)
    arrivals: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    def answer(self, path: str, headers, body: bytes) -> int:
        delivery = int(headers.get(DELIVERY_HEADER, "0"))
        signed = webhook_verify(
            secret=SECRET,
            timestamp=headers.get(TIMESTAMP_HEADER, ""),
            body=body,
            signature=headers.get(SIGNATURE_HEADER, ""),
        )
        with self.lock:  # counted on arrival: a slow answer is still pending when the retry comes
            seen = self.arrivals[delivery]
            self.arrivals[delivery] += 1
        plan = next((p for prefix, p in self.script.items() if path.startswith(prefix)), [200])
        action = plan[min(seen, len(plan) - 1)]
        if action == "slow":
            time.sleep(self.slow_seconds)
            status = 504
        else:
            if self.delay:
                time.sleep(self.delay)
            status = int(action)
        with self.lock:
            self.hits.append(Hit(path=path, delivery=delivery, arrival=seen + 1, status=status, signed=signed))
        return status

    def received(self) -> Counter:
        """How many times each delivery arrived whole and signed."""
        with self.lock:
            return Counter(h.delivery for h in self.hits if h.signed)

    def for_delivery(self, delivery_id: int) -> list[Hit]:
        """The requests of one delivery that were answered, in order of arrival."""
        with self.lock:
            return sorted((h for h in self.hits if h.delivery == delivery_id), key=lambda h: h.arrival)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: the sender reuses one session per batch

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        status = self.server.receiver.answer(self.path, self.headers, body)
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        pass  # a sender that timed out or was killed closed its end: expected here


@pytest.fixture
def receiver(settings, monkeypatch) -> Iterator[Receiver]:
    # Webhooks go to public addresses only; this receiver is on loopback (and so are the
    # worker processes started after it, which read the environment).
    settings.SINERGI_WEBHOOK_ALLOW_PRIVATE = True
    monkeypatch.setenv("SINERGI_WEBHOOK_ALLOW_PRIVATE", "1")
    rec = Receiver()
    server = _Server(("127.0.0.1", 0), _Handler)
    server.receiver = rec
    rec.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield rec
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# --- 1. A thousand recipients, end to end ---------------------------------------------------


def test_a_threat_reaches_1000_recipients_exactly_once(celery_worker, celery_routed):
    world = _world(agencies=100, members=10, email=True)
    emails = sorted(u.email for u in world.users)

    threat = _log(world)

    assert _wait_until(lambda: _statuses(threat, "email")[D.SENT] == 1000), (
        f"email deliveries after {WAIT_SECONDS} s: {_statuses(threat, 'email')}"
    )
    threat.refresh_from_db()
    assert threat.fanned_out_revision == threat.revision == 1
    assert Alert.objects.filter(threat=threat).count() == 100
    assert _statuses(threat, "in_app") == Counter({D.SENT: 1000})
    assert _statuses(threat, "email") == Counter({D.SENT: 1000})
    assert _no_duplicate_rows(threat)
    for channel in ("in_app", "email"):
        users = list(Delivery.objects.filter(alert__threat=threat, channel=channel).values_list("user_id", flat=True))
        assert sorted(users) == sorted(u.pk for u in world.users), channel
    assert set(Delivery.objects.filter(channel="email").values_list("attempts", flat=True)) == {1}
    # The worker thread shares this process, so its locmem outbox is ours: one email each.
    assert sorted(m.to[0] for m in mail.outbox) == emails

    # Nothing is left for the safety net, and running it sends nothing twice.
    result = escalation.alerts_sweep()
    assert (result.fanned_out, result.requeued) == (0, 0)
    time.sleep(0.5)
    assert len(mail.outbox) == 1000


# --- 2. A worker killed with SIGKILL in the middle ------------------------------------------

# The worker process's limits: `alerts_sweep` takes a delivery claimed longer than
# CELERY_TASK_TIME_LIMIT + 30 s ago as abandoned, so the test must run it with the same value.
TIME_LIMIT = 20
WORKER_ENV = {
    "CELERY_TASK_TIME_LIMIT": TIME_LIMIT,
    "CELERY_TASK_SOFT_TIME_LIMIT": 15,
    "SINERGI_WEBHOOK_TIMEOUT": 5,
    "DATABASE_CONN_MAX_AGE": 0,
}


def test_a_worker_killed_mid_fan_out_loses_no_delivery(celery_worker_process, celery_routed, receiver, settings):
    settings.CELERY_TASK_TIME_LIMIT = WORKER_ENV["CELERY_TASK_TIME_LIMIT"]
    settings.CELERY_TASK_SOFT_TIME_LIMIT = WORKER_ENV["CELERY_TASK_SOFT_TIME_LIMIT"]
    settings.SINERGI_SWEEP_GRACE_SECONDS = 0
    # 1,000 webhooks at 10 ms each on 2 processes: a batch of 200 takes ~3 s, the run ~8 s.
    receiver.delay = 0.01
    world = _world(agencies=100, members=1, webhooks_per_agency=10, webhook_url=receiver.url)
    batch = fanout.SEND_BATCH[Delivery.Channel.WEBHOOK]
    concurrency = 2
    first = celery_worker_process(concurrency=concurrency, env=WORKER_ENV)

    threat = _log(world)

    # Kill once two batches are recorded and the next two are half-way through.
    assert _wait_until(lambda: len(receiver.received()) >= 2 * batch + batch // 4, timeout=25), (
        f"received {len(receiver.received())}; worker log:\n{first.log()[-2000:]}"
    )
    first.kill()
    webhooks = Delivery.objects.filter(alert__threat=threat, channel="webhook")
    at_kill = Counter(webhooks.values_list("status", flat=True))
    in_flight = set(webhooks.filter(status=D.SENDING).values_list("pk", flat=True))
    assert webhooks.count() == 1000
    assert 0 < at_kill[D.SENT] < 1000 and in_flight, f"the kill did not land mid-way: {at_kill}"
    assert len(in_flight) <= concurrency * batch

    second = celery_worker_process(concurrency=concurrency, env=WORKER_ENV)
    # The sweep gives a claimed delivery back only once it is older than any task may run
    # (CELERY_TASK_TIME_LIMIT + 30 s), since a slow worker and a dead one look alike. Rather
    # than wait 50 s, move the dead worker's claims back in time (only those: the new worker
    # may be claiming rows already); everything else is real.
    webhooks.filter(pk__in=in_flight).update(claimed_at=F("claimed_at") - timedelta(seconds=TIME_LIMIT + 31))
    result = escalation.alerts_sweep()
    assert result.requeued >= len(in_flight)

    assert _wait_until(lambda: _statuses(threat, "webhook")[D.SENT] == 1000), (
        f"{_statuses(threat, 'webhook')}; worker log:\n{second.log()[-2000:]}"
    )
    # The database: every delivery once, sent once. Those the dead worker held took 2 attempts.
    assert _no_duplicate_rows(threat)
    attempts = dict(webhooks.values_list("pk", "attempts"))
    assert {pk for pk, n in attempts.items() if n != 1} <= in_flight
    assert all(attempts[pk] == 2 for pk in in_flight)
    # The wire: none lost; duplicates only among what the dead worker had claimed (it sent them
    # but died before recording it), each at most twice; the rest exactly once. Receivers tell
    # them apart by X-Sinergi-Delivery.
    received = receiver.received()
    assert set(received) == set(attempts), "a delivery never reached the receiver"
    duplicates = {pk: n for pk, n in received.items() if n > 1}
    assert set(duplicates) <= in_flight
    assert set(duplicates.values()) <= {2}
    assert len(duplicates) <= concurrency * batch
    # A request cut off by the kill arrives incomplete, fails the signature, and is not counted.
    assert {h.delivery for h in receiver.hits if not h.signed} <= in_flight


# --- 3. Redis down while a liaison logs a threat --------------------------------------------


class PrivateRedis:
    """A redis-server of this test's own on a spare port (never the shared one)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        assert _wait_until(lambda: _pings(client), timeout=10), "redis-server did not start"

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.proc = None


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False


@pytest.fixture
def private_broker(settings) -> Iterator[PrivateRedis]:
    """Point the Celery app at a redis-server of this test's own."""
    from config.celery import app

    server = PrivateRedis(_free_port())
    server.start()
    settings.CELERY_BROKER_URL = server.url
    broker_pool_reset(app)
    try:
        yield server
    finally:
        server.kill()
        broker_pool_reset(app, close=True)
        # The settings fixture restores the URL after this; the next publish connects to it.


# The liaison's request must not wait on a dead broker: the service publishes with
# retry=False, but kombu's connection setup retries by itself for broker_connection_timeout
# (~6 s) unless CELERY_BROKER_TRANSPORT_OPTIONS carries "max_retries": 0.
REQUEST_BOUND_SECONDS = 5.0


def test_a_threat_logged_while_redis_is_down_goes_out_after_it_is_back(
    celery_worker_factory, celery_routed, private_broker, settings
):
    from config.celery import app

    settings.SINERGI_SWEEP_GRACE_SECONDS = 0
    world = _world(agencies=5, members=2, email=True)
    # The web process was publishing fine before Redis died: it holds a pooled connection.
    with app.pool.acquire(block=True, timeout=5) as conn:
        conn.ensure_connection(max_retries=1)
    private_broker.kill()

    threats, took = [], []
    for n in range(2):  # the first publish fails on the pooled connection, the next connects afresh
        started = time.monotonic()
        threats.append(_log(world, headline=f"Ancaman {n}"))
        took.append(time.monotonic() - started)

    assert max(took) < REQUEST_BOUND_SECONDS, (
        f"threat_log took {took} s with the broker down: add 'max_retries': 0 to CELERY_BROKER_TRANSPORT_OPTIONS"
    )
    for threat in threats:
        threat.refresh_from_db()
        assert (threat.revision, threat.fanned_out_revision) == (1, 0)
    assert not Alert.objects.exists() and not Delivery.objects.exists()

    private_broker.start()  # the same port: the same broker URL, empty
    with celery_worker_factory():
        tasks.alerts_sweep.delay()  # what beat does every SINERGI_SWEEP_EVERY seconds
        assert _wait_until(lambda: Delivery.objects.filter(channel="email", status=D.SENT).count() == 20), Counter(
            Delivery.objects.values_list("channel", "status")
        )
    for threat in threats:
        threat.refresh_from_db()
        assert threat.fanned_out_revision == 1
        assert Alert.objects.filter(threat=threat).count() == 5
        assert _statuses(threat, "in_app") == Counter({D.SENT: 10})
        assert _statuses(threat, "email") == Counter({D.SENT: 10})
    assert len(mail.outbox) == 20


# --- 4. A receiver that fails, times out and recovers ---------------------------------------


@pytest.fixture
def one_webhook(receiver, settings):
    """A world with one subscribed agency whose webhook points at `receiver` under `path`."""
    settings.SINERGI_WEBHOOK_TIMEOUT = 0.5
    settings.SINERGI_RETRY_BASE_SECONDS = 0.2

    def _make(path: str, script: list) -> World:
        receiver.script[path] = script
        return _world(agencies=1, members=1, webhooks_per_agency=1, webhook_url=receiver.url + path)

    return _make


def _final_webhook(threat: Threat) -> Delivery:
    def done() -> bool:
        return Delivery.objects.filter(alert__threat=threat, channel="webhook", status__in=[D.SENT, D.FAILED]).exists()

    assert _wait_until(done, timeout=20), list(Delivery.objects.filter(channel="webhook").values())
    return Delivery.objects.get(alert__threat=threat, channel="webhook")


def test_a_webhook_that_fails_then_times_out_then_recovers_is_delivered_once(
    celery_worker, celery_routed, receiver, one_webhook
):
    world = one_webhook("/flaky", [500, "slow", 200])

    delivery = _final_webhook(_log(world))

    assert (delivery.status, delivery.attempts, delivery.last_error, delivery.next_attempt_at) == (D.SENT, 3, "", None)
    # The slow answer is recorded when its handler wakes up, after the sender moved on.
    assert _wait_until(lambda: len(receiver.for_delivery(delivery.pk)) == 3, timeout=5)
    hits = receiver.for_delivery(delivery.pk)
    assert [h.status for h in hits] == [500, 504, 200]  # 504: the slow answer the sender had given up on
    assert all(h.path.startswith("/flaky/") and h.signed for h in hits)


def test_a_webhook_answered_410_fails_at_once(celery_worker, celery_routed, receiver, one_webhook):
    world = one_webhook("/gone", [410])

    delivery = _final_webhook(_log(world))

    assert (delivery.status, delivery.attempts, delivery.last_error) == (D.FAILED, 1, "HTTP 410")
    time.sleep(1)  # longer than any retry the backoff could have scheduled
    assert [h.status for h in receiver.for_delivery(delivery.pk)] == [410]


def test_a_webhook_answered_429_is_retried(celery_worker, celery_routed, receiver, one_webhook):
    world = one_webhook("/busy", [429, 200])

    delivery = _final_webhook(_log(world))

    assert (delivery.status, delivery.attempts, delivery.last_error) == (D.SENT, 2, "")
    assert [h.status for h in receiver.for_delivery(delivery.pk)] == [429, 200]
