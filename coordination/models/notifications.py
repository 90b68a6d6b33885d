"""The in-portal notifications of coordination (an operation added, changed, started)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from agencies.models import Agency

from .operations import JointOperation


class Notification(models.Model):
    """An in-app message to a member about an operation (added, changed, started, an agency
    removed). The alert engine's deliveries are tied to threats; this small inbox covers
    coordination until that engine carries other subjects.

    It holds references (the operation, the agency it is about, a kind), never their names:
    the text is written when it is read, for the reader, and an operation the reader may no
    longer read is not named (`coordination.notifications.selectors.notification_texts`).
    `message` is kept only for notifications written before that (read under the same rule).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coordination_notifications"
    )
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    operation = models.ForeignKey(JointOperation, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # The agency the notification is about (added to or removed from the operation).
    subject_agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=20)
    message = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="notification_inbox_idx")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"
