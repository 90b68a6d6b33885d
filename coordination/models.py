"""Working together: joint operations and their situation reports, patrol shifts (joint patrols
and siskamling rosters) with check-ins, and joint exercises with their after-action reviews.

Conflicts (one unit in two places at once, an agency over its declared personnel) and coverage
gaps are computed by the services, never typed in; only a planner's explicit override of a
conflict is stored (`ConflictOverride`).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Area, Classification
from agencies.validators import validate_latitude, validate_longitude
from incidents.models import Incident, Threat


class JointOperation(models.Model):
    class Kind(models.TextChoices):
        JOINT_PATROL = "joint_patrol", _("Joint patrol")
        ENFORCEMENT = "enforcement", _("Enforcement")
        DISASTER_RESPONSE = "disaster_response", _("Disaster response")
        EVENT_SECURITY = "event_security", _("Event security")
        SEARCH_RESCUE = "search_rescue", _("Search and rescue")
        INVESTIGATION = "investigation", _("Investigation")
        COMMUNITY_WATCH = "community_watch", _("Community watch (siskamling)")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        APPROVED = "approved", _("Approved")
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        REVIEWED = "reviewed", _("Reviewed")
        CANCELLED = "cancelled", _("Cancelled")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    classification = models.CharField(
        _("classification"), max_length=12, choices=Classification.choices, default=Classification.RESTRICTED
    )
    lead_agency = models.ForeignKey(
        Agency, verbose_name=_("lead agency"), on_delete=models.PROTECT, related_name="led_operations"
    )
    areas = models.ManyToManyField(Area, verbose_name=_("areas"), blank=True, related_name="operations")
    objectives = models.TextField(_("objectives"), blank=True)
    command_post = models.CharField(_("command post"), max_length=200, blank=True)
    command_post_lat = models.DecimalField(
        _("command post latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[validate_latitude],
    )
    command_post_lon = models.DecimalField(
        _("command post longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[validate_longitude],
    )
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    incidents = models.ManyToManyField(Incident, verbose_name=_("incidents"), blank=True, related_name="operations")
    threats = models.ManyToManyField(Threat, verbose_name=_("threats"), blank=True, related_name="operations")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("joint operation")
        verbose_name_plural = _("joint operations")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(starts_at__isnull=True) | Q(ends_at__gt=F("starts_at")),
                name="operation_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Participation(models.Model):
    """An agency's part in an operation."""

    operation = models.ForeignKey(JointOperation, on_delete=models.CASCADE, related_name="participations")
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="operation_participations"
    )
    role = models.CharField(_("role"), max_length=120, blank=True, help_text=_("e.g. perimeter, medical, traffic"))
    personnel = models.PositiveIntegerField(_("personnel"), default=0)
    vehicles = models.PositiveIntegerField(_("vehicles"), default=0)
    liaison = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("liaison"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        ordering = ["agency__name"]
        constraints = [models.UniqueConstraint(fields=["operation", "agency"], name="participation_unique")]

    def __str__(self) -> str:
        return f"{self.agency} @ {self.operation}"


class OperationEvent(models.Model):
    """The operation's timeline: append-only."""

    operation = models.ForeignKey(JointOperation, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=20)
    message = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.operation_id} {self.kind}"


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


class SitRep(models.Model):
    """A situation report of an operation for a period."""

    operation = models.ForeignKey(JointOperation, on_delete=models.CASCADE, related_name="sitreps")
    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    period_start = models.DateTimeField(_("period start"))
    period_end = models.DateTimeField(_("period end"))
    summary = models.TextField(_("summary"))
    resources_committed = models.TextField(_("resources committed"), blank=True)
    casualties_dead = models.PositiveIntegerField(_("dead"), default=0)
    casualties_injured = models.PositiveIntegerField(_("injured"), default=0)
    casualties_missing = models.PositiveIntegerField(_("missing"), default=0)
    needs = models.TextField(_("needs"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("situation report")
        verbose_name_plural = _("situation reports")
        ordering = ["operation", "period_start", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gt=F("period_start")), name="sitrep_period_forward")
        ]

    def __str__(self) -> str:
        return f"{self.operation_id} {self.period_start:%Y-%m-%d %H:%M}"


class AgencyCapacity(models.Model):
    """What an agency declares it can commit at one time (for the over-commitment check)."""

    agency = models.OneToOneField(Agency, on_delete=models.CASCADE, related_name="capacity")
    personnel = models.PositiveIntegerField(_("personnel available"), default=0)
    vehicles = models.PositiveIntegerField(_("vehicles available"), default=0)

    class Meta:
        verbose_name = _("agency capacity")
        verbose_name_plural = _("agency capacities")

    def __str__(self) -> str:
        return f"{self.agency}: {self.personnel}"


class PatrolShift(models.Model):
    """A slot of a patrol plan: areas or an ordered route of checkpoints, from start to end."""

    class Kind(models.TextChoices):
        JOINT_PATROL = "joint_patrol", _("Joint patrol")
        COMMUNITY_WATCH = "community_watch", _("Community watch (siskamling)")

    operation = models.ForeignKey(
        JointOperation, verbose_name=_("operation"), on_delete=models.CASCADE, related_name="shifts"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.JOINT_PATROL)
    title = models.CharField(_("title"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    areas = models.ManyToManyField(Area, verbose_name=_("areas"), blank=True, related_name="patrol_shifts")
    # Shifts generated together by one recurring plan share this key.
    series = models.CharField(max_length=32, blank=True, db_index=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("patrol shift")
        verbose_name_plural = _("patrol shifts")
        ordering = ["starts_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="shift_ends_after_start")]
        indexes = [
            # Conflict and coverage computations and the calendar: shifts overlapping a window.
            models.Index(fields=["starts_at", "ends_at"], name="shift_window_idx"),
        ]

    def __str__(self) -> str:
        return self.title or f"{self.operation} {self.starts_at:%Y-%m-%d %H:%M}"


class Checkpoint(models.Model):
    shift = models.ForeignKey(PatrolShift, on_delete=models.CASCADE, related_name="checkpoints")
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=120)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, validators=[validate_latitude])
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, validators=[validate_longitude])
    planned_at = models.DateTimeField(_("planned at"), null=True, blank=True)

    class Meta:
        ordering = ["shift", "order"]
        constraints = [models.UniqueConstraint(fields=["shift", "order"], name="checkpoint_unique_order")]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"


class ShiftContribution(models.Model):
    """What an agency puts into a shift: a unit, its headcount and vehicles."""

    shift = models.ForeignKey(PatrolShift, on_delete=models.CASCADE, related_name="contributions")
    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+")
    unit_name = models.CharField(_("unit"), max_length=120)
    headcount = models.PositiveIntegerField(_("headcount"), validators=[MinValueValidator(1)])
    vehicles = models.PositiveIntegerField(_("vehicles"), default=0)

    class Meta:
        ordering = ["agency__name", "unit_name"]
        constraints = [
            models.UniqueConstraint(fields=["shift", "agency", "unit_name"], name="contribution_unique_unit"),
        ]
        indexes = [models.Index(fields=["agency", "unit_name"], name="contribution_unit_idx")]

    def __str__(self) -> str:
        return f"{self.agency}: {self.unit_name} ({self.headcount})"


class RosterEntry(models.Model):
    """A person on a siskamling shift. Names and phones are for the group and its police partners."""

    shift = models.ForeignKey(PatrolShift, on_delete=models.CASCADE, related_name="roster")
    name = models.CharField(_("name"), max_length=120)
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    class Meta:
        ordering = ["shift", "name"]

    def __str__(self) -> str:
        return self.name


class ConflictOverride(models.Model):
    """A planner saved a shift despite a computed conflict: who, when, why, and what clashed."""

    shift = models.ForeignKey(PatrolShift, on_delete=models.CASCADE, related_name="overrides")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(_("reason"))
    conflicts = models.JSONField(_("conflicts"), default=list)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.shift_id} {self.at:%Y-%m-%d}"


class CheckIn(models.Model):
    shift = models.ForeignKey(PatrolShift, on_delete=models.CASCADE, related_name="check_ins")
    checkpoint = models.ForeignKey(
        Checkpoint, null=True, blank=True, on_delete=models.SET_NULL, related_name="check_ins"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"))
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True, validators=[validate_latitude]
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True, validators=[validate_longitude]
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["shift", "at", "id"]

    def __str__(self) -> str:
        return f"{self.shift_id} {self.at:%H:%M}"


class CalendarFeed(models.Model):
    """The secret URL of an agency's iCalendar feed of shifts (rotated on the patrol calendar
    through `patrols.calendar_feed_rotate`)."""

    agency = models.OneToOneField(Agency, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.agency} feed"


class Exercise(models.Model):
    class Kind(models.TextChoices):
        TRAINING = "training", _("Training")
        TABLETOP = "tabletop", _("Tabletop exercise")
        FIELD_DRILL = "field_drill", _("Field drill")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    lead_agency = models.ForeignKey(Agency, verbose_name=_("lead agency"), on_delete=models.PROTECT, related_name="+")
    participants = models.ManyToManyField(
        Agency, verbose_name=_("participating agencies"), blank=True, related_name="exercises"
    )
    areas = models.ManyToManyField(Area, verbose_name=_("areas"), blank=True, related_name="exercises")
    scenario = models.TextField(_("scenario"), blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    classification = models.CharField(
        _("classification"), max_length=12, choices=Classification.choices, default=Classification.RESTRICTED
    )
    # After-action review
    observations = models.TextField(_("observations"), blank=True)
    strengths = models.TextField(_("strengths"), blank=True)
    gaps = models.TextField(_("gaps"), blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("exercise")
        verbose_name_plural = _("exercises")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="exercise_ends_after_start")
        ]

    def __str__(self) -> str:
        return self.name


class ActionItem(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="action_items")
    description = models.TextField(_("description"))
    owner_agency = models.ForeignKey(
        Agency, verbose_name=_("owner agency"), on_delete=models.PROTECT, related_name="action_items"
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["due_date", "id"]
        indexes = [
            # The owner agency's dashboard: overdue items not done.
            models.Index(fields=["owner_agency", "due_date"], name="action_open_idx", condition=~Q(status="done")),
        ]

    def __str__(self) -> str:
        return self.description[:60]
