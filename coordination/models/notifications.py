"""The one inbox: an `InboxItem` per user and subject (an operation changed, and later a
bulletin, a meeting invitation, an assignment). Alerts are the threats' in-app deliveries,
which the fan-out already writes per user; the inbox reads both (see
`coordination.notifications.selectors`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from agencies.models import Agency
from incidents.models import CitizenReport

from .bulletins import Bulletin
from .evaluations import Evaluation
from .meetings import Meeting
from .operations import JointOperation
from .programmes import Programme


class InboxItem(models.Model):
    """One entry of a member's inbox about a record, told to them as a member of `agency`.

    It holds references, never text: the record (one nullable foreign key per kind of record,
    so that deleting the record deletes its entries and the reader's right is one join away),
    the agency it is about and a `kind` from the registry in
    `coordination.notifications.kinds`. Its text is written when it is read, for the reader,
    under the record's access rule as it is then: a record the reader may no longer read shows
    as withdrawn, unnamed. `message` is kept only for entries written before that.

    `needs_ack` marks an entry that waits for the reader's acknowledgement (bulletins that
    require one); `acknowledged_at` is set by the service of the record when it is given.
    A new kind of record adds its foreign key here (with a migration) and registers its kind.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox_items")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40)
    operation = models.ForeignKey(JointOperation, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    bulletin = models.ForeignKey(Bulletin, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    programme = models.ForeignKey(Programme, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    report = models.ForeignKey(CitizenReport, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    evaluation = models.ForeignKey(Evaluation, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # The bulletin's version the entry tells of (an amendment's entry: the version it brought).
    bulletin_version = models.PositiveIntegerField(null=True, blank=True)
    # The agency the entry is about (added to or removed from the operation).
    subject_agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    message = models.CharField(max_length=300, blank=True)
    needs_ack = models.BooleanField(default=False)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The inbox page, newest first (`inbox_page`).
            models.Index(fields=["user", "-created_at", "-id"], name="inbox_item_user_idx"),
            # The bell's count (`inbox_counts`): only the unread entries are in it.
            models.Index(fields=["user"], condition=Q(read_at__isnull=True), name="inbox_item_unread_idx"),
            # Opening a bulletin marks its entries read (`bulletin_mark_read`).
            models.Index(
                fields=["bulletin", "user"], condition=Q(bulletin__isnull=False), name="inbox_item_bulletin_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"
