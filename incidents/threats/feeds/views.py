"""The staff pages of the CAP sources: the list with each source's status, create and edit, the
source's page (settings, last success and error, recent fetches) and "poll now". Anyone but
staff gets 404 (selectors), as for what they may not see."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from common.views import forbidden_page
from incidents.models import CapCategory, CapSource

from . import selectors, services
from .forms import CapSourceForm


def _require_staff(request: HttpRequest) -> None:
    """The list and the create form name no record: a signed-in non-staff user gets 403."""
    if not selectors.can_manage_cap_sources(user=request.user):
        raise PermissionDenied(_("Only platform administrators manage the CAP sources."))


@login_required
@forbidden_page
def cap_source_list(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    sources = list(selectors.cap_source_list(user=request.user))
    return render(request, "incidents/threats/cap_source_list.html", {"sources": sources})


@login_required
@require_http_methods(["GET", "POST"])
@forbidden_page
def cap_source_create(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    form = CapSourceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            source = services.cap_source_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("CAP source added: the next beat cycle polls it."))
            return redirect("cap-source-detail", pk=source.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "incidents/threats/cap_source_form.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@forbidden_page
def cap_source_edit(request: HttpRequest, pk: int) -> HttpResponse:
    source = selectors.cap_source_get_for_change(user=request.user, pk=pk)
    form = CapSourceForm(request.POST or None, source=source)
    if request.method == "POST" and form.is_valid():
        try:
            services.cap_source_update(actor=request.user, source=source, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("CAP source saved."))
            return redirect("cap-source-detail", pk=source.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "source": source}
    return render(request, "incidents/threats/cap_source_form.html", context, status=status)


@login_required
def cap_source_detail(request: HttpRequest, pk: int) -> HttpResponse:
    source = selectors.cap_source_get(user=request.user, pk=pk)
    fetches = list(selectors.cap_fetch_list(user=request.user, source=source))
    context = {
        "source": source,
        "fetches": fetches,
        "category_labels": [label for value, label in CapCategory.choices if value in source.categories],
    }
    return render(request, "incidents/threats/cap_source_detail.html", context)


@login_required
@require_POST
@forbidden_page
def cap_source_poll(request: HttpRequest, pk: int) -> HttpResponse:
    source: CapSource = selectors.cap_source_get_for_change(user=request.user, pk=pk)
    services.cap_source_poll_now(actor=request.user, source=source)
    messages.success(request, _("Poll queued: refresh the page in a moment to see what it fetched."))
    return redirect("cap-source-detail", pk=source.pk)
