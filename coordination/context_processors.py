"""Template context for every dashboard page: the inbox bell's figures.

Lazy: nothing is queried until a template reads `inbox_badge` (the navbar's bell, once per
full page). Reading it costs the three COUNTs of `notifications.selectors.inbox_counts`, each
stopping at `BELL_BOUND` (the bell shows "99+" past 99).
The alerts-only figures of incidents.context_processors (`inbox_badge`) remain for the alert
inbox's own heading."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from coordination.notifications.selectors import BELL_BOUND, inbox_counts

NOTHING = {"unread": 0, "unacknowledged": 0, "alerts": 0, "items": 0}


def inbox_bell(request: HttpRequest) -> dict[str, Any]:
    def counts() -> dict[str, int]:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return dict(NOTHING)
        return inbox_counts(user=user, bound=BELL_BOUND)

    return {"inbox_bell": SimpleLazyObject(counts)}
