"""Cross-cutting behaviour of the agencies API: authentication, scoping of every list, pagination.

Each endpoint has its own file (test_api_<endpoint>.py) for its filters, writes and roles.
"""

import pytest
from django.urls import reverse

from agencies.models import Area, Camera, Membership, Partnership, Subscription, VitalObject
from tests.factories import AreaFactory, CameraFactory, SubscriptionFactory, VitalObjectFactory

LIST_ROUTES = [
    "api-area-list",
    "api-agency-list",
    "api-membership-list",
    "api-partnership-list",
    "api-subscription-list",
    "api-vital-object-list",
    "api-camera-list",
]
RESTRICTED_LIST_ROUTES = [r for r in LIST_ROUTES if r != "api-area-list"]


@pytest.fixture
def populated(world):
    """One row of every kind, owned by agency A, so that an empty answer means "filtered out"."""
    subscription = SubscriptionFactory(agency=world.a, areas=[world.areas.bontang])
    vital_object = VitalObjectFactory(area=world.areas.guntung, operator=world.a)
    camera = CameraFactory(area=world.areas.guntung, operator=world.a)
    return world, subscription, vital_object, camera


@pytest.mark.parametrize("route", LIST_ROUTES)
def test_anonymous_gets_401_on_every_list(populated, api_as, route):
    response = api_as(None).get(reverse(route))

    assert response.status_code == 401


@pytest.mark.parametrize(
    "route,model",
    [
        ("api-agency-detail", None),
        ("api-membership-detail", Membership),
        ("api-partnership-detail", Partnership),
        ("api-subscription-detail", Subscription),
        ("api-vital-object-detail", VitalObject),
        ("api-camera-detail", Camera),
        ("api-area-detail", Area),
    ],
)
def test_anonymous_gets_401_on_every_detail(populated, api_as, route, model):
    world = populated[0]
    pk = model.objects.first().pk if model else world.a.pk

    response = api_as(None).get(reverse(route, args=[pk]))

    assert response.status_code == 401


@pytest.mark.parametrize("route", LIST_ROUTES)
def test_anonymous_cannot_create_anything(populated, api_as, route):
    response = api_as(None).post(reverse(route), {}, format="json")

    assert response.status_code == 401


@pytest.mark.parametrize("route", RESTRICTED_LIST_ROUTES)
def test_a_user_of_no_agency_sees_empty_lists(populated, api_as, route):
    world = populated[0]

    response = api_as(world.nobody).get(reverse(route))

    assert response.status_code == 200
    assert response.json()["count"] == 0
    assert response.json()["results"] == []


@pytest.mark.parametrize("route", RESTRICTED_LIST_ROUTES)
def test_a_member_sees_rows_in_every_list(populated, api_as, route):
    world = populated[0]

    response = api_as(world.alice).get(reverse(route))

    assert response.status_code == 200
    assert response.json()["count"] > 0


@pytest.mark.parametrize(
    "route,index",
    [
        ("api-subscription-detail", 1),
        ("api-vital-object-detail", 2),
        ("api-camera-detail", 3),
    ],
)
def test_a_user_of_no_agency_gets_404_on_details(populated, api_as, route, index):
    world = populated[0]

    response = api_as(world.nobody).get(reverse(route, args=[populated[index].pk]))

    assert response.status_code == 404


def test_a_user_of_no_agency_gets_404_on_an_agency_membership_and_partnership(populated, api_as):
    world = populated[0]
    client = api_as(world.nobody)
    membership = Membership.objects.get(user=world.alice)
    partnership = Partnership.objects.get()

    responses = [
        client.get(reverse("api-agency-detail", args=[world.a.pk])),
        client.get(reverse("api-membership-detail", args=[membership.pk])),
        client.get(reverse("api-partnership-detail", args=[partnership.pk])),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404]


def test_lists_are_paginated_by_50_by_default(db, api_as, world):
    Area.objects.bulk_create(
        AreaFactory.build(source_id=800_000 + i, name=f"Desa {i:03}", path=f"/x{i}/", level=Area.Level.PROVINCE)
        for i in range(60)
    )

    body = api_as(world.nobody).get(reverse("api-area-list")).json()

    assert body["count"] == 66
    assert len(body["results"]) == 50
    assert body["next"] is not None


def test_a_client_cannot_ask_for_more_than_200_rows_a_page(db, api_as, world):
    Area.objects.bulk_create(
        AreaFactory.build(source_id=800_000 + i, name=f"Desa {i:03}", path=f"/x{i}/", level=Area.Level.PROVINCE)
        for i in range(250)
    )

    body = api_as(world.nobody).get(reverse("api-area-list"), {"page_size": 100_000}).json()

    assert body["count"] == 256
    assert len(body["results"]) == 200


def test_a_malformed_detail_id_answers_404(world, api_as):
    response = api_as(world.alice).get("/api/v1/agencies/not-a-number/")

    assert response.status_code == 404
