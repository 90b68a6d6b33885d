"""Queuing Celery work from a service: after the transaction commits, never failing the request.

Services import their feature's tasks at module level and queue them through `queue_after_commit`;
tasks import services inside their functions. A broker that is down must not fail the request
that saved the data: the error is logged and the periodic sweep (which reads the database, the
source of truth) picks the work up.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# What a Celery publish raises when the broker cannot be reached.
BROKER_ERRORS: tuple[type[BaseException], ...] = (KombuOperationalError, RedisError, OSError)


def queue_now(task: Any, args: tuple[Any, ...] = (), **options: Any) -> bool:
    """Publish `task` now; False (logged) when the broker is down."""
    try:
        task.apply_async(args, retry=False, **options)
    except BROKER_ERRORS:
        logger.warning("broker unavailable: %s%r not queued; the sweep will pick it up", task.name, args, exc_info=True)
        return False
    return True


def queue_after_commit(task: Any, args: tuple[Any, ...] = (), **options: Any) -> None:
    """Publish `task` once the current transaction commits (at once outside a transaction)."""
    transaction.on_commit(lambda: queue_now(task, args, **options))
