"""What the exercise pages show, shaped for the templates."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from common.types import User
from coordination.models import ActionItem

from .selectors import action_item_is_overdue
from .services import can_update_action_item


def action_item_rows(*, user: User, items: Iterable[ActionItem]) -> list[dict[str, Any]]:
    """The exercise's action items, each with whether it is overdue and whether the user may
    move its status (the service's own rule)."""
    today = timezone.localdate()
    return [
        {
            "item": item,
            "overdue": action_item_is_overdue(item, today=today),
            "can_update": can_update_action_item(actor=user, item=item),
        }
        for item in items
    ]
