"""Joint exercises (training, tabletop, field drill) with their after-action review; the
action items that follow are `coordination.models.action_items`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Area, Classification


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
