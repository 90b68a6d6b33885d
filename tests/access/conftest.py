"""The matrix's world, built once per module inside a transaction rolled back at its end; each
test runs in a savepoint inside it (pytest-django's `db`), so a write a test lets through is
undone before the next."""

from __future__ import annotations

import pytest
from django.db import transaction

from .world import World, build_world


@pytest.fixture(scope="module")
def matrix_media(tmp_path_factory):
    """Where the world's files (bulletin attachments) are kept, for the whole module."""
    return tmp_path_factory.mktemp("matrix-private")


@pytest.fixture(autouse=True)
def _matrix_media(_private_media, settings, matrix_media):
    """Each test reads the private storage the world was written to (not its own empty one)."""
    settings.PRIVATE_MEDIA_ROOT = matrix_media


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker, matrix_media) -> World:
    from django.test import override_settings

    with django_db_blocker.unblock(), override_settings(PRIVATE_MEDIA_ROOT=matrix_media):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
