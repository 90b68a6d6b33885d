"""Action items: the one model of the follow-ups of exercises, meetings, programmes and
evaluations: what is to be done, by which agency (and person), by when, and how far it is.

An item belongs to exactly one parent (a check constraint); a new parent adds its nullable
foreign key and joins the constraint."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency

from .evaluations import Evaluation, EvaluationFinding
from .exercises import Exercise
from .meetings import Meeting
from .programmes import Programme


class ActionItem(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")

    exercise = models.ForeignKey(Exercise, null=True, blank=True, on_delete=models.CASCADE, related_name="action_items")
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.CASCADE, related_name="action_items")
    programme = models.ForeignKey(
        Programme, null=True, blank=True, on_delete=models.CASCADE, related_name="action_items"
    )
    evaluation = models.ForeignKey(
        Evaluation, null=True, blank=True, on_delete=models.CASCADE, related_name="action_items"
    )
    # An evaluation's item may answer one of its findings (same evaluation).
    finding = models.ForeignKey(
        EvaluationFinding,
        verbose_name=_("finding"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="action_items",
    )
    description = models.TextField(_("description"))
    owner_agency = models.ForeignKey(
        Agency, verbose_name=_("owner agency"), on_delete=models.PROTECT, related_name="action_items"
    )
    owner_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    # When it was marked done (cleared when reopened): "closed on time" is closed_at's date <= due_date.
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["due_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    exercise__isnull=False, meeting__isnull=True, programme__isnull=True, evaluation__isnull=True
                )
                | Q(exercise__isnull=True, meeting__isnull=False, programme__isnull=True, evaluation__isnull=True)
                | Q(exercise__isnull=True, meeting__isnull=True, programme__isnull=False, evaluation__isnull=True)
                | Q(exercise__isnull=True, meeting__isnull=True, programme__isnull=True, evaluation__isnull=False),
                name="action_item_one_parent",
            ),
        ]
        indexes = [
            # The owner agency's dashboard: overdue items not done.
            models.Index(fields=["owner_agency", "due_date"], name="action_open_idx", condition=~Q(status="done")),
        ]

    def __str__(self) -> str:
        return self.description[:60]
