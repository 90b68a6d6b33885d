"""Types every layer shares."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.models import User as AuthUser

# A request's user, signed in or not: what selectors, services and predicates take as `user`
# or `actor` (mypy's Django plugin types `request.user` the same way).
User = AuthUser | AnonymousUser
