"""Dashboard pages of bulletins: the list, compose (with a preview of exactly who will receive
it), the bulletin itself (read receipt on opening, acknowledge, thread, the issuer's live
receipts panel), amend, withdraw, and the attachments behind an access check.

Access, as `coordination.bulletins.selectors` and `.services` decide it: every page needs a
session; what a user may not read answers 404 (pages, actions, attachments); a reader who may
not act gets a 403 page and nothing changes. The pages only offer what the services' `can_*`
predicates allow.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from agencies.audit import audit_page
from agencies.form_fields import zone_of_areas
from agencies.models import Agency
from common.htmx import STOP_POLLING, render_list
from common.pagination import paginate
from common.views import forbidden_page, forbidden_response
from coordination.form_fields import zone_context
from coordination.models import Bulletin

from . import forms, presenters, selectors, services

PAGE_SIZE = 25


@login_required
@require_GET
@vary_on_headers("HX-Request")
def bulletin_list(request: HttpRequest) -> HttpResponse:
    form = forms.BulletinFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.bulletin_list(user=request.user, filters=filters)
    context = {
        "filter_form": form,
        "page": audit_page(
            user=request.user, page=paginate(request, qs, PAGE_SIZE), object_type="bulletin", detail=request.path
        ),
        "can_create": services.can_issue_any(user=request.user),
        "counts": selectors.bulletin_counts(user=request.user),
    }
    return render_list(
        request,
        "coordination/bulletins/bulletin_list.html",
        "coordination/bulletins/partials/bulletin_results.html",
        context,
    )


def _agency_names(ids: Any) -> dict[int, str]:
    return dict(Agency.objects.filter(pk__in=list(ids)).values_list("pk", "name"))


@login_required
@require_POST
def bulletin_preview(request: HttpRequest) -> HttpResponse:
    """The compose page's preview (an htmx partial): the agencies that would get the full text,
    the releasable text, and those the classification leaves out."""
    if not services.can_issue_any(user=request.user):
        raise Http404
    form = forms.BulletinForm(request.POST, user=request.user)
    form.is_valid()  # the preview reads what is valid so far
    form.cleaned_data.setdefault("classification", request.POST.get("classification", ""))
    try:
        full, wider = services.bulletin_preview(actor=request.user, **form.preview_kwargs())
    except ValidationError as exc:
        return render(request, "coordination/bulletins/partials/bulletin_preview.html", {"errors": exc.messages})
    names = _agency_names({*full.included, *full.excluded, *wider.included, *wider.excluded})

    def rows(mapping: dict[int, str]) -> list[tuple[str, str]]:
        return sorted(((names.get(i, "?"), text) for i, text in mapping.items()), key=lambda r: r[0])

    reasons = dict(forms.REASON_LABELS)
    context = {
        "full": [(n, reasons.get(r, r)) for n, r in rows(full.included)],
        "excluded": rows({**full.excluded, **wider.excluded}),
        "wider": [(n, reasons.get(r, r)) for n, r in rows(wider.included)],
    }
    return render(request, "coordination/bulletins/partials/bulletin_preview.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@forbidden_page
def bulletin_create(request: HttpRequest) -> HttpResponse:
    if not services.can_issue_any(user=request.user):
        return forbidden_response(request)
    form = forms.BulletinForm(request.POST or None, request.FILES or None, user=request.user)
    issuers = form.fields["issuing_agency"].queryset  # type: ignore[attr-defined]
    if request.method == "GET" and issuers.count() == 1:
        form.initial["issuing_agency"] = issuers.first()
    if request.method == "POST" and form.is_valid():
        try:
            bulletin = services.bulletin_create(actor=request.user, **form.service_kwargs())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The bulletin is sent."))
            return redirect("bulletin-detail", pk=bulletin.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "coordination/bulletins/bulletin_form.html",
        {"form": form, **zone_context(form.zone_name)},
        status=status,
    )


def _detail_context(request: HttpRequest, bulletin: Bulletin, **forms_given: Any) -> dict[str, Any]:
    user = request.user
    can_follow = services.can_follow(actor=user, bulletin=bulletin)
    receipt = selectors.bulletin_receipt_of(user=user, bulletin=bulletin)
    versions = list(bulletin.versions.select_related("changed_by")) if bulletin.version > 1 else []
    can_reply = services.can_reply(actor=user, bulletin=bulletin)
    context = {
        "bulletin": bulletin,
        "text": presenters.shown_text(bulletin),
        "areas": list(bulletin.areas.all()),
        "attachments": list(bulletin.attachments.all()) if selectors.reads_full(bulletin) else [],
        "changes": presenters.version_changes(versions=versions, releasable=not selectors.reads_full(bulletin)),
        "receipt": receipt,
        "can_amend": services.can_amend(actor=user, bulletin=bulletin),
        # One button per agency of the user's still to acknowledge (a member of several).
        "ack_rows": services.acknowledging_recipients(actor=user, bulletin=bulletin),
        "can_follow": can_follow,
        "can_reply": can_reply,
        "replies": list(selectors.bulletin_replies(bulletin=bulletin)) if selectors.reads_full(bulletin) else [],
        "reply_form": forms_given.get("reply_form") or (forms.ReplyForm() if can_reply else None),
        "withdraw_form": forms.WithdrawForm(),
        **zone_context(zone_of_areas(bulletin.areas.all())),
    }
    if can_follow:
        context.update(_progress_context(bulletin))
    return context


def _progress_context(bulletin: Bulletin) -> dict[str, Any]:
    progress = presenters.progress(
        bulletin=bulletin,
        rows=selectors.bulletin_progress(bulletin=bulletin),
        receipts=list(selectors.bulletin_receipts(bulletin=bulletin)),
    )
    settled = bulletin.is_withdrawn or (
        progress.acknowledged == progress.total if bulletin.ack_required else progress.read == progress.total
    )
    return {"progress": progress, "poll": not settled, "settled": settled}


@login_required
@require_GET
def bulletin_detail(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = selectors.bulletin_get(user=request.user, pk=pk)
    previous = selectors.bulletin_receipt_of(user=request.user, bulletin=bulletin)
    seen_version = previous.read_version if previous else 0
    services.bulletin_mark_read(user=request.user, bulletin=bulletin)
    context = _detail_context(request, bulletin)
    context["amended_since_read"] = bool(previous) and seen_version < bulletin.version
    return render(request, "coordination/bulletins/bulletin_detail.html", context)


@login_required
@require_GET
@forbidden_page
def bulletin_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The receipts panel alone, polled by the issuer's page."""
    bulletin = selectors.bulletin_get_for_follow(user=request.user, pk=pk)
    context = {"bulletin": bulletin, **_progress_context(bulletin), **zone_context(zone_of_areas(bulletin.areas.all()))}
    response = render(request, "coordination/bulletins/partials/bulletin_progress.html", context)
    if context["settled"] and getattr(request, "htmx", False):
        response.status_code = STOP_POLLING
    return response


@login_required
@require_POST
@forbidden_page
def bulletin_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = selectors.bulletin_get(user=request.user, pk=pk, audit=False)
    raw = request.POST.get("agency") or ""
    try:
        agency_id = int(raw) if raw else None
        recipient = services.bulletin_acknowledge(actor=request.user, bulletin=bulletin, agency_id=agency_id)
    except ValueError:
        messages.error(request, _("Choose the agency you acknowledge for."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Acknowledged for %(agency)s.") % {"agency": recipient.agency.name})
    target = request.POST.get("next") or ""  # the desk's button comes back to the desk
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("bulletin-detail", pk=bulletin.pk)


@login_required
@require_http_methods(["GET", "POST"])
@forbidden_page
def bulletin_amend(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = selectors.bulletin_get_for_change(user=request.user, pk=pk)
    if bulletin.is_withdrawn:
        messages.error(request, _("This bulletin was withdrawn."))
        return redirect("bulletin-detail", pk=bulletin.pk)
    initial = {k: getattr(bulletin, k) for k in ("title", "body", "releasable_title", "releasable_body")}
    form = forms.AmendForm(request.POST or None, initial=initial)
    if not bulletin.has_releasable:
        del form.fields["releasable_title"], form.fields["releasable_body"]
    if request.method == "POST" and form.is_valid():
        try:
            services.bulletin_amend(actor=request.user, bulletin=bulletin, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The bulletin is amended; its readers are told."))
            return redirect("bulletin-detail", pk=bulletin.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "coordination/bulletins/bulletin_amend.html", {"bulletin": bulletin, "form": form}, status=status
    )


@login_required
@require_POST
@forbidden_page
def bulletin_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = selectors.bulletin_get_for_change(user=request.user, pk=pk)
    form = forms.WithdrawForm(request.POST)
    reason = form.cleaned_data.get("reason", "") if form.is_valid() else ""
    try:
        services.bulletin_withdraw(actor=request.user, bulletin=bulletin, reason=reason)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The bulletin is withdrawn."))
    return redirect("bulletin-detail", pk=bulletin.pk)


@login_required
@require_POST
@forbidden_page
def bulletin_reply(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = selectors.bulletin_get(user=request.user, pk=pk, audit=False)
    if not selectors.reads_full(bulletin):
        raise Http404
    form = forms.ReplyForm(request.POST)
    if form.is_valid():
        try:
            services.bulletin_reply(actor=request.user, bulletin=bulletin, body=form.cleaned_data["body"])
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Your reply is posted."))
            return redirect(f"{bulletin.get_absolute_url()}#thread")
    context = _detail_context(request, bulletin, reply_form=form)
    return render(request, "coordination/bulletins/bulletin_detail.html", context, status=400)


@require_GET
def bulletin_attachment(request: HttpRequest, token: str) -> FileResponse:
    """An attachment, to those who read the bulletin's full text only (404 to anyone else)."""
    if not request.user.is_authenticated:
        raise Http404
    attachment = selectors.bulletin_attachment_get(user=request.user, token=token)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(handle, content_type=attachment.content_type)
    safe_name = "".join(c for c in attachment.name if c.isalnum() or c in "._- ")[:150] or "attachment"
    response["Content-Disposition"] = f'attachment; filename="{safe_name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
