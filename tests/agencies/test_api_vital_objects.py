"""/api/v1/vital-objects/: read by members; registered and changed by a commander or liaison
of the operator (or staff)."""

import pytest
from django.urls import reverse

from agencies.models import VitalObject
from tests.factories import AgencyFactory, AreaFactory, VitalObjectFactory

LIST = reverse("api-vital-object-list")


def detail(pk):
    return reverse("api-vital-object-detail", args=[pk])


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def port(world):
    port = VitalObjectFactory(name="Pelabuhan Lok Tuan", area=world.areas.guntung, operator=world.a)
    port.guarding_agencies.set([world.b])
    return port


@pytest.fixture
def refinery(world):
    return VitalObjectFactory(
        name="Kilang Balikpapan", kind=VitalObject.Kind.REFINERY, area=world.areas.balikpapan_kota, operator=world.c
    )


def payload(world, **extra):
    return {
        "name": "Kilang LNG Khatulistiwa",
        "kind": "lng_plant",
        "area": world.areas.bontang_utara.pk,
        "operator": world.a.pk,
        "guarding_agencies": [world.a.pk, world.b.pk],
        "is_national": True,
        "latitude": "0.1856",
        "longitude": "117.4823",
        **extra,
    }


# --- Reading ---------------------------------------------------------------------------------


def test_a_member_reads_a_vital_object_with_its_operator_and_guards(api_as, world, port):
    body = api_as(world.charlie).get(detail(port.pk)).json()

    assert (body["name"], body["area_name"], body["operator_name"]) == (
        "Pelabuhan Lok Tuan",
        "Guntung",
        "Polres Bontang",
    )
    assert body["guarding_agencies"] == [{"id": world.b.pk, "name": "BPBD Bontang", "code": "bpbd-bontang"}]


def test_area_filter_includes_objects_anywhere_below_the_area(api_as, world, port, refinery):
    in_the_city = VitalObjectFactory(area=world.areas.bontang, operator=world.a)
    client = api_as(world.alice)

    assert ids(client.get(LIST, {"area": world.areas.bontang.pk})) == {port.pk, in_the_city.pk}
    assert ids(client.get(LIST, {"area": world.areas.province.pk})) == {port.pk, in_the_city.pk, refinery.pk}
    assert ids(client.get(LIST, {"area": world.areas.guntung.pk})) == {port.pk}


def test_kind_filter(api_as, world, port, refinery):
    assert ids(api_as(world.alice).get(LIST, {"kind": "refinery"})) == {refinery.pk}


def test_operator_filter(api_as, world, port, refinery):
    assert ids(api_as(world.alice).get(LIST, {"operator": world.c.pk})) == {refinery.pk}


def test_guarded_by_filter(api_as, world, port, refinery):
    assert ids(api_as(world.alice).get(LIST, {"guarded_by": world.b.pk})) == {port.pk}


def test_an_unknown_area_filter_answers_400(api_as, world):
    response = api_as(world.alice).get(LIST, {"area": 987654})

    assert response.status_code == 400
    assert "area" in response.json()


def test_listing_many_vital_objects_takes_a_bounded_number_of_queries(api_as, world, django_assert_max_num_queries):
    for _ in range(30):
        obj = VitalObjectFactory(area=AreaFactory(parent=world.areas.bontang), operator=AgencyFactory())
        obj.guarding_agencies.set([world.a, world.b])
    client = api_as(world.alice)

    with django_assert_max_num_queries(4):
        response = client.get(LIST, {"page_size": 100})

    assert response.json()["count"] == 30


# --- Registering and changing ------------------------------------------------------------------


def test_a_liaison_registers_a_vital_object_of_their_agency(api_as, world):
    response = api_as(world.alice).post(LIST, payload(world), format="json")

    assert response.status_code == 201, response.content
    obj = VitalObject.objects.get(name="Kilang LNG Khatulistiwa")
    assert (obj.kind, obj.area, obj.operator, obj.is_national) == (
        "lng_plant",
        world.areas.bontang_utara,
        world.a,
        True,
    )
    assert set(obj.guarding_agencies.all()) == {world.a, world.b}
    assert response.json()["latitude"] == 0.1856


def test_a_viewer_cannot_register_a_vital_object(api_as, world):
    response = api_as(world.vera).post(LIST, payload(world), format="json")

    assert response.status_code == 403
    assert not VitalObject.objects.exists()


@pytest.mark.parametrize("persona", ["charlie", "bob", "nobody"])
def test_registering_for_another_operator_answers_404(api_as, world, persona):
    response = api_as(getattr(world, persona)).post(LIST, payload(world), format="json")

    assert response.status_code == 404
    assert not VitalObject.objects.exists()


def test_staff_registers_for_any_operator(api_as, world):
    response = api_as(world.admin).post(LIST, payload(world, operator=world.c.pk), format="json")

    assert response.status_code == 201
    assert VitalObject.objects.get().operator == world.c


def test_a_latitude_outside_indonesia_answers_400(api_as, world):
    response = api_as(world.alice).post(LIST, payload(world, latitude="-33.86"), format="json")

    assert response.status_code == 400
    assert "latitude" in response.json()
    assert not VitalObject.objects.exists()


def test_a_longitude_outside_indonesia_answers_400(api_as, world):
    response = api_as(world.alice).post(LIST, payload(world, longitude="151.2"), format="json")

    assert response.status_code == 400
    assert "longitude" in response.json()


def test_an_unknown_area_answers_400(api_as, world):
    response = api_as(world.alice).post(LIST, payload(world, area=987654), format="json")

    assert response.status_code == 400
    assert "area" in response.json()


def test_a_missing_name_answers_400(api_as, world):
    data = payload(world)
    del data["name"]

    response = api_as(world.alice).post(LIST, data, format="json")

    assert response.status_code == 400
    assert "name" in response.json()


def test_a_liaison_changes_their_agencys_vital_object(api_as, world, port):
    response = api_as(world.alice).patch(
        detail(port.pk), {"notes": "Jetty 2 closed", "guarding_agencies": [world.a.pk]}, format="json"
    )

    assert response.status_code == 200, response.content
    port.refresh_from_db()
    assert port.notes == "Jetty 2 closed"
    assert list(port.guarding_agencies.all()) == [world.a]


def test_a_viewer_gets_403_changing_a_vital_object(api_as, world, port):
    response = api_as(world.vera).patch(detail(port.pk), {"notes": "x"}, format="json")

    assert response.status_code == 403
    port.refresh_from_db()
    assert port.notes == ""


@pytest.mark.parametrize("persona", ["charlie", "bob"])
def test_another_agency_gets_404_changing_a_vital_object(api_as, world, port, persona):
    response = api_as(getattr(world, persona)).patch(detail(port.pk), {"notes": "x"}, format="json")

    assert response.status_code == 404
    port.refresh_from_db()
    assert port.notes == ""


def test_handing_a_vital_object_to_an_operator_one_does_not_manage_answers_404(api_as, world, port):
    response = api_as(world.alice).patch(detail(port.pk), {"operator": world.c.pk}, format="json")

    assert response.status_code == 404
    port.refresh_from_db()
    assert port.operator == world.a


def test_a_gps_reading_with_more_than_six_decimals_is_rounded(api_as, world):
    response = api_as(world.alice).post(
        LIST, payload(world, latitude=0.18563249, longitude="117.48230051"), format="json"
    )

    assert response.status_code == 201, response.content
    obj = VitalObject.objects.get()
    assert (str(obj.latitude), str(obj.longitude)) == ("0.185632", "117.482301")


@pytest.mark.parametrize("latitude", ["1e300", "NaN", "north", "123456789.5"])
def test_a_nonsense_latitude_answers_400(api_as, world, latitude):
    response = api_as(world.alice).post(LIST, payload(world, latitude=latitude), format="json")

    assert response.status_code == 400
    assert "latitude" in response.json()
    assert not VitalObject.objects.exists()
