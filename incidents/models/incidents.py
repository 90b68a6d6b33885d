"""Categories, incidents and their append-only timeline."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
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
    # When the incident first became verified and first became responding (or went straight on to
    # contained or resolved): set by incident_change_status, so that the evaluations' response
    # times are columns of the row and not a scan of the timeline (coordination.evaluations.kpis).
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    responding_at = models.DateTimeField(_("responding at"), null=True, blank=True)
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
            # The lists' category + status filter (and its bounded count) without AND-ing two
            # bitmaps of a hundred thousand rows each.
            models.Index(fields=["category", "status", "-occurred_at"], name="incident_cat_status_idx"),
            # bbox queries of the map and the GeoJSON export.
            models.Index(fields=["latitude", "longitude"], name="incident_latlon_idx"),
            models.Index(fields=["classification"], name="incident_class_idx"),
            # The risk register's "areas needing attention": the last 90 days' incidents counted
            # per area path, with the columns of the visibility rule, from the index alone
            # (the heap read every page of the table: 400 ms over a million incidents).
            models.Index(
                fields=["occurred_at"],
                include=["area_path", "classification", "reporting_agency", "lead_agency", "id"],
                name="incident_recent_area_idx",
            ),
            # The desk's map (coordination.desk.selectors.desk_map): the open incidents with a
            # point under a jurisdiction's path, newest first, read from the index alone (the
            # columns of the visibility rule included); walking the occurred_at index instead
            # read 26k rows of a million to find a city's 200 (230 ms).
            models.Index(
                fields=["area_path"],
                opclasses=["varchar_pattern_ops"],
                include=[
                    "occurred_at",
                    "id",
                    "latitude",
                    "longitude",
                    "severity",
                    "classification",
                    "reporting_agency",
                    "lead_agency",
                ],
                condition=Q(status__in=["reported", "verified", "responding", "contained"], latitude__isnull=False),
                name="incident_open_area_idx",
            ),
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
