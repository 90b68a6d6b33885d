"""Who receives and who reads a bulletin: the distribution, the classification rule, the
releasable version, acknowledgement, amendment, withdrawal and the thread, tried by the
personas of tests/conftest.py (A issues; B is A's information-sharing partner; C an outsider)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from agencies.models import Agency, Classification
from coordination.bulletins import selectors, services
from coordination.models import BulletinRecipient
from tests.factories import AgencyFactory, MembershipFactory, UserFactory

from .helpers import issue, with_ack

pytestmark = pytest.mark.django_db


def readers(bulletin, *users):
    return [selectors.bulletins_for(user=u).filter(pk=bulletin.pk).exists() for u in users]


def test_a_restricted_bulletin_reaches_the_agencies_of_the_kinds_asked(world):
    bulletin = issue(world, distribution={"kinds": [Agency.Kind.DISASTER, Agency.Kind.FIRE]})
    got = set(bulletin.recipients.values_list("agency_id", "reason"))
    assert got == {(world.b.pk, "kind"), (world.c.pk, "kind")}
    assert readers(bulletin, world.alice, world.bob, world.charlie, world.nobody) == [True, True, True, False]


def test_an_agency_outside_the_distribution_does_not_read_it(world):
    outsider = AgencyFactory(kind=Agency.Kind.NGO)
    olga = MembershipFactory(user=UserFactory(username="olga"), agency=outsider).user
    bulletin = issue(world, distribution={"agencies": [world.b.pk]})
    assert readers(bulletin, olga, world.charlie) == [False, False]
    with pytest.raises(Http404):
        selectors.bulletin_get(user=olga, pk=bulletin.pk)


def test_a_confidential_bulletin_by_kind_reaches_partners_only_and_says_who_is_left_out(world):
    full, _wider = services.bulletin_preview(
        actor=world.alice,
        classification=Classification.CONFIDENTIAL,
        distribution={"kinds": [Agency.Kind.DISASTER, Agency.Kind.FIRE]},
    )
    assert set(full.included) == {world.b.pk}  # B: information-sharing partner of A
    assert set(full.excluded) == {world.c.pk}
    bulletin = issue(
        world,
        classification=Classification.CONFIDENTIAL,
        distribution={"kinds": [Agency.Kind.DISASTER, Agency.Kind.FIRE]},
    )
    assert set(bulletin.recipients.values_list("agency_id", flat=True)) == set(full.included)
    assert readers(bulletin, world.bob, world.charlie) == [True, False]


def test_a_secret_bulletin_reaches_only_agencies_named_one_by_one(world):
    by_area = {"areas": [world.areas.bontang.pk]}
    with pytest.raises(ValidationError) as exc:
        issue(world, classification=Classification.SECRET, distribution=by_area)
    assert "distribution" in exc.value.message_dict
    bulletin = issue(world, classification=Classification.SECRET, distribution={**by_area, "agencies": [world.c.pk]})
    assert list(bulletin.recipients.values_list("agency_id", "named")) == [(world.c.pk, True)]
    assert readers(bulletin, world.charlie, world.bob) == [True, False]


def test_jurisdiction_over_an_area_covers_the_agencies_above_and_below_it(world):
    full, _ = services.bulletin_preview(
        actor=world.alice, classification=Classification.RESTRICTED, distribution={"areas": [world.areas.guntung.pk]}
    )
    assert set(full.included) == {world.b.pk}  # Bontang's BPBD; A is the issuer; C is Balikpapan's


def test_a_confidential_bulletin_read_through_a_partnership_disappears_when_it_ends(world):
    bulletin = issue(
        world, classification=Classification.CONFIDENTIAL, distribution={"scopes": ["information_sharing"]}
    )
    assert readers(bulletin, world.bob) == [True]
    world.a.partnerships.update(status="ended")
    bob = type(world.bob).objects.get(pk=world.bob.pk)
    assert readers(bulletin, bob) == [False]


def test_the_releasable_version_reaches_the_wider_list_only_with_its_own_text(world, api_as):
    bulletin = issue(
        world,
        classification=Classification.CONFIDENTIAL,
        distribution={"agencies": [world.b.pk]},
        releasable_title="Imbauan umum",
        releasable_body="Ringkasan TERBUKA.",
        releasable_classification=Classification.RESTRICTED,
        releasable_distribution={"kinds": [Agency.Kind.FIRE, Agency.Kind.DISASTER]},
    )
    tiers = dict(bulletin.recipients.values_list("agency_id", "tier"))
    assert tiers == {world.b.pk: "full", world.c.pk: "releasable"}
    for_c = selectors.bulletin_get(user=world.charlie, pk=bulletin.pk)
    assert for_c.reads_full is False
    body = api_as(world.charlie).get(f"/api/v1/bulletins/{bulletin.pk}/").json()
    assert body["text"] == "releasable" and body["title"] == "Imbauan umum"
    assert "RAHASIA-PENUH" not in str(body) and body["classification"] == "restricted"
    listed = api_as(world.charlie).get("/api/v1/bulletins/").content.decode()
    assert "RAHASIA-PENUH" not in listed and "Waspada" not in listed
    assert api_as(world.charlie).get(f"/api/v1/bulletins/{bulletin.pk}/replies/").status_code == 404
    full = api_as(world.bob).get(f"/api/v1/bulletins/{bulletin.pk}/").json()
    assert full["text"] == "full" and "RAHASIA-PENUH" in full["body"]


def test_the_releasable_text_must_be_less_classified(world):
    with pytest.raises(ValidationError) as exc:
        issue(world, releasable_body="x", releasable_classification=Classification.RESTRICTED)
    assert "releasable_classification" in exc.value.message_dict


def test_only_the_issuers_commanders_and_liaisons_issue(world):
    with pytest.raises(PermissionDenied):
        issue(world, actor=world.vera)
    assert services.can_issue_any(user=world.vera) is False
    assert services.can_issue_any(user=world.alice) is True


def test_a_member_acknowledges_once_for_the_agency_and_the_issuer_sees_it(world):
    bulletin = with_ack(world)
    bulletin = selectors.bulletin_get(user=world.bob, pk=bulletin.pk)
    assert services.can_acknowledge(actor=world.bob, bulletin=bulletin)
    services.bulletin_acknowledge(actor=world.bob, bulletin=bulletin)
    assert not services.can_acknowledge(actor=world.bob, bulletin=bulletin)
    row = BulletinRecipient.objects.get(bulletin=bulletin, agency=world.b)
    assert row.acknowledged_by == world.bob and row.acknowledged_at is not None
    assert selectors.bulletin_counts(user=world.bob) == {"unread": 0, "awaiting_acknowledgement": 0}
    assert selectors.bulletin_counts(user=world.charlie) == {"unread": 1, "awaiting_acknowledgement": 1}
    with pytest.raises(PermissionDenied):
        services.bulletin_acknowledge(
            actor=world.alice, bulletin=selectors.bulletin_get(user=world.alice, pk=bulletin.pk)
        )


def test_an_amendment_makes_a_new_version_and_it_reads_as_unread_again(world):
    bulletin = issue(world)
    services.bulletin_mark_read(user=world.bob, bulletin=bulletin)
    assert list(selectors.unread_bulletins(user=world.bob)) == []
    services.bulletin_amend(actor=world.alice, bulletin=bulletin, body="Teks baru.", note="Jam diganti")
    bulletin.refresh_from_db()
    assert bulletin.version == 2 and list(bulletin.versions.values_list("number", flat=True)) == [1, 2]
    assert list(selectors.unread_bulletins(user=world.bob)) == [bulletin]
    with pytest.raises(PermissionDenied):
        services.bulletin_amend(actor=world.bob, bulletin=bulletin, body="x")


def test_a_withdrawn_bulletin_stays_readable_but_asks_nothing(world):
    bulletin = with_ack(world)
    services.bulletin_withdraw(actor=world.alice, bulletin=bulletin, reason="Salah kirim")
    bulletin = selectors.bulletin_get(user=world.bob, pk=bulletin.pk)
    assert bulletin.is_withdrawn and not services.can_acknowledge(actor=world.bob, bulletin=bulletin)
    assert selectors.bulletin_counts(user=world.bob)["awaiting_acknowledgement"] == 0


def test_recipients_of_the_full_text_reply_in_the_thread(world):
    bulletin = issue(world)
    services.bulletin_reply(
        actor=world.bob, bulletin=selectors.bulletin_get(user=world.bob, pk=bulletin.pk), body="Diterima"
    )
    as_vera = selectors.bulletin_get(user=world.vera, pk=bulletin.pk)
    with pytest.raises(PermissionDenied):  # a viewer reads but does not reply
        services.bulletin_reply(actor=world.vera, bulletin=as_vera, body="x")
    assert [r.body for r in selectors.bulletin_replies(bulletin=bulletin)] == ["Diterima"]


def test_the_inbox_counts_take_a_constant_number_of_queries(world, django_assert_num_queries):
    """What the desk and the inbox call: the user's agencies, their partners, then one
    aggregate: the same 3 queries for 3 bulletins as for 13."""
    for i in range(3):
        with_ack(world, title=f"W{i}")
    bob = type(world.bob).objects.get(pk=world.bob.pk)
    with django_assert_num_queries(3):
        assert selectors.bulletin_counts(user=bob) == {"unread": 3, "awaiting_acknowledgement": 3}
    for i in range(10):
        issue(world, title=f"R{i}")
    bob = type(world.bob).objects.get(pk=world.bob.pk)
    with django_assert_num_queries(3):
        assert selectors.bulletin_counts(user=bob) == {"unread": 13, "awaiting_acknowledgement": 3}
    bob = type(world.bob).objects.get(pk=world.bob.pk)
    with django_assert_num_queries(3):
        assert len(list(selectors.unread_bulletins(user=bob)[:5])) == 5
