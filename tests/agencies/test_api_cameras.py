"""/api/v1/cameras/: CCTV read by members; registered and changed by a commander or liaison
of the operator (or staff)."""

import pytest
from django.urls import reverse

from agencies.models import Camera
from tests.factories import AgencyFactory, AreaFactory, CameraFactory, VitalObjectFactory

LIST = reverse("api-camera-list")


def detail(pk):
    return reverse("api-camera-detail", args=[pk])


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def cam_a(world):
    return CameraFactory(code="btg-001", name="Simpang Tiga", area=world.areas.guntung, operator=world.a)


@pytest.fixture
def cam_c(world):
    return CameraFactory(
        code="bpp-001", area=world.areas.balikpapan_kota, operator=world.c, status=Camera.Status.OFFLINE
    )


def payload(world, **extra):
    return {
        "code": "btg-002",
        "name": "Pelabuhan Tanjung Laut",
        "area": world.areas.bontang_utara.pk,
        "operator": world.a.pk,
        "status": "maintenance",
        "latitude": 0.12,
        "longitude": 117.5,
        **extra,
    }


# --- Reading ---------------------------------------------------------------------------------


def test_a_member_reads_a_camera(api_as, world, cam_a):
    body = api_as(world.charlie).get(detail(cam_a.pk)).json()

    assert (body["code"], body["area_name"], body["operator_name"], body["status"]) == (
        "btg-001",
        "Guntung",
        "Polres Bontang",
        "online",
    )


def test_status_filter(api_as, world, cam_a, cam_c):
    assert ids(api_as(world.alice).get(LIST, {"status": "offline"})) == {cam_c.pk}


def test_area_filter_includes_cameras_anywhere_below_the_area(api_as, world, cam_a, cam_c):
    client = api_as(world.alice)

    assert ids(client.get(LIST, {"area": world.areas.bontang.pk})) == {cam_a.pk}
    assert ids(client.get(LIST, {"area": world.areas.province.pk})) == {cam_a.pk, cam_c.pk}


def test_operator_filter(api_as, world, cam_a, cam_c):
    assert ids(api_as(world.alice).get(LIST, {"operator": world.a.pk})) == {cam_a.pk}


def test_vital_object_filter(api_as, world, cam_a):
    port = VitalObjectFactory(area=world.areas.guntung, operator=world.a)
    at_port = CameraFactory(area=world.areas.guntung, operator=world.a, vital_object=port)

    assert ids(api_as(world.alice).get(LIST, {"vital_object": port.pk})) == {at_port.pk}


def test_an_unknown_status_filter_answers_400(api_as, world):
    response = api_as(world.alice).get(LIST, {"status": "exploded"})

    assert response.status_code == 400
    assert "status" in response.json()


def test_listing_many_cameras_takes_a_bounded_number_of_queries(api_as, world, django_assert_max_num_queries):
    for _ in range(40):
        operator = AgencyFactory()
        CameraFactory(
            area=AreaFactory(parent=world.areas.bontang),
            operator=operator,
            vital_object=VitalObjectFactory(operator=operator),
        )
    client = api_as(world.alice)

    with django_assert_max_num_queries(3):
        response = client.get(LIST, {"page_size": 100})

    assert response.json()["count"] == 40


# --- Registering and changing ------------------------------------------------------------------


def test_a_liaison_registers_a_camera_of_their_agency(api_as, world):
    response = api_as(world.alice).post(LIST, payload(world), format="json")

    assert response.status_code == 201, response.content
    camera = Camera.objects.get(code="btg-002")
    assert (camera.operator, camera.area, camera.status) == (world.a, world.areas.bontang_utara, "maintenance")
    assert camera.last_seen_at is None


def test_a_viewer_cannot_register_a_camera(api_as, world):
    response = api_as(world.vera).post(LIST, payload(world), format="json")

    assert response.status_code == 403
    assert not Camera.objects.exists()


@pytest.mark.parametrize("persona", ["charlie", "bob", "nobody"])
def test_registering_a_camera_for_another_operator_answers_404(api_as, world, persona):
    response = api_as(getattr(world, persona)).post(LIST, payload(world), format="json")

    assert response.status_code == 404
    assert not Camera.objects.exists()


def test_staff_registers_a_camera_for_any_operator(api_as, world):
    response = api_as(world.admin).post(LIST, payload(world, operator=world.c.pk), format="json")

    assert response.status_code == 201
    assert Camera.objects.get().operator == world.c


def test_a_taken_code_answers_400(api_as, world, cam_a):
    response = api_as(world.alice).post(LIST, payload(world, code="btg-001"), format="json")

    assert response.status_code == 400
    assert "code" in response.json()
    assert Camera.objects.count() == 1


def test_a_longitude_outside_indonesia_answers_400(api_as, world):
    response = api_as(world.alice).post(LIST, payload(world, longitude=-74.0), format="json")

    assert response.status_code == 400
    assert "longitude" in response.json()
    assert not Camera.objects.exists()


def test_an_unknown_status_answers_400(api_as, world):
    response = api_as(world.alice).post(LIST, payload(world, status="exploded"), format="json")

    assert response.status_code == 400
    assert "status" in response.json()


def test_a_liaison_changes_their_agencys_camera(api_as, world, cam_a):
    response = api_as(world.alice).patch(detail(cam_a.pk), {"status": "offline", "name": "Simpang 3"}, format="json")

    assert response.status_code == 200, response.content
    cam_a.refresh_from_db()
    assert (cam_a.status, cam_a.name) == ("offline", "Simpang 3")


def test_keeping_its_own_code_is_not_a_duplicate(api_as, world, cam_a):
    response = api_as(world.alice).patch(detail(cam_a.pk), {"code": "btg-001"}, format="json")

    assert response.status_code == 200


def test_a_viewer_gets_403_changing_a_camera(api_as, world, cam_a):
    response = api_as(world.vera).patch(detail(cam_a.pk), {"status": "offline"}, format="json")

    assert response.status_code == 403
    cam_a.refresh_from_db()
    assert cam_a.status == "online"


@pytest.mark.parametrize("persona", ["charlie", "dave", "bob"])
def test_another_agency_gets_404_changing_a_camera(api_as, world, cam_a, persona):
    response = api_as(getattr(world, persona)).patch(detail(cam_a.pk), {"status": "offline"}, format="json")

    assert response.status_code == 404
    cam_a.refresh_from_db()
    assert cam_a.status == "online"


def test_a_user_of_no_agency_gets_404_changing_a_camera(api_as, world, cam_a):
    response = api_as(world.nobody).patch(detail(cam_a.pk), {"status": "offline"}, format="json")

    assert response.status_code == 404
    cam_a.refresh_from_db()
    assert cam_a.status == "online"
