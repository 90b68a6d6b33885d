"""The notifications page: the user's own coordination notifications, and marking them read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from common.pagination import paginate

from . import selectors, services

PAGE_SIZE = 25


@login_required
@require_http_methods(["GET", "POST"])
def notification_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        services.notification_mark_read(user=request.user)
        messages.success(request, _("All notifications are marked read."))
        return redirect("notification-list")
    qs = selectors.notification_list(user=request.user)
    page = paginate(request, qs, PAGE_SIZE)
    selectors.notification_texts(user=request.user, notifications=page.object_list)
    unread = selectors.notification_list(user=request.user, unread=True).count()
    return render(request, "coordination/notifications/notification_list.html", {"page": page, "unread": unread})
