"""Webhooks reach partners on the internet only (SSRF): the address a URL's host resolves to
is checked at each send, and the POST goes to that very address (no DNS rebinding between the
check and the connection). A local HTTP server stands in for the partner."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from incidents.threats import transports
from incidents.threats.transports import TransportError, webhook_post


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length", 0))
        self.server.seen.append((self.path, self.headers.get("Host"), self.rfile.read(length)))  # type: ignore[attr-defined]
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def partner() -> Iterator[HTTPServer]:
    server = HTTPServer(("127.0.0.1", 0), _Handler)
    server.seen = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def _fresh_resolutions():
    transports._RESOLVED.clear()
    yield
    transports._RESOLVED.clear()


@pytest.fixture
def dns(monkeypatch):
    """A resolver answering from a dict, counting the questions."""
    answers: dict[str, str] = {}
    asked: list[str] = []
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host == "127.0.0.1":  # urllib3 connecting to the pinned address
            return real(host, port, *args, **kwargs)
        asked.append(host)
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers[host], port))]

    monkeypatch.setattr(transports.socket, "getaddrinfo", getaddrinfo)
    return answers, asked


def send(url: str) -> None:
    webhook_post(url=url, secret="s", payload={"n": 1}, delivery_id=7, event="alert.created", timeout=2)


def test_a_webhook_to_a_loopback_address_is_refused_for_good(partner, settings):
    settings.SINERGI_WEBHOOK_ALLOW_PRIVATE = False
    with pytest.raises(TransportError) as refused:
        send(f"http://127.0.0.1:{partner.server_port}/hook")

    assert refused.value.permanent
    assert "non-public" in refused.value.message
    assert partner.seen == []


@pytest.mark.parametrize("address", ["10.1.2.3", "169.254.169.254", "192.168.0.10", "100.64.0.1", "::1"])
def test_a_name_resolving_to_a_private_address_is_refused(dns, settings, address):
    settings.SINERGI_WEBHOOK_ALLOW_PRIVATE = False
    answers, _ = dns
    answers["hooks.partner.example"] = address

    with pytest.raises(TransportError) as refused:
        send("https://hooks.partner.example/sinergi")

    assert refused.value.permanent
    assert address in refused.value.message


def test_the_post_goes_to_the_address_that_was_checked(partner, dns, settings, monkeypatch):
    """The connection is pinned to the checked address; the Host header keeps the URL's name."""
    settings.SINERGI_WEBHOOK_ALLOW_PRIVATE = False
    answers, asked = dns
    answers["hooks.partner.example"] = "127.0.0.1"
    # Let the loopback partner pass for public here, to see where the POST lands.
    monkeypatch.setattr(transports, "address_is_public", lambda address: address == "127.0.0.1")
    url = f"http://hooks.partner.example:{partner.server_port}/in?src=sinergi"

    send(url)
    answers["hooks.partner.example"] = "10.0.0.9"  # rebinding after the check...
    send(url)  # ...changes nothing for a minute: the checked address is kept

    assert [(path, host) for path, host, _ in partner.seen] == [
        ("/in?src=sinergi", f"hooks.partner.example:{partner.server_port}"),
    ] * 2
    assert partner.seen[0][2] == b'{"n":1}'
    assert asked == ["hooks.partner.example"]


def test_a_name_that_does_not_resolve_is_tried_again_later(dns, settings):
    settings.SINERGI_WEBHOOK_ALLOW_PRIVATE = False
    with pytest.raises(TransportError) as failed:
        send("https://nowhere.partner.example/")

    assert not failed.value.permanent


def test_a_closed_network_may_allow_private_partners(partner, settings):
    settings.SINERGI_WEBHOOK_ALLOW_PRIVATE = True
    send(f"http://127.0.0.1:{partner.server_port}/hook")

    assert [path for path, _, _ in partner.seen] == ["/hook"]
