"""Template context for every dashboard page: the alert bell's figures.

Lazy: nothing is queried until a template reads `inbox_badge` (the navbar's bell, once per
full page), so htmx partials, anonymous pages and the polling progress panel cost nothing.
Reading it costs the two COUNT queries of `threat_selectors.inbox_counts`.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .threat_selectors import inbox_counts

NO_ALERTS = {"unread": 0, "unacknowledged": 0}


def inbox_badge(request: HttpRequest) -> dict[str, Any]:
    def counts() -> dict[str, int]:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return dict(NO_ALERTS)
        return inbox_counts(user=user)

    return {"inbox_badge": SimpleLazyObject(counts)}
