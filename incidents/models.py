"""What happens: categories, incidents and their timeline, citizen reports, the risk register.

Threats, alerts and deliveries join this app with the fan-out (see DESIGN.md, core flow).
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Area, Camera, Classification, Severity, VitalObject
from agencies.validators import validate_latitude, validate_longitude


class CapCategory(models.TextChoices):
    """The `category` values of CAP 1.2."""

    GEO = "Geo", _("Geophysical")
    MET = "Met", _("Meteorological")
    SAFETY = "Safety", _("Public safety")
    SECURITY = "Security", _("Law enforcement, military, homeland security")
    RESCUE = "Rescue", _("Rescue and recovery")
    FIRE = "Fire", _("Fire")
    HEALTH = "Health", _("Medical and public health")
    ENV = "Env", _("Pollution and environment")
    TRANSPORT = "Transport", _("Transport")
    INFRA = "Infra", _("Utility and infrastructure")
    CBRNE = "CBRNE", _("Chemical, biological, radiological, nuclear or explosive")
    OTHER = "Other", _("Other")


class Urgency(models.IntegerChoices):
    """CAP 1.2 urgency; higher is more urgent."""

    UNKNOWN = 0, _("Unknown")
    PAST = 1, _("Past")
    FUTURE = 2, _("Future")
    EXPECTED = 3, _("Expected")
    IMMEDIATE = 4, _("Immediate")


class Category(models.Model):
    """A two-level taxonomy of what can happen, each mapped to a CAP category."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    name_id = models.CharField(_("name (Bahasa Indonesia)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    cap_category = models.CharField(_("CAP category"), max_length=12, choices=CapCategory.choices)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (translation.get_language() or "id").startswith("en") else self.name_id

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.parent_id and self.parent and self.parent.parent_id:
            raise ValidationError({"parent": _("Categories have two levels: a parent cannot have a parent.")})


class ReferenceCounter(models.Model):
    """The last reference number handed out per prefix and year.

    `incident_create` increments it with a row lock inside the incident's own transaction, so
    numbers are unique and gap-free: a rolled-back incident rolls its number back too.
    """

    prefix = models.CharField(max_length=12)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="reference_counter_unique")]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"


class Incident(models.Model):
    class Status(models.TextChoices):
        REPORTED = "reported", _("Reported")
        VERIFIED = "verified", _("Verified")
        RESPONDING = "responding", _("Responding")
        CONTAINED = "contained", _("Contained")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")
        REJECTED = "rejected", _("Rejected")
        DUPLICATE = "duplicate", _("Duplicate")

    class Source(models.TextChoices):
        AGENCY = "agency", _("Agency")
        CITIZEN = "citizen", _("Citizen report")
        CCTV = "cctv", _("CCTV")
        CAP_FEED = "cap_feed", _("CAP feed")

    reference = models.CharField(_("reference"), max_length=24, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="+")
    severity = models.PositiveSmallIntegerField(_("severity"), choices=Severity.choices, default=Severity.MODERATE)
    urgency = models.PositiveSmallIntegerField(_("urgency"), choices=Urgency.choices, default=Urgency.UNKNOWN)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.REPORTED)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.AGENCY)
    classification = models.CharField(
        _("classification"), max_length=12, choices=Classification.choices, default=Classification.RESTRICTED
    )
    reporting_agency = models.ForeignKey(
        Agency,
        verbose_name=_("reporting agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reported_incidents",
    )
    lead_agency = models.ForeignKey(
        Agency,
        verbose_name=_("lead agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_incidents",
    )
    involved_agencies = models.ManyToManyField(
        Agency, verbose_name=_("involved agencies"), blank=True, related_name="involved_incidents"
    )
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="incidents")
    # Denormalised from the area's path ("/23/364/...") so that "in this regency and below" is a
    # prefix match on an indexed column of the incident row itself, not a join to 90k areas.
    area_path = models.CharField(max_length=64, editable=False, db_index=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True, validators=[validate_latitude]
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True, validators=[validate_longitude]
    )
    occurred_at = models.DateTimeField(_("occurred at"))
    reported_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    camera = models.ForeignKey(
        Camera, verbose_name=_("camera"), null=True, blank=True, on_delete=models.SET_NULL, related_name="incidents"
    )
    vital_object = models.ForeignKey(
        VitalObject,
        verbose_name=_("vital object"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="incidents",
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            # The default list order and the cursor pagination of incident_list.
            models.Index(fields=["-occurred_at", "-id"], name="incident_occurred_idx"),
            models.Index(fields=["status", "-occurred_at"], name="incident_status_idx"),
            models.Index(fields=["category", "-occurred_at"], name="incident_category_idx"),
            # bbox queries of the map and the GeoJSON export.
            models.Index(fields=["latitude", "longitude"], name="incident_latlon_idx"),
            models.Index(fields=["classification"], name="incident_class_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="incident_point_complete",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class IncidentEvent(models.Model):
    """One line of an incident's timeline. Append-only: services add, nothing edits or deletes."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        UPDATED = "updated", _("Updated")
        VERIFIED = "verified", _("Verified")
        ASSIGNED = "assigned", _("Agencies assigned")
        STATUS = "status", _("Status changed")
        NOTE = "note", _("Note")
        LINKED = "linked", _("Linked")
        MERGED = "merged", _("Merged")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    message = models.TextField(_("message"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


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
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        verbose_name = _("citizen report")
        verbose_name_plural = _("citizen reports")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The moderation queue: new reports, oldest first, per area.
            models.Index(fields=["status", "created_at"], name="report_queue_idx", condition=Q(status="new")),
        ]

    def __str__(self) -> str:
        return self.tracking_code


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


class RiskAssessment(models.Model):
    """A hazard in an area: likelihood x impact, reviewed periodically."""

    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="risk_assessments")
    area_path = models.CharField(max_length=64, editable=False, db_index=True)
    hazard = models.ForeignKey(Category, verbose_name=_("hazard"), on_delete=models.PROTECT, related_name="+")
    likelihood = models.PositiveSmallIntegerField(
        _("likelihood"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    impact = models.PositiveSmallIntegerField(_("impact"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    score = models.GeneratedField(
        expression=F("likelihood") * F("impact"), output_field=models.PositiveSmallIntegerField(), db_persist=True
    )
    vulnerabilities = models.TextField(_("vulnerabilities"), blank=True)
    mitigations = models.TextField(_("mitigations"), blank=True)
    assessing_agency = models.ForeignKey(
        Agency, verbose_name=_("assessing agency"), on_delete=models.PROTECT, related_name="risk_assessments"
    )
    assessed_on = models.DateField(_("assessed on"))
    review_due = models.DateField(_("review due"))
    classification = models.CharField(
        _("classification"), max_length=12, choices=Classification.choices, default=Classification.RESTRICTED
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("risk assessment")
        verbose_name_plural = _("risk assessments")
        ordering = ["-assessed_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(likelihood__gte=1, likelihood__lte=5), name="risk_likelihood_1_5"),
            models.CheckConstraint(condition=Q(impact__gte=1, impact__lte=5), name="risk_impact_1_5"),
            models.CheckConstraint(condition=Q(review_due__gte=F("assessed_on")), name="risk_review_after_assessment"),
        ]

    def __str__(self) -> str:
        return f"{self.area} / {self.hazard}: {self.likelihood}x{self.impact}"
