"""Outgoing requests of the CAP feeds, under the webhook rules (incidents/threats/transports.py):

- public addresses only: the host name is resolved at each request, every address it has must
  be public (`agencies.validators.address_is_public`), and the connection goes to the address
  that was checked (pinned: DNS rebinding cannot swap it between the check and the request),
  while the Host header, TLS server name and certificate check keep the URL's name;
- on a closed network, `SINERGI_CAP_FEEDS_ALLOW_NETWORKS` lists the networks (CIDR) allowed
  besides the public internet (the tests' 127.0.0.0/8);
- redirects are followed by hand, at most MAX_REDIRECTS, each target checked as above;
- bounded time (`SINERGI_CAP_FEEDS_TIMEOUT`, a deadline for the whole response, not per read)
  and size (`SINERGI_CAP_FEEDS_MAX_BYTES`, refused as soon as it is passed).
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import urllib3
from django.conf import settings

from agencies.validators import address_is_public

MAX_REDIRECTS = 3
USER_AGENT = "Sinergi-CAP/1.0"
READ_CHUNK = 64 * 1024


class FetchError(Exception):
    """A request that did not give a document: a timeout, a refused address, a 4xx/5xx, too big."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class FetchResult:
    status: int  # 200 or 304
    body: bytes
    etag: str
    last_modified: str
    url: str  # after redirects
    requests: int  # HTTP requests made (redirects count)


_POOL: urllib3.PoolManager | None = None


def fetch_pool() -> urllib3.PoolManager:
    """One pool per process (thread-safe): a poll reuses its connections to a host (keep-alive)."""
    global _POOL
    if _POOL is None:
        _POOL = urllib3.PoolManager(num_pools=128, maxsize=4, block=False, retries=False)
    return _POOL


def _allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(n, strict=False) for n in getattr(settings, "SINERGI_CAP_FEEDS_ALLOW_NETWORKS", [])]


def address_allowed(address: str) -> bool:
    """Public, or inside a network the closed-network setting allows."""
    if address_is_public(address):
        return True
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return any(ip in network for network in _allowed_networks())


def resolve_allowed(host: str, port: int) -> str:
    """An address of `host` when every address it has is allowed; else FetchError. Resolved at
    each request (no cache: a poll makes few requests per host, and a feed's name pointed at
    the portal's own network later must be refused then)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise FetchError(f"cannot resolve {host}") from None
    addresses = [str(info[4][0]) for info in infos]
    refused = [a for a in addresses if not address_allowed(a)]
    if refused or not addresses:
        raise FetchError(f"{host} resolves to a non-public address ({', '.join(refused)})")
    return addresses[0]


def _timeout() -> float:
    return float(getattr(settings, "SINERGI_CAP_FEEDS_TIMEOUT", 10.0))


def _max_bytes() -> int:
    return int(getattr(settings, "SINERGI_CAP_FEEDS_MAX_BYTES", 5 * 1024 * 1024))


def _read(response: urllib3.BaseHTTPResponse, *, deadline: float, max_bytes: int) -> bytes:
    length = response.headers.get("Content-Length")
    if length and length.isdigit() and int(length) > max_bytes:
        raise FetchError(f"document larger than {max_bytes} bytes")
    chunks: list[bytes] = []
    size = 0
    while True:
        if time.monotonic() > deadline:
            raise FetchError("timed out reading the document")
        chunk = response.read(READ_CHUNK)
        if not chunk:
            break
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(f"document larger than {max_bytes} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def cap_fetch(
    url: str,
    *,
    etag: str = "",
    last_modified: str = "",
    timeout: float | None = None,
    pool: urllib3.PoolManager | None = None,
) -> FetchResult:
    """GET `url` under the rules above, conditionally when `etag` or `last_modified` is given.
    Returns a 200 with its body or a 304 (empty body); raises FetchError otherwise."""
    timeout = timeout if timeout is not None else _timeout()
    deadline = time.monotonic() + timeout
    max_bytes = _max_bytes()
    pool = pool or fetch_pool()
    headers = {"User-Agent": USER_AGENT, "Accept": "application/cap+xml, application/atom+xml, application/xml;q=0.9"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    requests = 0
    for _hop in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError("not an http(s) URL")
        if parts.username or parts.password:
            raise FetchError("credentials in the URL are refused")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = resolve_allowed(parts.hostname, port)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError(f"timed out after {timeout:g} s")
        pool_kwargs = {"server_hostname": parts.hostname, "assert_hostname": parts.hostname}
        connection = pool.connection_from_host(
            address, port=port, scheme=parts.scheme, pool_kwargs=pool_kwargs if parts.scheme == "https" else None
        )
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        requests += 1
        try:
            response = connection.urlopen(
                "GET",
                target,
                headers={**headers, "Host": parts.netloc},
                timeout=urllib3.Timeout(connect=remaining, read=remaining),
                redirect=False,
                retries=False,
                preload_content=False,
            )
        except urllib3.exceptions.TimeoutError:
            raise FetchError(f"timed out after {timeout:g} s") from None
        except (urllib3.exceptions.HTTPError, OSError, ValueError) as exc:
            raise FetchError(f"connection failed: {exc.__class__.__name__}") from None
        done = False
        try:
            if response.status in (301, 302, 303, 307, 308):
                location = response.headers.get("Location", "")
                if not location:
                    raise FetchError(f"HTTP {response.status} without a Location")
                url = urljoin(url, location)
                continue
            if response.status == 304:
                done = True
                return FetchResult(304, b"", etag, last_modified, url, requests)
            if response.status != 200:
                raise FetchError(f"HTTP {response.status}")
            try:
                body = _read(response, deadline=deadline, max_bytes=max_bytes)
            except urllib3.exceptions.TimeoutError:
                raise FetchError(f"timed out after {timeout:g} s") from None
            except (urllib3.exceptions.HTTPError, OSError) as exc:
                raise FetchError(f"connection failed: {exc.__class__.__name__}") from None
            done = True
            return FetchResult(
                200,
                body,
                response.headers.get("ETag", ""),
                response.headers.get("Last-Modified", ""),
                url,
                requests,
            )
        finally:
            if not done:  # a body left unread: drop the connection rather than reuse it dirty
                response.close()
            response.release_conn()
    raise FetchError(f"more than {MAX_REDIRECTS} redirects")
