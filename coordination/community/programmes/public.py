"""The public pages of programmes (no login; phone first; no JavaScript needed; forms post
normally), on the citizens' layout (templates/incidents/reports/public_base.html):

- /program/ (public-programme-list): the public programmes approved or being held and not
  ended, soonest first;
- /program/<pk>/ (public-programme-detail): one of them, with the registration form (name and
  contact optional, a honeypot field), rate-limited per client address (common/throttling.py,
  as /lapor/ is): a throttled citizen gets the form back, what they typed kept, with a 429.

What else is public about a programme: nothing. Internal ones, planned or cancelled ones, and
who registered, are never shown here (404).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from common.pagination import paginate
from common.throttling import throttle_wait

from . import forms, presenters, selectors, services
from .throttles import REGISTER_THROTTLES

PAGE_SIZE = 20


@require_GET
def public_programme_list(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.public_programme_list(), PAGE_SIZE)
    return render(request, "coordination/community/programmes/public_list.html", {"page": page})


@require_http_methods(["GET", "POST"])
def public_programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.public_programme_get(pk=pk)
    context: dict[str, Any] = {
        "programme": programme,
        "zone": presenters.programme_zone(programme),
        "registered": request.GET.get("terdaftar") == "1",
        "open": services.is_open_for_registration(programme),
    }
    status = 200
    if request.method == "POST":
        wait = throttle_wait(request, REGISTER_THROTTLES)
        if wait is not None:
            context.update(form=forms.RegistrationForm(request.POST), throttled_wait=wait)
            response = render(request, "coordination/community/programmes/public_detail.html", context, status=429)
            response["Retry-After"] = str(wait)
            return response
        form = forms.RegistrationForm(request.POST)
        if form.is_valid():
            try:
                services.programme_register(
                    programme=programme, name=form.cleaned_data["name"], contact=form.cleaned_data["contact"]
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                return redirect(reverse("public-programme-detail", args=[programme.pk]) + "?terdaftar=1#daftar")
        status = 400
    else:
        form = forms.RegistrationForm()
    context["form"] = form
    return render(request, "coordination/community/programmes/public_detail.html", context, status=status)
