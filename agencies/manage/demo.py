"""The demo's part of running one's own agency, on top of `agencies.demo.seed_demo` (which
builds the agencies, their members, subscriptions, vital objects and cameras): each field
agency's radio channel and declared capacity, and an invitation waiting to be accepted, so that
the members and contact pages show what a commander keeps. Through the services, as a commander
would; idempotent: a value already there is not written again, a pending invitation is not sent
twice."""

from __future__ import annotations

from django.utils import timezone

from agencies.models import Agency, Invitation, Membership
from common.types import User

from . import services

# code: (radio channel, personnel, vehicles, boats, medical teams)
CONTACTS: dict[str, tuple[str, int, int, int, int]] = {
    "polres-bontang": ("Rig 1 / 148.450 MHz", 620, 48, 3, 0),
    "kodim-bontang": ("Kodim 0908 / 145.300 MHz", 380, 26, 2, 1),
    "bpbd-bontang": ("BPBD / 152.150 MHz", 85, 12, 4, 2),
    "damkar-bontang": ("Damkar / 150.625 MHz", 140, 18, 1, 1),
    "satpolpp-bontang": ("Satpol PP / 146.800 MHz", 210, 15, 0, 0),
}
# agency code: (e-mail, role) of someone invited who has not joined yet.
INVITATIONS: dict[str, tuple[str, str]] = {
    "polres-bontang": ("bripka.yoga@polres-bontang.example.id", Membership.Role.ANALYST),
    "bpbd-bontang": ("relawan.sari@bpbd-bontang.example.id", Membership.Role.VIEWER),
}


def seed_manage_demo(*, actor: User) -> dict[str, int]:
    """Contacts and capacities set, invitations sent: how many of each were new."""
    made = {"contacts": 0, "invitations": 0}
    agencies = {a.code: a for a in Agency.objects.filter(code__in=set(CONTACTS) | set(INVITATIONS))}
    for code, (radio, personnel, vehicles, boats, medical) in CONTACTS.items():
        agency = agencies.get(code)
        if agency is None:
            continue
        wanted = {
            "duty_radio": radio,
            "capacity_personnel": personnel,
            "capacity_vehicles": vehicles,
            "capacity_boats": boats,
            "capacity_medical_teams": medical,
        }
        if any(getattr(agency, field) != value for field, value in wanted.items()):
            services.agency_contact_update(actor=actor, agency=agency, **wanted)
            made["contacts"] += 1
    now = timezone.now()
    for code, (email, role) in INVITATIONS.items():
        agency = agencies.get(code)
        pending = Invitation.objects.filter(
            agency=agency, email=email, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
        )
        if agency is None or pending.exists():
            continue
        services.invitation_create(actor=actor, agency=agency, email=email, role=role)
        made["invitations"] += 1
    return made
