"""Patrol shifts (joint patrols and siskamling rosters): checkpoints, the units agencies
contribute, rosters, check-ins, conflict overrides, agencies' declared capacity and the
calendar feeds.

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

from agencies.models import Agency, Area
from agencies.validators import validate_latitude, validate_longitude

from .operations import JointOperation


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
    through `coordination.patrols.services.calendar_feed_rotate`)."""

    agency = models.OneToOneField(Agency, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.agency} feed"
