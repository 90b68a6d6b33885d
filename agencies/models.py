"""Who is who: areas, agencies, memberships, partnerships, subscriptions, vital objects, cameras.

This app is the bottom of the dependency chain: it imports neither `incidents` nor
`coordination`. Shared vocabularies that the other apps need (classification, CAP severity)
live here for that reason.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .validators import (
    private_storage,
    validate_latitude,
    validate_longitude,
    validate_stream_url,
    validate_webhook_url,
)


class Classification(models.TextChoices):
    """Who may read a record. See docs/security.md, "Access"."""

    PUBLIC = "public", _("Public")
    RESTRICTED = "restricted", _("Restricted")
    CONFIDENTIAL = "confidential", _("Confidential")
    SECRET = "secret", _("Secret")


class Severity(models.IntegerChoices):
    """CAP 1.2 severity, stored as an integer so that "at least Severe" is a comparison."""

    UNKNOWN = 0, _("Unknown")
    MINOR = 1, _("Minor")
    MODERATE = 2, _("Moderate")
    SEVERE = 3, _("Severe")
    EXTREME = 4, _("Extreme")


class TimeZoneChoice(models.TextChoices):
    WIB = "Asia/Jakarta", _("WIB (UTC+7)")
    WITA = "Asia/Makassar", _("WITA (UTC+8)")
    WIT = "Asia/Jayapura", _("WIT (UTC+9)")


ZONE_LABELS: dict[str, str] = {TimeZoneChoice.WIB: "WIB", TimeZoneChoice.WITA: "WITA", TimeZoneChoice.WIT: "WIT"}


def zone_label(tz_name: str) -> str:
    """WIB, WITA or WIT for an Indonesian zone's IANA name (other names as they are)."""
    return ZONE_LABELS.get(str(tz_name), str(tz_name))


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class Area(models.Model):
    """A node of the administrative hierarchy, imported from the `areaid` package.

    `path` is a materialized path of areaid ids ("/23/364/4990/61300/"): the descendants of
    an area are the rows whose path starts with its own, one indexed range scan instead of a
    recursive query over 90k rows.
    """

    class Level(models.IntegerChoices):
        PROVINCE = 1, _("Province")
        REGENCY = 2, _("Regency/city")
        DISTRICT = 3, _("District (kecamatan)")
        VILLAGE = 4, _("Village (kelurahan/desa)")

    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    source_id = models.PositiveIntegerField(_("areaid id"), help_text=_("Id in the areaid data set"))
    name = models.CharField(_("name"), max_length=120)
    code = models.CharField(_("code"), max_length=12, blank=True, help_text=_("BSNI code"))
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    path = models.CharField(_("path"), max_length=64, unique=True, editable=False)
    postal_code = models.CharField(_("postal code"), max_length=5, blank=True)
    timezone = models.CharField(_("time zone"), max_length=16, choices=TimeZoneChoice.choices)
    centroid_lat = models.DecimalField(
        _("centroid latitude"), max_digits=9, decimal_places=6, null=True, blank=True, validators=[validate_latitude]
    )
    centroid_lon = models.DecimalField(
        _("centroid longitude"), max_digits=9, decimal_places=6, null=True, blank=True, validators=[validate_longitude]
    )
    # True when the centroid is the mean of the children's (area_import.rollup_centroids), which
    # a later roll-up recomputes; False when it was given (admin, seed): a roll-up never overwrites it.
    centroid_derived = models.BooleanField(_("centroid derived from the sub-areas"), default=False, editable=False)
    boundary = models.JSONField(_("boundary (GeoJSON)"), null=True, blank=True)

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["level", "name"]
        constraints = [
            models.UniqueConstraint(fields=["level", "source_id"], name="area_unique_level_source_id"),
        ]
        indexes = [
            # area_list(name=...) and the admin's autocomplete search by name within a level.
            models.Index(fields=["level", "name"], name="area_level_name_idx"),
            models.Index(fields=["parent", "name"], name="area_parent_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def timezone_label(self) -> str:
        return zone_label(self.timezone)

    @property
    def ancestor_paths(self) -> list[str]:
        """Paths of this area and all its ancestors, root first."""
        parts = [p for p in self.path.split("/") if p]
        return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


class Agency(TimeStampedModel):
    class Kind(models.TextChoices):
        POLICE = "police", _("Police (Polri)")
        MILITARY = "military", _("Military (TNI)")
        NARCOTICS = "narcotics", _("Narcotics agency (BNN)")
        DISASTER = "disaster", _("Disaster management (BPBD)")
        SEARCH_RESCUE = "search_rescue", _("Search and rescue (Basarnas)")
        FIRE = "fire", _("Fire brigade (Damkar)")
        CIVIL_POLICE = "civil_police", _("Civil-service police (Satpol PP)")
        CITY_OFFICE = "city_office", _("City office")
        COMPANY = "company", _("Vital-object operator")
        SCHOOL = "school", _("School or university")
        NGO = "ngo", _("NGO (LSM)")
        COMMUNITY = "community", _("Community group (siskamling)")

    name = models.CharField(_("name"), max_length=200)
    code = models.SlugField(
        _("code"), max_length=40, unique=True, help_text=_("Short unique code, e.g. polres-bontang")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent agency"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    jurisdiction = models.ManyToManyField(
        Area, verbose_name=_("jurisdiction"), blank=True, related_name="agencies_with_jurisdiction"
    )
    headquarters_area = models.ForeignKey(
        Area, verbose_name=_("headquarters area"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True, validators=[validate_latitude]
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True, validators=[validate_longitude]
    )
    duty_phone = models.CharField(_("24-hour duty phone"), max_length=32, blank=True)
    duty_email = models.EmailField(_("24-hour duty email"), blank=True)
    duty_radio = models.CharField(_("duty radio channel"), max_length=60, blank=True)
    # What the agency declares it can put in the field (its commander keeps it current; none: not declared).
    capacity_personnel = models.PositiveIntegerField(_("personnel"), null=True, blank=True)
    capacity_vehicles = models.PositiveIntegerField(_("vehicles"), null=True, blank=True)
    capacity_boats = models.PositiveIntegerField(_("boats"), null=True, blank=True)
    capacity_medical_teams = models.PositiveIntegerField(_("medical teams"), null=True, blank=True)
    capacity_declared_at = models.DateField(_("capacity declared on"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # Every member must sign in with a second factor (commanders and staff always must):
    # agencies.accounts.selectors.two_factor_state.
    two_factor_required = models.BooleanField(
        _("two-factor login required"),
        default=False,
        help_text=_("Every member must sign in with an authenticator app code, not only commanders."),
    )

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(TimeStampedModel):
    class Role(models.TextChoices):
        COMMANDER = "commander", _("Commander")
        LIAISON = "liaison", _("Liaison")
        PLANNER = "planner", _("Planner")
        ANALYST = "analyst", _("Analyst")
        VIEWER = "viewer", _("Viewer")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.VIEWER)
    title = models.CharField(_("position"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True, help_text=_("For SMS alerts"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["agency__name", "role", "user__username"]
        constraints = [models.UniqueConstraint(fields=["user", "agency"], name="membership_unique_user_agency")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.agency} ({self.get_role_display()})"


class Invitation(TimeStampedModel):
    """A one-time link that makes its holder a member of an agency (`agencies/manage/`).

    Only the SHA-256 of the token is stored: the link is in the e-mail, never in the database.
    Used once (`accepted_at`), void after `expires_at` or once revoked.
    """

    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail"))
    role = models.CharField(_("role"), max_length=20, choices=Membership.Role.choices, default=Membership.Role.VIEWER)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.email} @ {self.agency_id}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()


def partnership_in_force_q(*, on: datetime.date | None = None, prefix: str = "") -> Q:
    """The one rule of what grants anything between agencies: a partnership every party has
    accepted, not ended (nor superseded), between its valid dates on `on` (today by default).
    `prefix` is the lookup path to the partnership ("partnerships__" from an agency).
    `Partnership.is_in_force` says the same of one row already read."""
    day = on or timezone.localdate()
    return Q(**{f"{prefix}status": Partnership.Status.IN_FORCE, f"{prefix}valid_from__lte": day}) & (
        Q(**{f"{prefix}valid_until__isnull": True}) | Q(**{f"{prefix}valid_until__gte": day})
    )


class PartnershipQuerySet(models.QuerySet["Partnership"]):
    def in_force(self, on: datetime.date | None = None) -> PartnershipQuerySet:
        return self.filter(partnership_in_force_q(on=on))


class Partnership(TimeStampedModel):
    """An agreement (MoU) between two or more agencies.

    Two-sided: one party's commander proposes it, and it is in force only once every other
    party's commander has accepted it (`PartnershipAnswer`, one row per party). A party may
    decline a proposal; any party may end it; a change (a wider scope, another party, longer
    dates) is a new proposal that `supersedes` the old one once accepted. Nothing is deleted:
    the rows are the history. Only `partnership_in_force_q` grants anything.
    """

    class Scope(models.TextChoices):
        INFORMATION_SHARING = "information_sharing", _("Information sharing")
        JOINT_PATROL = "joint_patrol", _("Joint patrol")
        DISASTER_RESPONSE = "disaster_response", _("Disaster response")
        TRAINING = "training", _("Training")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        IN_FORCE = "in_force", _("In force")
        DECLINED = "declined", _("Declined")
        ENDED = "ended", _("Ended")
        SUPERSEDED = "superseded", _("Superseded")

    title = models.CharField(_("title"), max_length=200)
    reference = models.CharField(_("agreement number"), max_length=80, blank=True)
    agencies = models.ManyToManyField(Agency, verbose_name=_("parties"), related_name="partnerships")
    information_sharing = models.BooleanField(_("information sharing"), default=False)
    joint_patrol = models.BooleanField(_("joint patrol"), default=False)
    disaster_response = models.BooleanField(_("disaster response"), default=False)
    training = models.BooleanField(_("training"), default=False)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    # The MoU: private storage, served only to the parties' members (agencies/manage/mou.py).
    document = models.FileField(_("document"), upload_to="partnerships/%Y/", blank=True, storage=private_storage)
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PROPOSED, db_index=True
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    proposed_by_agency = models.ForeignKey(
        Agency,
        verbose_name=_("proposing agency"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("proposed at"), null=True, blank=True)
    in_force_since = models.DateTimeField(_("in force since"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ended by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    ended_by_agency = models.ForeignKey(
        Agency,
        verbose_name=_("ended by agency"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    supersedes = models.ForeignKey(
        "self",
        verbose_name=_("supersedes"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
        help_text=_("The partnership this one replaces once it is in force"),
    )

    objects = PartnershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        ordering = ["-valid_from", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="partnership_valid_until_after_from",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def scopes(self) -> list[str]:
        return [s.value for s in self.Scope if getattr(self, s.value)]

    def is_valid_on(self, day: datetime.date | None = None) -> bool:
        """Between its dates (says nothing of its status: see `is_in_force`)."""
        day = day or timezone.localdate()
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)

    def is_in_force(self, day: datetime.date | None = None) -> bool:
        """`partnership_in_force_q` for one row already read."""
        return self.status == self.Status.IN_FORCE and self.is_valid_on(day)


class PartnershipAnswer(models.Model):
    """One party's answer to a partnership: who answered for the agency, and when. The
    proposing agency's row is accepted when it proposes; the partnership is in force once
    every row is accepted. Rows are never deleted."""

    class Answer(models.TextChoices):
        PENDING = "pending", _("Awaiting an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    partnership = models.ForeignKey(
        Partnership, verbose_name=_("partnership"), on_delete=models.CASCADE, related_name="answers"
    )
    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="+")
    answer = models.CharField(_("answer"), max_length=10, choices=Answer.choices, default=Answer.PENDING)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("partnership answer")
        verbose_name_plural = _("partnership answers")
        ordering = ["partnership", "agency__name"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "agency"], name="partnership_answer_unique_agency")
        ]

    def __str__(self) -> str:
        return f"{self.partnership}: {self.agency} ({self.get_answer_display()})"


class Subscription(TimeStampedModel):
    """What an agency wants to be alerted about, and how.

    Categories are stored as codes (`SubscriptionCategory`), because the category taxonomy
    belongs to `incidents`, which this app must not import. No category means every category.
    An area covers its descendants.
    """

    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="subscriptions")
    name = models.CharField(_("name"), max_length=120)
    areas = models.ManyToManyField(Area, verbose_name=_("areas"), related_name="subscriptions")
    min_severity = models.PositiveSmallIntegerField(
        _("minimum severity"), choices=Severity.choices, default=Severity.MODERATE
    )
    channel_in_app = models.BooleanField(_("in-app"), default=True)
    channel_email = models.BooleanField(_("email"), default=False)
    channel_sms = models.BooleanField(_("SMS"), default=False)
    channel_webhook = models.BooleanField(_("webhook"), default=False)
    webhook_url = models.URLField(_("webhook URL"), blank=True, validators=[validate_webhook_url])
    webhook_secret = models.CharField(_("webhook signing secret"), max_length=128, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["agency__name", "name"]

    def __str__(self) -> str:
        return f"{self.agency}: {self.name}"

    @property
    def channels(self) -> list[str]:
        return [c for c in ("in_app", "email", "sms", "webhook") if getattr(self, f"channel_{c}")]


class SubscriptionCategory(models.Model):
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="category_codes")
    code = models.SlugField(_("category code"), max_length=60)

    class Meta:
        verbose_name = _("subscription category")
        verbose_name_plural = _("subscription categories")
        constraints = [models.UniqueConstraint(fields=["subscription", "code"], name="subscription_category_unique")]

    def __str__(self) -> str:
        return self.code


class VitalObject(TimeStampedModel):
    """A national or regional vital object (obyek vital): port, refinery, plant, mine..."""

    class Kind(models.TextChoices):
        PORT = "port", _("Port")
        REFINERY = "refinery", _("Refinery")
        LNG_PLANT = "lng_plant", _("LNG plant")
        FERTILISER_PLANT = "fertiliser_plant", _("Fertiliser plant")
        MINE = "mine", _("Mine")
        AIRPORT = "airport", _("Airport")
        POWER_STATION = "power_station", _("Power station")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="vital_objects")
    operator = models.ForeignKey(
        Agency, verbose_name=_("operator"), on_delete=models.PROTECT, related_name="operated_vital_objects"
    )
    guarding_agencies = models.ManyToManyField(
        Agency, verbose_name=_("guarding agencies"), blank=True, related_name="guarded_vital_objects"
    )
    is_national = models.BooleanField(_("national vital object"), default=False)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True, validators=[validate_latitude]
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True, validators=[validate_longitude]
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("vital object")
        verbose_name_plural = _("vital objects")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Camera(TimeStampedModel):
    class Status(models.TextChoices):
        ONLINE = "online", _("Online")
        OFFLINE = "offline", _("Offline")
        MAINTENANCE = "maintenance", _("Maintenance")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="cameras")
    operator = models.ForeignKey(Agency, verbose_name=_("operator"), on_delete=models.PROTECT, related_name="cameras")
    vital_object = models.ForeignKey(
        VitalObject,
        verbose_name=_("vital object"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cameras",
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ONLINE)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True, validators=[validate_latitude]
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True, validators=[validate_longitude]
    )
    stream_url = models.CharField(
        _("stream URL"),
        max_length=500,
        blank=True,
        validators=[validate_stream_url],
        help_text=_("rtsp://, rtsps://, rtmp://, http:// or https://"),
    )

    class Meta:
        verbose_name = _("camera")
        verbose_name_plural = _("cameras")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class AuditLog(models.Model):
    """Who read or did what to a classified record. Written by selectors and services, never edited."""

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("action"), max_length=40)
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.CharField(_("object id"), max_length=40)
    classification = models.CharField(_("classification"), max_length=12, choices=Classification.choices)
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    # A list read (a page of a list, an API list, a map, a calendar, an inbox) is one row naming
    # every confidential or secret record it returned; a detail read names its one record here too.
    object_ids = models.JSONField(_("object ids"), default=list, blank=True)
    # Whose records were read (their reporting, lead, issuing or assessing agency) and the
    # reader's agencies at the time: what a commander's "who read our records" page filters on.
    owner_agencies = models.ManyToManyField(
        Agency, verbose_name=_("owner agencies"), blank=True, related_name="audited_reads"
    )
    reader_agencies = models.ManyToManyField(Agency, verbose_name=_("reader agencies"), blank=True, related_name="+")

    class Meta:
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        # user is NULL once the user is deleted (SET_NULL): a dash, not "None".
        who = self.user_id if self.user_id is not None else "—"
        return f"{self.at:%Y-%m-%d %H:%M} {who} {self.action} {self.object_type}#{self.object_id}"
