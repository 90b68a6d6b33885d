"""The programmes API: the workflow end to end, 400s with field messages for bad input (never
a 500), 403/404 for who may not act or read, a bounded list, and the OpenAPI schema."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from coordination.models import Programme

from .helpers import make_programme

pytestmark = pytest.mark.django_db
URL = "/api/v1/programmes/"


def _body(world, **extra):
    start = timezone.now() + datetime.timedelta(days=2)
    body = {
        "kind": "seminar",
        "title": "Seminar kenakalan remaja",
        "area": world.areas.bontang.pk,
        "venue": "Aula Universitas Trunajaya",
        "partners": [world.b.pk],
        "sessions": [{"starts_at": start.isoformat(), "ends_at": (start + datetime.timedelta(hours=3)).isoformat()}],
        "target_groups": [{"group": "youth", "age_band": "18-25", "sex": "any", "planned": 120}],
        "goods": [{"item": "Modul", "quantity": 120}],
        "is_public": True,
    }
    body.update(extra)
    return body


def test_the_workflow_through_the_api(world, api_as):
    alice, carol = api_as(world.alice), api_as(world.carol)
    response = alice.post(URL, _body(world), format="json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert response.json()["status"] == "planned" and response.json()["target_groups"][0]["planned"] == 120
    assert alice.post(f"{URL}{pk}/approve/").status_code == 403
    assert carol.post(f"{URL}{pk}/approve/").json()["status"] == "approved"
    start = timezone.now() - datetime.timedelta(hours=1)
    Programme.objects.filter(pk=pk).update(starts_at=start)
    group = response.json()["target_groups"][0]["id"]
    held = alice.post(f"{URL}{pk}/hold/", {"attendance": [{"target_group": group, "actual": 97}]}, format="json")
    assert held.status_code == 200 and held.json()["status"] == "held"
    assert held.json()["target_groups"][0]["actual"] == 97
    reported = alice.post(f"{URL}{pk}/report/", {"activities": "Seminar dan diskusi"}, format="json")
    assert reported.json()["status"] == "reported"
    due = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()
    item = alice.post(
        f"{URL}{pk}/action-items/", {"description": "Seri lanjutan", "owner_agency": world.b.pk, "due_date": due}
    )
    assert item.status_code == 201
    assert [i["description"] for i in alice.get(f"{URL}{pk}/action-items/").json()["results"]] == ["Seri lanjutan"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "picnic"}, "kind"),
        ({"sessions": []}, "sessions"),
        ({"target_groups": [{"group": "youth", "planned": 0}]}, "target_groups"),
        ({"goods": [{"item": "Helm", "quantity": -1}]}, "goods"),
        ({"area": 999999}, "area"),
        ({"latitude": "0.13"}, "longitude"),
        (
            {"sessions": [{"starts_at": "2026-12-20T10:00:00+08:00", "ends_at": "2026-12-20T09:00:00+08:00"}]},
            "sessions",
        ),
        ({"sessions": [{"starts_at": "0001-01-01T00:00:00", "ends_at": "0001-01-01T01:00:00"}]}, "sessions"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(world, api_as, change, field):
    response = api_as(world.alice).post(URL, _body(world, **change), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Programme.objects.exists()


def test_steps_the_status_does_not_allow_are_400s(world, api_as):
    programme = make_programme(world)
    alice = api_as(world.alice)
    assert alice.post(f"{URL}{programme.pk}/hold/", {"attendance": []}, format="json").status_code == 400
    assert alice.post(f"{URL}{programme.pk}/report/", {"activities": "x"}, format="json").status_code == 400
    assert alice.post(f"{URL}{programme.pk}/hold/", {"attendance": "many"}, format="json").status_code == 400
    assert (
        alice.post(f"{URL}{programme.pk}/cancel/", {"reason": "Hujan"}, format="json").json()["status"] == "cancelled"
    )
    assert alice.patch(f"{URL}{programme.pk}/", {"title": "Baru"}, format="json").status_code == 400


def test_readers_and_outsiders(world, api_as):
    programme = make_programme(world)
    assert api_as(world.bob).get(f"{URL}{programme.pk}/").status_code == 200
    assert api_as(world.bob).patch(f"{URL}{programme.pk}/", {"title": "X"}, format="json").status_code == 403
    assert api_as(world.charlie).get(f"{URL}{programme.pk}/").status_code == 404
    assert api_as(world.charlie).post(f"{URL}{programme.pk}/cancel/").status_code == 404
    assert api_as(None).get(URL).status_code == 401
    assert Programme.objects.get(pk=programme.pk).status == "planned"


def test_the_list_is_bounded_and_filtered(world, api_as, django_assert_max_num_queries):
    for i in range(30):
        make_programme(world, title=f"P{i}", kind="seminar" if i % 2 else "workshop")
    with django_assert_max_num_queries(8):
        response = api_as(world.bob).get(URL, {"kind": "seminar", "status": "planned"})
    assert response.status_code == 200 and response.json()["count"] == 15
    assert api_as(world.bob).get(URL, {"area": world.areas.balikpapan.pk}).json()["count"] == 0
    assert api_as(world.bob).get(URL, {"starts_after": "9999-12-31"}).status_code == 400


def test_the_schema_documents_the_programmes_api(world, api_as):
    schema = api_as(world.alice).get("/api/v1/schema/", HTTP_ACCEPT="application/json").content.decode()
    for path in ("/api/v1/programmes/", "/api/v1/programmes/{id}/approve/", "/api/v1/programmes/{id}/hold/"):
        assert path in schema


def test_a_patch_with_half_a_session_or_group_is_a_400(world, api_as):
    programme = make_programme(world)
    alice = api_as(world.alice)
    url = f"{URL}{programme.pk}/"
    assert alice.patch(url, {"sessions": [{"ends_at": "2026-12-20T10:00:00+08:00"}]}, format="json").status_code == 400
    assert alice.patch(url, {"target_groups": [{"group": "youth"}]}, format="json").status_code == 400
    assert alice.patch(url, {"goods": [{"quantity": 3}]}, format="json").status_code == 400
    response = alice.patch(url, {"venue": "Aula baru"}, format="json")
    assert response.status_code == 200 and response.json()["venue"] == "Aula baru"
    assert response.json()["target_groups"][0]["planned"] == 60  # the rows left out stay
