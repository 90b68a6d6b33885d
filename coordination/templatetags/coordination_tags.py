"""Template tags of the coordination app.

`{% load coordination_tags %}{% overdue_action_items %}` draws the action items of the
user's agencies that are overdue (the dashboard's card); it needs only `request` in the
context, and draws nothing for a user with none.
"""

from __future__ import annotations

from typing import Any

from django import template

from coordination.exercises import selectors

register = template.Library()

# The card lists the most urgent items; the exercise pages show the rest.
OVERDUE_LIMIT = 10


@register.inclusion_tag("coordination/desk/partials/overdue_action_items.html", takes_context=True)
def overdue_action_items(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    items = list(selectors.overdue_action_items(user=user)[: OVERDUE_LIMIT + 1]) if user else []
    return {"overdue_items": items[:OVERDUE_LIMIT], "overdue_more": len(items) > OVERDUE_LIMIT}
