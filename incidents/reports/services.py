"""Writes of citizen reports: the public intake (`citizen_report_submit`, with its photos and
nearest-area guess) and the moderators' decisions (verify into an incident, reject, mark a
duplicate, mark spam). Every decision is atomic and appends a public update the reporter reads.

Callers fetch the report through `selectors.citizen_report_get_for_change` first (404 outside
the user's moderation queue, 403 for a role that may not moderate); the services check again.
"""

from __future__ import annotations

import functools
import io
import math
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, cast

from django.contrib.auth.models import User as AuthUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Area, Classification
from agencies.roles import has_capability
from agencies.validators import validate_latitude, validate_longitude
from common.tasks import queue_after_commit
from common.types import User
from incidents import services as incident_services
from incidents.models import (
    Category,
    CitizenReport,
    CitizenReportPhoto,
    CitizenReportUpdate,
    Incident,
    IncidentEvent,
    ReportQuestion,
)

from . import tasks
from .selectors import moderating_agency

# Told when a reporter answers a question, once the answer is committed: coordination registers
# the moderators' inbox entry here (coordination/apps.py), as incidents never imports coordination.
ANSWER_HOOKS: list[Callable[[ReportQuestion], object]] = []

S = Incident.Status


def can_moderate_reports(*, user: User) -> bool:
    """Whether a page offers the moderation actions at all: staff, or a member whose role may
    moderate somewhere. The services decide each report for real (`moderating_agency`)."""
    return has_capability(user=user, capability="report.moderate")


TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out over the phone
MAX_PHOTOS = 3
MAX_CONTACT = CitizenReport._meta.get_field("contact").max_length or 200
MAX_PHOTO_BYTES = 10 * 1024 * 1024
# Decoding a 20,000 x 20,000 "photo" would take gigabytes: refuse what no phone takes.
MAX_PHOTO_PIXELS = 60_000_000
PHOTO_FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}


def new_tracking_code() -> str:
    # 32 letters divide 256: each random byte's low five bits pick one letter without bias.
    return "".join(TRACKING_ALPHABET[b & 31] for b in secrets.token_bytes(10))


@dataclass
class CleanPhoto:
    content: bytes
    content_type: str
    extension: str
    width: int
    height: int


def photo_clean(upload: Any) -> CleanPhoto:
    """Check that an upload really is a JPEG, PNG or WebP of at most 10 MB, and re-encode it.

    Re-encoding drops every metadata block (EXIF with its GPS position, XMP, PNG text), after
    the EXIF orientation has been applied to the pixels.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
    if size > MAX_PHOTO_BYTES:
        raise ValidationError(_("A photo may be at most 10 MB (this one is %(mb).1f MB).") % {"mb": size / 1048576})
    upload.seek(0)
    try:
        with Image.open(upload) as probe:
            fmt = probe.format
            if fmt not in PHOTO_FORMATS:
                raise ValidationError(_("Only JPEG, PNG or WebP photos are accepted."))
            if probe.width * probe.height > MAX_PHOTO_PIXELS:
                raise ValidationError(_("This photo has too many pixels."))
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as opened:
            opened.load()
            img = ImageOps.exif_transpose(opened)
            content_type, extension = PHOTO_FORMATS[fmt]
            out = io.BytesIO()
            if fmt == "JPEG":
                img.convert("RGB").save(out, "JPEG", quality=88, optimize=True)
            elif fmt == "PNG":
                img.save(out, "PNG", optimize=True)
            else:
                img.save(out, "WEBP", quality=88)
            return CleanPhoto(out.getvalue(), content_type, extension, img.width, img.height)
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(_("This file is not a valid JPEG, PNG or WebP image.")) from None


# Areas with a known centroid, kept per process for a minute and filed in a grid of cells of
# CELL_DEGREES: the nearest-area guess of every public report neither scans the areas table
# nor every centroid (a national import can give thousands), only the cells around the point.
_CENTROIDS_TTL = 60.0
CELL_DEGREES = 0.5  # 55 km of latitude; of longitude at least 54 km up to 11 degrees north or south
_Centroid = tuple[int, str, int, float, float]  # id, path, level, latitude, longitude
_centroids: tuple[float, dict[tuple[int, int], list[_Centroid]]] = (0.0, {})


def centroid_cache_clear() -> None:
    global _centroids
    _centroids = (0.0, {})


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return math.floor(lat / CELL_DEGREES), math.floor(lon / CELL_DEGREES)


def _centroid_grid() -> dict[tuple[int, int], list[_Centroid]]:
    global _centroids
    loaded_at, grid = _centroids
    if time.monotonic() - loaded_at > _CENTROIDS_TTL:
        grid = {}
        for pk, path, level, lat, lon in Area.objects.filter(
            level__in=[Area.Level.REGENCY, Area.Level.DISTRICT],
            centroid_lat__isnull=False,
            centroid_lon__isnull=False,
        ).values_list("pk", "path", "level", "centroid_lat", "centroid_lon"):
            flat, flon = float(lat or 0), float(lon or 0)  # never None: filtered above
            grid.setdefault(_cell(flat, flon), []).append((pk, path, level, flat, flon))
        _centroids = (time.monotonic(), grid)
    return grid


def _nearest_area(latitude: Decimal, longitude: Decimal, *, max_km: float = 40.0) -> tuple[int | None, str]:
    """(id, path) of the regency or district with the nearest known centroid within `max_km`
    (at most 54 km: the grid's cells must be wider than the radius); on a tie, the district."""
    lat, lon = float(latitude), float(longitude)
    best: tuple[int | None, str] = (None, "")
    best_km, best_level = min(max_km, 54.0), 0
    coslat = math.cos(math.radians(lat))
    grid = _centroid_grid()
    row, col = _cell(lat, lon)
    for cell in ((row + dr, col + dc) for dr in (-1, 0, 1) for dc in (-1, 0, 1)):
        for pk, path, level, alat, alon in grid.get(cell, ()):
            km = 6371.0 * math.hypot(math.radians(alat - lat), math.radians(alon - lon) * coslat)
            if km < best_km or (best[0] is not None and km == best_km and level > best_level):
                best, best_km, best_level = (pk, path), km, level
    return best


def citizen_report_submit(
    *,
    category: Category,
    description: str,
    latitude: Decimal,
    longitude: Decimal,
    occurred_at: datetime | None = None,
    area: Area | None = None,
    contact: str = "",
    photos: Sequence[Any] = (),
) -> CitizenReport:
    """Accept a report from the public. Text is stored as given (templates escape it).

    Validation and photo re-encoding happen before the transaction opens (Pillow work must
    not hold a database transaction); the rows are then written atomically. This is the hot
    path of the public intake: besides the writes it makes no query when the caller passes
    the category and area objects (bench/report_intake.py measures it against a bare insert).
    """
    errors: dict[str, list[str]] = {}
    if not (description or "").strip():
        errors["description"] = [_("Describe what happened.")]
    if len(photos) > MAX_PHOTOS:
        errors["photos"] = [_("At most %(n)d photos.") % {"n": MAX_PHOTOS}]
    if occurred_at and occurred_at > timezone.now() + timedelta(minutes=5):
        errors["occurred_at"] = [_("This time is in the future.")]
    if not category.is_active:
        errors["category"] = [_("This category is no longer in use.")]
    for name, value, validate in (
        ("latitude", latitude, validate_latitude),
        ("longitude", longitude, validate_longitude),
    ):
        try:
            validate(value)
        except ValidationError as exc:
            errors[name] = exc.messages
    contact = (contact or "").strip()
    if len(contact) > MAX_CONTACT:
        errors["contact"] = [_("At most %(n)d characters.") % {"n": MAX_CONTACT}]
    cleaned: list[CleanPhoto] = []
    if "photos" not in errors:
        for upload in photos:
            try:
                cleaned.append(photo_clean(upload))
            except ValidationError as exc:
                errors.setdefault("photos", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    report = CitizenReport(
        category=category,
        description=description,
        latitude=latitude,
        longitude=longitude,
        occurred_at=occurred_at,
        contact=contact,
    )
    if area is not None:
        report.area, report.area_path = area, area.path
    else:
        report.area_id, report.area_path = _nearest_area(Decimal(str(latitude)), Decimal(str(longitude)))
    # A tracking code is 10 characters of a 32-letter alphabet (10^15 codes): instead of
    # asking first whether a code is taken, insert and draw again on the rare collision.
    for attempt in range(3):
        report.tracking_code = new_tracking_code()
        try:
            return _citizen_report_store(report, cleaned)
        except IntegrityError:
            if attempt == 2 or CitizenReport.objects.filter(tracking_code=report.tracking_code).count() == 0:
                raise
            report.pk = None
    raise AssertionError("unreachable")


# The columns a new report is written with. created_at comes from the application's clock, as
# every other time does: with the database's DEFAULT (its own clock), a report without an
# occurrence time became an incident "in the future" whenever the two clocks disagreed by more
# than five minutes (a skewed database host, or a test's clock at an awkward instant).
_REPORT_COLUMNS = (
    "created_at",
    "tracking_code",
    "category_id",
    "description",
    "latitude",
    "longitude",
    "occurred_at",
    "area_id",
    "area_path",
    "contact",
    "status",
    "moderation_reason",
)


def _report_insert(report: CitizenReport) -> None:
    """INSERT the new report with one statement, written once, instead of through Model.save.

    The ORM compiles an INSERT afresh for every save, which on the public intake cost as much
    as the rest of the validation (bench/report_intake.py). No signal handler listens to
    CitizenReport, so nothing is skipped; the values are what Model.save would write (each
    field's own database preparation where the backend needs one: decimals and times; text
    and keys go as they are), and the tests read the rows back through the ORM.
    """
    # The connection itself: `connection` is a proxy that looks the thread's up at every attribute.
    db = connections[DEFAULT_DB_ALIAS]
    statement = _report_insert_statements.get(db.vendor)
    if statement is None:
        statement = _report_insert_statements[db.vendor] = _report_insert_statement(db.ops.quote_name)
    sql, fields = statement
    report.created_at = timezone.now()
    params = [
        getattr(report, field.attname) if plain else field.get_db_prep_save(getattr(report, field.attname), db)
        for field, plain in fields
    ]
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        (report.pk,) = cursor.fetchone()
    report._state.adding, report._state.db = False, db.alias


_report_insert_statements: dict[str, tuple[str, list[tuple[Any, bool]]]] = {}  # per database vendor


def _report_insert_statement(quote: Callable[[str], str]) -> tuple[str, list[tuple[Any, bool]]]:
    """The INSERT's text, and its fields with whether each value goes to the database as it is."""
    fields = []
    for column in _REPORT_COLUMNS:
        field = CitizenReport._meta.get_field(column.removesuffix("_id"))
        fields.append((field, not isinstance(field, models.DecimalField | models.DateTimeField)))
    # Only the model's own table and column names go into the text (quoted); values are parameters.
    table, columns = quote(CitizenReport._meta.db_table), ", ".join(map(quote, _REPORT_COLUMNS))
    values = ", ".join(["%s"] * len(_REPORT_COLUMNS))
    return f"INSERT INTO {table} ({columns}) VALUES ({values}) RETURNING {quote('id')}", fields  # noqa: S608


def _citizen_report_store(report: CitizenReport, photos: Sequence[CleanPhoto]) -> CitizenReport:
    """One INSERT without photos (atomic by itself); report and photos in one transaction with
    them, and a failed transaction takes the photo files it wrote along with its rows."""
    if not photos:
        _report_insert(report)
        return report
    written: list[CitizenReportPhoto] = []
    try:
        with transaction.atomic():
            _report_insert(report)
            for photo in photos:
                token = secrets.token_hex(16)
                obj = CitizenReportPhoto(
                    report=report,
                    token=token,
                    content_type=photo.content_type,
                    extension=photo.extension,
                    size=len(photo.content),
                    width=photo.width,
                    height=photo.height,
                )
                obj.image.save(f"{token}.{photo.extension}", ContentFile(photo.content), save=False)
                written.append(obj)
                obj.save()
    except BaseException:
        for obj in written:
            obj.image.delete(save=False)
        raise
    return report


def _moderate(report: CitizenReport, *, actor: User, status: str, reason: str, public_message: str) -> CitizenReport:
    if report.status != CitizenReport.Status.NEW:
        raise ValidationError(
            {"status": _("This report was already moderated (%(s)s).") % {"s": report.get_status_display()}}
        )
    report.status = status
    report.moderation_reason = reason
    report.moderated_by = cast(AuthUser, actor)  # signed in: moderating_agency let them through
    report.moderated_at = timezone.now()
    report.save(update_fields=["status", "moderation_reason", "moderated_by", "moderated_at", "incident"])
    CitizenReportUpdate.objects.create(report=report, status=status, message=public_message)
    return report


@transaction.atomic
def citizen_report_verify(
    *,
    actor: User,
    report: CitizenReport,
    title: str = "",
    severity: int | None = None,
    classification: str = Classification.RESTRICTED,
) -> Incident:
    """Turn a new report into an incident of the moderating agency, linked to the report."""
    report = CitizenReport.objects.select_for_update(of=("self",)).select_related("area", "category").get(pk=report.pk)
    agency = moderating_agency(user=actor, report=report)
    area = report.area
    if area is None:
        raise ValidationError({"area": _("Set the report's area before verifying it.")})
    extra: dict[str, Any] = {"classification": classification, "description": report.description}
    if severity is not None:
        extra["severity"] = severity
    incident = incident_services.incident_create(
        actor=actor,
        reporting_agency=agency,
        title=title or report.description[:120],
        category=report.category,
        area=area,
        occurred_at=report.occurred_at or report.created_at,
        latitude=report.latitude,
        longitude=report.longitude,
        source=Incident.Source.CITIZEN,
        **extra,
    )
    # A moderator checked the report: the incident starts verified, not "reported" again.
    incident.status = S.VERIFIED
    incident.verified_at = incident.reported_at
    incident.save(update_fields=["status", "verified_at", "updated_at"])
    incident_services._event(
        incident,
        actor=actor,
        agency=agency,
        kind=IncidentEvent.Kind.VERIFIED,
        data={"from": S.REPORTED, "to": S.VERIFIED, "citizen_report": report.tracking_code},
    )
    report.incident = incident
    _moderate(
        report,
        actor=actor,
        status=CitizenReport.Status.VERIFIED,
        reason="",
        public_message=_("Your report was verified and passed to the agencies concerned."),
    )
    return incident


@transaction.atomic
def citizen_report_reject(*, actor: User, report: CitizenReport, reason: str) -> CitizenReport:
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the report is rejected.")})
    moderating_agency(user=actor, report=report)
    return _moderate(
        report,
        actor=actor,
        status=CitizenReport.Status.REJECTED,
        reason=reason.strip(),
        public_message=_("Your report could not be followed up: %(reason)s") % {"reason": reason.strip()},
    )


@transaction.atomic
def citizen_report_mark_duplicate(*, actor: User, report: CitizenReport, incident: Incident) -> CitizenReport:
    moderating_agency(user=actor, report=report)
    report.incident = incident
    return _moderate(
        report,
        actor=actor,
        status=CitizenReport.Status.DUPLICATE,
        reason=incident.reference,
        public_message=_("This event was already reported and is being handled."),
    )


@transaction.atomic
def citizen_report_mark_spam(*, actor: User, report: CitizenReport) -> CitizenReport:
    moderating_agency(user=actor, report=report)
    return _moderate(report, actor=actor, status=CitizenReport.Status.SPAM, reason="", public_message="")


# --- Two-way with the reporter ------------------------------------------------------------
#
# A moderator asks the reporter a question; the reporter reads it on the tracking page (or the
# public API) and answers there. Nobody's identity is revealed: the question shows as the
# moderating agency (or "Moderator"), the answer as "the reporter". A reporter who left a
# contact is told by e-mail or SMS that a question waits (`tasks.report_question_notify`).

MAX_QUESTION = 2000
MAX_ANSWER = 2000


def can_ask_reporter(*, user: User, report: CitizenReport) -> bool:
    """Whether a page offers "ask the reporter": the rule of `report_question_ask`."""
    if report.status == CitizenReport.Status.SPAM:
        return False
    try:
        moderating_agency(user=user, report=report)
    except PermissionDenied:
        return False
    return True


def _text(value: str, *, field: str, limit: int, empty: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: empty})
    if len(text) > limit:
        raise ValidationError({field: _("At most %(limit)d characters.") % {"limit": limit}})
    return text


@transaction.atomic
def report_question_ask(*, actor: User, report: CitizenReport, text: str) -> ReportQuestion:
    """A moderator of the report (`report.moderate` where the report lies; 403 otherwise) asks
    its reporter a question, shown as their moderating agency. Atomic; after commit, the
    reporter who left a contact is told by e-mail or SMS (once, `notified_at`). Not on a report
    judged spam: nobody answers there."""
    agency = moderating_agency(user=actor, report=report)
    if report.status == CitizenReport.Status.SPAM:
        raise ValidationError(_("A report marked as spam takes no questions."))
    question = ReportQuestion(
        report=report,
        agency=agency,
        asked_by=cast(AuthUser, actor),
        text=_text(text, field="text", limit=MAX_QUESTION, empty=_("Write the question.")),
        # The application's clock, as every time it stores (the sweep that notifies the reporter
        # compares it with timezone.now()): the column's database default is the database's.
        asked_at=timezone.now(),
    )
    question.full_clean()
    question.save()
    if report.contact.strip():
        queue_after_commit(tasks.report_question_notify, (question.pk,))
    return question


@transaction.atomic
def report_question_answer(*, report: CitizenReport, question_id: int | str, text: str) -> ReportQuestion:
    """The reporter (whoever holds the tracking code: the caller read `report` by it) answers
    one of its questions, once. Atomic: the answer is written by a conditional UPDATE, so two
    answers racing for one question keep the first. ValidationError on the field concerned for
    an empty or long answer, a question of another report, or one already answered."""
    answer = _text(text, field="text", limit=MAX_ANSWER, empty=_("Write your answer."))
    try:
        question = ReportQuestion.objects.get(pk=int(question_id), report=report)
    except (ReportQuestion.DoesNotExist, TypeError, ValueError):
        raise ValidationError({"question": _("This question is not one of this report's.")}) from None
    changed = ReportQuestion.objects.filter(pk=question.pk, answered_at__isnull=True).update(
        answer=answer, answered_at=timezone.now()
    )
    if not changed:
        raise ValidationError({"question": _("This question was already answered.")})
    question.refresh_from_db()
    for hook in ANSWER_HOOKS:
        transaction.on_commit(functools.partial(hook, question))
    return question
