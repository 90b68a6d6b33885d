"""The matrix's world, built once per module inside a transaction rolled back at its end; each
test runs in a savepoint inside it (pytest-django's `db`), so a write a test lets through is
undone before the next."""

from __future__ import annotations

import pytest
from django.db import transaction

from .world import World, build_world


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker) -> World:
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
