"""Writes of community programmes, and the predicates the pages ask before they offer an action
(the same rules the services apply).

Every service is atomic, validates with `full_clean()` and checks the actor's capability
(`agencies/roles.py`). Callers fetch the programme through a selector first (404 for what the
actor may not read); the services answer PermissionDenied when the actor reads it but may not
act, and ValidationError (a 400 in the API) for bad input or a step the status does not allow.

The workflow: planned > approved > held > reported, or cancelled (from planned or approved).
Who may do what (staff: everything):
- plan, change (while planned or approved) and cancel: the organiser's commanders, liaisons and
  planners ("programme.plan");
- approve: the organiser's commander ("programme.approve");
- hold (attendance per target group, photos), report, add action items: the organiser's
  planners ("programme.report").
Partner agencies hear of an approval and a cancellation through the one inbox
(`programme.approved`, `programme.cancelled`).

Citizens register for a public programme that is approved (or being held) and not ended
(`programme_register`); the public pages rate-limit them per address.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency, Area, Membership
from agencies.roles import agencies_with, roles_for
from agencies.selectors import user_is_staff, user_roles_in
from agencies.services import acting_agency
from common.services import model_update, signed_in
from common.types import User
from coordination.bulletins.services import attachment_clean
from coordination.models import (
    ActionItem,
    DistributedGoods,
    Programme,
    ProgrammeMaterial,
    ProgrammePhoto,
    ProgrammeRegistration,
    ProgrammeSession,
    TargetGroup,
)
from coordination.rules import check_window, require_capability
from incidents.reports.services import photo_clean

S = Programme.Status
PROGRAMME_FIELDS = ("kind", "title", "description", "area", "venue", "latitude", "longitude", "is_public")
CHANGEABLE = (S.PLANNED, S.APPROVED)
MAX_SESSIONS = 30
MAX_GROUPS = 20
MAX_GOODS = 20
MAX_MATERIALS = 10
MAX_PHOTOS = 10
# Registrations per programme: a bound, so a flood from many addresses cannot fill the table.
MAX_REGISTRATIONS = 5000


# --- Who may do what -----------------------------------------------------------------------


def can_plan_any(*, user: User) -> bool:
    """A commander, liaison or planner of some agency (the pages' "plan" button); staff name
    the organiser, which the API asks for."""
    return bool(agencies_with(user=user, capability="programme.plan"))


CAPABILITIES = ("programme.plan", "programme.approve", "programme.report")


def _held(actor: User, programme: Programme) -> set[str]:
    """The programme capabilities the actor holds in its organiser (staff: all): one query."""
    if user_is_staff(actor):
        return set(CAPABILITIES)
    role = user_roles_in(user=actor, agency_ids=[programme.organiser_id]).get(programme.organiser_id)
    return {c for c in CAPABILITIES if role in roles_for(c)}


def programme_rights(*, actor: User, programme: Programme) -> dict[str, bool]:
    """Every action the programme's page may offer, as the services decide it, from one read of
    the actor's role: change, cancel, approve, hold (attendance and photos), report, add action
    items, add materials."""
    held = _held(actor, programme)
    status = programme.status
    report = "programme.report" in held
    return {
        "change": status in CHANGEABLE and "programme.plan" in held,
        "cancel": status in CHANGEABLE and "programme.plan" in held,
        "approve": status == S.PLANNED and "programme.approve" in held,
        "hold": status in (S.APPROVED, S.HELD) and has_started(programme) and report,
        "report": status in (S.HELD, S.REPORTED) and report,
        "add_items": status in (S.HELD, S.REPORTED) and report,
        "add_material": status != S.CANCELLED and "programme.plan" in held,
    }


def require_planner(*, actor: User, programme: Programme) -> None:
    require_capability(
        actor=actor,
        agency_ids=[programme.organiser_id],
        capability="programme.plan",
        message=_("Only commanders, liaisons and planners of the organiser may change this programme."),
    )


def require_reporter(*, actor: User, programme: Programme) -> None:
    require_capability(
        actor=actor,
        agency_ids=[programme.organiser_id],
        capability="programme.report",
        message=_("Only commanders, liaisons and planners of the organiser keep this programme's record."),
    )


def has_started(programme: Programme) -> bool:
    return programme.starts_at <= timezone.now()


def can_change(*, actor: User, programme: Programme) -> bool:
    return programme_rights(actor=actor, programme=programme)["change"]


def can_cancel(*, actor: User, programme: Programme) -> bool:
    return programme_rights(actor=actor, programme=programme)["cancel"]


def can_approve(*, actor: User, programme: Programme) -> bool:
    return programme_rights(actor=actor, programme=programme)["approve"]


def can_hold(*, actor: User, programme: Programme) -> bool:
    return programme_rights(actor=actor, programme=programme)["hold"]


def can_report(*, actor: User, programme: Programme) -> bool:
    return programme_rights(actor=actor, programme=programme)["report"]


def can_add_items(*, actor: User, programme: Programme) -> bool:
    return programme_rights(actor=actor, programme=programme)["add_items"]


def can_add_material(*, actor: User, programme: Programme) -> bool:
    return programme_rights(actor=actor, programme=programme)["add_material"]


def is_open_for_registration(programme: Programme) -> bool:
    return programme.is_public and programme.status in (S.APPROVED, S.HELD) and programme.ends_at > timezone.now()


# --- Children: sessions, target groups, goods ----------------------------------------------


def _sessions(rows: Sequence[Any]) -> list[tuple[datetime, datetime]]:
    """(start, end) of each session, sorted; ValidationError on `sessions` for none, too many,
    or a session that ends before it starts."""
    pairs = [(r["starts_at"], r["ends_at"]) if isinstance(r, dict) else tuple(r) for r in rows]
    if not pairs:
        raise ValidationError({"sessions": _("Give at least one date.")})
    if len(pairs) > MAX_SESSIONS:
        raise ValidationError({"sessions": _("At most %(n)d sessions.") % {"n": MAX_SESSIONS}})
    for start, end in pairs:
        try:
            check_window(start, end)
        except ValidationError:
            raise ValidationError({"sessions": _("Each session must end after it starts.")}) from None
    return sorted(pairs)


def _groups(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    if not rows:
        raise ValidationError({"target_groups": _("Give at least one target group.")})
    if len(rows) > MAX_GROUPS:
        raise ValidationError({"target_groups": _("At most %(n)d target groups.") % {"n": MAX_GROUPS}})
    keys = [(r["group"], r.get("age_band") or "any", r.get("sex") or "any") for r in rows]
    if len(set(keys)) != len(keys):
        raise ValidationError({"target_groups": _("Each group, age band and sex may be given once.")})
    return [
        {"group": g, "age_band": a, "sex": s, "planned": int(r["planned"])}
        for (g, a, s), r in zip(keys, rows, strict=True)
    ]


def _goods(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    if len(rows) > MAX_GOODS:
        raise ValidationError({"goods": _("At most %(n)d kinds of goods.") % {"n": MAX_GOODS}})
    return [{"item": r["item"].strip(), "quantity": int(r["quantity"])} for r in rows]


def _check_partners(organiser: Agency, partners: Iterable[Agency]) -> list[Agency]:
    partners = [p for p in partners if p.pk != organiser.pk]
    inactive = [p.name for p in partners if not p.is_active]
    if inactive:
        raise ValidationError({"partners": _("This agency is not active: %s") % ", ".join(inactive)})
    return partners


def _save_children(
    programme: Programme,
    *,
    sessions: list[tuple[datetime, datetime]] | None,
    groups: list[dict[str, Any]] | None,
    goods: list[dict[str, Any]] | None,
) -> None:
    """Replace the given children (None: keep them). Target groups keep their attendance when
    the same group, age band and sex stays."""
    if sessions is not None:
        programme.sessions.all().delete()
        rows = [ProgrammeSession(programme=programme, starts_at=s, ends_at=e) for s, e in sessions]
        for row in rows:
            row.full_clean()
        ProgrammeSession.objects.bulk_create(rows)
    if groups is not None:
        existing = {(g.group, g.age_band, g.sex): g for g in programme.target_groups.all()}
        wanted = {(g["group"], g["age_band"], g["sex"]) for g in groups}
        TargetGroup.objects.filter(pk__in=[g.pk for k, g in existing.items() if k not in wanted]).delete()
        for data in groups:
            group = existing.get((data["group"], data["age_band"], data["sex"])) or TargetGroup(programme=programme)
            for name, value in data.items():
                setattr(group, name, value)
            group.full_clean(exclude=["programme"])
            group.save()
    if goods is not None:
        programme.goods.all().delete()
        rows_goods = [DistributedGoods(programme=programme, **g) for g in goods]
        for good in rows_goods:
            good.full_clean(exclude=["programme"])
        DistributedGoods.objects.bulk_create(rows_goods)


def _clean(programme: Programme) -> None:
    if (programme.latitude is None) != (programme.longitude is None):
        raise ValidationError({"longitude": _("Give both the latitude and the longitude, or neither.")})
    programme.full_clean()


def _tell(programme: Programme, kind: str, *, actor: User) -> None:
    """Inbox entries of `kind` for every member of the partner agencies (after commit).
    Imported here: the inbox reads programmes."""
    from coordination.notifications.services import inbox_deliver

    ids = set(programme.partners.values_list("pk", flat=True))
    transaction.on_commit(lambda: inbox_deliver(agency_ids=ids, kind=kind, exclude=actor, programme=programme))


# --- Programmes ----------------------------------------------------------------------------


@transaction.atomic
def programme_create(
    *,
    actor: User,
    kind: str,
    title: str,
    area: Area,
    sessions: Sequence[Any],
    target_groups: Sequence[dict[str, Any]],
    goods: Sequence[dict[str, Any]] = (),
    partners: Sequence[Agency] = (),
    organiser: Agency | None = None,
    **fields: Any,
) -> Programme:
    """Plan a programme organised by the actor's agency (its planners; staff name the
    organiser): one session or a series, at least one target group with its planned count."""
    agency = acting_agency(
        actor=actor,
        agency=organiser,
        roles=roles_for("programme.plan"),
        field="organiser",
        staff_without_agency=False,
    )
    assert agency is not None
    pairs = _sessions(sessions)
    groups = _groups(target_groups)
    goods_rows = _goods(goods)
    programme = Programme(
        kind=kind,
        title=title,
        area=area,
        organiser=agency,
        starts_at=pairs[0][0],
        ends_at=max(e for _s, e in pairs),
        created_by=signed_in(actor),
        **{k: v for k, v in fields.items() if k in PROGRAMME_FIELDS},
    )
    _clean(programme)
    programme.save()
    programme.partners.set(_check_partners(agency, partners))
    _save_children(programme, sessions=pairs, groups=groups, goods=goods_rows)
    return programme


@transaction.atomic
def programme_update(
    *,
    actor: User,
    programme: Programme,
    sessions: Sequence[Any] | None = None,
    target_groups: Sequence[dict[str, Any]] | None = None,
    goods: Sequence[dict[str, Any]] | None = None,
    partners: Sequence[Agency] | None = None,
    **fields: Any,
) -> Programme:
    """Change a planned or approved programme (the organiser's planners); `fields` among
    PROGRAMME_FIELDS (ValueError else); children given replace the old ones."""
    require_planner(actor=actor, programme=programme)
    if programme.status not in CHANGEABLE:
        raise ValidationError({"status": _("Only a planned or approved programme may be changed.")})
    model_update(instance=programme, fields=fields, allowed=PROGRAMME_FIELDS)
    pairs = _sessions(sessions) if sessions is not None else None
    if pairs is not None:
        programme.starts_at, programme.ends_at = pairs[0][0], max(e for _s, e in pairs)
    groups = _groups(target_groups) if target_groups is not None else None
    goods_rows = _goods(goods) if goods is not None else None
    _clean(programme)
    programme.save()
    if partners is not None:
        programme.partners.set(_check_partners(programme.organiser, partners))
    _save_children(programme, sessions=pairs, groups=groups, goods=goods_rows)
    return programme


@transaction.atomic
def programme_approve(*, actor: User, programme: Programme) -> Programme:
    """Approve a planned programme (the organiser's commander); partners are told."""
    require_capability(
        actor=actor,
        agency_ids=[programme.organiser_id],
        capability="programme.approve",
        message=_("Only the organiser's commander may approve this programme."),
    )
    locked = Programme.objects.select_for_update().get(pk=programme.pk)
    if locked.status != S.PLANNED:
        raise ValidationError({"status": _("Only a planned programme may be approved.")})
    programme.status, programme.approved_by, programme.approved_at = S.APPROVED, signed_in(actor), timezone.now()
    programme.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    _tell(programme, "programme.approved", actor=actor)
    return programme


@transaction.atomic
def programme_cancel(*, actor: User, programme: Programme, reason: str = "") -> Programme:
    """Cancel a planned or approved programme (the organiser's planners); partners are told."""
    require_planner(actor=actor, programme=programme)
    locked = Programme.objects.select_for_update().get(pk=programme.pk)
    if locked.status not in CHANGEABLE:
        raise ValidationError({"status": _("Only a planned or approved programme may be cancelled.")})
    programme.status, programme.cancel_reason = S.CANCELLED, reason.strip()
    programme.full_clean()
    programme.save(update_fields=["status", "cancel_reason", "updated_at"])
    _tell(programme, "programme.cancelled", actor=actor)
    return programme


@transaction.atomic
def programme_hold(
    *, actor: User, programme: Programme, attendance: dict[int, int], photos: Sequence[Any] = ()
) -> Programme:
    """Record who came (target group id -> number attended) and add photos (checked and
    re-encoded, which strips their location data), once the approved programme has begun; it is
    then held. Groups not named keep what they had. Again while held: corrections."""
    require_reporter(actor=actor, programme=programme)
    if programme.status not in (S.APPROVED, S.HELD):
        raise ValidationError({"attendance": _("Attendance is recorded for an approved programme.")})
    if not has_started(programme):
        raise ValidationError({"attendance": _("Attendance is recorded once the programme has begun.")})
    groups = {g.pk: g for g in programme.target_groups.all()}
    if set(attendance) - set(groups):
        raise ValidationError({"attendance": _("These are not target groups of this programme.")})
    for pk, value in attendance.items():
        if value is None or int(value) < 0:
            raise ValidationError({"attendance": _("Give the number who came, 0 or more.")})
        groups[pk].actual = int(value)
        groups[pk].save(update_fields=["actual"])
    _add_photos(programme, photos)
    if programme.status == S.APPROVED:
        programme.status = S.HELD
        programme.save(update_fields=["status", "updated_at"])
    return programme


def _add_photos(programme: Programme, photos: Sequence[Any]) -> None:
    if not photos:
        return
    if programme.photos.count() + len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": _("At most %(n)d photos.") % {"n": MAX_PHOTOS}})
    cleaned = []
    for upload in photos:
        try:
            cleaned.append(photo_clean(upload))
        except ValidationError as exc:
            raise ValidationError({"photos": exc.messages}) from None
    for photo in cleaned:
        row = ProgrammePhoto(
            programme=programme,
            content_type=photo.content_type,
            extension=photo.extension,
            size=len(photo.content),
            width=photo.width,
            height=photo.height,
        )
        row.image.save(f"{row.token}.{photo.extension}", ContentFile(photo.content), save=False)
        row.save()


@transaction.atomic
def programme_report(
    *, actor: User, programme: Programme, objectives: str, activities: str, results: str, lessons: str
) -> Programme:
    """Write the report of a held programme (the organiser's planners); it is then reported.
    Again once reported: a revision."""
    require_reporter(actor=actor, programme=programme)
    if programme.status not in (S.HELD, S.REPORTED):
        raise ValidationError({"activities": _("A programme is reported once it is held.")})
    if not activities.strip():
        raise ValidationError({"activities": _("Say what was done.")})
    programme.objectives, programme.activities = objectives, activities
    programme.results, programme.lessons = results, lessons
    if programme.status == S.HELD:
        programme.status, programme.reported_at = S.REPORTED, timezone.now()
    programme.full_clean()
    programme.save()
    return programme


@transaction.atomic
def programme_material_add(*, actor: User, programme: Programme, upload: Any) -> ProgrammeMaterial:
    """Add a material (a PDF, an image or an office document, checked by its content and size,
    as bulletins' attachments are) to a programme not cancelled (the organiser's planners)."""
    require_planner(actor=actor, programme=programme)
    if programme.status == S.CANCELLED:
        raise ValidationError({"file": _("This programme was cancelled.")})
    if programme.materials.count() >= MAX_MATERIALS:
        raise ValidationError({"file": _("At most %(n)d materials.") % {"n": MAX_MATERIALS}})
    try:
        content_type, _ext = attachment_clean(upload)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    name = (getattr(upload, "name", "") or "material").replace("\\", "/").rsplit("/", 1)[-1][:200]
    material = ProgrammeMaterial(programme=programme, name=name, content_type=content_type, size=upload.size or 0)
    material.file.save(material.token, upload, save=False)
    material.save()
    return material


@transaction.atomic
def programme_action_item_create(
    *,
    actor: User,
    programme: Programme,
    description: str,
    owner_agency: Agency,
    due_date: date,
    owner_person: Any = None,
) -> ActionItem:
    """A follow-up of a held or reported programme, owned by an agency (and a person of it),
    by the organiser's planners."""
    require_reporter(actor=actor, programme=programme)
    if programme.status not in (S.HELD, S.REPORTED):
        raise ValidationError({"description": _("Follow-ups are added once the programme is held.")})
    if not owner_agency.is_active:
        raise ValidationError({"owner_agency": _("This agency is not active.")})
    if (
        owner_person is not None
        and not Membership.objects.filter(user=owner_person, agency=owner_agency, is_active=True).exists()
    ):
        raise ValidationError({"owner_person": _("The owner person must be a member of the owner agency.")})
    item = ActionItem(
        programme=programme,
        description=description,
        owner_agency=owner_agency,
        owner_person=owner_person,
        due_date=due_date,
    )
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def programme_register(*, programme: Programme, name: str = "", contact: str = "") -> ProgrammeRegistration:
    """A citizen's registration for a public programme open for it (approved or being held, not
    ended); name and contact optional. No actor: the public pages rate-limit the callers."""
    locked = Programme.objects.select_for_update().get(pk=programme.pk)
    if not is_open_for_registration(locked):
        raise ValidationError({"name": _("Registration for this programme is closed.")})
    if locked.registrations.count() >= MAX_REGISTRATIONS:
        raise ValidationError({"name": _("This programme is full.")})
    row = ProgrammeRegistration(programme=locked, name=name.strip(), contact=contact.strip())
    row.full_clean()
    row.save()
    return row
