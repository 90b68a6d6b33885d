"""Waiting for a real worker: poll the rows a task must change, with a bounded wait (no result
backend is configured; the database is the source of truth)."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_until(predicate: Callable[[], object], *, timeout: float, interval: float = 0.1) -> bool:
    """True as soon as `predicate()` is, else its last answer after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())
