"""Channel senders: email, SMS and webhooks. They know nothing of the database; the delivery
services claim rows, call these, and record the outcome.

A `TransportError` is permanent (the recipient refused: a 4xx, a bad address) or temporary
(a timeout, a 5xx, a 429, a connection refused), as healthchecks' transports distinguish them:
permanent errors fail at once, temporary ones retry with backoff.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

import requests
import urllib3
from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from agencies.validators import address_is_public, private_webhooks_allowed


class TransportError(Exception):
    def __init__(self, message: str, *, permanent: bool = False, answer: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.answer = answer  # the start of what the receiver answered, when it answered


# How much of a receiver's answer is kept to show (a test alert's result page).
ANSWER_EXCERPT = 300


def answer_excerpt(data: bytes | str | None) -> str:
    """The start of a receiver's answer as text, for a person to read."""
    if not data:
        return ""
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    return text[:ANSWER_EXCERPT]


# --- Webhooks ------------------------------------------------------------------------------

SIGNATURE_HEADER = "X-Sinergi-Signature"
TIMESTAMP_HEADER = "X-Sinergi-Timestamp"
DELIVERY_HEADER = "X-Sinergi-Delivery"
EVENT_HEADER = "X-Sinergi-Event"


def webhook_signature(*, secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over "<timestamp>.<body>", hex, prefixed "sha256=" (see the README)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def webhook_verify(*, secret: str, timestamp: str, body: bytes, signature: str, tolerance: int = 300) -> bool:
    """What a receiver does: constant-time compare, and refuse stale timestamps (replays)."""
    try:
        age = abs(time.time() - int(timestamp))
    except ValueError:
        return False
    return age <= tolerance and hmac.compare_digest(
        webhook_signature(secret=secret, timestamp=timestamp, body=body), signature
    )


_POOL: urllib3.PoolManager | None = None


def webhook_pool() -> urllib3.PoolManager:
    """One connection pool per process, shared by the sending threads (urllib3 is thread-safe).

    urllib3 rather than requests: requests costs about twice the CPU per POST (a proxy lookup
    in os.environ, hooks, cookie jars) and a worker sends thousands of them a minute.
    """
    global _POOL
    if _POOL is None:
        _POOL = urllib3.PoolManager(num_pools=64, maxsize=WEBHOOK_THREADS, block=False, retries=False)
    return _POOL


WEBHOOK_THREADS = 8


def webhook_post(
    *,
    url: str,
    secret: str,
    payload: dict[str, Any],
    delivery_id: int,
    event: str,
    timeout: float | None = None,
    pool: urllib3.PoolManager | None = None,
) -> tuple[int, str]:
    """POST the JSON payload, signed. Returns the HTTP status and the start of the answer;
    raises TransportError on anything but a 2xx."""
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Sinergi-Webhook/1.0",
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: webhook_signature(secret=secret, timestamp=timestamp, body=body),
        DELIVERY_HEADER: str(delivery_id),
        EVENT_HEADER: event,
    }
    timeout = timeout if timeout is not None else float(getattr(settings, "SINERGI_WEBHOOK_TIMEOUT", 5))
    pool = pool or webhook_pool()
    try:
        if private_webhooks_allowed():
            response = pool.request(
                "POST", url, body=body, headers=headers, timeout=urllib3.Timeout(total=timeout), redirect=False
            )
        else:
            response = _post_pinned(pool, url, body=body, headers=headers, timeout=timeout)
    except urllib3.exceptions.TimeoutError:
        raise TransportError(f"timed out after {timeout:g} s") from None
    except (urllib3.exceptions.HTTPError, ValueError) as exc:
        raise TransportError(f"connection failed: {exc.__class__.__name__}") from None
    status = response.status
    answer = answer_excerpt(response.data)
    if 200 <= status < 300:
        return status, answer
    # 4xx means the receiver refuses this request as it is: sending it again changes nothing.
    # 429 (slow down) and 5xx (the receiver is unwell) are worth another try later.
    permanent = 400 <= status < 500 and status != 429
    raise TransportError(f"HTTP {status}", permanent=permanent, answer=answer)


# Where each webhook host resolved, and when: a fan-out sends thousands of webhooks to a few
# hosts, and asking the resolver each time would cost more than the POST.
_RESOLVED: dict[tuple[str, int], tuple[float, str]] = {}
RESOLVE_TTL = 60.0


def resolve_public(host: str, port: int) -> str:
    """An address of `host`, when every address it has is public; else a permanent
    TransportError (a name that once resolved to a partner can be pointed at the portal's
    own network later: it is checked at each send, not only when the URL is saved)."""
    cached = _RESOLVED.get((host, port))
    if cached is not None and time.monotonic() - cached[0] < RESOLVE_TTL:
        return cached[1]
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise TransportError(f"cannot resolve {host}") from None  # perhaps a passing DNS failure
    addresses = [str(info[4][0]) for info in infos]
    refused = [address for address in addresses if not address_is_public(address)]
    if refused or not addresses:
        raise TransportError(f"{host} resolves to a non-public address ({', '.join(refused)})", permanent=True)
    _RESOLVED[(host, port)] = (time.monotonic(), addresses[0])
    return addresses[0]


def _post_pinned(
    pool: urllib3.PoolManager, url: str, *, body: bytes, headers: dict[str, str], timeout: float
) -> urllib3.BaseHTTPResponse:
    """POST to the address resolve_public checked, not to whatever the name resolves to a
    moment later (DNS rebinding): the connection goes to that address, while the Host header,
    TLS server name and certificate check keep the URL's host name."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TransportError("not an http(s) URL", permanent=True)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = resolve_public(parts.hostname, port)
    pool_kwargs = {"server_hostname": parts.hostname, "assert_hostname": parts.hostname}
    connection = pool.connection_from_host(
        address, port=port, scheme=parts.scheme, pool_kwargs=pool_kwargs if parts.scheme == "https" else None
    )
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return connection.urlopen(
        "POST",
        target,
        body=body,
        headers={**headers, "Host": parts.netloc},
        timeout=urllib3.Timeout(total=timeout),
        redirect=False,
        retries=False,
    )


# --- Email ---------------------------------------------------------------------------------


@dataclass
class OutgoingEmail:
    key: int
    to: str
    subject: str
    body: str
    # (file name, content, MIME type): a meeting's invitation carries its .ics.
    attachments: tuple[tuple[str, bytes, str], ...] = ()


def email_send_batch(messages: Sequence[OutgoingEmail]) -> dict[int, TransportError | None]:
    """Send a batch through one SMTP connection; the outcome of each message by its key."""
    outcome: dict[int, TransportError | None] = {}
    if not messages:
        return outcome
    try:
        connection = get_connection(fail_silently=False, timeout=getattr(settings, "EMAIL_TIMEOUT", 10))
        connection.open()
    except Exception as exc:  # noqa: BLE001 - any failure to connect is temporary
        return {m.key: TransportError(f"SMTP connection failed: {exc.__class__.__name__}") for m in messages}
    try:
        for m in messages:
            if not m.to or "@" not in m.to:
                outcome[m.key] = TransportError("no valid email address", permanent=True)
                continue
            try:
                EmailMessage(
                    m.subject, m.body, to=[m.to], connection=connection, attachments=list(m.attachments)
                ).send()
                outcome[m.key] = None
            except Exception as exc:  # noqa: BLE001 - smtplib raises many kinds
                permanent = exc.__class__.__name__ in ("SMTPRecipientsRefused", "SMTPNotSupportedError")
                outcome[m.key] = TransportError(f"SMTP: {exc.__class__.__name__}", permanent=permanent)
    finally:
        with contextlib.suppress(Exception):  # closing a broken connection
            connection.close()
    return outcome


# --- SMS -----------------------------------------------------------------------------------


class SmsGateway(Protocol):
    def send(self, *, to: str, text: str) -> str:
        """Send one SMS (returning what the gateway answered) or raise TransportError."""


class HttpSmsGateway:
    """A generic HTTP SMS gateway: POST {"to": ..., "text": ...} with a bearer token.

    Most Indonesian SMS aggregators take this shape; `SINERGI_SMS_GATEWAY_URL` and
    `SINERGI_SMS_GATEWAY_TOKEN` configure it.
    """

    def __init__(self, url: str, token: str = "", timeout: float = 10.0, session: requests.Session | None = None):
        self.url = url
        self.token = token
        self.timeout = timeout
        self.session = session or requests.Session()

    def send(self, *, to: str, text: str) -> str:
        if not to:
            raise TransportError("no phone number", permanent=True)
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        try:
            response = self.session.post(
                self.url, json={"to": to, "text": text[:459]}, headers=headers, timeout=self.timeout
            )
        except requests.Timeout:
            raise TransportError("SMS gateway timed out") from None
        except requests.RequestException as exc:
            raise TransportError(f"SMS gateway unreachable: {exc.__class__.__name__}") from None
        if response.status_code >= 300:
            permanent = 400 <= response.status_code < 500 and response.status_code != 429
            raise TransportError(
                f"SMS gateway HTTP {response.status_code}", permanent=permanent, answer=answer_excerpt(response.text)
            )
        return f"HTTP {response.status_code} {answer_excerpt(response.text)}".strip()


class ConsoleSmsGateway:
    """Development default: prints the SMS instead of sending it."""

    sent: list[tuple[str, str]] = []

    def send(self, *, to: str, text: str) -> str:
        if not to:
            raise TransportError("no phone number", permanent=True)
        ConsoleSmsGateway.sent.append((to, text))
        print(f"[SMS to {to}] {text}")  # noqa: T201
        return "console: printed, not sent (no SMS gateway configured)"


def sms_gateway() -> SmsGateway:
    url = getattr(settings, "SINERGI_SMS_GATEWAY_URL", "")
    if url:
        return HttpSmsGateway(
            url,
            token=getattr(settings, "SINERGI_SMS_GATEWAY_TOKEN", ""),
            timeout=float(getattr(settings, "SINERGI_SMS_TIMEOUT", 10)),
        )
    return ConsoleSmsGateway()
