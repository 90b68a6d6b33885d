"""Request plumbing every page and API shares: a bound on what a request may send.

Django bounds the form fields it keeps in memory (DATA_UPLOAD_MAX_MEMORY_SIZE) but streams an
upload of any size to a temporary file before a view can refuse it: a public upload of 90 MB
was read whole, then refused. `RequestBodyLimitMiddleware` answers 413 from the Content-Length
header alone, before anything reads the body, for every page and API alike.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# The largest request the portal takes: a citizen's report with its three photos of at most
# 10 MiB each (incidents/reports/services.py), and its text. settings.SINERGI_MAX_REQUEST_BYTES.
DEFAULT_MAX_REQUEST_BYTES = 32 * 1024 * 1024


def max_request_bytes() -> int:
    return int(getattr(settings, "SINERGI_MAX_REQUEST_BYTES", DEFAULT_MAX_REQUEST_BYTES))


class RequestBodyLimitMiddleware:
    """413 for a request whose declared body is over `max_request_bytes()`: JSON in the API's
    error shape under /api/, the citizens' page elsewhere. The body is never read."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads an unreadable length as no body
        limit = max_request_bytes()
        if length > limit:
            return self.too_large(request, limit)
        return self.get_response(request)

    def too_large(self, request: HttpRequest, limit: int) -> HttpResponse:
        size = filesizeformat(limit)
        message = _("The request is too large: at most %(size)s.") % {"size": size}
        if request.path.startswith("/api/"):
            return JsonResponse({"non_field_errors": [message]}, status=413)
        return render(request, "request_too_large.html", {"size": size}, status=413)
