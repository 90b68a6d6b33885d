"""The one inbox's pages: the list with its filters, marking read one by one or all, the
bell. `/notifications/`, the operations' page before the one inbox, opens the inbox on
its operation entries."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.htmx import STOP_POLLING, wants_partial

from . import selectors, services
from .forms import InboxFilterForm

PAGE_SIZE = 25
# htmx stops polling on this status: a session that ended removes the bell.


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    form = InboxFilterForm(request.GET)
    page = selectors.inbox_page(user=request.user, size=PAGE_SIZE, **form.params())  # type: ignore[arg-type]
    services.inbox_audit(user=request.user, entries=page.entries, detail=request.path)  # type: ignore[arg-type]
    context = {
        "form": form,
        "page": page,
        "counts": selectors.inbox_counts(user=request.user),
    }
    template = "coordination/notifications/partials/inbox_results.html" if wants_partial(request) else None
    return render(request, template or "coordination/notifications/inbox.html", context)


@login_required
@require_POST
def inbox_read(request: HttpRequest) -> HttpResponse:
    """Mark one entry read (`entry`), or all of them (no `entry`)."""
    entry = request.POST.get("entry")
    marked = services.inbox_mark_read(user=request.user, entries=[entry] if entry else None)
    if wants_partial(request):
        response = HttpResponse(status=204)
        response["HX-Trigger"] = "alerts-changed"
        return response
    if not entry:
        messages.success(request, _("Everything in your inbox is marked read (%(n)s).") % {"n": marked})
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("inbox")
    return redirect(target)


@require_GET
def inbox_badge(request: HttpRequest) -> HttpResponse:
    """The navbar's bell alone: it refreshes itself on a page left open."""
    if not request.user.is_authenticated:
        return HttpResponse(status=STOP_POLLING)
    counts = selectors.inbox_counts(user=request.user, bound=selectors.BELL_BOUND)
    return render(request, "coordination/notifications/partials/nav_inbox.html", {"inbox_bell": counts})


@login_required
@require_http_methods(["GET", "POST"])
def notification_list(request: HttpRequest) -> HttpResponse:
    """The operations' notifications page before the one inbox: the inbox's operation entries."""
    if request.method == "POST":
        services.notification_mark_read(user=request.user)
        messages.success(request, _("All notifications are marked read."))
    return redirect(reverse("inbox") + "?kind=operation")
