"""Template context for every dashboard page: the alert bell's figures.

Lazy: nothing is queried until a template reads `inbox_badge` (the navbar's bell, once per
full page), so htmx partials, anonymous pages and the polling progress panel cost nothing.
Reading it costs the two COUNT queries of `threats.selectors.inbox_counts`. `can_log` (the
navbar's "log" links) costs the user's roles, read once per request (agencies/roles.py).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .services import can_log_incident
from .threats.selectors import can_log_threat, cap_sources_failing_count, inbox_counts

NO_ALERTS = {"unread": 0, "unacknowledged": 0}


def inbox_badge(request: HttpRequest) -> dict[str, Any]:
    def counts() -> dict[str, int]:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return dict(NO_ALERTS)
        return inbox_counts(user=user)

    def can_log() -> dict[str, bool]:
        # The navbar's "log an incident" and "log a threat": offered by the rule the services apply.
        user = getattr(request, "user", None)
        if user is None:
            return {"incident": False, "threat": False}
        return {"incident": can_log_incident(user=user), "threat": can_log_threat(user=user)}

    def failing() -> dict[str, int]:
        # Staff's in-app warning (incidents/threats/feeds/poll.py): CAP sources failing for over an
        # hour. Read by base.html for staff only (one COUNT on the partial index of active sources).
        return {"count": cap_sources_failing_count()}

    return {
        "inbox_badge": SimpleLazyObject(counts),
        "can_log": SimpleLazyObject(can_log),
        "cap_sources_failing": SimpleLazyObject(failing),
    }
