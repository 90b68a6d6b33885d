"""The in-portal notifications of coordination (an operation added, changed, started)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from agencies.models import Agency

from .operations import JointOperation


class Notification(models.Model):
    """An in-app message to a member about an operation (added, changed, started). The alert
    engine's deliveries are tied to threats; this small inbox covers coordination until that
    engine carries other subjects."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coordination_notifications"
    )
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    operation = models.ForeignKey(JointOperation, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)
    message = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="notification_inbox_idx")]

    def __str__(self) -> str:
        return self.message
