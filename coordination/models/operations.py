"""Joint operations: the operation, the agencies taking part, its append-only timeline and its
situation reports."""

from __future__ import annotations

from django.conf import settings
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
