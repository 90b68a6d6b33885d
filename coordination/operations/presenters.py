"""What the operation pages show, shaped for the templates."""

from __future__ import annotations

from collections.abc import Iterable

from coordination.models import JointOperation, OperationEvent


def timeline_rows(events: Iterable[OperationEvent]) -> list[OperationEvent]:
    """Timeline events, status moves carrying their display names (`from_label`, `to_label`)."""
    labels = dict(JointOperation.Status.choices)
    rows = list(events)
    for event in rows:
        if event.kind == "status":
            event.from_label = labels.get(event.data.get("from"), event.data.get("from"))  # type: ignore[attr-defined]
            event.to_label = labels.get(event.data.get("to"), event.data.get("to"))  # type: ignore[attr-defined]
    return rows
