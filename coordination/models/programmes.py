"""Community programmes: seminars, workshops, campaigns, law literacy in schools, social
service, siskamling training... An organiser agency plans one with partner agencies, for target
groups (a planned count per group), at a venue, on one date or a series of sessions; its
commander approves it; it is held (attendance per group against the plan, photos), then
reported (objectives, what was done, results, lessons, follow-up action items), or cancelled.

A public programme is read by anyone signed in, and, once approved and while not ended, shown
on the public portal where citizens may register; an internal one only by its organiser and
partner agencies (`coordination.community.programmes.selectors`).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Area
from agencies.validators import validate_latitude, validate_longitude
from incidents.models.reports import private_storage


class Programme(models.Model):
    class Kind(models.TextChoices):
        SEMINAR = "seminar", _("Seminar")
        WORKSHOP = "workshop", _("Workshop")
        CAMPAIGN = "campaign", _("Campaign")
        LAW_LITERACY = "law_literacy", _("School law literacy")
        TRAFFIC_SAFETY = "traffic_safety", _("Traffic-safety campaign")
        SOCIAL_SERVICE = "social_service", _("Social service")
        SISKAMLING_TRAINING = "siskamling_training", _("Siskamling training")
        COMMUNITY_DRILL = "community_drill", _("Community drill")
        YOUTH_TRAINING = "youth_training", _("Youth training")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        APPROVED = "approved", _("Approved")
        HELD = "held", _("Held")
        REPORTED = "reported", _("Reported")
        CANCELLED = "cancelled", _("Cancelled")

    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    organiser = models.ForeignKey(
        Agency, verbose_name=_("organiser agency"), on_delete=models.PROTECT, related_name="programmes_organised"
    )
    partners = models.ManyToManyField(
        Agency, verbose_name=_("partner agencies"), blank=True, related_name="programmes_partnered"
    )
    # The venue: the area (whose zone rules the times), the institution or school, a point.
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    venue = models.CharField(_("institution or school"), max_length=300, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True, validators=[validate_latitude]
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True, validators=[validate_longitude]
    )
    is_public = models.BooleanField(_("public"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    # The first session's start and the last one's end, kept by the services with the sessions:
    # the lists, the calendar and the public portal filter and sort on them.
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=500, blank=True)
    # The report, written once it is held.
    objectives = models.TextField(_("objectives"), max_length=10000, blank=True)
    activities = models.TextField(_("what was done"), max_length=10000, blank=True)
    results = models.TextField(_("results"), max_length=10000, blank=True)
    lessons = models.TextField(_("lessons"), max_length=10000, blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="programme_ends_after_start"),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="programme_point_whole",
            ),
        ]
        indexes = [
            # The list, the calendar's month and the map, by time.
            models.Index(fields=["starts_at"], name="programme_starts_idx"),
            # The public portal's upcoming programmes (`public_programme_list`).
            models.Index(fields=["ends_at"], name="programme_public_idx", condition=Q(is_public=True)),
        ]

    def __str__(self) -> str:
        return self.title


class ProgrammeSession(models.Model):
    """One date of a programme: a programme held once has one session, a series several."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="programme_session_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.programme_id}: {self.starts_at:%Y-%m-%d %H:%M}"


class TargetGroup(models.Model):
    """A group the programme is for, by age band and sex, with the number planned and, once
    held, the number who came."""

    class Group(models.TextChoices):
        STUDENTS = "students", _("Students")
        YOUTH = "youth", _("Youth")
        WORKERS = "workers", _("Workers")
        RESIDENTS = "residents", _("Residents")
        OTHER = "other", _("Other")

    class AgeBand(models.TextChoices):
        ANY = "any", _("All ages")
        UNDER_13 = "0-12", _("Under 13")
        TEENS = "13-17", _("13 to 17")
        YOUNG = "18-25", _("18 to 25")
        ADULTS = "26-59", _("26 to 59")
        SENIORS = "60+", _("60 and over")

    class Sex(models.TextChoices):
        ANY = "any", _("All")
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="target_groups")
    group = models.CharField(_("group"), max_length=12, choices=Group.choices)
    age_band = models.CharField(_("age band"), max_length=8, choices=AgeBand.choices, default=AgeBand.ANY)
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices, default=Sex.ANY)
    planned = models.PositiveIntegerField(_("planned"))
    # None until the programme is held.
    actual = models.PositiveIntegerField(_("attended"), null=True, blank=True)

    class Meta:
        verbose_name = _("target group")
        verbose_name_plural = _("target groups")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "group", "age_band", "sex"], name="programme_group_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.group}/{self.age_band}/{self.sex}"


class DistributedGoods(models.Model):
    """Goods handed out: helmets, brochures, aid packages."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="goods")
    item = models.CharField(_("item"), max_length=200)
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        verbose_name = _("goods distributed")
        verbose_name_plural = _("goods distributed")
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="programme_goods_quantity_positive")]

    def __str__(self) -> str:
        return f"{self.item} x{self.quantity}"


def _token() -> str:
    return secrets.token_hex(16)


def _material_path(instance: ProgrammeMaterial, filename: str) -> str:
    return f"programmes/{instance.programme_id}/materials/{instance.token}"


def _photo_path(instance: ProgrammePhoto, filename: str) -> str:
    return f"programmes/{instance.programme_id}/photos/{instance.token}.{instance.extension}"


class ProgrammeMaterial(models.Model):
    """A file checked by its content (as bulletins' attachments are), kept in the private
    storage and served by an access-checked view to the programme's readers only."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="materials")
    token = models.CharField(max_length=32, unique=True, default=_token, editable=False)
    file = models.FileField(upload_to=_material_path, storage=private_storage, max_length=200)
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class ProgrammePhoto(models.Model):
    """A photo of the programme held, re-encoded on receipt as citizens' photos are (which
    drops EXIF with its GPS position), served to the programme's readers only."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="photos")
    token = models.CharField(max_length=32, unique=True, default=_token, editable=False)
    image = models.FileField(upload_to=_photo_path, storage=private_storage, max_length=200)
    content_type = models.CharField(max_length=20)
    extension = models.CharField(max_length=5)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.token


class ProgrammeRegistration(models.Model):
    """A citizen's registration for a public programme: name and contact both optional (an
    anonymous registration is a head count); read by the programme's organiser and partners."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="registrations")
    name = models.CharField(_("name"), max_length=120, blank=True)
    contact = models.CharField(_("phone or e-mail"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.programme_id}: {self.name or '-'}"
