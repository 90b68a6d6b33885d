"""Threats and their fan-out: alerts (one per threat and agency) and deliveries (one per alert,
revision, recipient and channel). See docs/architecture.md, "The core flow".

The database is the source of truth: a delivery row exists before anything is queued, its
status moves only by conditional UPDATEs, and the beat sweep re-queues whatever a lost broker
message or a killed worker left behind.
"""

from __future__ import annotations

from cryptography import x509
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Area, Classification, Severity, Subscription

from .incidents import Category, Incident, Urgency


class Certainty(models.IntegerChoices):
    """CAP 1.2 certainty; higher is more certain."""

    UNKNOWN = 0, _("Unknown")
    UNLIKELY = 1, _("Unlikely")
    POSSIBLE = 2, _("Possible")
    LIKELY = 3, _("Likely")
    OBSERVED = 4, _("Observed")


class Threat(models.Model):
    """What is alertable. Logging, updating or cancelling it fans alerts out."""

    class MsgType(models.TextChoices):
        ALERT = "Alert", _("Alert")
        UPDATE = "Update", _("Update")
        CANCEL = "Cancel", _("Cancel")

    class CapStatus(models.TextChoices):
        ACTUAL = "Actual", _("Actual")
        EXERCISE = "Exercise", _("Exercise")
        SYSTEM = "System", _("System")
        TEST = "Test", _("Test")
        DRAFT = "Draft", _("Draft")

    class Source(models.TextChoices):
        PORTAL = "portal", _("Logged in the portal")
        CAP_IMPORT = "cap_import", _("Imported CAP alert")

    # CAP identity of the latest message about this threat: (sender, identifier) is unique,
    # which makes a repeated import of the same CAP alert a no-op.
    identifier = models.CharField(_("CAP identifier"), max_length=200)
    sender = models.CharField(_("CAP sender"), max_length=200)
    sent_at = models.DateTimeField(_("sent"))
    msg_type = models.CharField(_("message type"), max_length=6, choices=MsgType.choices, default=MsgType.ALERT)
    cap_status = models.CharField(_("CAP status"), max_length=8, choices=CapStatus.choices, default=CapStatus.ACTUAL)
    # Incremented by every update and cancel; deliveries are unique per revision, so an update
    # reaches everyone again while a repeated fan-out of the same revision sends nothing twice.
    revision = models.PositiveIntegerField(_("revision"), default=1)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices, default=Source.PORTAL)

    headline = models.CharField(_("headline"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    instruction = models.TextField(_("instruction"), blank=True)
    headline_en = models.CharField(_("headline (English)"), max_length=200, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    instruction_en = models.TextField(_("instruction (English)"), blank=True)
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="+")
    severity = models.PositiveSmallIntegerField(_("severity"), choices=Severity.choices, default=Severity.MODERATE)
    urgency = models.PositiveSmallIntegerField(_("urgency"), choices=Urgency.choices, default=Urgency.EXPECTED)
    certainty = models.PositiveSmallIntegerField(_("certainty"), choices=Certainty.choices, default=Certainty.LIKELY)
    classification = models.CharField(
        _("classification"), max_length=12, choices=Classification.choices, default=Classification.RESTRICTED
    )
    areas = models.ManyToManyField(Area, verbose_name=_("areas"), blank=True, related_name="threats")
    # CAP <area> blocks as given by the alert (areaDesc, polygons, circles, geocodes), kept
    # whether or not they match a portal area.
    cap_areas = models.JSONField(_("CAP areas"), default=list, blank=True)
    # Why each portal area was linked to the CAP areas: [{"area", "name", "reason", "detail"}],
    # reason polygon, circle, geocode or name (incidents/threats/cap/areas.py), for the liaison.
    area_matches = models.JSONField(_("area matches"), default=list, blank=True)
    # The CAP source (feed) the alert came from, when a poll imported it: only that source's
    # later Updates and Cancels apply to it (incidents/threats/feeds/poll.py).
    cap_source = models.ForeignKey(
        "incidents.CapSource",
        verbose_name=_("CAP source"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="threats",
    )
    effective_at = models.DateTimeField(_("effective"), null=True, blank=True)
    onset_at = models.DateTimeField(_("onset"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    issuing_agency = models.ForeignKey(
        Agency,
        verbose_name=_("issuing agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="issued_threats",
    )
    named_agencies = models.ManyToManyField(
        Agency, verbose_name=_("named agencies"), blank=True, related_name="named_in_threats"
    )
    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), null=True, blank=True, on_delete=models.SET_NULL, related_name="threats"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    fanned_out_revision = models.PositiveIntegerField(
        default=0, help_text=_("The last revision whose alerts and deliveries were created.")
    )

    class Meta:
        verbose_name = _("threat")
        verbose_name_plural = _("threats")
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["sender", "identifier"], name="threat_unique_cap_identity"),
        ]
        indexes = [
            models.Index(fields=["-sent_at", "-id"], name="threat_sent_idx"),
            # The desk's map of active threats (coordination.desk.selectors.desk_map): those not
            # expired, a few among every threat ever sent (147 ms walking them all by sent_at).
            models.Index(fields=["expires_at"], name="threat_expires_idx"),
            # alerts_sweep (beat, incidents/threats/escalation.py): threats whose latest revision has
            # not been fanned out yet.
            models.Index(
                fields=["updated_at"],
                name="threat_fanout_pending_idx",
                condition=Q(fanned_out_revision__lt=models.F("revision")),
            ),
            # "Not cancelled" (`alert_waiting_q`, the bell's and the desk's waiting alerts) is a
            # NOT EXISTS on the few cancel messages: without it PostgreSQL read all 20k threats
            # once per query to find none (6-10 ms on every page with the bell).
            models.Index(fields=["id"], name="threat_cancel_idx", condition=Q(msg_type="Cancel")),
        ]

    def __str__(self) -> str:
        return self.headline

    @property
    def is_cancelled(self) -> bool:
        return self.msg_type == self.MsgType.CANCEL


class ThreatMessage(models.Model):
    """Every CAP message sent or received about a threat, in order: the `references` of the next."""

    threat = models.ForeignKey(Threat, on_delete=models.CASCADE, related_name="messages")
    revision = models.PositiveIntegerField()
    identifier = models.CharField(max_length=200)
    sender = models.CharField(max_length=200)
    sent_at = models.DateTimeField()
    msg_type = models.CharField(max_length=6, choices=Threat.MsgType.choices)
    xml = models.TextField(blank=True, help_text=_("The CAP document as received, for imported alerts."))

    class Meta:
        ordering = ["threat", "revision"]
        constraints = [
            models.UniqueConstraint(fields=["sender", "identifier"], name="threat_message_unique_cap_identity"),
            models.UniqueConstraint(fields=["threat", "revision"], name="threat_message_unique_revision"),
        ]

    def __str__(self) -> str:
        return f"{self.sender},{self.identifier},{self.sent_at.isoformat()}"


class ThreatEvent(models.Model):
    """The threat's timeline, append-only like the incident's."""

    class Kind(models.TextChoices):
        LOGGED = "logged", _("Logged")
        UPDATED = "updated", _("Updated")
        CANCELLED = "cancelled", _("Cancelled")
        IMPORTED = "imported", _("Imported from CAP")
        FANNED_OUT = "fanned_out", _("Alerts sent")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        ESCALATED = "escalated", _("Escalated")

    threat = models.ForeignKey(Threat, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    message = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.threat_id} {self.kind}"


class QuickResponse(models.TextChoices):
    """One-click acknowledgements: the code is stored, the label shown in the reader's language."""

    DISPATCHED = "dispatched", _("Units dispatched")
    MONITORING = "monitoring", _("Monitoring")
    NOT_OURS = "not_ours", _("Not our jurisdiction")


def response_display(quick_response: str, text: str) -> str:
    """A quick response's label (in the active language) and/or the free text, as one line."""
    label = str(QuickResponse(quick_response).label) if quick_response in QuickResponse.values else ""
    text = text or ""
    return f"{label}: {text}" if label and text else label or text


class Alert(models.Model):
    """One per (threat, recipient agency): followed until a member acknowledges it."""

    class Reason(models.TextChoices):
        SUBSCRIPTION = "subscription", _("Subscription")
        JURISDICTION = "jurisdiction", _("Jurisdiction")
        NAMED = "named", _("Named by the issuer")
        ESCALATION = "escalation", _("Escalation to the parent agency")

    threat = models.ForeignKey(Threat, on_delete=models.CASCADE, related_name="alerts")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="alerts")
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revision = models.PositiveIntegerField(_("revision"), default=1)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    quick_response = models.CharField(_("quick response"), max_length=12, choices=QuickResponse.choices, blank=True)
    # Free text, as the member typed it (never translated).
    response = models.TextField(_("response"), blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["threat", "agency"], name="alert_unique_threat_agency")]
        indexes = [
            # alerts_sweep (beat), which escalates them with alert_escalate: alerts nobody has
            # acknowledged yet.
            models.Index(fields=["created_at"], name="alert_unacked_idx", condition=Q(acknowledged_at__isnull=True)),
            models.Index(fields=["agency", "-created_at"], name="alert_agency_idx"),
            # An agency's alerts waiting for its acknowledgement: the bell's bounded count (in
            # this order, `notifications.selectors.inbox_counts`) and the desk's alerts block
            # read only those (a third of the agency's alerts) instead of all of them.
            models.Index(
                fields=["agency", "created_at"], name="alert_waiting_idx", condition=Q(acknowledged_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.threat_id} -> {self.agency_id}"

    @property
    def response_display(self) -> str:
        return response_display(self.quick_response, self.response)


class Delivery(models.Model):
    """One message to one recipient on one channel for one revision of a threat."""

    class Channel(models.TextChoices):
        IN_APP = "in_app", _("In-app")
        EMAIL = "email", _("Email")
        SMS = "sms", _("SMS")
        WEBHOOK = "webhook", _("Webhook")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        RETRYING = "retrying", _("Retrying")
        # Never sent: the alert was withdrawn (its agency may no longer read the threat).
        CANCELLED = "cancelled", _("Cancelled")

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="deliveries")
    revision = models.PositiveIntegerField(default=1)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    # "user:<id>", "subscription:<id>" or "duty:<agency id>": unique per alert, revision and
    # channel, so creating the same deliveries twice inserts nothing.
    recipient_key = models.CharField(max_length=40)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="alert_deliveries"
    )
    subscription = models.ForeignKey(
        Subscription, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    address = models.CharField(_("address"), max_length=500, blank=True)
    escalation_level = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(_("status"), max_length=9, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Set by the UPDATE that claims a batch (queued -> sending): the worker then reads back
    # exactly the rows it won, even when another worker raced it for the same ids.
    claim_token = models.CharField(max_length=32, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["alert", "revision", "channel", "recipient_key"], name="delivery_unique_recipient"
            )
        ]
        indexes = [
            # alerts_sweep (beat) and the senders' claims (deliveries_claim): work not yet done.
            models.Index(
                fields=["status", "next_attempt_at"],
                name="delivery_pending_idx",
                condition=Q(status__in=["queued", "sending", "retrying"]),
            ),
            # The in-app inbox of a user.
            models.Index(fields=["user", "channel", "-created_at"], name="delivery_inbox_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.alert_id}/{self.channel}/{self.recipient_key}: {self.status}"


class CapSender(models.Model):
    """A CAP sender whose signed messages an agency trusts: the `<sender>` it writes and the X.509
    certificate (PEM) whose key signs its alerts (XML-DSig, CAP 1.2 section 3.3.2.1).

    A signed Update or Cancel of a threat the agency imported applies, whoever relays it, when
    it verifies against the certificate of an active sender registered here by that agency
    (incidents/threats/cap/signature.py)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="cap_senders")
    sender = models.CharField(_("sender"), max_length=200, help_text=_("As the alerts write it in <sender>."))
    certificate = models.TextField(
        _("certificate"), help_text=_("The sender's X.509 certificate, PEM (-----BEGIN CERTIFICATE-----).")
    )
    is_active = models.BooleanField(_("active"), default=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    registered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["agency", "sender", "pk"]
        verbose_name = _("CAP sender")
        verbose_name_plural = _("CAP senders")

    def __str__(self) -> str:
        return f"{self.sender} ({self.agency})"

    def clean(self) -> None:
        self.sender = (self.sender or "").strip()
        try:
            x509.load_pem_x509_certificate((self.certificate or "").strip().encode())
        except ValueError:
            raise ValidationError(
                {"certificate": [_("Not an X.509 certificate in PEM form (-----BEGIN CERTIFICATE-----).")]}
            ) from None
