"""Bulletins: information one agency shares with others, with read receipts, acknowledgements,
versions, an optional releasable text at a lower classification, attachments and a thread.

Who receives a bulletin is resolved once, when it is sent, into `BulletinRecipient` rows (one
per agency, with the tier it gets: the full text or the releasable one); who may read it is
still decided at read time by the classification rule (`coordination.bulletins.selectors`).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Area, Classification
from incidents.models import Category
from incidents.models.reports import private_storage


class Bulletin(models.Model):
    class Status(models.TextChoices):
        SENT = "sent", _("Sent")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text (Markdown)"), max_length=50000)
    classification = models.CharField(
        _("classification"), max_length=12, choices=Classification.choices, default=Classification.RESTRICTED
    )
    issuing_agency = models.ForeignKey(
        Agency, verbose_name=_("issuing agency"), on_delete=models.PROTECT, related_name="bulletins_issued"
    )
    category = models.ForeignKey(
        Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    areas = models.ManyToManyField(Area, verbose_name=_("areas"), blank=True, related_name="bulletins")
    # The releasable version: a shorter text at a lower classification for a wider list.
    releasable_title = models.CharField(_("releasable title"), max_length=200, blank=True)
    releasable_body = models.TextField(_("releasable text (Markdown)"), max_length=20000, blank=True)
    releasable_classification = models.CharField(
        _("releasable classification"), max_length=12, choices=Classification.choices, blank=True
    )
    ack_required = models.BooleanField(_("acknowledgement required"), default=False)
    ack_deadline = models.DateTimeField(_("acknowledge by"), null=True, blank=True)
    # How the distribution was asked for (kept to show it; the recipients are the resolved rows).
    distribution = models.JSONField(_("distribution"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SENT)
    version = models.PositiveIntegerField(_("version"), default=1)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdraw_reason = models.CharField(_("reason"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["issuing_agency", "-created_at"], name="bulletin_issuer_idx"),
            # bulletins_remind: acknowledgement deadlines still open.
            models.Index(
                fields=["ack_deadline"], name="bulletin_ack_due_idx", condition=Q(ack_required=True, status="sent")
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ack_required=False) | Q(ack_deadline__isnull=False), name="bulletin_ack_has_deadline"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("bulletin-detail", args=[self.pk])

    @property
    def is_withdrawn(self) -> bool:
        return self.status == self.Status.WITHDRAWN

    @property
    def has_releasable(self) -> bool:
        return bool(self.releasable_body and self.releasable_classification)


class BulletinRecipient(models.Model):
    """One agency that received a bulletin, with the agency's acknowledgement and reminders."""

    class Tier(models.TextChoices):
        FULL = "full", _("Full text")
        RELEASABLE = "releasable", _("Releasable text")

    class Reason(models.TextChoices):
        NAMED = "named", _("Named")
        KIND = "kind", _("By kind")
        JURISDICTION = "jurisdiction", _("Jurisdiction over an area")
        PARTNERSHIP = "partnership", _("Partnership")

    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="recipients")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="bulletins_received")
    tier = models.CharField(max_length=10, choices=Tier.choices, default=Tier.FULL)
    reason = models.CharField(max_length=12, choices=Reason.choices)
    # Picked one by one: what a secret bulletin (or releasable text) needs to be read.
    named = models.BooleanField(default=False)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The version whose e-mail and SMS went out (a conditional UPDATE claims a send).
    notified_version = models.PositiveIntegerField(default=0)
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bulletin", "agency"], name="bulletin_recipient_unique"),
        ]
        indexes = [
            # bulletins_for / the desk's "waiting for my agency's acknowledgement". With the
            # columns the reading rule and the desk's flags look at (tier, named, acknowledged_at),
            # the desk's EXISTS on the agency's received rows are read from the index alone: hashed,
            # they read every heap page of those rows four times (1,650 pages each, 5-16 ms).
            models.Index(
                fields=["agency", "bulletin"],
                include=["tier", "named", "acknowledged_at"],
                name="bulletin_recipient_agency_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bulletin_id} -> {self.agency_id}"


class BulletinReceipt(models.Model):
    """One person's read receipt: when they first read, and the version they last read."""

    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="receipts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bulletin_receipts")
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    read_at = models.DateTimeField()
    read_version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["bulletin", "user"], name="bulletin_receipt_unique")]
        indexes = [
            # "Unread by me" (`bulletins.selectors._unread_q`, once per received bulletin on the desk
            # and the lists) from the index alone.
            models.Index(fields=["bulletin", "user"], include=["read_version"], name="bulletin_receipt_reader_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.bulletin_id} read by {self.user_id}"


class BulletinVersion(models.Model):
    """The text of each version (1 is the original), so readers see what an amendment changed."""

    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField()
    releasable_title = models.CharField(max_length=200, blank=True)
    releasable_body = models.TextField(blank=True)
    note = models.CharField(_("what changed"), max_length=500, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["bulletin", "number"], name="bulletin_version_unique")]

    def __str__(self) -> str:
        return f"{self.bulletin_id} v{self.number}"


def _attachment_path(instance: BulletinAttachment, filename: str) -> str:
    return f"bulletins/{instance.bulletin_id}/{instance.token}"


def _token() -> str:
    return secrets.token_hex(16)


class BulletinAttachment(models.Model):
    """A file checked by its content, kept in the private storage, served by an access-checked view."""

    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="attachments")
    token = models.CharField(max_length=32, unique=True, default=_token, editable=False)
    file = models.FileField(upload_to=_attachment_path, storage=private_storage, max_length=200)
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class BulletinReply(models.Model):
    """A message in the bulletin's thread, read by those who read the full text."""

    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField(_("reply"), max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:60]
