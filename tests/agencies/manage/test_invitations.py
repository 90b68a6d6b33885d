"""Members and invitations: a commander invites by e-mail with a one-time link, changes roles,
deactivates and reactivates; the link works once, without a login, and a bad link gets a page
that says why (never a 500)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from agencies.manage import services
from agencies.models import AuditLog, Invitation, Membership
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _invite(client, world, email="baru@example.id", role="analyst"):
    client.force_login(world.carol)
    return client.post(reverse("invitation-create", args=[world.a.pk]), {"email": email, "role": role})


def _link_from_mail() -> str:
    match = re.search(r"https?://\S+/invitations/accept/(\S+)/", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return reverse("invitation-accept", args=[match.group(1)])


def test_a_commander_invites_by_email_and_only_the_hash_of_the_token_is_stored(
    client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(client, world)
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.agency) == ("baru@example.id", "analyst", world.a)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["baru@example.id"]
    token = _link_from_mail().rstrip("/").rsplit("/", 1)[-1]
    assert token not in invitation.token_hash and invitation.token_hash == services.token_hash(token)
    assert AuditLog.objects.filter(action="member_invited", owner_agencies=world.a).count() == 1


@pytest.mark.parametrize(("who", "status"), [("alice", 403), ("vera", 403), ("bob", 404), ("nobody", 404)])
def test_who_is_not_the_commander_may_not_invite(client, world, who, status):
    client.force_login(getattr(world, who))
    response = client.post(reverse("invitation-create", args=[world.a.pk]), {"email": "x@example.id", "role": "viewer"})
    assert response.status_code == status
    assert not Invitation.objects.exists()


def test_a_bad_email_is_a_form_error(client, world):
    response = _invite(client, world, email="bukan-email")
    assert response.status_code == 400
    assert not Invitation.objects.exists()


def test_someone_without_an_account_joins_through_the_link_without_a_login(
    client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, world)
    link = _link_from_mail()
    client.logout()
    assert client.get(link).status_code == 200
    response = client.post(
        link,
        {"username": "budi", "first_name": "Budi", "password1": "Sandi-Kuat-2026!", "password2": "Sandi-Kuat-2026!"},
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user__username="budi")
    assert (membership.agency, membership.role, membership.is_active) == (world.a, "analyst", True)
    assert membership.user.email == "baru@example.id"
    invitation = Invitation.objects.get()
    assert invitation.accepted_by == membership.user and invitation.accepted_at is not None


def test_a_used_link_gets_a_page_that_says_so(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, world)
    link = _link_from_mail()
    client.logout()
    client.post(link, {"username": "budi", "password1": "Sandi-Kuat-2026!", "password2": "Sandi-Kuat-2026!"})
    again = client.post(link, {"username": "budi2", "password1": "Sandi-Kuat-2026!", "password2": "Sandi-Kuat-2026!"})
    assert again.status_code == 410
    assert b"invitation-invalid" in again.content
    assert Membership.objects.filter(agency=world.a).count() == 4  # alice, carol, vera, budi


def test_an_expired_link_is_refused(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, world)
    Invitation.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    client.logout()
    response = client.get(_link_from_mail())
    assert response.status_code == 410


@pytest.mark.parametrize("token", ["forged-token", "x" * 300, "%00"])
def test_a_forged_link_is_a_clear_404(client, world, token):
    response = client.get(reverse("invitation-accept", args=[token]))
    assert response.status_code == 404
    assert b"invitation-invalid" in response.content


def test_a_revoked_link_is_refused(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, world)
    invitation = Invitation.objects.get()
    assert client.post(reverse("invitation-revoke", args=[invitation.pk])).status_code == 302
    client.logout()
    assert client.get(_link_from_mail()).status_code == 410


def test_an_existing_user_signed_in_accepts_with_one_button(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, world, email="bob@example.id", role="liaison")
    link = _link_from_mail()
    client.force_login(world.bob)
    assert client.post(link).status_code == 302
    assert Membership.objects.get(user=world.bob, agency=world.a).role == "liaison"


def test_a_password_too_weak_is_a_form_error_and_the_link_still_works(
    client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, world)
    link = _link_from_mail()
    client.logout()
    response = client.post(link, {"username": "budi", "password1": "1", "password2": "1"})
    assert response.status_code == 400
    assert not Membership.objects.filter(user__username="budi").exists()
    assert Invitation.objects.get().accepted_at is None


def test_a_taken_username_is_a_form_error(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, world)
    link = _link_from_mail()
    client.logout()
    response = client.post(
        link, {"username": "alice", "password1": "Sandi-Kuat-2026!", "password2": "Sandi-Kuat-2026!"}
    )
    assert response.status_code == 400
    assert Invitation.objects.get().accepted_at is None


# --- Members page: roles, deactivation ---------------------------------------------------------


def test_the_members_page_lists_every_member_in_a_bounded_number_of_queries(
    client, world, django_assert_max_num_queries
):
    for i in range(15):
        Membership.objects.create(
            user=UserFactory(username=f"m{i}"), agency=world.a, role="viewer", is_active=i % 2 == 0
        )
    client.force_login(world.carol)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("agency-members", args=[world.a.pk]))
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="member-row"') == 18


@pytest.mark.parametrize(("who", "status"), [("alice", 403), ("bob", 404), ("admin", 200)])
def test_the_members_page_is_for_commanders(client, world, who, status):
    client.force_login(getattr(world, who))
    assert client.get(reverse("agency-members", args=[world.a.pk])).status_code == status


def test_a_commander_changes_a_role_and_deactivates_and_reactivates(client, world):
    client.force_login(world.carol)
    vera = Membership.objects.get(user=world.vera)
    client.post(reverse("membership-role", args=[vera.pk]), {f"m{vera.pk}-role": "planner"})
    vera.refresh_from_db()
    assert vera.role == "planner"
    client.post(reverse("membership-active", args=[vera.pk]), {"is_active": "0"})
    vera.refresh_from_db()
    assert not vera.is_active
    client.post(reverse("membership-active", args=[vera.pk]), {"is_active": "1"})
    vera.refresh_from_db()
    assert vera.is_active
    assert AuditLog.objects.filter(action="member_changed", object_id=str(vera.pk)).count() == 3


def test_the_last_commander_cannot_demote_or_deactivate_themselves(client, world):
    client.force_login(world.carol)
    carol = Membership.objects.get(user=world.carol)
    response = client.post(reverse("membership-role", args=[carol.pk]), {f"m{carol.pk}-role": "viewer"}, follow=True)
    assert "commander" in response.content.decode()
    client.post(reverse("membership-active", args=[carol.pk]), {"is_active": "0"})
    carol.refresh_from_db()
    assert (carol.role, carol.is_active) == ("commander", True)


def test_a_liaison_may_not_change_roles(client, world):
    client.force_login(world.alice)
    vera = Membership.objects.get(user=world.vera)
    response = client.post(reverse("membership-role", args=[vera.pk]), {f"m{vera.pk}-role": "commander"})
    assert response.status_code == 403
    vera.refresh_from_db()
    assert vera.role == "viewer"
