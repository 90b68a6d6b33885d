"""Coordination meetings (rapat koordinasi): an organiser agency invites other agencies (and
named persons of them), they answer (RSVP), attendance is taken at the meeting, minutes and
decisions are written, and action items follow (`coordination.models.action_items`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Area


class Meeting(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")
        HELD = "held", _("Held")

    title = models.CharField(_("title"), max_length=200)
    agenda = models.TextField(_("agenda (Markdown)"), max_length=20000, blank=True)
    place = models.CharField(_("place"), max_length=300, blank=True)
    online_url = models.URLField(_("online link"), max_length=500, blank=True)
    # The area whose zone (WIB, WITA, WIT) the times are shown and typed in.
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    organiser = models.ForeignKey(
        Agency, verbose_name=_("organiser agency"), on_delete=models.PROTECT, related_name="meetings_organised"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    minutes = models.TextField(_("minutes (Markdown)"), max_length=50000, blank=True)
    # iCalendar SEQUENCE: raised when the time, place or status changes, so calendars update.
    sequence = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="meeting_ends_after_start"),
            models.CheckConstraint(condition=~Q(place="") | ~Q(online_url=""), name="meeting_place_or_link"),
        ]
        indexes = [
            # The desk's upcoming meetings and the list, soonest first.
            models.Index(fields=["starts_at"], name="meeting_starts_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class MeetingInvitee(models.Model):
    """An invited agency (`user` empty) or a named person of an invited agency, with their
    answer and their attendance."""

    class Rsvp(models.TextChoices):
        PENDING = "pending", _("No answer yet")
        ACCEPTED = "accepted", _("Accepted")
        TENTATIVE = "tentative", _("Tentative")
        DECLINED = "declined", _("Declined")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitees")
    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), null=True, blank=True, on_delete=models.CASCADE
    )
    rsvp = models.CharField(_("answer"), max_length=10, choices=Rsvp.choices, default=Rsvp.PENDING)
    rsvp_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rsvp_at = models.DateTimeField(null=True, blank=True)
    # Attendance taken at the meeting: None until taken.
    present = models.BooleanField(_("present"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitee")
        verbose_name_plural = _("invitees")
        ordering = ["agency__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "agency"], condition=Q(user__isnull=True), name="meeting_invitee_agency_uniq"
            ),
            models.UniqueConstraint(
                fields=["meeting", "user"], condition=Q(user__isnull=False), name="meeting_invitee_person_uniq"
            ),
        ]
        indexes = [
            # Who reads a meeting: its invited agencies and persons (`meeting_visibility_q`).
            models.Index(fields=["agency", "meeting"], name="meeting_invitee_agency_idx"),
            models.Index(fields=["user", "meeting"], name="meeting_invitee_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}: {self.agency_id}/{self.user_id or '-'}"


class MeetingDecision(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField(_("decision"), max_length=5000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]
