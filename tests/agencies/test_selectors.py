import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from agencies import selectors
from agencies.models import Agency
from tests.factories import AgencyFactory, CameraFactory, PartnershipFactory, SubscriptionFactory, VitalObjectFactory


def test_descendants_follow_the_materialized_path(areas):
    ids = set(selectors.area_descendants(area=areas.bontang).values_list("pk", flat=True))
    assert ids == {areas.bontang_utara.pk, areas.guntung.pk}


def test_ancestors_come_root_first(areas):
    assert list(selectors.area_ancestors(area=areas.guntung)) == [areas.province, areas.bontang, areas.bontang_utara]


def test_an_agency_covers_the_villages_of_its_regency(world):
    covering = Agency.objects.filter(selectors.area_covering_q(area=world.areas.guntung))
    assert set(covering) == {world.a, world.b}


def test_agency_filter_by_area_includes_agencies_inside_it(world):
    inside = AgencyFactory(name="Village watch", jurisdiction=[world.areas.guntung])
    names = set(
        selectors.agency_list(user=world.alice, filters={"area": world.areas.bontang}).values_list("name", flat=True)
    )
    assert names == {"Polres Bontang", "BPBD Bontang", inside.name}


@pytest.mark.parametrize("who", ["nobody", "anonymous"])
def test_users_of_no_agency_see_no_directory(world, who):
    user = AnonymousUser() if who == "anonymous" else world.nobody
    assert selectors.agency_list(user=user).count() == 0
    with pytest.raises(Http404):
        selectors.agency_get(user=user, pk=world.a.pk)


def test_an_inactive_agency_gives_its_members_no_access(world):
    world.c.is_active = False
    world.c.save()
    assert selectors.agency_list(user=world.charlie).count() == 0


def test_subscriptions_are_visible_to_their_own_agency_only(world):
    mine = SubscriptionFactory(agency=world.a, areas=[world.areas.bontang])
    SubscriptionFactory(agency=world.c, areas=[world.areas.balikpapan])
    assert list(selectors.subscription_list(user=world.alice)) == [mine]
    assert selectors.subscription_list(user=world.admin).count() == 2
    with pytest.raises(Http404):
        selectors.subscription_get(user=world.charlie, pk=mine.pk)


def test_phones_are_for_the_members_own_agency(world):
    alice = world.a.memberships.get(user=world.alice)
    assert selectors.membership_can_see_contact(user=world.carol, membership=alice)
    assert not selectors.membership_can_see_contact(user=world.bob, membership=alice)
    assert selectors.membership_can_see_contact(user=world.admin, membership=alice)


@pytest.mark.dates
def test_partners_are_found_by_scope_and_validity(world):
    assert selectors.partner_agency_ids(agency_ids=[world.a.pk], scope="information_sharing") == {world.b.pk}
    assert selectors.partner_agency_ids(agency_ids=[world.a.pk], scope="joint_patrol") == set()
    expired = datetime.date.today() - datetime.timedelta(days=1)
    PartnershipFactory(
        agencies=[world.a, world.c], valid_from=expired - datetime.timedelta(days=9), valid_until=expired
    )
    assert selectors.partner_agency_ids(agency_ids=[world.a.pk], scope="information_sharing") == {world.b.pk}


def _records_of_agency_a(world):
    return {
        "agency": world.a,
        "membership": world.a.memberships.get(user=world.alice),
        "partnership": world.a.partnerships.get(),
        "subscription": SubscriptionFactory(agency=world.a, areas=[world.areas.bontang]),
        "vital_object": VitalObjectFactory(operator=world.a, area=world.areas.bontang),
        "camera": CameraFactory(operator=world.a, area=world.areas.bontang),
    }


# Who may change agency A's records: its commander (carol) the agency, its members and its
# partnerships; its commanders and liaisons (alice) the rest. A viewer of A sees but may not
# change (403); a member of another agency, or of none, gets 404.
@pytest.mark.parametrize(
    ("entity", "allowed", "refused"),
    [
        ("agency", ["admin", "carol"], ["alice", "vera"]),
        ("membership", ["admin", "carol"], ["alice", "vera"]),
        ("partnership", ["admin", "carol"], ["alice", "vera", "bob"]),
        ("subscription", ["admin", "carol", "alice"], ["vera"]),
        ("vital_object", ["admin", "carol", "alice"], ["vera"]),
        ("camera", ["admin", "carol", "alice"], ["vera"]),
    ],
)
def test_each_record_has_one_accessor_for_reading_and_one_for_changing(world, entity, allowed, refused):
    record = _records_of_agency_a(world)[entity]
    get = getattr(selectors, f"{entity}_get")
    get_for_change = getattr(selectors, f"{entity}_get_for_change")
    for name in allowed:
        assert get_for_change(user=getattr(world, name), pk=record.pk) == record
    for name in refused:
        assert get(user=getattr(world, name), pk=record.pk) == record
        with pytest.raises(PermissionDenied):
            get_for_change(user=getattr(world, name), pk=record.pk)
    for name in ["charlie", "nobody"]:
        with pytest.raises(Http404):
            get_for_change(user=getattr(world, name), pk=record.pk)
    with pytest.raises(Http404):
        get_for_change(user=AnonymousUser(), pk=record.pk)
