"""The permission matrix's entries for the pages that run one's own agency (agencies/manage/):
members and invitations, duty contact and capacity, subscriptions and their test alert, vital
objects and cameras, the partnership's MoU (see registry.py for what each kind of entry means)."""

from __future__ import annotations

from typing import Any

from .registry import Detail, Exempt, Form, Write, cap

MANAGE_PAGES: dict[str, Any] = {
    "agency-members": Form("agency", cap("agency.members"), own_agency=True),
    "invitation-create": Write("agency", cap("agency.members"), {"email": "baru@mtx.test", "role": "viewer"}),
    "invitation-revoke": Write("invitation", cap("agency.members")),
    "invitation-accept": Exempt("the one-time link: read by its token, not as a user; tests/agencies/manage"),
    "invitation-switch-user": Exempt("signs the user out, then back to the link: tests/agencies/manage"),
    "membership-role": Write(
        "membership", cap("agency.members"), lambda w: {f"m{w.record('membership').pk}-role": "analyst"}
    ),
    "membership-active": Write("membership", cap("agency.members"), {"is_active": "1"}),
    "agency-contact": Form("agency", cap("agency.edit"), own_agency=True),
    "agency-subscriptions": Form("agency", cap("agency.manage"), own_agency=True),
    "subscription-create": Form("agency", cap("agency.manage"), own_agency=True),
    "subscription-edit": Form("subscription", cap("agency.manage")),
    "subscription-active": Write("subscription", cap("agency.manage"), {"is_active": "1"}),
    "subscription-rotate-secret": Write("subscription", cap("agency.manage")),
    "subscription-test-alert": Write("subscription", cap("agency.manage")),
    "agency-assets": Detail("agency"),
    "vital-object-detail": Detail("vital_object"),
    "vital-object-create": Form("agency", cap("agency.manage"), own_agency=True),
    "vital-object-edit": Form("vital_object", cap("agency.manage"), own_agency=True),
    "camera-detail": Detail("camera"),
    "camera-create": Form("agency", cap("agency.manage"), own_agency=True),
    "camera-edit": Form("camera", cap("agency.manage"), own_agency=True),
    "partnership-document": Exempt("served only to the parties' members and staff: tests/agencies/manage/test_mou.py"),
    "partnership-document-upload": Write(
        "partnership", cap("partnership.propose"), lambda w: {"agency": w.agencies.owner.pk}, ok=False, parties=True
    ),
}
