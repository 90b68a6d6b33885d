"""Page plumbing every dashboard view shares."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

View = Callable[..., HttpResponse]


def forbidden_response(request: HttpRequest, reason: str = "", *, template: str = "forbidden.html") -> HttpResponse:
    """The 403 page that says why, in the dashboard's frame (`template`: a feature's own page,
    e.g. one whose link leads back to that feature)."""
    return render(request, template, {"reason": reason or _("Your role does not allow this.")}, status=403)


def forbidden_page(view: View | None = None, *, template: str = "forbidden.html") -> Any:
    """Render a service's PermissionDenied as a 403 page that says why, in the dashboard's frame:
    `@forbidden_page`, or `@forbidden_page(template=...)` for a feature's own page."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                return view(request, *args, **kwargs)
            except PermissionDenied as exc:
                return forbidden_response(request, str(exc), template=template)

        return wrapper

    return decorate(view) if view is not None else decorate


def map_settings() -> dict[str, str]:
    """The map's tile layer for the page's template (empty: the offline base layer)."""
    return {
        "tile_url": getattr(settings, "SINERGI_MAP_TILE_URL", "") or "",
        "tile_attribution": getattr(settings, "SINERGI_MAP_TILE_ATTRIBUTION", "") or "",
    }
