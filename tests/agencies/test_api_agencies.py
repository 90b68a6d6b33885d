"""/api/v1/agencies/: the directory for members; staff register and change agencies; a
commander changes the contact fields of their own agency."""

import pytest
from django.urls import reverse

from agencies.models import Agency, Membership
from tests.factories import AgencyFactory, AreaFactory, MembershipFactory

LIST = reverse("api-agency-list")


def detail(pk):
    return reverse("api-agency-detail", args=[pk])


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


NEW_AGENCY = {"name": "Kodim 0908 Bontang", "code": "kodim-0908", "kind": "military"}


# --- Reading ---------------------------------------------------------------------------------


def test_a_member_lists_every_agency_with_jurisdiction_and_member_count(api_as, world):
    response = api_as(world.alice).get(LIST)

    rows = {row["code"]: row for row in response.json()["results"]}
    assert set(rows) == {"polres-bontang", "bpbd-bontang", "damkar-balikpapan"}
    assert rows["polres-bontang"]["member_count"] == 3
    assert rows["polres-bontang"]["jurisdiction"] == [
        {"id": world.areas.bontang.pk, "name": "Kota Bontang", "level": 2}
    ]


def test_a_member_of_an_outsider_agency_reads_the_directory_too(api_as, world):
    response = api_as(world.charlie).get(detail(world.a.pk))

    assert response.status_code == 200
    assert response.json()["duty_phone"] == world.a.duty_phone


def test_detail_counts_only_active_members(api_as, world):
    Membership.objects.filter(user=world.vera).update(is_active=False)

    assert api_as(world.alice).get(detail(world.a.pk)).json()["member_count"] == 2


def test_a_user_of_no_agency_gets_404_on_an_agency(api_as, world):
    assert api_as(world.nobody).get(detail(world.a.pk)).status_code == 404


def test_area_filter_finds_agencies_whose_jurisdiction_covers_a_village(api_as, world):
    response = api_as(world.alice).get(LIST, {"area": world.areas.guntung.pk})

    assert ids(response) == {world.a.pk, world.b.pk}


def test_area_filter_finds_agencies_whose_jurisdiction_lies_within_a_province(api_as, world):
    response = api_as(world.alice).get(LIST, {"area": world.areas.province.pk})

    assert ids(response) == {world.a.pk, world.b.pk, world.c.pk}


def test_area_filter_lists_an_agency_once_when_several_of_its_areas_match(api_as, world):
    world.a.jurisdiction.add(world.areas.bontang_utara, world.areas.guntung)

    response = api_as(world.alice).get(LIST, {"area": world.areas.province.pk})

    assert sorted(row["id"] for row in response.json()["results"]) == sorted([world.a.pk, world.b.pk, world.c.pk])


def test_area_filter_excludes_agencies_of_another_regency(api_as, world):
    assert ids(api_as(world.alice).get(LIST, {"area": world.areas.balikpapan_kota.pk})) == {world.c.pk}


def test_an_unknown_area_filter_answers_400(api_as, world):
    response = api_as(world.alice).get(LIST, {"area": 987654})

    assert response.status_code == 400
    assert "area" in response.json()


def test_kind_filter(api_as, world):
    assert ids(api_as(world.alice).get(LIST, {"kind": "fire"})) == {world.c.pk}


def test_search_matches_name_or_code(api_as, world):
    client = api_as(world.alice)

    assert ids(client.get(LIST, {"search": "bpbd"})) == {world.b.pk}
    assert ids(client.get(LIST, {"search": "Bontang"})) == {world.a.pk, world.b.pk}


def test_is_active_filter(api_as, world):
    Agency.objects.filter(pk=world.c.pk).update(is_active=False)

    assert ids(api_as(world.alice).get(LIST, {"is_active": "false"})) == {world.c.pk}


def test_parent_filter(api_as, world):
    polsek = AgencyFactory(parent=world.a)

    assert ids(api_as(world.alice).get(LIST, {"parent": world.a.pk})) == {polsek.pk}


def test_listing_many_agencies_takes_a_bounded_number_of_queries(api_as, world, django_assert_max_num_queries):
    for i in range(30):
        area = AreaFactory(parent=world.areas.bontang)
        agency = AgencyFactory(parent=world.a, headquarters_area=area, jurisdiction=[area, world.areas.bontang])
        MembershipFactory(agency=agency, role=Membership.Role.COMMANDER if i % 2 else Membership.Role.VIEWER)
    client = api_as(world.alice)

    with django_assert_max_num_queries(5):
        response = client.get(LIST, {"page_size": 100})

    assert response.json()["count"] == 33


# --- Creating ----------------------------------------------------------------------------------


def test_staff_registers_an_agency_with_its_jurisdiction(api_as, world):
    payload = {**NEW_AGENCY, "jurisdiction": [world.areas.bontang.pk], "parent": world.a.pk, "latitude": "0.13"}

    response = api_as(world.admin).post(LIST, payload, format="json")

    assert response.status_code == 201, response.content
    agency = Agency.objects.get(code="kodim-0908")
    assert agency.kind == Agency.Kind.MILITARY
    assert agency.parent == world.a
    assert list(agency.jurisdiction.all()) == [world.areas.bontang]
    assert response.json()["id"] == agency.pk
    assert response.json()["member_count"] == 0


@pytest.mark.parametrize("persona", ["carol", "alice", "charlie", "nobody"])
def test_only_staff_registers_an_agency(api_as, world, persona):
    response = api_as(getattr(world, persona)).post(LIST, NEW_AGENCY, format="json")

    assert response.status_code == 403
    assert not Agency.objects.filter(code="kodim-0908").exists()


def test_a_latitude_outside_indonesia_answers_400(api_as, world):
    response = api_as(world.admin).post(LIST, {**NEW_AGENCY, "latitude": "48.85"}, format="json")

    assert response.status_code == 400
    assert "latitude" in response.json()
    assert not Agency.objects.filter(code="kodim-0908").exists()


def test_an_unknown_jurisdiction_area_answers_400(api_as, world):
    response = api_as(world.admin).post(LIST, {**NEW_AGENCY, "jurisdiction": [987654]}, format="json")

    assert response.status_code == 400
    assert "jurisdiction" in response.json()


def test_a_taken_code_answers_400(api_as, world):
    response = api_as(world.admin).post(LIST, {**NEW_AGENCY, "code": "polres-bontang"}, format="json")

    assert response.status_code == 400
    assert "code" in response.json()
    assert Agency.objects.filter(code="polres-bontang").count() == 1


def test_an_unknown_kind_answers_400(api_as, world):
    response = api_as(world.admin).post(LIST, {**NEW_AGENCY, "kind": "navy-seals"}, format="json")

    assert response.status_code == 400
    assert "kind" in response.json()


# --- Changing ----------------------------------------------------------------------------------


def test_a_commander_changes_the_duty_contacts_of_their_agency(api_as, world):
    response = api_as(world.carol).patch(
        detail(world.a.pk), {"duty_phone": "+62 548 110", "duty_radio": "CH 7"}, format="json"
    )

    assert response.status_code == 200, response.content
    world.a.refresh_from_db()
    assert (world.a.duty_phone, world.a.duty_radio) == ("+62 548 110", "CH 7")
    assert response.json()["duty_phone"] == "+62 548 110"


def test_a_commander_cannot_rename_their_agency(api_as, world):
    response = api_as(world.carol).patch(detail(world.a.pk), {"name": "Polda Kaltim"}, format="json")

    assert response.status_code == 403
    world.a.refresh_from_db()
    assert world.a.name == "Polres Bontang"


def test_a_commander_cannot_change_the_jurisdiction(api_as, world):
    response = api_as(world.carol).patch(detail(world.a.pk), {"jurisdiction": [world.areas.province.pk]}, format="json")

    assert response.status_code == 403
    assert list(world.a.jurisdiction.all()) == [world.areas.bontang]


def test_a_liaison_cannot_change_their_agency(api_as, world):
    response = api_as(world.alice).patch(detail(world.a.pk), {"duty_phone": "+62 1"}, format="json")

    assert response.status_code == 403
    world.a.refresh_from_db()
    assert world.a.duty_phone == "+62 548 21110"


@pytest.mark.parametrize("persona", ["dave", "charlie", "nobody"])
def test_a_member_of_another_agency_gets_404_changing_it(api_as, world, persona):
    response = api_as(getattr(world, persona)).patch(detail(world.a.pk), {"duty_phone": "+62 1"}, format="json")

    assert response.status_code == 404
    world.a.refresh_from_db()
    assert world.a.duty_phone == "+62 548 21110"


def test_staff_changes_identity_and_jurisdiction(api_as, world):
    response = api_as(world.admin).patch(
        detail(world.a.pk),
        {"name": "Polres Bontang Kota", "jurisdiction": [world.areas.bontang_utara.pk], "is_active": False},
        format="json",
    )

    assert response.status_code == 200, response.content
    world.a.refresh_from_db()
    assert world.a.name == "Polres Bontang Kota"
    assert world.a.is_active is False
    assert list(world.a.jurisdiction.all()) == [world.areas.bontang_utara]
    assert response.json()["jurisdiction"][0]["id"] == world.areas.bontang_utara.pk


def test_an_agency_cannot_be_its_own_parent(api_as, world):
    response = api_as(world.admin).patch(detail(world.a.pk), {"parent": world.a.pk}, format="json")

    assert response.status_code == 400
    assert "parent" in response.json()
    world.a.refresh_from_db()
    assert world.a.parent is None


def test_a_bad_duty_email_answers_400(api_as, world):
    response = api_as(world.carol).patch(detail(world.a.pk), {"duty_email": "not-an-email"}, format="json")

    assert response.status_code == 400
    assert "duty_email" in response.json()


def test_agencies_cannot_be_deleted_through_the_api(api_as, world):
    response = api_as(world.admin).delete(detail(world.c.pk))

    assert response.status_code == 405
    assert Agency.objects.filter(pk=world.c.pk).exists()


def test_put_is_not_offered(api_as, world):
    response = api_as(world.admin).put(detail(world.a.pk), {**NEW_AGENCY}, format="json")

    assert response.status_code == 405
