"""Periodic evaluations: the KPIs of a period and a scope, computed from the portal's data
(`coordination.evaluations.kpis`), the team's findings and their follow-up actions (action
items whose parent is the evaluation), reviewed by a commander and published to partners.

`snapshot` holds the last computation (the KPI values, their previous period, the same period a
year before, targets and lights, and the breakdowns the plots draw). A draft's snapshot is
recomputed; a published evaluation's is frozen, so later changes to the data never alter what
was signed. Targets are set per KPI by the city (staff, `agency` empty) or by an agency for its
own evaluations, and are never required (each KPI ships a default, or none).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Area, Partnership


class Evaluation(models.Model):
    class PeriodKind(models.TextChoices):
        MONTH = "month", _("Month")
        QUARTER = "quarter", _("Quarter")
        SEMESTER = "semester", _("Semester")
        YEAR = "year", _("Year")

    class ScopeKind(models.TextChoices):
        CITY = "city", _("The city")
        AGENCY = "agency", _("An agency")
        AREA = "area", _("An area")
        PARTNERSHIP = "partnership", _("A partnership")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEWED = "reviewed", _("Reviewed")
        PUBLISHED = "published", _("Published")

    class Origin(models.TextChoices):
        SCHEDULED = "scheduled", _("Created at the period's end")
        MANUAL = "manual", _("Created by hand")

    # The agency whose team writes, reviews and publishes the evaluation.
    owner_agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="evaluations"
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    period_kind = models.CharField(_("period"), max_length=10, choices=PeriodKind.choices)
    # The period's first and last day (inclusive), in the portal's zone.
    period_start = models.DateField(_("first day"))
    period_end = models.DateField(_("last day"))
    scope_kind = models.CharField(_("scope"), max_length=12, choices=ScopeKind.choices)
    scope_agency = models.ForeignKey(
        Agency, verbose_name=_("agency evaluated"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    scope_area = models.ForeignKey(
        Area, verbose_name=_("area evaluated"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    scope_partnership = models.ForeignKey(
        Partnership,
        verbose_name=_("partnership evaluated"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # "city", "agency:12", "area:5", "partnership:3": one evaluation per agency, scope and period.
    scope_key = models.CharField(max_length=40, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices, default=Origin.MANUAL)
    # A recurring series (owner, scope, period kind): the beat drafts its next period's evaluation
    # once that period has ended (coordination.evaluations.tasks.evaluations_schedule).
    recurring = models.BooleanField(_("repeat every period"), default=False)
    summary = models.TextField(_("summary"), max_length=10000, blank=True)
    snapshot = models.JSONField(_("computed figures"), default=dict, blank=True)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    shared_with = models.ManyToManyField(
        Agency, verbose_name=_("published to"), blank=True, related_name="evaluations_received"
    )
    # The public summary (public figures only) shown on the public portal.
    public = models.BooleanField(_("public summary published"), default=False)
    public_at = models.DateTimeField(_("public summary published at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["-period_start", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner_agency", "period_kind", "period_start", "scope_key"], name="evaluation_one_per_scope"
            ),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="evaluation_period"),
            models.CheckConstraint(
                condition=Q(
                    scope_kind="city",
                    scope_agency__isnull=True,
                    scope_area__isnull=True,
                    scope_partnership__isnull=True,
                )
                | Q(
                    scope_kind="agency",
                    scope_agency__isnull=False,
                    scope_area__isnull=True,
                    scope_partnership__isnull=True,
                )
                | Q(
                    scope_kind="area",
                    scope_agency__isnull=True,
                    scope_area__isnull=False,
                    scope_partnership__isnull=True,
                )
                | Q(
                    scope_kind="partnership",
                    scope_agency__isnull=True,
                    scope_area__isnull=True,
                    scope_partnership__isnull=False,
                ),
                name="evaluation_scope",
            ),
        ]
        indexes = [
            models.Index(fields=["owner_agency", "-period_start"], name="evaluation_owner_idx"),
            models.Index(fields=["-published_at"], name="evaluation_public_idx", condition=Q(public=True)),
        ]

    def __str__(self) -> str:
        return self.title or f"{self.get_scope_kind_display()} {self.period_start:%Y-%m-%d}"


class EvaluationFinding(models.Model):
    """What the team found, in its own words; a finding may speak of one KPI and carries the
    follow-up actions decided on it (action items with `finding` set)."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="findings")
    kpi = models.CharField(_("indicator"), max_length=60, blank=True)
    text = models.TextField(_("finding"), max_length=5000)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["evaluation", "position", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class KpiTarget(models.Model):
    """The target of one KPI: the city's (set by staff, `agency` empty) or an agency's, which
    its own evaluations use before the city's, which come before the shipped default."""

    kpi = models.CharField(_("indicator"), max_length=60)
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), null=True, blank=True, on_delete=models.CASCADE, related_name="kpi_targets"
    )
    value = models.DecimalField(_("target"), max_digits=14, decimal_places=2)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("KPI target")
        verbose_name_plural = _("KPI targets")
        ordering = ["kpi"]
        constraints = [
            models.UniqueConstraint(fields=["kpi", "agency"], name="kpi_target_agency"),
            models.UniqueConstraint(fields=["kpi"], condition=Q(agency__isnull=True), name="kpi_target_city"),
        ]

    def __str__(self) -> str:
        return f"{self.kpi}: {self.value}"
