"""/api/v1/members/: flat memberships with an `agency` filter.

Members read the member lists; phones only of their own agency. A commander of the agency (or
staff) adds, changes and removes members: another agency's member gets 404, a member of the
same agency without the commander role 403.
"""

import pytest
from django.urls import reverse

from agencies.models import Membership
from tests.factories import AgencyFactory, MembershipFactory, UserFactory

LIST = reverse("api-membership-list")


def detail(pk):
    return reverse("api-membership-detail", args=[pk])


def membership_of(user):
    return Membership.objects.get(user=user)


# --- Reading ---------------------------------------------------------------------------------


def test_agency_filter_lists_that_agencys_members(api_as, world):
    response = api_as(world.bob).get(LIST, {"agency": world.a.pk})

    assert sorted(row["username"] for row in response.json()["results"]) == ["alice", "carol", "vera"]


def test_role_filter(api_as, world):
    response = api_as(world.alice).get(LIST, {"role": "commander"})

    assert sorted(row["username"] for row in response.json()["results"]) == ["carol", "dave"]


def test_a_member_sees_the_phones_of_their_own_agency(api_as, world):
    rows = api_as(world.vera).get(LIST, {"agency": world.a.pk}).json()["results"]

    assert {row["phone"] for row in rows} == {"+6281234567890"}


def test_a_member_of_another_agency_does_not_see_phones(api_as, world):
    rows = api_as(world.bob).get(LIST, {"agency": world.a.pk}).json()["results"]

    assert [row["phone"] for row in rows] == [None, None, None]
    assert b"+6281234567890" not in api_as(world.bob).get(LIST, {"agency": world.a.pk}).content


def test_staff_sees_every_phone(api_as, world):
    rows = api_as(world.admin).get(LIST).json()["results"]

    assert len(rows) == 6
    assert all(row["phone"] == "+6281234567890" for row in rows)


def test_a_member_reads_one_membership(api_as, world):
    body = api_as(world.charlie).get(detail(membership_of(world.alice).pk)).json()

    assert (body["username"], body["agency"], body["role"], body["phone"]) == ("alice", world.a.pk, "liaison", None)


def test_an_unknown_agency_filter_answers_400(api_as, world):
    response = api_as(world.alice).get(LIST, {"agency": 987654})

    assert response.status_code == 400
    assert "agency" in response.json()


def test_listing_many_members_takes_a_bounded_number_of_queries(api_as, world, django_assert_max_num_queries):
    for _ in range(40):
        MembershipFactory(agency=world.a, role=Membership.Role.VIEWER)
        MembershipFactory(agency=AgencyFactory())
    client = api_as(world.alice)

    with django_assert_max_num_queries(4):
        response = client.get(LIST, {"page_size": 200})

    assert response.json()["count"] == 86


# --- Adding ------------------------------------------------------------------------------------


def test_a_commander_adds_a_user_by_username(api_as, world):
    UserFactory(username="rudi")

    response = api_as(world.carol).post(
        LIST,
        {"agency": world.a.pk, "username": "rudi", "role": "planner", "title": "Kasat Samapta", "phone": "+62 811"},
        format="json",
    )

    assert response.status_code == 201, response.content
    membership = Membership.objects.get(user__username="rudi")
    assert (membership.agency, membership.role, membership.title, membership.phone) == (
        world.a,
        "planner",
        "Kasat Samapta",
        "+62 811",
    )
    assert response.json()["id"] == membership.pk


def test_a_commander_adds_a_user_by_id(api_as, world):
    response = api_as(world.carol).post(
        LIST, {"agency": world.a.pk, "user": world.nobody.pk, "role": "viewer"}, format="json"
    )

    assert response.status_code == 201, response.content
    assert Membership.objects.filter(user=world.nobody, agency=world.a, role="viewer").exists()


def test_a_liaison_cannot_add_a_member(api_as, world):
    response = api_as(world.alice).post(
        LIST, {"agency": world.a.pk, "user": world.nobody.pk, "role": "viewer"}, format="json"
    )

    assert response.status_code == 403
    assert not Membership.objects.filter(user=world.nobody).exists()


@pytest.mark.parametrize("persona", ["charlie", "dave", "nobody"])
def test_a_user_of_another_agency_gets_404_adding_a_member(api_as, world, persona):
    response = api_as(getattr(world, persona)).post(
        LIST, {"agency": world.a.pk, "user": world.nobody.pk, "role": "commander"}, format="json"
    )

    assert response.status_code == 404
    assert Membership.objects.filter(agency=world.a).count() == 3


def test_staff_adds_a_member_to_any_agency(api_as, world):
    response = api_as(world.admin).post(
        LIST, {"agency": world.c.pk, "username": "nobody", "role": "analyst"}, format="json"
    )

    assert response.status_code == 201
    assert Membership.objects.filter(user=world.nobody, agency=world.c, role="analyst").exists()


def test_adding_without_a_user_answers_400(api_as, world):
    response = api_as(world.carol).post(LIST, {"agency": world.a.pk, "role": "viewer"}, format="json")

    assert response.status_code == 400
    assert "user" in response.json()


def test_an_unknown_username_answers_400(api_as, world):
    response = api_as(world.carol).post(
        LIST, {"agency": world.a.pk, "username": "ghost", "role": "viewer"}, format="json"
    )

    assert response.status_code == 400
    assert "username" in response.json()


def test_an_existing_member_cannot_be_added_twice(api_as, world):
    response = api_as(world.carol).post(
        LIST, {"agency": world.a.pk, "username": "vera", "role": "viewer"}, format="json"
    )

    assert response.status_code == 400
    assert "user" in response.json()
    assert Membership.objects.filter(user=world.vera).count() == 1


def test_an_unknown_role_answers_400(api_as, world):
    response = api_as(world.carol).post(
        LIST, {"agency": world.a.pk, "username": "nobody", "role": "general"}, format="json"
    )

    assert response.status_code == 400
    assert "role" in response.json()


def test_an_unknown_agency_answers_400(api_as, world):
    response = api_as(world.carol).post(LIST, {"agency": 987654, "username": "nobody", "role": "viewer"}, format="json")

    assert response.status_code == 400
    assert "agency" in response.json()


# --- Changing and removing ---------------------------------------------------------------------


def test_a_commander_changes_a_members_role_and_title(api_as, world):
    membership = membership_of(world.alice)

    response = api_as(world.carol).patch(
        detail(membership.pk), {"role": "planner", "title": "Kabag Ops"}, format="json"
    )

    assert response.status_code == 200, response.content
    membership.refresh_from_db()
    assert (membership.role, membership.title) == ("planner", "Kabag Ops")


def test_a_liaison_gets_403_changing_a_member_of_their_agency(api_as, world):
    membership = membership_of(world.vera)

    response = api_as(world.alice).patch(detail(membership.pk), {"role": "commander"}, format="json")

    assert response.status_code == 403
    membership.refresh_from_db()
    assert membership.role == "viewer"


@pytest.mark.parametrize("persona", ["charlie", "dave", "bob", "nobody"])
def test_a_user_of_another_agency_gets_404_changing_a_member(api_as, world, persona):
    membership = membership_of(world.alice)

    response = api_as(getattr(world, persona)).patch(detail(membership.pk), {"role": "viewer"}, format="json")

    assert response.status_code == 404
    membership.refresh_from_db()
    assert membership.role == "liaison"


def test_the_last_commander_cannot_step_down(api_as, world):
    membership = membership_of(world.carol)

    response = api_as(world.carol).patch(detail(membership.pk), {"role": "liaison"}, format="json")

    assert response.status_code == 400
    assert "role" in response.json()
    membership.refresh_from_db()
    assert membership.role == "commander"


def test_staff_changes_a_members_phone(api_as, world):
    membership = membership_of(world.charlie)

    response = api_as(world.admin).patch(detail(membership.pk), {"phone": "+62 899"}, format="json")

    assert response.status_code == 200
    membership.refresh_from_db()
    assert membership.phone == "+62 899"


def test_a_commander_removes_a_member(api_as, world):
    membership = membership_of(world.vera)

    response = api_as(world.carol).delete(detail(membership.pk))

    assert response.status_code == 204
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_a_liaison_gets_403_removing_a_member(api_as, world):
    membership = membership_of(world.vera)

    response = api_as(world.alice).delete(detail(membership.pk))

    assert response.status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()


@pytest.mark.parametrize("persona", ["charlie", "dave", "nobody"])
def test_a_user_of_another_agency_gets_404_removing_a_member(api_as, world, persona):
    membership = membership_of(world.vera)

    response = api_as(getattr(world, persona)).delete(detail(membership.pk))

    assert response.status_code == 404
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_the_last_commander_cannot_be_removed(api_as, world):
    membership = membership_of(world.carol)

    response = api_as(world.admin).delete(detail(membership.pk))

    assert response.status_code == 400
    assert "role" in response.json()
    assert Membership.objects.filter(pk=membership.pk).exists()
