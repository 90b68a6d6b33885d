"""The invitations API: commanders and staff send, list and revoke; nobody else sees them."""

from __future__ import annotations

import pytest
from django.core import mail

from agencies.models import Invitation

pytestmark = pytest.mark.django_db


def _create(client, world, **extra):
    return client.post(
        "/api/v1/invitations/",
        {"agency": world.a.pk, "email": "baru@example.id", "role": "viewer", **extra},
        format="json",
    )


def test_a_commander_invites_and_the_answer_carries_no_link(api_as, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _create(api_as(world.carol), world)
    assert response.status_code == 201, response.json()
    assert response.json()["state"] == "open"
    assert "token" not in str(response.json()) and "/invitations/accept/" not in str(response.json())
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(("who", "status"), [("alice", 403), ("bob", 404), ("nobody", 404), (None, 401)])
def test_who_is_not_a_commander_may_not_invite(api_as, world, who, status):
    response = _create(api_as(getattr(world, who) if who else None), world)
    assert response.status_code == status
    assert not Invitation.objects.exists()


def test_bad_input_is_a_400_by_field(api_as, world):
    response = _create(api_as(world.carol), world, email="x", role="boss")
    assert response.status_code == 400
    assert set(response.json()) == {"email", "role"}


def test_the_list_is_the_commanders_and_bounded_in_queries(api_as, world, django_assert_max_num_queries):
    client = api_as(world.carol)
    for i in range(5):
        _create(client, world, email=f"u{i}@example.id")
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/invitations/")
    assert response.json()["count"] == 5
    assert api_as(world.alice).get("/api/v1/invitations/").json()["count"] == 0
    assert api_as(world.dave).get("/api/v1/invitations/").json()["count"] == 0
    assert api_as(world.admin).get("/api/v1/invitations/").json()["count"] == 5


def test_revoke(api_as, world):
    client = api_as(world.carol)
    pk = _create(client, world).json()["id"]
    assert api_as(world.dave).post(f"/api/v1/invitations/{pk}/revoke/").status_code == 404
    assert api_as(world.alice).post(f"/api/v1/invitations/{pk}/revoke/").status_code == 404  # not theirs to see
    response = client.post(f"/api/v1/invitations/{pk}/revoke/")
    assert response.status_code == 200 and response.json()["state"] == "revoked"
