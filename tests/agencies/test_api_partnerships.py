"""/api/v1/partnerships/: agreements between agencies, read by members, recorded by a
commander of one of the parties (or staff)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.models import Partnership
from tests.factories import AgencyFactory, PartnershipFactory

LIST = reverse("api-partnership-list")


def today() -> datetime.date:
    """Read at each use, not at import: a run (or --clock) may cross midnight after collection."""
    return timezone.localdate()


def detail(pk):
    return reverse("api-partnership-detail", args=[pk])


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def mou(world):
    return Partnership.objects.get(title="MoU A-B")


def payload(*agencies, **extra):
    return {
        "title": "MoU patroli gabungan",
        "agencies": [a.pk for a in agencies],
        "scopes": ["joint_patrol", "training"],
        "valid_from": str(today()),
        **extra,
    }


# --- Reading ---------------------------------------------------------------------------------


def test_a_member_reads_a_partnership_with_its_parties_and_scopes(api_as, world, mou):
    body = api_as(world.charlie).get(detail(mou.pk)).json()

    assert {a["code"] for a in body["agencies"]} == {"polres-bontang", "bpbd-bontang"}
    assert body["scopes"] == ["information_sharing"]
    assert body["is_current"] is True


def test_agency_filter_returns_that_agencys_partnerships(api_as, world, mou):
    other = PartnershipFactory(agencies=[world.b, world.c])
    client = api_as(world.alice)

    assert ids(client.get(LIST, {"agency": world.a.pk})) == {mou.pk}
    assert ids(client.get(LIST, {"agency": world.c.pk})) == {other.pk}


def test_scope_filter(api_as, world, mou):
    patrol = PartnershipFactory(agencies=[world.a, world.c], information_sharing=False, joint_patrol=True)
    client = api_as(world.alice)

    assert ids(client.get(LIST, {"scope": "joint_patrol"})) == {patrol.pk}
    assert ids(client.get(LIST, {"scope": "information_sharing"})) == {mou.pk}


def test_an_unknown_scope_filter_answers_400(api_as, world):
    response = api_as(world.alice).get(LIST, {"scope": "world_domination"})

    assert response.status_code == 400
    assert "scope" in response.json()


@pytest.mark.dates
def test_valid_on_filter_leaves_out_expired_and_future_agreements(api_as, world, mou):
    PartnershipFactory(
        agencies=[world.a, world.c],
        valid_from=today() - datetime.timedelta(days=400),
        valid_until=today() - datetime.timedelta(days=35),
    )
    PartnershipFactory(agencies=[world.a, world.c], valid_from=today() + datetime.timedelta(days=10))
    bounded = PartnershipFactory(agencies=[world.b, world.c], valid_until=today())

    assert ids(api_as(world.alice).get(LIST, {"valid_on": str(today())})) == {mou.pk, bounded.pk}


def test_a_malformed_valid_on_answers_400(api_as, world):
    response = api_as(world.alice).get(LIST, {"valid_on": "yesterday"})

    assert response.status_code == 400
    assert "valid_on" in response.json()


def test_listing_many_partnerships_takes_a_bounded_number_of_queries(api_as, world, django_assert_max_num_queries):
    for _ in range(30):
        PartnershipFactory(agencies=[AgencyFactory(), AgencyFactory(), world.a])
    client = api_as(world.alice)

    # The page, its count, the user's agencies, the parties and the parties' answers.
    with django_assert_max_num_queries(5):
        response = client.get(LIST, {"page_size": 100})

    assert response.json()["count"] == 31


# --- Recording ---------------------------------------------------------------------------------


def test_a_commander_records_a_partnership_of_their_agency(api_as, world):
    response = api_as(world.carol).post(LIST, payload(world.a, world.c, reference="B/12/2026"), format="json")

    assert response.status_code == 201, response.content
    partnership = Partnership.objects.get(title="MoU patroli gabungan")
    assert set(partnership.agencies.all()) == {world.a, world.c}
    assert partnership.scopes == ["joint_patrol", "training"]
    assert partnership.reference == "B/12/2026"
    assert response.json()["scopes"] == ["joint_patrol", "training"]


def test_a_liaison_cannot_record_a_partnership(api_as, world):
    response = api_as(world.alice).post(LIST, payload(world.a, world.c), format="json")

    assert response.status_code == 403
    assert Partnership.objects.count() == 1


@pytest.mark.parametrize("persona", ["dave", "nobody"])
def test_nobody_records_a_partnership_between_other_agencies(api_as, world, persona):
    # The directory is visible to members, so this is a plain 403, not a 404.
    response = api_as(getattr(world, persona)).post(LIST, payload(world.a, world.b), format="json")

    assert response.status_code == 403
    assert Partnership.objects.count() == 1


def test_staff_records_any_partnership(api_as, world):
    response = api_as(world.admin).post(LIST, payload(world.b, world.c), format="json")

    assert response.status_code == 201
    assert set(Partnership.objects.get(title="MoU patroli gabungan").agencies.all()) == {world.b, world.c}


def test_an_unknown_scope_answers_400(api_as, world):
    response = api_as(world.carol).post(LIST, payload(world.a, world.c, scopes=["espionage"]), format="json")

    assert response.status_code == 400
    assert "scopes" in response.json()
    assert Partnership.objects.count() == 1


def test_no_scope_answers_400(api_as, world):
    response = api_as(world.carol).post(LIST, payload(world.a, world.c, scopes=[]), format="json")

    assert response.status_code == 400
    assert "scopes" in response.json()


def test_a_partnership_needs_two_agencies(api_as, world):
    response = api_as(world.carol).post(LIST, payload(world.a), format="json")

    assert response.status_code == 400
    assert "agencies" in response.json()


@pytest.mark.dates
def test_validity_cannot_end_before_it_starts(api_as, world):
    data = payload(world.a, world.c, valid_until=str(today() - datetime.timedelta(days=1)))

    response = api_as(world.carol).post(LIST, data, format="json")

    assert response.status_code == 400
    assert "valid_until" in response.json()
    assert Partnership.objects.count() == 1


def test_partnerships_cannot_be_changed_through_the_api(api_as, world, mou):
    response = api_as(world.admin).patch(detail(mou.pk), {"title": "x"}, format="json")

    assert response.status_code == 405
