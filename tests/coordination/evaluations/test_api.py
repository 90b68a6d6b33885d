"""The evaluations API: the walk through it, 400s with field messages, scoped reads."""

from __future__ import annotations

import pytest

from coordination.models import Evaluation

from .helpers import make_evaluation

pytestmark = pytest.mark.django_db


def test_the_walk_through_the_api(world, api_as):
    alice, carol, bob = api_as(world.alice), api_as(world.carol), api_as(world.bob)
    body = {"period_kind": "quarter", "period_start": "2026-08-01", "scope_kind": "agency", "scope_agency": world.a.pk}
    created = alice.post("/api/v1/evaluations/", body, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["status"] == "draft" and "incidents.total" in created.json()["snapshot"]["kpis"]
    finding = alice.post(f"/api/v1/evaluations/{pk}/findings/", {"text": "Respons lambat"}, format="json")
    assert finding.status_code == 201
    item = alice.post(
        f"/api/v1/evaluations/{pk}/action-items/",
        {
            "description": "Piket malam",
            "owner_agency": world.a.pk,
            "due_date": "2026-12-31",
            "finding": finding.json()["id"],
        },
        format="json",
    )
    assert item.status_code == 201 and item.json()["finding"] == finding.json()["id"]
    assert alice.post(f"/api/v1/evaluations/{pk}/review/").status_code == 403
    assert carol.post(f"/api/v1/evaluations/{pk}/review/").json()["status"] == "reviewed"
    assert bob.get(f"/api/v1/evaluations/{pk}/").status_code == 404
    published = carol.post(f"/api/v1/evaluations/{pk}/publish/", {"shared_with": [world.b.pk]}, format="json")
    assert published.status_code == 200 and published.json()["status"] == "published"
    read = bob.get(f"/api/v1/evaluations/{pk}/")
    assert read.status_code == 200 and [f["text"] for f in read.json()["findings"]] == ["Respons lambat"]
    assert carol.post(f"/api/v1/evaluations/{pk}/public/", {"public": True}, format="json").json()["public"] is True


def test_bad_input_answers_400_with_field_messages(world, api_as):
    alice = api_as(world.alice)
    response = alice.post("/api/v1/evaluations/", {"period_kind": "decade", "scope_kind": "agency"}, format="json")
    assert response.status_code == 400
    assert {"period_kind", "period_start"} <= set(response.json())
    response = alice.post(
        "/api/v1/evaluations/",
        {"period_kind": "quarter", "period_start": "2026-08-01", "scope_kind": "area"},
        format="json",
    )
    assert response.status_code == 400 and "scope_area" in response.json()


def test_a_published_evaluation_refuses_changes_with_400(world, api_as):
    evaluation = make_evaluation(world)
    carol = api_as(world.carol)
    carol.post(f"/api/v1/evaluations/{evaluation.pk}/review/")
    response = carol.patch(f"/api/v1/evaluations/{evaluation.pk}/", {"summary": "x"}, format="json")
    assert response.status_code == 400 and "status" in response.json()
    assert (
        carol.post(
            f"/api/v1/evaluations/{evaluation.pk}/publish/", {"shared_with": [world.c.pk]}, format="json"
        ).status_code
        == 400
    )
    evaluation.refresh_from_db()
    assert evaluation.status == Evaluation.Status.REVIEWED


def test_the_list_filters_by_status_and_scope(world, api_as, django_assert_max_num_queries):
    make_evaluation(world)
    make_evaluation(world, scope_kind="area", scope_agency=None, scope_area=world.areas.guntung)
    alice = api_as(world.alice)
    with django_assert_max_num_queries(8):
        rows = alice.get("/api/v1/evaluations/?scope_kind=area").json()["results"]
    assert [r["scope_kind"] for r in rows] == ["area"]
    assert alice.get("/api/v1/evaluations/?status=published").json()["results"] == []
    assert api_as(world.charlie).get("/api/v1/evaluations/").json()["results"] == []


def test_targets_are_set_and_removed(world, api_as):
    alice = api_as(world.alice)
    response = alice.post(
        "/api/v1/evaluations/targets/",
        {"kpi": "incidents.within_target", "agency": world.a.pk, "value": "85"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["value"] == "85.00"
    assert (
        alice.post(
            "/api/v1/evaluations/targets/", {"kpi": "incidents.within_target", "value": "85"}, format="json"
        ).status_code
        == 403
    )
    assert alice.post("/api/v1/evaluations/targets/", {"kpi": "nope", "value": "1"}, format="json").status_code == 400
    assert [t["kpi"] for t in alice.get("/api/v1/evaluations/targets/").json()] == ["incidents.within_target"]
    assert (
        alice.post(
            "/api/v1/evaluations/targets/",
            {"kpi": "incidents.within_target", "agency": world.a.pk, "value": None},
            format="json",
        ).status_code
        == 204
    )
