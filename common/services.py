"""Write plumbing every service shares."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.contrib.auth.models import User as AuthUser
from django.db.models import Model

from .types import User

Event = TypeVar("Event", bound=Model)


def model_update(
    *, instance: Model, fields: Mapping[str, Any], allowed: Iterable[str], save: bool = False
) -> dict[str, tuple[Any, Any]]:
    """Set `fields` on `instance` and return what changed, as {name: (old, new)}.

    A key outside `allowed` raises ValueError: it is a caller's mistake (a serializer or form
    field the service does not know), never input to drop silently. With `save=True` a change
    is validated (`full_clean()`) and saved with `update_fields` (plus `updated_at` when the
    model has one); otherwise the caller validates and saves, e.g. after writing its timeline.
    """
    allowed = frozenset(allowed)
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise ValueError(f"{type(instance).__name__}: cannot update {', '.join(unknown)}")
    changes: dict[str, tuple[Any, Any]] = {}
    for name, value in fields.items():
        old = getattr(instance, name)
        if old != value:
            changes[name] = (old, value)
            setattr(instance, name, value)
    if changes and save:
        instance.full_clean()
        names = list(changes)
        if any(f.name == "updated_at" for f in instance._meta.concrete_fields):
            names.append("updated_at")
        instance.save(update_fields=names)
    return changes


def signed_in(user: User | None) -> AuthUser | None:
    """The account a row records as its actor or author (`created_by`, a timeline's `actor`):
    None for an anonymous caller or a system call."""
    return user if isinstance(user, AuthUser) and user.is_authenticated else None


def timeline_append(
    event_model: type[Event],
    *,
    actor: User | None,
    agency: Any,
    kind: str,
    message: str = "",
    data: dict[str, Any] | None = None,
    **subject: Any,
) -> Event:
    """A line of a record's timeline (an incident's, an operation's, a threat's): `subject`
    names the record (`incident=incident`), `agency` is the one the actor acted for; the actor
    is recorded when signed in (`signed_in`)."""
    return event_model._default_manager.create(
        **subject,
        actor=signed_in(actor),
        actor_agency=agency,
        kind=kind,
        message=message,
        data=data or {},
    )
