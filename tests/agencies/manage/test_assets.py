"""An agency's vital objects and cameras: the list with its map, each one's page, and the
forms of its commanders and liaisons; the stream URL only for the operator's members."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from agencies.models import Camera, VitalObject
from tests.factories import CameraFactory, VitalObjectFactory

pytestmark = pytest.mark.django_db


def _map_points(response) -> list[dict]:
    match = re.search(
        r'<script id="assets-map-data" type="application/json">(.*?)</script>', response.content.decode(), re.S
    )
    return json.loads(match.group(1))


def test_the_assets_page_lists_and_maps_them_in_a_bounded_number_of_queries(
    client, world, django_assert_max_num_queries
):
    for i in range(8):
        VitalObjectFactory(
            name=f"Kilang {i}", area=world.areas.guntung, operator=world.a, latitude=0.1 + i / 100, longitude=117.5
        )
        CameraFactory(
            code=f"cam-{i}", area=world.areas.guntung, operator=world.a, latitude=0.1, longitude=117.4 + i / 100
        )
    guarded = VitalObjectFactory(name="Pelabuhan dijaga", area=world.areas.guntung)
    guarded.guarding_agencies.set([world.a])
    client.force_login(world.bob)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("agency-assets", args=[world.a.pk]))
    body = response.content.decode()
    assert body.count('data-testid="vital-object-row"') == 9
    assert body.count('data-testid="camera-row"') == 8
    assert len(_map_points(response)) == 16
    assert reverse("vital-object-create", args=[world.a.pk]) not in body  # bob reads, A's liaisons manage


def test_a_liaison_registers_and_edits_a_vital_object(client, world):
    client.force_login(world.alice)
    response = client.post(
        reverse("vital-object-create", args=[world.a.pk]),
        {
            "name": "Kilang Bontang",
            "kind": "refinery",
            "area": world.areas.bontang.pk,
            "latitude": "0.1337",
            "longitude": "117.4851",
            "guarding_agencies": [world.b.pk],
        },
    )
    obj = VitalObject.objects.get(name="Kilang Bontang")
    assert response.status_code == 302 and (obj.operator, list(obj.guarding_agencies.all())) == (world.a, [world.b])
    response = client.post(
        reverse("vital-object-edit", args=[obj.pk]),
        {"name": "Kilang Bontang II", "kind": "refinery", "area": world.areas.bontang.pk, "is_national": "on"},
    )
    obj.refresh_from_db()
    assert (obj.name, obj.is_national, obj.guarding_agencies.count()) == ("Kilang Bontang II", True, 0)
    assert client.get(reverse("vital-object-detail", args=[obj.pk])).status_code == 200


def test_bad_coordinates_are_a_form_error(client, world):
    client.force_login(world.alice)
    response = client.post(
        reverse("vital-object-create", args=[world.a.pk]),
        {"name": "X", "kind": "port", "area": world.areas.bontang.pk, "latitude": "123", "longitude": "abc"},
    )
    assert response.status_code == 400
    assert not VitalObject.objects.exists()


def test_a_liaison_registers_a_camera_and_only_the_operators_members_read_its_stream(client, world):
    client.force_login(world.alice)
    response = client.post(
        reverse("camera-create", args=[world.a.pk]),
        {
            "code": "cctv-9",
            "name": "Simpang",
            "area": world.areas.bontang.pk,
            "status": "online",
            "stream_url": "rtsp://u:rahasia@10.1.2.3:554/live/1",  # CCTV speaks RTSP
        },
    )
    camera = Camera.objects.get(code="cctv-9")
    assert response.status_code == 302 and camera.operator == world.a
    assert "rahasia" in client.get(reverse("camera-detail", args=[camera.pk])).content.decode()
    client.force_login(world.bob)
    page = client.get(reverse("camera-detail", args=[camera.pk]))
    assert page.status_code == 200 and "rahasia" not in page.content.decode()
    assert client.get(reverse("camera-edit", args=[camera.pk])).status_code == 404


@pytest.mark.parametrize(("who", "status"), [("vera", 403), ("bob", 404), ("nobody", 404), ("carol", 200)])
def test_the_forms_are_for_commanders_and_liaisons_of_the_operator(client, world, who, status):
    obj = VitalObjectFactory(area=world.areas.guntung, operator=world.a)
    client.force_login(getattr(world, who))
    assert client.get(reverse("vital-object-edit", args=[obj.pk])).status_code == status
    assert client.get(reverse("camera-create", args=[world.a.pk])).status_code == status


def test_the_pages_are_not_for_a_user_of_no_agency(client, world):
    obj = VitalObjectFactory(area=world.areas.guntung, operator=world.a)
    client.force_login(world.nobody)
    assert client.get(reverse("vital-object-detail", args=[obj.pk])).status_code == 404
    assert client.get(reverse("agency-assets", args=[world.a.pk])).status_code == 404
