"""A partnership's MoU document: uploaded by a commander of one of its parties, checked by
content (a PDF, an image or an office document, read from its first bytes, never from its
name) and size, kept in private storage and served only to the parties' members and staff."""

from __future__ import annotations

from typing import Any

import filetype
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from common.types import User
from common.views import forbidden_page

from .. import selectors as agency_selectors
from ..membership import user_agency_ids, user_is_staff
from ..models import Agency, Partnership
from ..roles import has_capability
from ..selectors import require_capability
from .services import _audit

DOCUMENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword",
    "odt": "application/vnd.oasis.opendocument.text",
}


def max_document_bytes() -> int:
    return int(getattr(settings, "SINERGI_MOU_MAX_BYTES", 10 * 1024 * 1024))


def document_clean(upload: Any) -> str:
    """The extension of an upload that really is a PDF, an image or a text document of at most
    the size limit; ValidationError else."""
    if upload is None:
        raise ValidationError({"document": _("Choose a file.")})
    if (getattr(upload, "size", 0) or 0) > max_document_bytes():
        raise ValidationError(
            {"document": _("A document may be at most %(mb)d MB.") % {"mb": max_document_bytes() // 1048576}}
        )
    upload.seek(0)
    kind = filetype.guess(upload.read(8192))
    upload.seek(0)
    if kind is None or kind.extension not in DOCUMENT_TYPES:
        raise ValidationError({"document": _("Only PDF, images (PNG, JPEG) and text documents.")})
    return str(kind.extension)


def can_read_document(*, user: User, partnership: Partnership) -> bool:
    """Staff, or a member of one of its parties (from the parties already read)."""
    return user_is_staff(user) or bool({a.pk for a in partnership.agencies.all()} & user_agency_ids(user=user))


def can_upload_document(*, user: User, partnership: Partnership, agency: Agency) -> bool:
    """Staff, or a commander of `agency` when it is a party (`partnership.propose`)."""
    parties = {a.pk for a in partnership.agencies.all()}
    return agency.pk in parties and has_capability(user=user, capability="partnership.propose", agency_ids=[agency.pk])


@transaction.atomic
def partnership_document_set(*, actor: User, partnership: Partnership, agency: Agency, upload: Any) -> Partnership:
    """Attach (or replace) the MoU, for `agency`, a party: its commander, or staff."""
    if agency.pk not in {a.pk for a in partnership.agencies.all()}:
        raise Http404
    require_capability(user=actor, agency_id=agency.pk, capability="partnership.propose")
    extension = document_clean(upload)
    old = partnership.document.name if partnership.document else ""
    partnership.document.save(f"mou-{partnership.pk}.{extension}", upload, save=False)
    Partnership.objects.filter(pk=partnership.pk).update(document=partnership.document.name)
    if old and old != partnership.document.name:
        transaction.on_commit(lambda: partnership.document.storage.delete(old))
    _audit(
        actor=actor,
        agency_id=agency.pk,
        action="mou_uploaded",
        object_type="partnership",
        object_id=partnership.pk,
        detail=partnership.title,
    )
    return partnership


@login_required
@require_POST
@forbidden_page
def partnership_document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    partnership = agency_selectors.partnership_get(user=request.user, pk=pk)
    parties = {a.pk: a for a in partnership.agencies.all()}
    raw = request.POST.get("agency", "")
    agency = parties.get(int(raw)) if raw.isdigit() else None
    if agency is None:
        raise PermissionDenied(_("Say for which of its parties you act."))
    if not can_upload_document(user=request.user, partnership=partnership, agency=agency):
        # A commander of another party (the page of a partner agency): upload for their own.
        agency = next(
            (a for a in parties.values() if can_upload_document(user=request.user, partnership=partnership, agency=a)),
            agency,
        )
    try:
        partnership_document_set(
            actor=request.user, partnership=partnership, agency=agency, upload=request.FILES.get("document")
        )
    except ValidationError as exc:
        # As the partnership's other steps on the agency page: the reason as a message, back there.
        messages.error(request, " ".join(exc.messages))
        return redirect("agency-detail", pk=agency.pk)
    messages.success(request, _("The MoU document is saved."))
    return redirect("agency-detail", pk=agency.pk)


@require_GET
def partnership_document(request: HttpRequest, pk: int) -> FileResponse:
    """The MoU, to the parties' members and staff only (404 to anyone else)."""
    if not request.user.is_authenticated:
        raise Http404
    partnership = agency_selectors.partnership_get(user=request.user, pk=pk)
    if not partnership.document or not can_read_document(user=request.user, partnership=partnership):
        raise Http404
    try:
        handle = partnership.document.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    extension = partnership.document.name.rsplit(".", 1)[-1]
    response = FileResponse(handle, content_type=DOCUMENT_TYPES.get(extension, "application/octet-stream"))
    response["Content-Disposition"] = f'attachment; filename="mou-{partnership.pk}.{extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
