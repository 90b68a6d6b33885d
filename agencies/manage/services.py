"""Writes of running an agency: invitations (a one-time link by e-mail), members' roles and
active flag, the duty contact and declared capacity.

Each service checks the actor's capability (`agencies/roles.py`: `agency.members` for members
and invitations, `agency.edit` for the contact and capacity), runs in one transaction and
writes an audit row naming the agency (its commanders see it on the audit page).
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User as AuthUser
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from common.types import User

from .. import services as agency_services
from ..membership import user_is_staff
from ..models import Agency, AuditLog, Invitation, Membership
from ..roles import has_capability
from ..selectors import require_capability

logger = logging.getLogger(__name__)
UserModel = get_user_model()

# How long an invitation link works: long enough for a weekend, short enough to go stale.
INVITATION_DAYS = 7
CAPACITY_FIELDS = ("capacity_personnel", "capacity_vehicles", "capacity_boats", "capacity_medical_teams")
CONTACT_FIELDS = ("duty_phone", "duty_email", "duty_radio", *CAPACITY_FIELDS)


def token_hash(token: str) -> str:
    """What is stored of an invitation's token: its SHA-256 (the token itself is only in the link)."""
    return hashlib.sha256(token.encode()).hexdigest()


def _audit(*, actor: User, agency_id: int, action: str, object_type: str, object_id: int, detail: str) -> None:
    row = AuditLog.objects.create(
        user=actor if actor and actor.is_authenticated else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        classification="restricted",
        detail=detail[:200],
    )
    row.owner_agencies.add(agency_id)


def can_manage_members(*, user: User, agency: Agency) -> bool:
    """Staff, or a commander of `agency` (`agency.members`): the members page offers its actions."""
    return has_capability(user=user, capability="agency.members", agency_ids=[agency.pk])


def can_edit_contact(*, user: User, agency: Agency) -> bool:
    """Staff, or a commander of `agency` (`agency.edit`): duty contact and declared capacity."""
    return has_capability(user=user, capability="agency.edit", agency_ids=[agency.pk])


def can_manage_agency(*, user: User, agency: Agency) -> bool:
    """Staff, or a commander or liaison of `agency` (`agency.manage`): subscriptions, vital objects, cameras."""
    return has_capability(user=user, capability="agency.manage", agency_ids=[agency.pk])


def invitation_link(token: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("invitation-accept", args=[token])


def _send_invitation(*, email: str, agency_name: str, role: str, link: str, expires: datetime.datetime) -> None:
    subject = _("Invitation to join %(agency)s on Sinergi") % {"agency": agency_name}
    body = _(
        "You are invited to join %(agency)s on Sinergi as %(role)s.\n\n"
        "Open this link to accept (it works once, until %(expires)s UTC):\n%(link)s\n\n"
        "If you did not expect this, ignore this message."
    ) % {"agency": agency_name, "role": role, "link": link, "expires": f"{expires:%Y-%m-%d %H:%M}"}
    try:
        send_mail(subject, body, None, [email], fail_silently=False)
    except Exception:  # noqa: BLE001 - the invitation stands; the commander may send it again
        logger.exception("invitation e-mail to %s failed", email)


@transaction.atomic
def invitation_create(*, actor: User, agency: Agency, email: str, role: str) -> tuple[Invitation, str]:
    """Invite `email` to `agency` with `role` (a commander of the agency, or staff): stores the
    token's hash and e-mails the one-time link after commit. Returns the invitation and its link."""
    require_capability(user=actor, agency_id=agency.pk, capability="agency.members")
    email = (email or "").strip()
    if Membership.objects.filter(agency=agency, user__email__iexact=email, is_active=True).exists() and email:
        raise ValidationError({"email": _("A member of this agency already uses this e-mail.")})
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        agency=agency,
        email=email,
        role=role,
        token_hash=token_hash(token),
        invited_by=actor if actor.is_authenticated else None,
        expires_at=timezone.now() + datetime.timedelta(days=INVITATION_DAYS),
    )
    invitation.full_clean()
    invitation.save()
    _audit(
        actor=actor,
        agency_id=agency.pk,
        action="member_invited",
        object_type="invitation",
        object_id=invitation.pk,
        detail=f"{email} ({role})",
    )
    link = invitation_link(token)
    name, role_label, expires = agency.name, str(Membership.Role(role).label), invitation.expires_at
    transaction.on_commit(
        lambda: _send_invitation(email=email, agency_name=name, role=role_label, link=link, expires=expires)
    )
    return invitation, link


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    """Void an open invitation (a commander of its agency, or staff); a used one stays as it is."""
    require_capability(user=actor, agency_id=invitation.agency_id, capability="agency.members")
    if invitation.accepted_at is not None:
        raise ValidationError(_("This invitation was already used."))
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        Invitation.objects.filter(pk=invitation.pk).update(revoked_at=invitation.revoked_at)
        _audit(
            actor=actor,
            agency_id=invitation.agency_id,
            action="invitation_revoked",
            object_type="invitation",
            object_id=invitation.pk,
            detail=invitation.email,
        )
    return invitation


def _claim(invitation: Invitation, user: AuthUser) -> None:
    """Single use: only the first of two concurrent acceptances changes the row."""
    now = timezone.now()
    claimed = Invitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    ).update(accepted_at=now, accepted_by=user)
    if not claimed:
        raise ValidationError(_("This invitation link is no longer valid."))


def _join(invitation: Invitation, user: AuthUser) -> Membership:
    existing = Membership.objects.filter(agency_id=invitation.agency_id, user=user).first()
    if existing is not None and existing.is_active:
        raise ValidationError(_("You are already a member of this agency."))
    _claim(invitation, user)
    if existing is not None:
        existing.is_active, existing.role = True, invitation.role
        existing.save(update_fields=["is_active", "role", "updated_at"])
        membership = existing
    else:
        membership = Membership.objects.create(agency_id=invitation.agency_id, user=user, role=invitation.role)
    _audit(
        actor=user,
        agency_id=invitation.agency_id,
        action="invitation_accepted",
        object_type="membership",
        object_id=membership.pk,
        detail=f"{user.get_username()} ({invitation.role})",
    )
    return membership


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: AuthUser) -> Membership:
    """A signed-in user accepts the link: they become a member with the invited role."""
    if user_is_staff(user) and not Membership.objects.filter(user=user).exists():
        raise ValidationError(_("Platform administrators do not join agencies through an invitation."))
    return _join(invitation, user)


@transaction.atomic
def invitation_accept_new_user(
    *, invitation: Invitation, username: str, password: str, first_name: str = "", last_name: str = ""
) -> Membership:
    """Someone without an account accepts: the account is made with the invited e-mail, then joins."""
    if UserModel.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This user name is taken.")})
    user = UserModel(username=username, email=invitation.email, first_name=first_name, last_name=last_name)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password1": exc.messages}) from None
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return _join(invitation, user)


@transaction.atomic
def membership_change(*, actor: User, membership: Membership, **fields: Any) -> Membership:
    """Change a member's role or active flag (a commander of the agency, or staff): the
    agency keeps at least one active commander (`membership_update` locks and checks)."""
    before = (membership.role, membership.is_active)
    agency_services.membership_update(actor=actor, membership=membership, **fields)
    after = (membership.role, membership.is_active)
    if before != after:
        _audit(
            actor=actor,
            agency_id=membership.agency_id,
            action="member_changed",
            object_type="membership",
            object_id=membership.pk,
            detail=f"{membership.user.get_username()}: {before[0]}{'' if before[1] else ' (inactive)'}"
            f" -> {after[0]}{'' if after[1] else ' (inactive)'}",
        )
    return membership


@transaction.atomic
def agency_contact_update(*, actor: User, agency: Agency, **fields: Any) -> Agency:
    """Change the duty contact and declared capacity (a commander of the agency, or staff);
    `agency_update` dates a changed capacity today."""
    fields = {k: v for k, v in fields.items() if k in CONTACT_FIELDS}
    agency_services.agency_update(actor=actor, agency=agency, **fields)
    _audit(
        actor=actor,
        agency_id=agency.pk,
        action="contact_changed",
        object_type="agency",
        object_id=agency.pk,
        detail=", ".join(sorted(fields)),
    )
    return agency


def can_read_document(*, user: User, partnership: Any) -> bool:
    """Staff, or a member of one of the partnership's parties: its MoU document (mou.py)."""
    from .mou import can_read_document as rule

    return rule(user=user, partnership=partnership)


def can_upload_document(*, user: User, partnership: Any, agency: Agency) -> bool:
    """Staff, or a commander of `agency`, a party: upload the MoU for it (mou.py)."""
    from .mou import can_upload_document as rule

    return rule(user=user, partnership=partnership, agency=agency)
