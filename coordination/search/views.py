"""The search page `/search/?q=&kind=`: the hits the user may read, each with its kind."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import selectors, services
from .forms import SearchForm


@login_required
@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    result = None
    if form.is_valid() and form.cleaned_data["q"]:
        result = selectors.search(user=request.user, q=form.cleaned_data["q"], kind=form.cleaned_data["kind"] or None)
        services.search_audit(user=request.user, result=result, detail=request.path)  # type: ignore[arg-type]
    return render(
        request,
        "coordination/search/search.html",
        {"form": form, "result": result, "min_length": selectors.MIN_LENGTH},
    )
