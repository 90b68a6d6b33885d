"""Writes of the CAP sources, staff only (`selectors.can_manage_cap_sources`): create, change,
delete, and "poll now" (queued after commit; the poll itself is poll.py's, run by the task).
The poll state is never written here: only a poll sets it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.services import model_update, signed_in
from common.tasks import queue_after_commit
from common.types import User
from incidents.models import CapSource

from . import tasks
from .selectors import can_manage_cap_sources

CAP_SOURCE_FIELDS = (
    "name",
    "authority",
    "url",
    "kind",
    "poll_every_minutes",
    "categories",
    "min_severity",
    "agency",
    "require_signature",
    "certificate",
    "is_active",
)


def _require(actor: User) -> None:
    if not can_manage_cap_sources(user=actor):
        raise PermissionDenied(_("Only platform administrators manage the CAP sources."))


@transaction.atomic
def cap_source_create(*, actor: User, **fields: Any) -> CapSource:
    """A new source, due at once (the next beat cycle polls it). Staff only."""
    _require(actor)
    unknown = set(fields) - set(CAP_SOURCE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    source = CapSource(created_by=signed_in(actor), next_poll_at=timezone.now(), **fields)
    source.full_clean()
    source.save()
    return source


@transaction.atomic
def cap_source_update(*, actor: User, source: CapSource, **fields: Any) -> CapSource:
    """Change a source's settings; a changed URL starts afresh (no validators, due at once)."""
    _require(actor)
    changes = model_update(instance=source, fields=fields, allowed=CAP_SOURCE_FIELDS)
    names = list(changes)
    if "url" in changes:
        source.etag = ""
        source.last_modified = ""
        source.next_poll_at = timezone.now()
        names += ["etag", "last_modified", "next_poll_at"]
    source.full_clean()
    if names:  # only what changed: a poll may be writing the source's state meanwhile
        source.save(update_fields=names)
    return source


@transaction.atomic
def cap_source_delete(*, actor: User, source: CapSource) -> None:
    """Delete a source and its fetches; the threats it imported stay (their source is cleared)."""
    _require(actor)
    source.delete()


@transaction.atomic
def cap_source_poll_now(*, actor: User, source: CapSource) -> None:
    """Queue a poll of the source now, whatever its backoff (after commit)."""
    _require(actor)
    CapSource.objects.filter(pk=source.pk).update(next_poll_at=timezone.now())
    queue_after_commit(tasks.cap_source_poll, (source.pk,))
