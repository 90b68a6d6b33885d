"""Citizens' reports, their public updates and their photos (kept in a private storage)."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from agencies.models import Area
from agencies.validators import validate_latitude, validate_longitude

from .incidents import Category, Incident


class CitizenReport(models.Model):
    """A report from the public, possibly anonymous, followed by its tracking code."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected")
        DUPLICATE = "duplicate", _("Duplicate")
        SPAM = "spam", _("Spam")

    tracking_code = models.CharField(_("tracking code"), max_length=16, unique=True, editable=False)
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="+")
    description = models.TextField(_("description"))
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, validators=[validate_latitude])
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, validators=[validate_longitude])
    occurred_at = models.DateTimeField(_("occurred at"), null=True, blank=True)
    area = models.ForeignKey(
        Area, verbose_name=_("area"), null=True, blank=True, on_delete=models.SET_NULL, related_name="citizen_reports"
    )
    area_path = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NEW)
    moderation_reason = models.TextField(_("reason"), blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_at = models.DateTimeField(_("moderated at"), null=True, blank=True)
    incident = models.ForeignKey(
        Incident,
        verbose_name=_("incident"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="citizen_reports",
    )
    # Stamped by the database (its DEFAULT), so the public intake's INSERT need not carry it.
    created_at = models.DateTimeField(_("received at"), db_default=Now(), editable=False)

    class Meta:
        verbose_name = _("citizen report")
        verbose_name_plural = _("citizen reports")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The moderation queue: new reports, oldest first, per area.
            models.Index(fields=["status", "created_at"], name="report_queue_idx", condition=Q(status="new")),
            # The desk's "last 30 days" (coordination.desk.selectors.last_30_days): the month's
            # reports under a jurisdiction's path from the index alone (a sequential scan of
            # every report took 19-25 ms with 50k of them).
            models.Index(fields=["created_at"], include=["area_path"], name="report_recent_idx"),
        ]

    def __str__(self) -> str:
        return self.tracking_code

    @property
    def public_status(self) -> str:
        return status_for_reporter(self.status)

    def get_public_status_display(self) -> str:
        return str(CitizenReport.Status(self.public_status).label)

    @property
    def public_progress(self) -> str | None:
        """How the incident made of this report is going, as the reporter reads it (a code of
        PublicProgress), or None before there is one. Only the incident's status is used."""
        incident = self.incident if self.incident_id is not None else None
        if incident is None or self.status not in (self.Status.VERIFIED, self.Status.DUPLICATE):
            return None
        return progress_for_reporter(incident.status)

    def get_public_progress_display(self) -> str:
        progress = self.public_progress
        return str(PublicProgress(progress).label) if progress else ""

    @property
    def public_updates(self) -> list[CitizenReportUpdate]:
        """What the reporter sees, oldest first: "received" (not stored: it is the report's own
        creation, worded in the reader's language), then the stored updates (prefetch them)."""
        received = CitizenReportUpdate(
            report=self, at=self.created_at, status=CitizenReport.Status.NEW, message=str(_("Report received."))
        )
        return [received, *self.updates.all()]


class CitizenReportUpdate(models.Model):
    """What the reporter sees when following a report: public messages only."""

    report = models.ForeignKey(CitizenReport, on_delete=models.CASCADE, related_name="updates")
    at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=CitizenReport.Status.choices)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.report_id} {self.status}"

    @property
    def public_status(self) -> str:
        return status_for_reporter(self.status)

    def get_public_status_display(self) -> str:
        return str(CitizenReport.Status(self.public_status).label)


def status_for_reporter(status: str) -> str:
    """A status as the reporter reads it: a report judged spam reads "rejected". Telling a
    spammer how the portal classed them helps nobody but the spammer; moderators see "spam"."""
    return CitizenReport.Status.REJECTED if status == CitizenReport.Status.SPAM else status


class PublicProgress(models.TextChoices):
    """An incident's status in words a citizen understands, without its internals."""

    PASSED_ON = "passed_on", _("Passed on to the officers")
    HANDLING = "handling", _("Officers are handling it")
    UNDER_CONTROL = "under_control", _("The situation is under control")
    HANDLED = "handled", _("Handled")
    NOT_FOLLOWED_UP = "not_followed_up", _("Not followed up")


_PROGRESS: dict[str, str] = {
    Incident.Status.REPORTED: PublicProgress.PASSED_ON,
    Incident.Status.VERIFIED: PublicProgress.PASSED_ON,
    Incident.Status.RESPONDING: PublicProgress.HANDLING,
    Incident.Status.CONTAINED: PublicProgress.UNDER_CONTROL,
    Incident.Status.RESOLVED: PublicProgress.HANDLED,
    Incident.Status.CLOSED: PublicProgress.HANDLED,
    Incident.Status.REJECTED: PublicProgress.NOT_FOLLOWED_UP,
    # Merged into another incident: the reports move there, this is only a passing state.
    Incident.Status.DUPLICATE: PublicProgress.PASSED_ON,
}


def progress_for_reporter(incident_status: str) -> str:
    return _PROGRESS.get(incident_status, PublicProgress.PASSED_ON)


class PrivateStorage(FileSystemStorage):
    """Citizens' photos live in PRIVATE_MEDIA_ROOT, outside MEDIA_ROOT and without a public URL:
    only an access-checking view serves them. The location is read from settings at each use,
    so tests can point it at a temporary folder."""

    def __init__(self) -> None:
        super().__init__(base_url="/no-public-url/")

    @property
    def base_location(self) -> str:  # type: ignore[override]
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self) -> str:  # type: ignore[override]
        return os.path.abspath(self.base_location)


def private_storage() -> PrivateStorage:
    return PrivateStorage()


def _report_photo_path(instance: CitizenReportPhoto, filename: str) -> str:
    return f"reports/{instance.report.tracking_code}/{instance.token}.{instance.extension}"


class CitizenReportPhoto(models.Model):
    """A photo re-encoded on receipt (which drops EXIF and GPS), served only to authorised users."""

    report = models.ForeignKey(CitizenReport, on_delete=models.CASCADE, related_name="photos")
    token = models.CharField(max_length=32, unique=True, editable=False)
    image = models.FileField(upload_to=_report_photo_path, storage=private_storage)
    content_type = models.CharField(max_length=20)
    extension = models.CharField(max_length=5)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()

    def __str__(self) -> str:
        return self.token


class ReportQuestion(models.Model):
    """A moderator's question to the reporter of a citizen's report, and the reporter's answer:
    the two-way thread of the report (and of the incident it became), oldest first.

    Nobody's identity travels in it: the question shows as its `agency` (the moderating agency
    of whoever asked; none for staff, shown as "Moderator"), never as a person; `asked_by` is
    kept for the record and shown to nobody. The answer comes from whoever holds the tracking
    code, through the public pages or API, and is never linked to the report's contact.
    """

    report = models.ForeignKey(CitizenReport, on_delete=models.CASCADE, related_name="questions")
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("agency"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("question"))
    asked_at = models.DateTimeField(_("asked at"), db_default=Now(), editable=False)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    # When the reporter was told by e-mail or SMS that the question waits: claimed by the
    # notifying task with a conditional UPDATE (incidents.reports.notify), so it is sent once.
    notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("question to the reporter")
        verbose_name_plural = _("questions to the reporter")
        ordering = ["asked_at", "id"]
        indexes = [models.Index(fields=["report", "asked_at"], name="report_question_idx")]
        constraints = [
            # An answer and its time come together: "waits for an answer" is answered_at IS NULL.
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True, answer="") | (Q(answered_at__isnull=False) & ~Q(answer="")),
                name="report_question_answer_with_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.text[:40]}"

    @property
    def asker_label(self) -> str:
        """Who asked, as anyone reads it: the agency, or "Moderator"; never a person."""
        return self.agency.name if self.agency_id and self.agency else str(_("Moderator"))
