"""Writes of the agencies app. Each service is atomic, validates with `full_clean()` and
checks that the actor may do what it asks:

- a user who cannot see the target agency's private business gets Http404 (nothing leaks);
- a member of the agency whose role is not enough gets PermissionDenied;
- platform staff may do everything.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User as AuthUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.services import model_update
from common.types import User

from .models import (
    Agency,
    Area,
    AuditLog,
    Camera,
    Membership,
    Subscription,
    SubscriptionCategory,
    VitalObject,
)
from .partnerships import (  # noqa: F401  (the partnership services, here with the others)
    can_end_partnership,
    can_propose_partnership,
    partnership_accept,
    partnership_answer_agencies,
    partnership_decline,
    partnership_end,
    partnership_end_agencies,
    partnership_propose,
)
from .roles import has_capability
from .selectors import require_capability, user_agency_ids, user_is_staff, user_roles_in

UserModel = get_user_model()


def acting_agency(
    *, actor: User, agency: Agency | None, roles: Sequence[str], field: str, staff_without_agency: bool = True
) -> Agency | None:
    """The agency on whose behalf the actor acts: the one given (checked: they are a member
    with one of `roles`), or else their only agency with such a role. Errors name `field`.

    Staff may act for any agency; with none given, for none when `staff_without_agency`
    (an incident logged by the platform), else for their only one.
    """
    if agency is not None:
        if user_is_staff(actor):
            return agency
        role = user_roles_in(user=actor, agency_ids=[agency.pk]).get(agency.pk)
        if role is None:
            raise ValidationError({field: _("You are not a member of this agency.")})
        if role not in roles:
            raise PermissionDenied(_("Your role in this agency does not allow this."))
        return agency
    if staff_without_agency and user_is_staff(actor):
        return None
    memberships = (
        list(
            Membership.objects.filter(user=actor, is_active=True, agency__is_active=True, role__in=list(roles))
            .select_related("agency")
            .order_by("agency__name")
        )
        if actor.is_authenticated
        else []
    )
    if not memberships:
        if user_is_staff(actor):
            raise ValidationError({field: _("Say for which agency you act.")})
        raise PermissionDenied(_("Your role does not allow this."))
    if len(memberships) > 1:
        raise ValidationError({field: _("You belong to several agencies: say for which one you act.")})
    return memberships[0].agency


def _require_staff(actor: User) -> None:
    if not user_is_staff(actor):
        raise PermissionDenied(_("Only platform administrators may do this."))


# --- Agencies ------------------------------------------------------------------------------

AGENCY_FIELDS = (
    "name",
    "code",
    "kind",
    "parent",
    "headquarters_area",
    "address",
    "latitude",
    "longitude",
    "duty_phone",
    "duty_email",
    "duty_radio",
    "is_active",
    "two_factor_required",
    "capacity_personnel",
    "capacity_vehicles",
    "capacity_boats",
    "capacity_medical_teams",
    "capacity_declared_at",
)
# What an agency's commander may change of it (staff: every field).
AGENCY_CONTACT_FIELDS = (
    "address",
    "latitude",
    "longitude",
    "duty_phone",
    "duty_email",
    "duty_radio",
    "capacity_personnel",
    "capacity_vehicles",
    "capacity_boats",
    "capacity_medical_teams",
    "capacity_declared_at",
)
# Whether every member must use two-factor login (capability agency.two_factor).
AGENCY_SECURITY_FIELDS = ("two_factor_required",)


@transaction.atomic
def agency_create(*, actor: User, jurisdiction: Sequence[Area] = (), **fields: Any) -> Agency:
    """Register an agency (platform staff only)."""
    _require_staff(actor)
    agency = Agency(**{k: v for k, v in fields.items() if k in AGENCY_FIELDS})
    agency.full_clean()
    agency.save()
    agency.jurisdiction.set(jurisdiction)
    return agency


def can_require_two_factor(*, user: User, agency: Agency) -> bool:
    """Staff, or a commander of `agency`: whether every member must use two-factor login."""
    return has_capability(user=user, capability="agency.two_factor", agency_ids=[agency.pk])


@transaction.atomic
def agency_update(*, actor: User, agency: Agency, jurisdiction: Sequence[Area] | None = None, **fields: Any) -> Agency:
    """Change an agency: its commander may edit its contact details; staff may edit everything."""
    if not user_is_staff(actor):
        if set(fields) & set(AGENCY_SECURITY_FIELDS):
            require_capability(user=actor, agency_id=agency.pk, capability="agency.two_factor")
        if not fields or set(fields) - set(AGENCY_SECURITY_FIELDS):
            require_capability(user=actor, agency_id=agency.pk, capability="agency.edit")
        if set(fields) - set(AGENCY_CONTACT_FIELDS) - set(AGENCY_SECURITY_FIELDS) or jurisdiction is not None:
            raise PermissionDenied(_("Only platform administrators may change an agency's identity or jurisdiction."))
    capacity = [k for k in AGENCY_CONTACT_FIELDS if k.startswith("capacity_") and k != "capacity_declared_at"]
    if "capacity_declared_at" not in fields and any(k in fields and getattr(agency, k) != fields[k] for k in capacity):
        fields["capacity_declared_at"] = timezone.localdate()  # a declaration is dated the day it changes
    model_update(instance=agency, fields=fields, allowed=AGENCY_FIELDS)
    if agency.parent_id and agency.parent_id == agency.pk:
        raise ValidationError({"parent": _("An agency cannot be its own parent.")})
    agency.full_clean()
    agency.save()
    if jurisdiction is not None:
        agency.jurisdiction.set(jurisdiction)
    return agency


# --- Members -------------------------------------------------------------------------------


@transaction.atomic
def membership_create(
    *, actor: User, agency: Agency, user: AuthUser, role: str, title: str = "", phone: str = ""
) -> Membership:
    """Add a user to an agency with a role (a commander of that agency, or staff)."""
    require_capability(user=actor, agency_id=agency.pk, capability="agency.members")
    if Membership.objects.filter(agency=agency, user=user).exists():
        raise ValidationError({"user": _("This user is already a member of this agency.")})
    membership = Membership(agency=agency, user=user, role=role, title=title, phone=phone)
    membership.full_clean()
    membership.save()
    return membership


def _lock_commanders(membership: Membership) -> None:
    # Lock the agency's commanders so that two commanders demoting or removing each other at
    # once cannot both succeed and leave the agency with none.
    list(Membership.objects.select_for_update().filter(agency_id=membership.agency_id, role="commander"))


def _ensure_a_commander_remains(membership: Membership) -> None:
    others = Membership.objects.filter(
        agency_id=membership.agency_id, role=Membership.Role.COMMANDER, is_active=True
    ).exclude(pk=membership.pk)
    if not others.exists():
        raise ValidationError({"role": _("An agency must keep at least one active commander.")})


# What a membership_update may change (the agency and the user are for good).
MEMBERSHIP_FIELDS = ("role", "title", "phone", "is_active")


@transaction.atomic
def membership_update(*, actor: User, membership: Membership, **fields: Any) -> Membership:
    """Change a member's role, position, phone or active flag (a commander of the agency, or staff)."""
    require_capability(user=actor, agency_id=membership.agency_id, capability="agency.members")
    _lock_commanders(membership)
    was_commander = membership.role == Membership.Role.COMMANDER and membership.is_active
    model_update(instance=membership, fields=fields, allowed=MEMBERSHIP_FIELDS)
    still_commander = membership.role == Membership.Role.COMMANDER and membership.is_active
    if was_commander and not still_commander:
        _ensure_a_commander_remains(membership)
    membership.full_clean()
    membership.save()
    return membership


@transaction.atomic
def membership_remove(*, actor: User, membership: Membership) -> None:
    """Remove a member (a commander of the agency, or staff); the last commander stays."""
    require_capability(user=actor, agency_id=membership.agency_id, capability="agency.members")
    _lock_commanders(membership)
    if membership.role == Membership.Role.COMMANDER and membership.is_active:
        _ensure_a_commander_remains(membership)
    membership.delete()


# --- Partnerships: agencies/partnerships.py (two-sided: propose, accept, decline, end) ---------

# --- Subscriptions -------------------------------------------------------------------------


SUBSCRIPTION_FIELDS = (
    "name",
    "min_severity",
    "channel_in_app",
    "channel_email",
    "channel_sms",
    "channel_webhook",
    "webhook_url",
    "webhook_secret",
    "is_active",
)


def _subscription_apply(
    subscription: Subscription,
    *,
    areas: Sequence[Area] | None,
    category_codes: Iterable[str] | None,
    fields: dict[str, Any],
) -> Subscription:
    model_update(instance=subscription, fields=fields, allowed=SUBSCRIPTION_FIELDS)
    errors: dict[str, list[str]] = {}
    if not subscription.channels:
        errors.setdefault("channel_in_app", []).append(_("Choose at least one channel."))
    if subscription.channel_webhook and not subscription.webhook_url:
        errors.setdefault("webhook_url", []).append(_("A webhook channel needs a URL."))
    if areas is not None and not areas:
        errors.setdefault("areas", []).append(_("Choose at least one area."))
    if errors:
        raise ValidationError(errors)
    if subscription.channel_webhook and not subscription.webhook_secret:
        # The receiver verifies our HMAC signature with this; we generate one if none is given.
        subscription.webhook_secret = secrets.token_urlsafe(32)
    subscription.full_clean()
    subscription.save()
    if areas is not None:
        subscription.areas.set(areas)
    if category_codes is not None:
        codes = sorted({c.strip() for c in category_codes if c and c.strip()})
        SubscriptionCategory.objects.filter(subscription=subscription).exclude(code__in=codes).delete()
        SubscriptionCategory.objects.bulk_create(
            [SubscriptionCategory(subscription=subscription, code=c) for c in codes], ignore_conflicts=True
        )
    return subscription


@transaction.atomic
def subscription_create(
    *,
    actor: User,
    agency: Agency,
    name: str,
    areas: Sequence[Area],
    category_codes: Iterable[str] = (),
    **fields: Any,
) -> Subscription:
    """Subscribe an agency to alerts (its commander or liaison, or staff)."""
    require_capability(user=actor, agency_id=agency.pk, capability="agency.manage")
    subscription = Subscription(agency=agency, name=name)
    return _subscription_apply(subscription, areas=list(areas), category_codes=category_codes, fields=fields)


@transaction.atomic
def subscription_update(
    *,
    actor: User,
    subscription: Subscription,
    areas: Sequence[Area] | None = None,
    category_codes: Iterable[str] | None = None,
    **fields: Any,
) -> Subscription:
    """Change a subscription (a commander or liaison of its agency, or staff)."""
    require_capability(user=actor, agency_id=subscription.agency_id, capability="agency.manage")
    return _subscription_apply(
        subscription, areas=list(areas) if areas is not None else None, category_codes=category_codes, fields=fields
    )


@transaction.atomic
def subscription_rotate_secret(*, actor: User, subscription: Subscription) -> str:
    """A new signing secret for the subscription's webhook (a commander or liaison of its
    agency, or staff). The caller shows it once: it is write-only, masked in every read after."""
    require_capability(user=actor, agency_id=subscription.agency_id, capability="agency.manage")
    subscription.webhook_secret = secrets.token_urlsafe(32)
    Subscription.objects.filter(pk=subscription.pk).update(webhook_secret=subscription.webhook_secret)
    return subscription.webhook_secret


@transaction.atomic
def subscription_delete(*, actor: User, subscription: Subscription) -> None:
    require_capability(user=actor, agency_id=subscription.agency_id, capability="agency.manage")
    subscription.delete()


# --- Vital objects and cameras -------------------------------------------------------------

VITAL_OBJECT_FIELDS = ("name", "kind", "area", "operator", "is_national", "latitude", "longitude", "address", "notes")
CAMERA_FIELDS = (
    "code",
    "name",
    "area",
    "operator",
    "vital_object",
    "status",
    "last_seen_at",
    "latitude",
    "longitude",
    "stream_url",
)


@transaction.atomic
def vital_object_create(
    *, actor: User, operator: Agency, guarding_agencies: Sequence[Agency] = (), **fields: Any
) -> VitalObject:
    """Register a vital object (a commander or liaison of its operator, or staff)."""
    require_capability(user=actor, agency_id=operator.pk, capability="agency.manage")
    obj = VitalObject(operator=operator, **{k: v for k, v in fields.items() if k in VITAL_OBJECT_FIELDS})
    obj.full_clean()
    obj.save()
    obj.guarding_agencies.set(guarding_agencies)
    return obj


@transaction.atomic
def vital_object_update(
    *, actor: User, vital_object: VitalObject, guarding_agencies: Sequence[Agency] | None = None, **fields: Any
) -> VitalObject:
    require_capability(user=actor, agency_id=vital_object.operator_id, capability="agency.manage")
    if "operator" in fields and fields["operator"] != vital_object.operator:
        require_capability(user=actor, agency_id=fields["operator"].pk, capability="agency.manage")
    model_update(instance=vital_object, fields=fields, allowed=VITAL_OBJECT_FIELDS)
    vital_object.full_clean()
    vital_object.save()
    if guarding_agencies is not None:
        vital_object.guarding_agencies.set(guarding_agencies)
    return vital_object


@transaction.atomic
def camera_create(*, actor: User, operator: Agency, **fields: Any) -> Camera:
    """Register a CCTV camera (a commander or liaison of its operator, or staff)."""
    require_capability(user=actor, agency_id=operator.pk, capability="agency.manage")
    camera = Camera(operator=operator, **{k: v for k, v in fields.items() if k in CAMERA_FIELDS})
    camera.full_clean()
    camera.save()
    return camera


@transaction.atomic
def camera_update(*, actor: User, camera: Camera, **fields: Any) -> Camera:
    require_capability(user=actor, agency_id=camera.operator_id, capability="agency.manage")
    if "operator" in fields and fields["operator"] != camera.operator:
        require_capability(user=actor, agency_id=fields["operator"].pk, capability="agency.manage")
    model_update(instance=camera, fields=fields, allowed=CAMERA_FIELDS)
    camera.full_clean()
    camera.save()
    return camera


def camera_heartbeat(*, camera: Camera, status: str = Camera.Status.ONLINE, at: datetime | None = None) -> None:
    """Record that a camera answered: a single UPDATE, cheap enough for every ping."""
    Camera.objects.filter(pk=camera.pk).update(status=status, last_seen_at=at or timezone.now())


# --- Audit ---------------------------------------------------------------------------------

AUDITED_CLASSIFICATIONS = ("confidential", "secret")

# Whose record it is, by kind: the agencies whose commanders see its reads on their audit page.
# Read from the `<field>_id` attributes of the rows already in hand (no query per row).
OWNER_FIELDS: dict[str, tuple[str, ...]] = {
    "incident": ("reporting_agency_id", "lead_agency_id"),
    "threat": ("issuing_agency_id",),
    "risk": ("assessing_agency_id",),
    "operation": ("lead_agency_id",),
    "exercise": ("lead_agency_id",),
    "bulletin": ("issuing_agency_id",),
}


def _owners(obj: Any, object_type: str) -> set[int]:
    return {aid for f in OWNER_FIELDS.get(object_type, ()) if (aid := getattr(obj, f, None))}


def _audit_write(
    entries: list[tuple[Any, set[int]]], *, user: User | None, reader_ids: Iterable[int] | None = None
) -> None:
    """Insert audit rows and their owner and reader agencies: three INSERTs, whatever the count."""

    if not entries:
        return
    AuditLog.objects.bulk_create([row for row, _owner_ids in entries])
    readers = sorted(set(reader_ids) if reader_ids is not None else user_agency_ids(user=user))
    owner_links = AuditLog.owner_agencies.through
    reader_links = AuditLog.reader_agencies.through
    owners = [owner_links(auditlog_id=row.pk, agency_id=aid) for row, ids in entries for aid in sorted(ids)]
    if owners:
        owner_links.objects.bulk_create(owners)
    if readers:
        reader_links.objects.bulk_create(
            [reader_links(auditlog_id=row.pk, agency_id=aid) for row, _ids in entries for aid in readers]
        )


def audit_reads(
    *,
    user: User | None,
    objects: Iterable[Any],
    object_type: str,
    action: str = "read",
    owner_ids: Iterable[int] | None = None,
) -> int:
    """Record that `user` read each confidential or secret object (one row each, in one INSERT).

    Objects need `pk` and `classification`, and the owner fields of OWNER_FIELDS (or pass
    `owner_ids`, as an export does) to be found on their owners' audit page; public and
    restricted reads are not audited.
    """

    who = user if user and user.is_authenticated else None
    entries = [
        (
            AuditLog(
                user=who,
                action=action,
                object_type=object_type,
                object_id=str(obj.pk),
                object_ids=[str(obj.pk)] if action == "read" else [],
                classification=obj.classification,
            ),
            set(owner_ids) if owner_ids is not None else _owners(obj, object_type),
        )
        for obj in objects
        if getattr(obj, "classification", None) in AUDITED_CLASSIFICATIONS
    ]
    _audit_write(entries, user=who)
    return len(entries)


def audit_list_read(
    *,
    user: User | None,
    objects: Iterable[Any],
    object_type: str,
    action: str = "list",
    detail: str = "",
    reader_ids: Iterable[int] | None = None,
) -> Any:
    """Record one list read: a single row naming every confidential or secret record among
    `objects` (the rows of the page being rendered, already fetched: no query per row), at the
    highest classification among them. Nothing when the page holds none. Returns the row.
    `reader_ids` names the reading agencies when no user reads (an agency's calendar feed)."""

    entry = _list_entry(user=user, objects=objects, object_type=object_type, action=action, detail=detail)
    if entry is None:
        return None
    _audit_write([entry], user=user if user and user.is_authenticated else None, reader_ids=reader_ids)
    return entry[0]


def audit_list_reads(*, user: User | None, reads: Iterable[tuple[str, Iterable[Any]]], detail: str = "") -> int:
    """`audit_list_read` of several kinds of records shown by one page (object type, rows), as
    one row per kind but in the same three INSERTs (the desk shows four kinds). Returns the
    number of rows written."""
    entries = [
        entry
        for object_type, objects in reads
        if (entry := _list_entry(user=user, objects=objects, object_type=object_type, action="list", detail=detail))
    ]
    _audit_write(entries, user=user if user and user.is_authenticated else None)
    return len(entries)


def _list_entry(
    *, user: User | None, objects: Iterable[Any], object_type: str, action: str, detail: str
) -> tuple[AuditLog, set[int]] | None:
    read = [o for o in objects if getattr(o, "classification", None) in AUDITED_CLASSIFICATIONS]
    if not read:
        return None
    ids = list(dict.fromkeys(str(o.pk) for o in read))
    owners: set[int] = set()
    for obj in read:
        owners |= _owners(obj, object_type)
    row = AuditLog(
        user=user if user and user.is_authenticated else None,
        action=action,
        object_type=object_type,
        object_id=ids[0] if len(ids) == 1 else f"{len(ids)} records",
        object_ids=ids,
        classification="secret" if any(o.classification == "secret" for o in read) else "confidential",
        detail=detail[:200],
    )
    return row, owners
