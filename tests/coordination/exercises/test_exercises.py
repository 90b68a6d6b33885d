"""Exercises: planning, the after-action review, action items and the overdue list, tried by
the personas of tests/conftest.py on the API and the pages."""

from datetime import timedelta

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from agencies.models import Classification
from coordination.exercises import selectors, services
from coordination.models import ActionItem, Exercise

pytestmark = pytest.mark.django_db


def make_exercise(world, *, classification=Classification.RESTRICTED, participants=(), days=-2):
    start = timezone.now() + timedelta(days=days)
    return services.exercise_create(
        actor=world.alice,
        name="Simulasi kebakaran kilang",
        kind=Exercise.Kind.FIELD_DRILL,
        starts_at=start,
        ends_at=start + timedelta(hours=4),
        classification=classification,
        participants=list(participants),
        areas=[world.areas.bontang],
    )


def item(world, exercise, *, owner, due_days=-1, status=ActionItem.Status.OPEN, text="Perbaiki radio"):
    return services.action_item_create(
        actor=world.alice,
        exercise=exercise,
        description=text,
        owner_agency=owner,
        due_date=timezone.localdate() + timedelta(days=due_days),
        status=status,
    )


def test_anonymous_gets_401(api_as, world):
    ex = make_exercise(world)
    client = api_as(None)
    assert client.get("/api/v1/exercises/").status_code == 401
    assert client.get(f"/api/v1/exercises/{ex.pk}/").status_code == 401
    assert client.get("/api/v1/action-items/").status_code == 401


def test_a_liaison_plans_an_exercise(api_as, world):
    start = timezone.now() + timedelta(days=3)
    r = api_as(world.alice).post(
        "/api/v1/exercises/",
        {
            "name": "Tabletop banjir",
            "kind": "tabletop",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=3)).isoformat(),
            "participants": [world.b.pk],
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    ex = Exercise.objects.get()
    assert ex.lead_agency == world.a
    assert list(ex.participants.all()) == [world.b]


def test_bad_exercise_input_answers_400(api_as, world):
    start = timezone.now()
    base = {"name": "X", "kind": "training", "starts_at": start.isoformat()}
    client = api_as(world.alice)
    r = client.post("/api/v1/exercises/", {**base, "ends_at": (start - timedelta(hours=1)).isoformat()}, format="json")
    assert r.status_code == 400 and "ends_at" in r.json()
    end = (start + timedelta(hours=1)).isoformat()
    r = client.post("/api/v1/exercises/", {**base, "ends_at": end, "participants": [999999]}, format="json")
    assert r.status_code == 400 and "participants" in r.json()
    assert Exercise.objects.count() == 0


def test_a_viewer_may_not_plan_review_or_add_items(api_as, world):
    ex = make_exercise(world)
    client = api_as(world.vera)
    start = timezone.now()
    r = client.post(
        "/api/v1/exercises/",
        {
            "name": "X",
            "kind": "training",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat(),
        },
        format="json",
    )
    assert r.status_code == 403
    assert client.post(f"/api/v1/exercises/{ex.pk}/review/", {"observations": "x"}, format="json").status_code == 403
    r = client.post(
        f"/api/v1/exercises/{ex.pk}/action-items/",
        {"description": "x", "owner_agency": world.a.pk, "due_date": "2026-01-01"},
        format="json",
    )
    assert r.status_code == 403
    ex.refresh_from_db()
    assert Exercise.objects.count() == 1 and ex.reviewed_at is None and ex.action_items.count() == 0


def test_confidential_exercise_hidden_from_outsiders(api_as, world):
    ex = make_exercise(world, classification=Classification.CONFIDENTIAL)
    assert api_as(world.charlie).get(f"/api/v1/exercises/{ex.pk}/").status_code == 404
    assert api_as(world.bob).get(f"/api/v1/exercises/{ex.pk}/").status_code == 200
    ex.participants.add(world.c)
    assert api_as(world.charlie).get(f"/api/v1/exercises/{ex.pk}/").status_code == 200


def test_the_after_action_review_and_its_items(api_as, world):
    ex = make_exercise(world, participants=[world.b])
    client = api_as(world.alice)
    r = client.post(
        f"/api/v1/exercises/{ex.pk}/review/",
        {"observations": "Respons 12 menit", "strengths": "Koordinasi", "gaps": "Radio"},
        format="json",
    )
    assert r.status_code == 200, r.json()
    ex.refresh_from_db()
    assert ex.reviewed_at is not None and ex.gaps == "Radio"
    r = client.post(
        f"/api/v1/exercises/{ex.pk}/action-items/",
        {"description": "Ganti radio", "owner_agency": world.b.pk, "due_date": "2026-12-31"},
        format="json",
    )
    assert r.status_code == 201
    r = client.post(
        f"/api/v1/exercises/{ex.pk}/action-items/",
        {"description": "x", "owner_agency": 999999, "due_date": "2026-12-31"},
        format="json",
    )
    assert r.status_code == 400
    assert [i["description"] for i in client.get(f"/api/v1/exercises/{ex.pk}/action-items/").json()["results"]] == [
        "Ganti radio"
    ]


def test_an_empty_or_early_review_answers_400(api_as, world):
    past = make_exercise(world)
    future = make_exercise(world, days=5)
    client = api_as(world.alice)
    assert client.post(f"/api/v1/exercises/{past.pk}/review/", {}, format="json").status_code == 400
    assert client.post(f"/api/v1/exercises/{future.pk}/review/", {"gaps": "x"}, format="json").status_code == 400


@pytest.mark.dates
def test_overdue_action_items_are_listed_for_the_owner_agency_only(api_as, world):
    ex = make_exercise(world, participants=[world.b, world.c])
    late_b = item(world, ex, owner=world.b, due_days=-3)
    item(world, ex, owner=world.b, due_days=3, text="not yet due")
    item(world, ex, owner=world.b, due_days=-3, status=ActionItem.Status.DONE, text="done")
    item(world, ex, owner=world.c, due_days=-3, text="C's")
    assert list(selectors.overdue_action_items(user=world.bob)) == [late_b]
    assert [i.description for i in selectors.overdue_action_items(user=world.charlie)] == ["C's"]
    assert list(selectors.overdue_action_items(user=world.alice)) == []
    r = api_as(world.bob).get("/api/v1/action-items/", {"overdue": "true"})
    assert [i["id"] for i in r.json()["results"]] == [late_b.pk]


def test_the_owner_agency_updates_the_status_others_may_not(api_as, world):
    ex = make_exercise(world, participants=[world.b, world.c])
    it = item(world, ex, owner=world.b)
    assert (
        api_as(world.charlie).patch(f"/api/v1/action-items/{it.pk}/", {"status": "done"}, format="json").status_code
        == 404
    )
    assert (
        api_as(world.bob).patch(f"/api/v1/action-items/{it.pk}/", {"description": "y"}, format="json").status_code
        == 403
    )
    r = api_as(world.bob).patch(f"/api/v1/action-items/{it.pk}/", {"status": "in_progress"}, format="json")
    assert r.status_code == 200
    it.refresh_from_db()
    assert it.status == "in_progress" and it.description == "Perbaiki radio"
    assert (
        api_as(world.bob).patch(f"/api/v1/action-items/{it.pk}/", {"status": "nope"}, format="json").status_code == 400
    )


@pytest.mark.dates
def test_the_overdue_template_tag_shows_the_users_items(world):
    ex = make_exercise(world, participants=[world.b])
    item(world, ex, owner=world.b, text="Latih ulang evakuasi")
    request = RequestFactory().get("/")
    template = Template("{% load coordination_tags %}{% overdue_action_items %}")
    request.user = world.bob
    assert "Latih ulang evakuasi" in template.render(Context({"request": request}))
    request.user = world.alice
    assert "overdue-item" not in template.render(Context({"request": request}))


def test_exercise_lists_are_bounded(api_as, client, world, django_assert_max_num_queries):
    for _ in range(8):
        ex = make_exercise(world, participants=[world.b, world.c])
        item(world, ex, owner=world.b)
    with django_assert_max_num_queries(8):
        assert len(api_as(world.bob).get("/api/v1/exercises/").json()["results"]) == 8
    with django_assert_max_num_queries(8):
        assert len(api_as(world.bob).get("/api/v1/action-items/").json()["results"]) == 8
    client.force_login(world.bob)
    with django_assert_max_num_queries(15):
        assert client.get(reverse("exercise-list")).status_code == 200


def test_exercise_pages(client, world):
    ex = make_exercise(world, participants=[world.b])
    it = item(world, ex, owner=world.b)
    assert client.get(reverse("exercise-list")).status_code == 302
    client.force_login(world.alice)
    assert client.get(reverse("exercise-list")).status_code == 200
    assert client.get(reverse("exercise-create")).status_code == 200
    assert client.get(reverse("exercise-detail", args=[ex.pk])).status_code == 200
    r = client.post(reverse("exercise-review", args=[ex.pk]), {"observations": "Baik", "strengths": "", "gaps": ""})
    assert r.status_code == 302
    r = client.post(
        reverse("exercise-action-item-add", args=[ex.pk]),
        {"description": "Pelatihan radio", "owner_agency": world.a.pk, "due_date": "2026-12-01"},
    )
    assert r.status_code == 302
    r = client.post(
        reverse("exercise-create"),
        {
            "name": "Latihan SAR",
            "kind": "training",
            "classification": "restricted",
            "starts_at": "2026-12-01T08:00",
            "ends_at": "2026-12-01T07:00",
        },
    )
    assert r.status_code == 200 and Exercise.objects.count() == 1
    client.force_login(world.bob)
    assert client.post(reverse("exercise-review", args=[ex.pk]), {"observations": "x"}).status_code == 403
    assert client.post(reverse("action-item-status", args=[it.pk]), {"status": "done"}).status_code == 302
    it.refresh_from_db()
    assert it.status == "done"
    client.force_login(world.vera)
    assert client.get(reverse("exercise-create")).status_code == 403


def test_a_refused_form_on_the_exercise_page_answers_400_with_its_errors(client, world):
    future = make_exercise(world, days=5)
    client.force_login(world.alice)

    early = client.post(reverse("exercise-review", args=[future.pk]), {"observations": "Terlalu dini"})
    empty_item = client.post(reverse("exercise-action-item-add", args=[future.pk]), {"description": ""})

    assert early.status_code == 400  # the service refuses a review before the exercise ends
    assert early.context["review_form"].errors
    assert empty_item.status_code == 400  # the form refuses an item without a description
    assert "description" in empty_item.context["item_form"].errors
    future.refresh_from_db()
    assert future.observations == ""
    assert not future.action_items.exists()


def test_confidential_exercise_page_404_for_charlie(client, world):
    ex = make_exercise(world, classification=Classification.CONFIDENTIAL)
    client.force_login(world.charlie)
    assert client.get(reverse("exercise-detail", args=[ex.pk])).status_code == 404
