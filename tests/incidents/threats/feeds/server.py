"""A local HTTP server for the CAP feed tests and bench/cap_feeds.py: it serves CAP Atom indexes
and alerts from memory with ETag and Last-Modified (answering 304 to a matching conditional
request), a path that sleeps past the client's timeout, one that answers 500, and counts the
requests per path. Runs in a thread (http.server); nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import socket
import threading
import time
from collections import Counter
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

ATOM = "application/atom+xml"
CAP = "application/cap+xml"


class CapServer:
    def __init__(self) -> None:
        self.documents: dict[str, tuple[bytes, str, str, str]] = {}  # path -> body, type, etag, last-modified
        self.requests: Counter[str] = Counter()
        self.not_modified: Counter[str] = Counter()
        self.sleep_seconds = 2.0
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def setup(self):
                super().setup()
                # Headers and body leave in separate writes: without this, Nagle and the client's
                # delayed ACK add 40 ms to every keep-alive response.
                self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_GET(self):  # noqa: N802 - http.server's name
                path = self.path
                with server._lock:
                    server.requests[path] += 1
                if path.startswith("/slow"):
                    time.sleep(server.sleep_seconds)
                    return self._send(200, b"<feed xmlns='http://www.w3.org/2005/Atom'/>", ATOM)
                if path.startswith("/error"):
                    return self._send(500, b"unwell", "text/plain")
                if path.startswith("/redirect-to-private"):
                    self.send_response(302)
                    self.send_header("Location", "http://10.0.0.1/feed.atom")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return None
                document = server.documents.get(path)
                if document is None:
                    return self._send(404, b"not found", "text/plain")
                body, content_type, etag, last_modified = document
                if self.headers.get("If-None-Match") == etag or (
                    not self.headers.get("If-None-Match") and self.headers.get("If-Modified-Since") == last_modified
                ):
                    with server._lock:
                        server.not_modified[path] += 1
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return None
                return self._send(200, body, content_type, etag=etag, last_modified=last_modified)

            def _send(self, status, body, content_type, etag="", last_modified=""):
                try:
                    self._write(status, body, content_type, etag, last_modified)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test)
                    self.close_connection = True

            def _write(self, status, body, content_type, etag, last_modified):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                if etag:
                    self.send_header("ETag", etag)
                if last_modified:
                    self.send_header("Last-Modified", last_modified)
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self) -> CapServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def put(self, path: str, body: bytes, content_type: str = CAP) -> None:
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        self.documents[path] = (body, content_type, etag, formatdate(time.time(), usegmt=True))

    def put_index(self, path: str, alert_paths: list[str], *, title: str = "CAP alerts") -> None:
        """An Atom index of CAP 1.2 alerts as BMKG, MeteoAlarm and NWS publish them: one entry per
        alert, its link typed application/cap+xml."""
        self.put(path, atom_index(title=title, base=self.base, alert_paths=alert_paths), ATOM)

    def url(self, path: str) -> str:
        return self.base + path


def atom_index(*, title: str, base: str, alert_paths: list[str]) -> bytes:
    entries = "".join(
        f"""
  <entry>
    <id>{escape(base + p)}</id>
    <title>{escape(p)}</title>
    <updated>2026-03-01T08:00:00+08:00</updated>
    <link rel="alternate" type="application/cap+xml" href="{escape(p)}"/>
  </entry>"""
        for p in alert_paths
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>{escape(base)}/feed</id>
  <title>{escape(title)}</title>
  <updated>2026-03-01T08:00:00+08:00</updated>{entries}
</feed>""".encode()
