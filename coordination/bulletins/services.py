"""Writes of bulletins, and the predicates the pages ask before they offer an action (the same
rules the services apply).

Every service is atomic, validates, and checks the actor's capability (`agencies/roles.py`):
- issue, amend, withdraw: a commander or liaison of the issuing agency ("bulletin.issue");
- acknowledge for an agency: any member of a recipient agency ("bulletin.acknowledge");
- reply in the thread: an acting member of the issuer or of an agency that received the full
  text ("bulletin.reply"), while the bulletin is not withdrawn;
- follow the receipts: any member of the issuer ("bulletin.follow").
Staff may do everything. Callers fetch the bulletin through `selectors.bulletin_get` (404 for
what the actor may not read, `reads_full` for which text); the services answer
PermissionDenied when the actor reads it but may not act, ValidationError for bad input.
E-mail and SMS are queued after commit (`tasks.bulletin_notify`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import filetype
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency, Area, Classification
from agencies.roles import agencies_with, roles_for
from agencies.selectors import user_agency_ids, user_is_staff
from agencies.services import acting_agency
from common.services import signed_in
from common.tasks import queue_after_commit
from common.types import User
from coordination.models import (
    Bulletin,
    BulletinAttachment,
    BulletinReceipt,
    BulletinRecipient,
    BulletinReply,
    BulletinVersion,
    InboxItem,
)
from coordination.rules import holds_capability
from incidents.models import Category

from . import distribution as dist
from . import tasks
from .notify import notify_in_app

RANK = {c: i for i, c in enumerate(Classification.values)}  # public < restricted < confidential < secret
# What a bulletin may carry, told by content (magic bytes), never by the name or the browser's type.
ATTACHMENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt": "application/vnd.ms-powerpoint",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
}
MAX_ATTACHMENTS = 10


def max_attachment_bytes() -> int:
    return int(getattr(settings, "SINERGI_BULLETIN_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))


# --- Who may do what -----------------------------------------------------------------------


def can_issue_any(*, user: User) -> bool:
    """A commander or liaison of some agency: the compose page is offered to them."""
    return bool(agencies_with(user=user, capability="bulletin.issue"))


def can_amend(*, actor: User, bulletin: Bulletin) -> bool:
    """Amend or withdraw: the issuer's commanders and liaisons (or staff), while in force."""
    return not bulletin.is_withdrawn and holds_capability(
        actor=actor, agency_ids=[bulletin.issuing_agency_id], capability="bulletin.issue"
    )


def require_issuer(*, actor: User, bulletin: Bulletin) -> None:
    if not holds_capability(actor=actor, agency_ids=[bulletin.issuing_agency_id], capability="bulletin.issue"):
        raise PermissionDenied(_("Only commanders and liaisons of the issuing agency may change this bulletin."))


def can_follow(*, actor: User, bulletin: Bulletin) -> bool:
    """See who read and acknowledged: members of the issuing agency, and staff."""
    return holds_capability(actor=actor, agency_ids=[bulletin.issuing_agency_id], capability="bulletin.follow")


def require_follower(*, actor: User, bulletin: Bulletin) -> None:
    if not can_follow(actor=actor, bulletin=bulletin):
        raise PermissionDenied(_("Only the issuing agency follows who read this bulletin."))


def acknowledging_recipients(*, actor: User, bulletin: Bulletin) -> list[BulletinRecipient]:
    """The recipient rows the actor may acknowledge for: agencies of theirs that received the
    bulletin, have not acknowledged yet, in which they hold "bulletin.acknowledge" (by name)."""
    if bulletin.is_withdrawn or not bulletin.ack_required or user_is_staff(actor):
        return []
    held = agencies_with(user=actor, capability="bulletin.acknowledge")
    if not held:
        return []
    return list(
        BulletinRecipient.objects.filter(bulletin=bulletin, agency_id__in=held, acknowledged_at__isnull=True)
        .select_related("agency")
        .order_by("agency__name")
    )


def acknowledging_recipient(
    *, actor: User, bulletin: Bulletin, agency_id: int | None = None
) -> BulletinRecipient | None:
    """The row the actor would acknowledge for: the one of `agency_id` when given (a member of
    several agencies acknowledges for the one they act as), else the first by name; None when
    there is none."""
    rows = acknowledging_recipients(actor=actor, bulletin=bulletin)
    if agency_id is not None:
        rows = [row for row in rows if row.agency_id == agency_id]
    return rows[0] if rows else None


def can_acknowledge(*, actor: User, bulletin: Bulletin) -> bool:
    return acknowledging_recipient(actor=actor, bulletin=bulletin) is not None


def can_reply(*, actor: User, bulletin: Bulletin) -> bool:
    """Reply in the thread: the bulletin read in full (`reads_full`), not withdrawn, and an
    acting member of the issuer or of an agency that received the full text (or staff)."""
    if bulletin.is_withdrawn or not getattr(bulletin, "reads_full", False):
        return False
    if user_is_staff(actor):
        return True
    held = agencies_with(user=actor, capability="bulletin.reply")
    if bulletin.issuing_agency_id in held:
        return True
    return BulletinRecipient.objects.filter(
        bulletin=bulletin, agency_id__in=held, tier=BulletinRecipient.Tier.FULL
    ).exists()


# --- Checks --------------------------------------------------------------------------------


def attachment_clean(upload: Any) -> tuple[str, str]:
    """(content type, extension) of an upload that really is a PDF, an image or an office
    document (read from its first bytes) of at most the size limit; ValidationError else."""
    size = getattr(upload, "size", None) or 0
    if size > max_attachment_bytes():
        raise ValidationError(
            {"attachments": _("An attachment may be at most %(mb)d MB.") % {"mb": max_attachment_bytes() // 1048576}}
        )
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.extension not in ATTACHMENT_TYPES:
        raise ValidationError({"attachments": _("Only PDF, images (PNG, JPEG, GIF, WebP) and office documents.")})
    return ATTACHMENT_TYPES[kind.extension], kind.extension


def _check_releasable(*, classification: str, releasable_classification: str, releasable_body: str) -> None:
    if not releasable_body.strip():
        return
    if not releasable_classification:
        raise ValidationError({"releasable_classification": _("Choose the releasable text's classification.")})
    if RANK[releasable_classification] >= RANK[classification]:
        raise ValidationError(
            {"releasable_classification": _("The releasable text must be less classified than the bulletin.")}
        )


def _check_ack(*, ack_required: bool, ack_deadline: datetime | None) -> None:
    if ack_required and ack_deadline is None:
        raise ValidationError({"ack_deadline": _("Give a deadline for the acknowledgement.")})
    if ack_required and ack_deadline is not None and ack_deadline <= timezone.now():
        raise ValidationError({"ack_deadline": _("The deadline must be in the future.")})


def issuing_agency_of(*, actor: User, agency: Agency | None) -> Agency:
    acting = acting_agency(
        actor=actor,
        agency=agency,
        roles=roles_for("bulletin.issue"),
        field="issuing_agency",
        staff_without_agency=False,
    )
    assert acting is not None  # staff_without_agency=False: an agency or an error
    return acting


def bulletin_preview(
    *,
    actor: User,
    classification: str,
    distribution: dict[str, Any],
    issuing_agency: Agency | None = None,
    releasable_classification: str = "",
    releasable_distribution: dict[str, Any] | None = None,
) -> tuple[dist.Resolved, dist.Resolved]:
    """Exactly who would receive the bulletin (full and releasable lists) and who is left out:
    what `bulletin_create` would store for the same input."""
    issuer = issuing_agency_of(actor=actor, agency=issuing_agency)
    return dist.resolve_tiers(
        issuer_id=issuer.pk,
        classification=classification,
        distribution=dist.clean_distribution(distribution),
        releasable_classification=releasable_classification,
        releasable_distribution=dist.clean_distribution(releasable_distribution),
    )


# --- Issue, amend, withdraw ----------------------------------------------------------------


@transaction.atomic
def bulletin_create(
    *,
    actor: User,
    title: str,
    body: str,
    classification: str,
    distribution: dict[str, Any],
    issuing_agency: Agency | None = None,
    category: Category | None = None,
    areas: Sequence[Area] = (),
    releasable_title: str = "",
    releasable_body: str = "",
    releasable_classification: str = "",
    releasable_distribution: dict[str, Any] | None = None,
    ack_required: bool = False,
    ack_deadline: datetime | None = None,
    attachments: Sequence[Any] = (),
) -> Bulletin:
    """Issue a bulletin for the actor's agency to the resolved distribution (`bulletin_preview`
    shows the same lists), with its first version and attachments; e-mail and SMS go after commit."""
    issuer = issuing_agency_of(actor=actor, agency=issuing_agency)
    _check_releasable(
        classification=classification,
        releasable_classification=releasable_classification,
        releasable_body=releasable_body,
    )
    _check_ack(ack_required=ack_required, ack_deadline=ack_deadline)
    wanted = dist.clean_distribution(distribution)
    wider_wanted = (
        dist.clean_distribution(releasable_distribution) if releasable_body.strip() else dist.clean_distribution({})
    )
    full, wider = dist.resolve_tiers(
        issuer_id=issuer.pk,
        classification=classification,
        distribution=wanted,
        releasable_classification=releasable_classification if releasable_body.strip() else "",
        releasable_distribution=wider_wanted,
    )
    if not full.included and not wider.included:
        raise ValidationError({"distribution": _("No agency would receive this bulletin.")})
    if len(full.included) + len(wider.included) > dist.MAX_RECIPIENTS:
        raise ValidationError({"distribution": _("Too many agencies: narrow the distribution.")})
    if len(attachments) > MAX_ATTACHMENTS:
        raise ValidationError({"attachments": _("At most %(n)d attachments.") % {"n": MAX_ATTACHMENTS}})
    checked = [(upload, *attachment_clean(upload)) for upload in attachments]
    has_releasable = bool(releasable_body.strip())
    bulletin = Bulletin(
        title=title,
        body=body,
        classification=classification,
        issuing_agency=issuer,
        category=category,
        releasable_title=(releasable_title or title) if has_releasable else "",
        releasable_body=releasable_body if has_releasable else "",
        releasable_classification=releasable_classification if has_releasable else "",
        ack_required=ack_required,
        ack_deadline=ack_deadline if ack_required else None,
        distribution={"full": wanted, "releasable": wider_wanted},
        created_by=signed_in(actor),
    )
    bulletin.full_clean()
    bulletin.save()
    if areas:
        bulletin.areas.set(areas)
    rows = [
        BulletinRecipient(bulletin=bulletin, agency_id=aid, tier=tier, reason=reason, named=aid in resolved.named)
        for tier, resolved in ((BulletinRecipient.Tier.FULL, full), (BulletinRecipient.Tier.RELEASABLE, wider))
        for aid, reason in sorted(resolved.included.items())
    ]
    BulletinRecipient.objects.bulk_create(rows, batch_size=500)
    _version(bulletin=bulletin, actor=actor, note="")
    for upload, content_type, _ext in checked:
        _attach(bulletin=bulletin, upload=upload, content_type=content_type)
    notify_in_app(bulletin=bulletin, agency_ids=[r.agency_id for r in rows], event="issued", exclude=actor)
    queue_after_commit(tasks.bulletin_notify, (bulletin.pk, "issued"))
    return bulletin


def _version(*, bulletin: Bulletin, actor: User, note: str) -> BulletinVersion:
    return BulletinVersion.objects.create(
        bulletin=bulletin,
        number=bulletin.version,
        title=bulletin.title,
        body=bulletin.body,
        releasable_title=bulletin.releasable_title,
        releasable_body=bulletin.releasable_body,
        note=note,
        changed_by=signed_in(actor),
    )


def _attach(*, bulletin: Bulletin, upload: Any, content_type: str) -> BulletinAttachment:
    name = (getattr(upload, "name", "") or "attachment").replace("\\", "/").rsplit("/", 1)[-1][:200]
    attachment = BulletinAttachment(bulletin=bulletin, name=name, content_type=content_type, size=upload.size or 0)
    attachment.file.save(attachment.token, upload, save=False)
    attachment.save()
    return attachment


@transaction.atomic
def bulletin_attachment_add(*, actor: User, bulletin: Bulletin, upload: Any) -> BulletinAttachment:
    """Add a checked file to a bulletin in force (the issuer's commanders and liaisons)."""
    require_issuer(actor=actor, bulletin=bulletin)
    if bulletin.is_withdrawn:
        raise ValidationError({"attachments": _("This bulletin was withdrawn.")})
    if bulletin.attachments.count() >= MAX_ATTACHMENTS:
        raise ValidationError({"attachments": _("At most %(n)d attachments.") % {"n": MAX_ATTACHMENTS}})
    content_type, _ext = attachment_clean(upload)
    return _attach(bulletin=bulletin, upload=upload, content_type=content_type)


@transaction.atomic
def bulletin_amend(
    *,
    actor: User,
    bulletin: Bulletin,
    title: str | None = None,
    body: str | None = None,
    releasable_title: str | None = None,
    releasable_body: str | None = None,
    note: str = "",
) -> Bulletin:
    """A new version of the text (the distribution stays): readers see what changed and see it
    as unread again; recipients are told (in-app, e-mail and SMS per subscription)."""
    require_issuer(actor=actor, bulletin=bulletin)
    if bulletin.is_withdrawn:
        raise ValidationError({"body": _("This bulletin was withdrawn.")})
    changes = {
        "title": title,
        "body": body,
        "releasable_title": releasable_title if bulletin.has_releasable else None,
        "releasable_body": releasable_body if bulletin.has_releasable else None,
    }
    changed = {k: v for k, v in changes.items() if v is not None and v != getattr(bulletin, k)}
    if not changed:
        raise ValidationError({"body": _("Nothing changed.")})
    if bulletin.has_releasable and "releasable_body" in changed and not changed["releasable_body"].strip():
        raise ValidationError({"releasable_body": _("The releasable text cannot be emptied.")})
    for key, value in changed.items():
        setattr(bulletin, key, value)
    bulletin.version += 1
    bulletin.full_clean()
    bulletin.save()
    _version(bulletin=bulletin, actor=actor, note=note.strip()[:500])
    notify_in_app(
        bulletin=bulletin,
        agency_ids=bulletin.recipients.values_list("agency_id", flat=True),
        event="amended",
        exclude=actor,
    )
    queue_after_commit(tasks.bulletin_notify, (bulletin.pk, "amended"))
    return bulletin


@transaction.atomic
def bulletin_withdraw(*, actor: User, bulletin: Bulletin, reason: str = "") -> Bulletin:
    """Withdraw a bulletin: it stays readable, marked withdrawn; nothing is due any more."""
    require_issuer(actor=actor, bulletin=bulletin)
    if bulletin.is_withdrawn:
        raise ValidationError({"reason": _("This bulletin was already withdrawn.")})
    bulletin.status = Bulletin.Status.WITHDRAWN
    bulletin.withdrawn_at = timezone.now()
    bulletin.withdraw_reason = reason.strip()[:500]
    bulletin.save(update_fields=["status", "withdrawn_at", "withdraw_reason", "updated_at"])
    notify_in_app(
        bulletin=bulletin,
        agency_ids=bulletin.recipients.values_list("agency_id", flat=True),
        event="withdrawn",
        exclude=actor,
    )
    queue_after_commit(tasks.bulletin_notify, (bulletin.pk, "withdrawn"))
    return bulletin


# --- Read, acknowledge, reply --------------------------------------------------------------


def bulletin_mark_read(*, user: User, bulletin: Bulletin) -> BulletinReceipt | None:
    """The user's read receipt (first read kept, version brought up to date); None for staff
    and the issuer's members, whose reads are not receipts. The user's inbox entries of the
    bulletin are read with it (one read state)."""
    if not user.is_authenticated:
        return None
    InboxItem.objects.filter(bulletin=bulletin, user=user, read_at__isnull=True).update(read_at=timezone.now())
    if user_is_staff(user):
        return None
    own = user_agency_ids(user=user)
    if bulletin.issuing_agency_id in own:
        return None
    agency_id = (
        BulletinRecipient.objects.filter(bulletin=bulletin, agency_id__in=own)
        .order_by("agency__name")
        .values_list("agency_id", flat=True)
        .first()
    )
    receipt, created = BulletinReceipt.objects.get_or_create(
        bulletin=bulletin,
        user=user,
        defaults={"agency_id": agency_id, "read_at": timezone.now(), "read_version": bulletin.version},
    )
    if not created and receipt.read_version < bulletin.version:
        BulletinReceipt.objects.filter(pk=receipt.pk).update(read_version=bulletin.version)
        receipt.read_version = bulletin.version
    return receipt


def bulletin_mark_read_many(*, user: User, bulletin_ids: Iterable[int]) -> int:
    """`bulletin_mark_read` for many bulletins at once (the inbox's "mark read"), only those the
    user may read, in a bounded number of queries; returns how many receipts were written."""
    from .selectors import bulletins_for  # the selectors use this module's predicates

    ids = set(bulletin_ids)
    if not ids or not user.is_authenticated:
        return 0
    now = timezone.now()
    InboxItem.objects.filter(bulletin_id__in=ids, user=user, read_at__isnull=True).update(read_at=now)
    if user_is_staff(user):
        return 0
    own = user_agency_ids(user=user)
    versions = dict(
        bulletins_for(user=user).filter(pk__in=ids).exclude(issuing_agency_id__in=own).values_list("pk", "version")
    )
    if not versions:
        return 0
    agency_of: dict[int, int] = {}
    for bulletin_id, agency_id in (
        BulletinRecipient.objects.filter(bulletin_id__in=versions, agency_id__in=own)
        .order_by("-agency__name")
        .values_list("bulletin_id", "agency_id")
    ):
        agency_of[bulletin_id] = agency_id  # the first by name wins, as in bulletin_mark_read
    held = dict(
        BulletinReceipt.objects.filter(user=user, bulletin_id__in=versions).values_list("bulletin_id", "read_version")
    )
    BulletinReceipt.objects.bulk_create(
        [
            BulletinReceipt(bulletin_id=b, user=user, agency_id=agency_of.get(b), read_at=now, read_version=v)
            for b, v in versions.items()
            if b not in held
        ],
        ignore_conflicts=True,
    )
    stale = [b for b, v in versions.items() if b in held and held[b] < v]
    if stale:
        BulletinReceipt.objects.filter(user=user, bulletin_id__in=stale).update(
            read_version=Subquery(Bulletin.objects.filter(pk=OuterRef("bulletin_id")).values("version")[:1])
        )
    return len(versions) - len(held) + len(stale)


@transaction.atomic
def bulletin_acknowledge(*, actor: User, bulletin: Bulletin, agency_id: int | None = None) -> BulletinRecipient:
    """Acknowledge for one of the actor's agencies (`agency_id`; without it the first by name)
    (once: a conditional UPDATE, so a double click or two members at once record one
    acknowledgement)."""
    recipient = acknowledging_recipient(actor=actor, bulletin=bulletin, agency_id=agency_id)
    if recipient is None:
        if bulletin.is_withdrawn or not bulletin.ack_required:
            raise ValidationError({"non_field_errors": _("This bulletin asks for no acknowledgement.")})
        if agency_id is not None and acknowledging_recipients(actor=actor, bulletin=bulletin):
            raise ValidationError({"agency": _("This agency has nothing to acknowledge here.")})
        raise PermissionDenied(_("Your agency has nothing to acknowledge here."))
    now = timezone.now()
    BulletinRecipient.objects.filter(pk=recipient.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=now, acknowledged_by=actor
    )
    bulletin_mark_read(user=actor, bulletin=bulletin)
    recipient.refresh_from_db()
    return recipient


@transaction.atomic
def bulletin_reply(*, actor: User, bulletin: Bulletin, body: str) -> BulletinReply:
    """A message in the thread, among those who read the full text."""
    if not can_reply(actor=actor, bulletin=bulletin):
        raise PermissionDenied(_("You may not reply to this bulletin."))
    if not body.strip():
        raise ValidationError({"body": _("Write a reply.")})
    own = user_agency_ids(user=actor)
    agency_id = bulletin.issuing_agency_id if bulletin.issuing_agency_id in own else None
    if agency_id is None and own:
        agency_id = (
            BulletinRecipient.objects.filter(bulletin=bulletin, agency_id__in=own)
            .values_list("agency_id", flat=True)
            .first()
        )
    reply = BulletinReply(bulletin=bulletin, author=signed_in(actor), agency_id=agency_id, body=body.strip())
    reply.full_clean()
    reply.save()
    return reply
