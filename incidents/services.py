"""Writes of the incidents app. Every service is atomic, validates with `full_clean()`, checks
the actor's role and appends to the incident's timeline; nothing here edits or deletes a
timeline entry.

Callers fetch the target through a selector first (which answers 404 for what the actor may
not see); the services then answer PermissionDenied when the actor sees it but may not act.
"""

from __future__ import annotations

import io
import math
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User as AuthUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies import services as agencies_services
from agencies.models import Agency, Area, Camera, Classification, VitalObject
from agencies.roles import agencies_with, has_capability, roles_for
from agencies.selectors import user_agency_ids, user_is_staff, user_roles_in
from agencies.selectors import user_is_staff as _is_staff
from agencies.validators import validate_latitude, validate_longitude
from common.services import model_update
from common.types import User

from .models import (
    Category,
    CitizenReport,
    CitizenReportPhoto,
    CitizenReportUpdate,
    Incident,
    IncidentEvent,
    ReferenceCounter,
    RiskAssessment,
)

# The incident code reads agencies/roles.py where it checks; this name stays only for the
# report, risk and threat modules that still import it (until they read roles_for themselves).
ACTING_ROLES = roles_for("incident.log")

S = Incident.Status
TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.REPORTED: (S.VERIFIED, S.REJECTED, S.DUPLICATE),
    S.VERIFIED: (S.RESPONDING, S.CONTAINED, S.RESOLVED, S.REJECTED, S.DUPLICATE),
    S.RESPONDING: (S.CONTAINED, S.RESOLVED),
    S.CONTAINED: (S.RESPONDING, S.RESOLVED),
    S.RESOLVED: (S.CLOSED, S.RESPONDING),
    S.CLOSED: (),
    S.REJECTED: (S.REPORTED,),
    S.DUPLICATE: (),
}


def acting_agency(
    *,
    actor: User,
    agency: Agency | None = None,
    roles: Sequence[str] | None = None,
    field: str = "reporting_agency",
) -> Agency | None:
    """agencies.services.acting_agency with the roles that may log incidents unless `roles`
    says otherwise; staff may act for no agency."""
    if roles is None:
        roles = roles_for("incident.log")
    return agencies_services.acting_agency(actor=actor, agency=agency, roles=roles, field=field)


def can_log_incident(*, user: User) -> bool:
    """Staff, or a member whose role may log incidents (not a viewer): whom `incident_create` lets through."""
    return has_capability(user=user, capability="incident.log")


def can_note_incident(*, user: User) -> bool:
    """Staff, or an acting member of any agency (the incident is one they can read): `incident_add_note`'s rule."""
    return has_capability(user=user, capability="incident.note")


def can_record_risk(*, user: Any) -> bool:
    """A member whose role may record risks: `risk_create` for the user's agency. Staff must
    name the assessing agency, which the page does not ask: it does not offer them the form."""
    return bool(agencies_with(user=user, capability="risk.write"))


def can_manage_incident(*, user: User, incident: Incident) -> bool:
    """`require_incident_manager` as a question: edit, status, assign, link, merge (the pages
    ask it before offering them; `selectors.incident_get_for_change` asks the rule itself)."""
    try:
        require_incident_manager(actor=user, incident=incident)
    except PermissionDenied:
        return False
    return True


def require_incident_manager(*, actor: User, incident: Incident) -> Agency | None:
    """The one rule of who may change an incident: the actor must hold "incident.manage"
    (command or liaise) in the reporting, lead or an involved agency, or be staff. Returns the
    agency the actor acts for (None for staff)."""
    if user_is_staff(actor):
        return None
    candidates = {incident.reporting_agency_id, incident.lead_agency_id}
    candidates |= set(incident.involved_agencies.values_list("pk", flat=True))
    roles = user_roles_in(user=actor, agency_ids=candidates)
    managing = roles_for("incident.manage")
    for agency_id, role in roles.items():
        if role in managing:
            return Agency.objects.get(pk=agency_id)
    raise PermissionDenied(
        _("Only commanders and liaisons of the reporting, lead or involved agencies may change this incident.")
    )


def _signed_in(actor: User) -> AuthUser | None:
    """The actor as the row to record: None for an anonymous one."""
    return actor if isinstance(actor, AuthUser) else None


def _event(
    incident: Incident,
    *,
    actor: User,
    agency: Agency | None,
    kind: str,
    message: str = "",
    data: dict[str, Any] | None = None,
) -> IncidentEvent:
    return IncidentEvent.objects.create(
        incident=incident,
        actor=_signed_in(actor),
        actor_agency=agency,
        kind=kind,
        message=message,
        data=data or {},
    )


def reference_prefix(area: Area) -> str:
    """The regency/city code of the area (areaid's BSNI code, e.g. BON for Kota Bontang)."""
    parts = [p for p in area.path.split("/") if p]
    if area.level == Area.Level.REGENCY:
        code = area.code
    elif area.level > Area.Level.REGENCY and len(parts) >= 2:
        regency_path = "/" + "/".join(parts[:2]) + "/"
        code = Area.objects.filter(path=regency_path).values_list("code", flat=True).first() or ""
    else:
        code = (area.code or "").replace("ID-", "")
    return (code or "IDN").upper()[:8]


def next_reference(*, prefix: str, year: int) -> str:
    """The next number for (prefix, year): unique and gap-free.

    Must run inside the transaction that saves the incident. The counter row is locked
    (SELECT ... FOR UPDATE) until that transaction ends, so concurrent creators queue on it
    and a rollback gives the number back. Call it last, just before the insert, to hold the
    lock for as short a time as possible.
    """
    ReferenceCounter.objects.get_or_create(prefix=prefix, year=year)
    counter = ReferenceCounter.objects.select_for_update().get(prefix=prefix, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{prefix}-{year}-{counter.last:06d}"


INCIDENT_FIELDS = (
    "title",
    "description",
    "category",
    "severity",
    "urgency",
    "classification",
    "area",
    "latitude",
    "longitude",
    "occurred_at",
    "camera",
    "vital_object",
)


@transaction.atomic
def incident_create(
    *,
    actor: User,
    title: str,
    category: Category,
    area: Area,
    occurred_at: datetime | None = None,
    reporting_agency: Agency | None = None,
    lead_agency: Agency | None = None,
    involved_agencies: Sequence[Agency] = (),
    source: str = Incident.Source.AGENCY,
    **fields: Any,
) -> Incident:
    """Log an incident for the actor's agency, with its reference number and first timeline entry."""
    agency = acting_agency(actor=actor, agency=reporting_agency)
    incident = Incident(
        title=title,
        category=category,
        area=area,
        area_path=area.path,
        occurred_at=occurred_at or timezone.now(),
        reporting_agency=agency,
        lead_agency=lead_agency,
        source=source,
        created_by=_signed_in(actor),
        **{k: v for k, v in fields.items() if k in INCIDENT_FIELDS},
    )
    if incident.occurred_at > timezone.now() + timedelta(minutes=5):
        raise ValidationError({"occurred_at": _("An incident cannot occur in the future.")})
    if not category.is_active:
        raise ValidationError({"category": _("This category is no longer in use.")})
    incident.reference = "PENDING"
    incident.full_clean(exclude=["reference", "area_path"])
    incident.reference = next_reference(prefix=reference_prefix(area), year=incident.occurred_at.year)
    incident.save()
    if involved_agencies:
        incident.involved_agencies.set(involved_agencies)
    _event(incident, actor=actor, agency=agency, kind=IncidentEvent.Kind.CREATED, message=title)
    return incident


@transaction.atomic
def incident_update(*, actor: User, incident: Incident, **fields: Any) -> Incident:
    """Change an incident's description fields (INCIDENT_FIELDS only: another key is a
    ValueError); the timeline records old and new values."""
    agency = require_incident_manager(actor=actor, incident=incident)
    changed = model_update(instance=incident, fields=fields, allowed=INCIDENT_FIELDS)
    changes = {key: [_plain(old), _plain(new)] for key, (old, new) in changed.items()}
    if not changes:
        return incident
    if "area" in changes:
        incident.area_path = incident.area.path
    incident.full_clean(exclude=["reference", "area_path"])
    incident.save()
    _event(incident, actor=actor, agency=agency, kind=IncidentEvent.Kind.UPDATED, data={"changes": changes})
    return incident


def _plain(value: Any) -> Any:
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def allowed_transitions(incident: Incident) -> tuple[str, ...]:
    return TRANSITIONS.get(incident.status, ())


@transaction.atomic
def incident_change_status(*, actor: User, incident: Incident, status: str, note: str = "") -> Incident:
    """Move an incident along the workflow; an illegal move says which moves are allowed."""
    agency = require_incident_manager(actor=actor, incident=incident)
    # Lock the row: two liaisons moving the same incident at once must not both succeed from
    # the same starting status.
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    allowed = allowed_transitions(incident)
    if status not in allowed:
        names = ", ".join(str(S(s).label) for s in allowed) or _("none")
        raise ValidationError(
            {
                "status": _("Cannot move from %(current)s to %(wanted)s. Allowed: %(allowed)s.")
                % {
                    "current": S(incident.status).label,
                    "wanted": S(status).label if status in S.values else status,
                    "allowed": names,
                }
            }
        )
    old = incident.status
    incident.status = status
    if status in (S.RESOLVED, S.CLOSED) and incident.resolved_at is None:
        incident.resolved_at = timezone.now()
    elif status in (S.RESPONDING, S.REPORTED):
        incident.resolved_at = None
    incident.save(update_fields=["status", "resolved_at", "updated_at"])
    kind = IncidentEvent.Kind.VERIFIED if status == S.VERIFIED else IncidentEvent.Kind.STATUS
    _event(incident, actor=actor, agency=agency, kind=kind, message=note, data={"from": old, "to": status})
    return incident


def incident_verify(*, actor: User, incident: Incident, note: str = "") -> Incident:
    """Confirm a reported incident (reported -> verified)."""
    return incident_change_status(actor=actor, incident=incident, status=S.VERIFIED, note=note)


@transaction.atomic
def incident_assign(
    *,
    actor: User,
    incident: Incident,
    lead_agency: Agency | None = None,
    involved_agencies: Sequence[Agency] | None = None,
) -> Incident:
    """Set the lead agency and/or the involved agencies."""
    agency = require_incident_manager(actor=actor, incident=incident)
    data: dict[str, Any] = {}
    if lead_agency is not None and lead_agency.pk != incident.lead_agency_id:
        if not lead_agency.is_active:
            raise ValidationError({"lead_agency": _("This agency is not active.")})
        data["lead_agency"] = [incident.lead_agency_id, lead_agency.pk]
        incident.lead_agency = lead_agency
        incident.save(update_fields=["lead_agency", "updated_at"])
    if involved_agencies is not None:
        inactive = [a.name for a in involved_agencies if not a.is_active]
        if inactive:
            raise ValidationError({"involved_agencies": _("Not active: %(names)s.") % {"names": ", ".join(inactive)}})
        before = sorted(incident.involved_agencies.values_list("pk", flat=True))
        after = sorted({a.pk for a in involved_agencies})
        if before != after:
            incident.involved_agencies.set(involved_agencies)
            data["involved_agencies"] = [before, after]
    if data:
        names = []
        if incident.lead_agency:
            names.append(_("lead: %(name)s") % {"name": incident.lead_agency.name})
        _event(
            incident, actor=actor, agency=agency, kind=IncidentEvent.Kind.ASSIGNED, message="; ".join(names), data=data
        )
    return incident


@transaction.atomic
def incident_add_note(*, actor: User, incident: Incident, message: str) -> IncidentEvent:
    """Add a note to the timeline: any acting member of an agency that can read the incident."""
    message = (message or "").strip()
    if not message:
        raise ValidationError({"message": _("A note cannot be empty.")})
    if len(message) > 5000:
        raise ValidationError({"message": _("A note has at most 5000 characters.")})
    agency = None
    if not user_is_staff(actor):
        own = user_roles_in(user=actor, agency_ids=user_agency_ids(user=actor))
        noting = roles_for("incident.note")
        acting = [aid for aid, role in own.items() if role in noting]
        if not acting:
            raise PermissionDenied(_("Viewers cannot add notes."))
        agency = Agency.objects.get(pk=sorted(acting)[0])
    return _event(incident, actor=actor, agency=agency, kind=IncidentEvent.Kind.NOTE, message=message)


@transaction.atomic
def incident_link(
    *, actor: User, incident: Incident, camera: Camera | None = None, vital_object: VitalObject | None = None
) -> Incident:
    """Link a CCTV camera or a vital object to the incident."""
    agency = require_incident_manager(actor=actor, incident=incident)
    data: dict[str, Any] = {}
    if camera is not None:
        incident.camera = camera
        data["camera"] = camera.code
    if vital_object is not None:
        incident.vital_object = vital_object
        data["vital_object"] = vital_object.pk
    if not data:
        raise ValidationError({"camera": _("Give a camera or a vital object to link.")})
    incident.save(update_fields=["camera", "vital_object", "updated_at"])
    _event(incident, actor=actor, agency=agency, kind=IncidentEvent.Kind.LINKED, data=data)
    return incident


@transaction.atomic
def incident_merge(*, actor: User, duplicate: Incident, into: Incident) -> Incident:
    """Mark `duplicate` as a duplicate of `into`: its agencies and citizen reports move over."""
    if duplicate.pk == into.pk:
        raise ValidationError({"into": _("An incident cannot be a duplicate of itself.")})
    if into.status == S.DUPLICATE:
        raise ValidationError({"into": _("Merge into the original incident, not into another duplicate.")})
    agency = require_incident_manager(actor=actor, incident=duplicate)
    if duplicate.status not in (S.REPORTED, S.VERIFIED):
        raise ValidationError(
            {
                "status": _("Only reported or verified incidents can be merged (this one is %(s)s).")
                % {"s": duplicate.get_status_display()}
            }
        )
    old = duplicate.status
    duplicate.status = S.DUPLICATE
    duplicate.duplicate_of = into
    duplicate.save(update_fields=["status", "duplicate_of", "updated_at"])
    extra = set(duplicate.involved_agencies.values_list("pk", flat=True))
    extra |= {i for i in (duplicate.reporting_agency_id, duplicate.lead_agency_id) if i}
    extra -= {into.reporting_agency_id, into.lead_agency_id}
    if extra:
        into.involved_agencies.add(*extra)
    duplicate.citizen_reports.update(incident=into)
    _event(
        duplicate,
        actor=actor,
        agency=agency,
        kind=IncidentEvent.Kind.MERGED,
        data={"from": old, "into": into.reference},
    )
    _event(into, actor=actor, agency=agency, kind=IncidentEvent.Kind.MERGED, data={"duplicate": duplicate.reference})
    return duplicate


# --- Citizen reports -----------------------------------------------------------------------

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


def _moderate(report: CitizenReport, *, actor: Any, status: str, reason: str, public_message: str) -> CitizenReport:
    if report.status != CitizenReport.Status.NEW:
        raise ValidationError(
            {"status": _("This report was already moderated (%(s)s).") % {"s": report.get_status_display()}}
        )
    report.status = status
    report.moderation_reason = reason
    report.moderated_by = actor
    report.moderated_at = timezone.now()
    report.save(update_fields=["status", "moderation_reason", "moderated_by", "moderated_at", "incident"])
    CitizenReportUpdate.objects.create(report=report, status=status, message=public_message)
    return report


def _moderating_agency(actor: Any, report: CitizenReport) -> Agency | None:
    """The actor's agency that moderates the report: one whose jurisdiction covers the report's
    area and in which the actor holds an acting role (a viewer there cannot moderate, whatever
    role they hold elsewhere). Staff without an agency moderate as the platform (None)."""
    own = user_agency_ids(user=actor)
    if _is_staff(actor) and not own:
        return None
    acting = [aid for aid, role in user_roles_in(user=actor, agency_ids=own).items() if role in ACTING_ROLES]
    candidates = Agency.objects.filter(pk__in=acting)
    if report.area is not None:
        candidates = candidates.filter(jurisdiction__path__in=report.area.ancestor_paths)
    agency = candidates.distinct().order_by("name").first()
    if agency is None:
        if _is_staff(actor):
            return None
        if (
            report.area is not None
            and not Agency.objects.filter(pk__in=own, jurisdiction__path__in=report.area.ancestor_paths).exists()
        ):
            raise PermissionDenied(_("This report is outside your agencies' jurisdiction."))
        raise PermissionDenied(_("Viewers cannot moderate reports."))
    return agency


@transaction.atomic
def citizen_report_verify(
    *,
    actor: Any,
    report: CitizenReport,
    title: str = "",
    severity: int | None = None,
    classification: str = Classification.RESTRICTED,
) -> Incident:
    """Turn a new report into an incident of the moderating agency, linked to the report."""
    report = CitizenReport.objects.select_for_update(of=("self",)).select_related("area", "category").get(pk=report.pk)
    agency = _moderating_agency(actor, report)
    area = report.area
    if area is None:
        raise ValidationError({"area": _("Set the report's area before verifying it.")})
    extra: dict[str, Any] = {"classification": classification, "description": report.description}
    if severity is not None:
        extra["severity"] = severity
    incident = incident_create(
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
    incident.save(update_fields=["status", "updated_at"])
    _event(
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
def citizen_report_reject(*, actor: Any, report: CitizenReport, reason: str) -> CitizenReport:
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the report is rejected.")})
    _moderating_agency(actor, report)
    return _moderate(
        report,
        actor=actor,
        status=CitizenReport.Status.REJECTED,
        reason=reason.strip(),
        public_message=_("Your report could not be followed up: %(reason)s") % {"reason": reason.strip()},
    )


@transaction.atomic
def citizen_report_mark_duplicate(*, actor: Any, report: CitizenReport, incident: Incident) -> CitizenReport:
    _moderating_agency(actor, report)
    report.incident = incident
    return _moderate(
        report,
        actor=actor,
        status=CitizenReport.Status.DUPLICATE,
        reason=incident.reference,
        public_message=_("This event was already reported and is being handled."),
    )


@transaction.atomic
def citizen_report_mark_spam(*, actor: Any, report: CitizenReport) -> CitizenReport:
    _moderating_agency(actor, report)
    return _moderate(report, actor=actor, status=CitizenReport.Status.SPAM, reason="", public_message="")


# --- Risk register -------------------------------------------------------------------------

RISK_FIELDS = (
    "area",
    "hazard",
    "likelihood",
    "impact",
    "vulnerabilities",
    "mitigations",
    "assessed_on",
    "review_due",
    "classification",
)


@transaction.atomic
def risk_create(*, actor: Any, agency: Agency | None = None, **fields: Any) -> RiskAssessment:
    """Record a risk assessment of an area and hazard for the actor's agency."""
    acting = acting_agency(actor=actor, agency=agency)
    if acting is None:
        raise ValidationError({"assessing_agency": _("Say which agency assessed this risk.")})
    risk = RiskAssessment(assessing_agency=acting, **{k: v for k, v in fields.items() if k in RISK_FIELDS})
    if risk.area_id:
        risk.area_path = risk.area.path
    _risk_validate(risk)
    risk.save()
    return risk


@transaction.atomic
def risk_update(*, actor: Any, risk: RiskAssessment, **fields: Any) -> RiskAssessment:
    """Change an assessment: acting members of the assessing agency, or staff."""
    if not _is_staff(actor) and risk.assessing_agency_id not in user_agency_ids(user=actor):
        raise PermissionDenied(_("Only the assessing agency may change this assessment."))
    acting_agency(actor=actor, agency=risk.assessing_agency)
    for key, value in fields.items():
        if key in RISK_FIELDS:
            setattr(risk, key, value)
    risk.area_path = risk.area.path
    _risk_validate(risk)
    risk.save()
    return risk


def _risk_validate(risk: RiskAssessment) -> None:
    if risk.review_due and risk.assessed_on and risk.review_due < risk.assessed_on:
        raise ValidationError({"review_due": _("The review date comes before the assessment.")})
    risk.full_clean(exclude=["area_path", "score"])
