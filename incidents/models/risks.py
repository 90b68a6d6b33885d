"""The risk register: a hazard in an area, likelihood x impact."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Area, Classification

from .incidents import Category


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
        indexes = [
            # The register's order: its first page walks the index instead of sorting every
            # visible assessment joined to its area, hazard and agency.
            models.Index(fields=["-score", "review_due", "id"], name="risk_register_order_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(likelihood__gte=1, likelihood__lte=5), name="risk_likelihood_1_5"),
            models.CheckConstraint(condition=Q(impact__gte=1, impact__lte=5), name="risk_impact_1_5"),
            models.CheckConstraint(condition=Q(review_due__gte=F("assessed_on")), name="risk_review_after_assessment"),
        ]

    def __str__(self) -> str:
        return f"{self.area} / {self.hazard}: {self.likelihood}x{self.impact}"
