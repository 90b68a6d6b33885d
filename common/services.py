"""Write plumbing every service shares."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Model


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
