"""CAP sources: the warning services' feeds the portal follows (BMKG, MeteoAlarm, NWS...), their
poll state, and what each poll fetched (incidents/threats/feeds/, docs/architecture.md "CAP feeds").

The database is the source of truth for polling as for the fan-out: `next_poll_at` says when a
source is due (the beat dispatcher reads it), and `CapFetch` remembers every entry a source
offered, so that an alert is never imported twice, whatever the broker or the worker does.
"""

from __future__ import annotations

from typing import Any

from cryptography import x509
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Severity

from .incidents import CapCategory


def _categories_default() -> list[str]:
    return []


class CapSource(models.Model):
    """A warning service's CAP feed: an Atom or RSS index of alerts, or a single alert's URL."""

    class Kind(models.TextChoices):
        INDEX = "index", _("Atom or RSS index")
        ALERT = "alert", _("Single CAP alert")

    name = models.CharField(_("name"), max_length=120)
    authority = models.CharField(_("issuing authority"), max_length=200, help_text=_("The warning service, e.g. BMKG."))
    url = models.URLField(_("URL"), max_length=500)
    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices, default=Kind.INDEX)
    poll_every_minutes = models.PositiveIntegerField(
        _("poll every (minutes)"), default=5, validators=[MinValueValidator(1), MaxValueValidator(1440)]
    )
    categories = models.JSONField(
        _("CAP categories"),
        default=_categories_default,
        blank=True,
        help_text=_("The CAP categories to take (none: all)."),
    )
    min_severity = models.PositiveSmallIntegerField(
        _("minimum severity"), choices=Severity.choices, default=Severity.UNKNOWN
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("relaying agency"),
        on_delete=models.PROTECT,
        related_name="cap_sources",
        help_text=_("The agency that relays the alerts: it issues the threats."),
    )
    require_signature = models.BooleanField(_("XML signature required"), default=False)
    certificate = models.TextField(
        _("sender's certificate"), blank=True, help_text=_("X.509 certificate (PEM) whose key signs the alerts.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    # Poll state, written by the poll only (incidents/threats/feeds/poll.py).
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True)
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(_("consecutive failures"), default=0)
    next_poll_at = models.DateTimeField(_("next poll"), null=True, blank=True)
    # Claimed by a poll (a conditional UPDATE): a second worker given the same source skips it.
    polling_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("CAP source")
        verbose_name_plural = _("CAP sources")
        ordering = ["name", "pk"]
        indexes = [
            # cap_sources_due (the beat dispatcher, incidents/threats/feeds/poll.py): active sources by due time.
            models.Index(fields=["next_poll_at"], name="cap_source_due_idx", condition=Q(is_active=True)),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, list[Any]] = {}
        self.name = (self.name or "").strip()
        categories = self.categories or []
        if not isinstance(categories, list) or any(c not in CapCategory.values for c in categories):
            errors["categories"] = [_("Choose CAP categories from the list.")]
        else:
            self.categories = sorted(set(categories))
        certificate = (self.certificate or "").strip()
        if certificate:
            try:
                x509.load_pem_x509_certificate(certificate.encode())
            except ValueError:
                errors["certificate"] = [_("Not an X.509 certificate in PEM form (-----BEGIN CERTIFICATE-----).")]
        elif self.require_signature:
            errors["certificate"] = [_("A source whose alerts must be signed needs the sender's certificate.")]
        if errors:
            raise ValidationError(errors)

    @property
    def is_failing(self) -> bool:
        return self.failing_since is not None


class CapFetch(models.Model):
    """One entry a source offered and what became of it: the memory that keeps an alert from
    being imported twice (unique per source and entry, and per source and CAP identity)."""

    class Outcome(models.TextChoices):
        IMPORTED = "imported", _("Imported")
        UPDATED = "updated", _("Update applied")
        CANCELLED = "cancelled", _("Cancel applied")
        DUPLICATE = "duplicate", _("Already known")
        SKIPPED = "skipped", _("Filtered out")
        REFUSED = "refused", _("Refused")
        FAILED = "failed", _("Fetch failed")

    # Outcomes after which the entry is never fetched again; a failed fetch is tried next poll.
    FINAL = (
        Outcome.IMPORTED,
        Outcome.UPDATED,
        Outcome.CANCELLED,
        Outcome.DUPLICATE,
        Outcome.SKIPPED,
        Outcome.REFUSED,
    )

    source = models.ForeignKey(CapSource, on_delete=models.CASCADE, related_name="fetches")
    # The Atom entry id (or RSS guid, or the link) with its <updated>: a changed entry is fetched again.
    entry_key = models.CharField(max_length=700)
    url = models.CharField(_("URL"), max_length=1000)
    identifier = models.CharField(_("CAP identifier"), max_length=200, blank=True)
    sender = models.CharField(_("CAP sender"), max_length=200, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=9, choices=Outcome.choices)
    error = models.TextField(_("error"), blank=True)
    threat = models.ForeignKey(
        "incidents.Threat", null=True, blank=True, on_delete=models.SET_NULL, related_name="cap_fetches"
    )
    attempts = models.PositiveSmallIntegerField(default=1)
    fetched_at = models.DateTimeField(_("fetched at"), auto_now=True)

    class Meta:
        verbose_name = _("CAP fetch")
        verbose_name_plural = _("CAP fetches")
        ordering = ["-fetched_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["source", "entry_key"], name="cap_fetch_unique_entry"),
            models.UniqueConstraint(
                fields=["source", "sender", "identifier", "sent_at"],
                name="cap_fetch_unique_cap_identity",
                condition=~Q(identifier=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} {self.entry_key}: {self.outcome}"
