import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from agencies import services
from agencies.models import Membership, Partnership, Subscription, SubscriptionCategory
from tests.factories import UserFactory


@pytest.fixture
def w(world):
    return world


class TestMembershipCreate:
    def test_a_commander_adds_a_member_to_their_agency(self, w):
        newcomer = UserFactory(username="newcomer")
        m = services.membership_create(actor=w.carol, agency=w.a, user=newcomer, role="planner")
        m.refresh_from_db()
        assert (m.agency, m.user, m.role) == (w.a, newcomer, "planner")

    def test_a_liaison_may_not_add_members(self, w):
        with pytest.raises(PermissionDenied):
            services.membership_create(actor=w.alice, agency=w.a, user=UserFactory(), role="viewer")
        assert Membership.objects.filter(agency=w.a).count() == 3

    def test_a_commander_of_another_agency_gets_404(self, w):
        with pytest.raises(Http404):
            services.membership_create(actor=w.dave, agency=w.a, user=UserFactory(), role="viewer")
        assert Membership.objects.filter(agency=w.a).count() == 3

    def test_it_refuses_a_second_membership_in_the_same_agency(self, w):
        with pytest.raises(ValidationError) as exc:
            services.membership_create(actor=w.carol, agency=w.a, user=w.alice, role="viewer")
        assert "user" in exc.value.message_dict

    def test_it_refuses_an_unknown_role(self, w):
        with pytest.raises(ValidationError) as exc:
            services.membership_create(actor=w.carol, agency=w.a, user=UserFactory(), role="general")
        assert "role" in exc.value.message_dict

    def test_staff_may_add_members_anywhere(self, w):
        services.membership_create(actor=w.admin, agency=w.c, user=UserFactory(), role="viewer")
        assert Membership.objects.filter(agency=w.c).count() == 3


class TestMembershipChange:
    def test_the_last_commander_cannot_be_demoted(self, w):
        carol = Membership.objects.get(user=w.carol, agency=w.a)
        with pytest.raises(ValidationError) as exc:
            services.membership_update(actor=w.carol, membership=carol, role="viewer")
        assert "role" in exc.value.message_dict
        carol.refresh_from_db()
        assert carol.role == "commander"

    def test_the_last_commander_cannot_be_removed(self, w):
        carol = Membership.objects.get(user=w.carol, agency=w.a)
        with pytest.raises(ValidationError):
            services.membership_remove(actor=w.admin, membership=carol)
        assert Membership.objects.filter(pk=carol.pk).exists()

    def test_a_commander_may_step_down_once_another_commander_exists(self, w):
        alice = Membership.objects.get(user=w.alice, agency=w.a)
        services.membership_update(actor=w.carol, membership=alice, role="commander")
        carol = Membership.objects.get(user=w.carol, agency=w.a)
        services.membership_update(actor=w.carol, membership=carol, role="liaison")
        carol.refresh_from_db()
        assert carol.role == "liaison"

    def test_a_commander_removes_a_member(self, w):
        vera = Membership.objects.get(user=w.vera, agency=w.a)
        services.membership_remove(actor=w.carol, membership=vera)
        assert not Membership.objects.filter(pk=vera.pk).exists()

    def test_an_outsider_commander_cannot_change_a_member(self, w):
        vera = Membership.objects.get(user=w.vera, agency=w.a)
        with pytest.raises(Http404):
            services.membership_update(actor=w.dave, membership=vera, role="commander")
        vera.refresh_from_db()
        assert vera.role == "viewer"


class TestPartnershipPropose:
    def test_a_commander_proposes_a_partnership_of_their_agency(self, w):
        p = services.partnership_propose(
            actor=w.carol,
            title="MoU A-C",
            agencies=[w.a, w.c],
            valid_from=datetime.date(2026, 1, 1),
            scopes=["joint_patrol"],
        )
        p.refresh_from_db()
        assert p.scopes == ["joint_patrol"]
        assert set(p.agencies.all()) == {w.a, w.c}
        assert p.status == Partnership.Status.PROPOSED
        assert (p.proposed_by, p.proposed_by_agency) == (w.carol, w.a)

    def test_it_needs_two_agencies(self, w):
        with pytest.raises(ValidationError) as exc:
            services.partnership_propose(
                actor=w.carol,
                title="Alone",
                agencies=[w.a, w.a],
                valid_from=datetime.date(2026, 1, 1),
                scopes=["training"],
            )
        assert "agencies" in exc.value.message_dict

    def test_it_refuses_an_end_before_the_start(self, w):
        with pytest.raises(ValidationError) as exc:
            services.partnership_propose(
                actor=w.carol,
                title="Backwards",
                agencies=[w.a, w.c],
                valid_from=datetime.date(2026, 5, 1),
                valid_until=datetime.date(2026, 4, 1),
                scopes=["training"],
            )
        assert "valid_until" in exc.value.message_dict

    def test_an_agency_cannot_sign_for_two_others(self, w):
        before = Partnership.objects.count()
        with pytest.raises(PermissionDenied):
            services.partnership_propose(
                actor=w.dave,
                title="Not mine",
                agencies=[w.a, w.b],
                valid_from=datetime.date(2026, 1, 1),
                scopes=["training"],
            )
        assert Partnership.objects.count() == before

    def test_it_refuses_an_unknown_scope(self, w):
        with pytest.raises(ValidationError) as exc:
            services.partnership_propose(
                actor=w.carol, title="X", agencies=[w.a, w.c], valid_from=datetime.date(2026, 1, 1), scopes=["golf"]
            )
        assert "scopes" in exc.value.message_dict


class TestSubscriptions:
    def test_a_liaison_subscribes_their_agency(self, w):
        sub = services.subscription_create(
            actor=w.alice,
            agency=w.a,
            name="Floods",
            areas=[w.areas.bontang],
            category_codes=["flood", " landslide ", "flood"],
            min_severity=3,
            channel_email=True,
        )
        sub.refresh_from_db()
        assert sorted(sub.category_codes.values_list("code", flat=True)) == ["flood", "landslide"]
        assert sub.channels == ["in_app", "email"]
        assert list(sub.areas.all()) == [w.areas.bontang]

    def test_a_viewer_may_not_subscribe(self, w):
        with pytest.raises(PermissionDenied):
            services.subscription_create(actor=w.vera, agency=w.a, name="X", areas=[w.areas.bontang])
        assert not Subscription.objects.exists()

    def test_another_agency_cannot_subscribe_for_us(self, w):
        with pytest.raises(Http404):
            services.subscription_create(actor=w.charlie, agency=w.a, name="X", areas=[w.areas.bontang])
        assert not Subscription.objects.exists()

    def test_a_webhook_needs_a_url_and_gets_a_secret(self, w):
        with pytest.raises(ValidationError) as exc:
            services.subscription_create(
                actor=w.alice, agency=w.a, name="Hook", areas=[w.areas.bontang], channel_webhook=True
            )
        assert "webhook_url" in exc.value.message_dict
        sub = services.subscription_create(
            actor=w.alice,
            agency=w.a,
            name="Hook",
            areas=[w.areas.bontang],
            channel_webhook=True,
            webhook_url="https://partner.example.id/hook",
        )
        assert len(sub.webhook_secret) >= 32

    def test_it_needs_an_area_and_a_channel(self, w):
        with pytest.raises(ValidationError) as exc:
            services.subscription_create(actor=w.alice, agency=w.a, name="X", areas=[], channel_in_app=False)
        assert {"areas", "channel_in_app"} <= set(exc.value.message_dict)

    def test_an_update_replaces_the_categories(self, w):
        sub = services.subscription_create(
            actor=w.alice, agency=w.a, name="X", areas=[w.areas.bontang], category_codes=["flood", "fire"]
        )
        services.subscription_update(actor=w.alice, subscription=sub, category_codes=["fire", "crime"])
        assert sorted(SubscriptionCategory.objects.filter(subscription=sub).values_list("code", flat=True)) == [
            "crime",
            "fire",
        ]

    def test_an_outsider_cannot_delete_a_subscription(self, w):
        sub = services.subscription_create(actor=w.alice, agency=w.a, name="X", areas=[w.areas.bontang])
        with pytest.raises(Http404):
            services.subscription_delete(actor=w.charlie, subscription=sub)
        assert Subscription.objects.filter(pk=sub.pk).exists()


class TestVitalObjectsAndCameras:
    def test_a_latitude_outside_indonesia_is_refused(self, w):
        with pytest.raises(ValidationError) as exc:
            services.camera_create(
                actor=w.alice,
                operator=w.a,
                code="cam-x",
                name="X",
                area=w.areas.guntung,
                latitude=48.85,
                longitude=2.35,
            )
        assert {"latitude", "longitude"} <= set(exc.value.message_dict)

    def test_an_operator_registers_a_vital_object_guarded_by_partners(self, w):
        obj = services.vital_object_create(
            actor=w.alice, operator=w.a, guarding_agencies=[w.b], name="Port", kind="port", area=w.areas.guntung
        )
        assert list(obj.guarding_agencies.all()) == [w.b]

    def test_a_camera_cannot_be_handed_to_an_agency_one_does_not_manage(self, w):
        cam = services.camera_create(actor=w.alice, operator=w.a, code="cam-a", name="A", area=w.areas.guntung)
        with pytest.raises(Http404):
            services.camera_update(actor=w.alice, camera=cam, operator=w.c)
        cam.refresh_from_db()
        assert cam.operator == w.a


class TestAgencyUpdate:
    def test_a_commander_edits_the_duty_contact(self, w):
        services.agency_update(actor=w.carol, agency=w.a, duty_phone="+62 548 999")
        w.a.refresh_from_db()
        assert w.a.duty_phone == "+62 548 999"

    def test_a_commander_may_not_change_the_jurisdiction(self, w):
        with pytest.raises(PermissionDenied):
            services.agency_update(actor=w.carol, agency=w.a, jurisdiction=[w.areas.province])
        assert list(w.a.jurisdiction.all()) == [w.areas.bontang]

    def test_only_staff_create_agencies(self, w):
        with pytest.raises(PermissionDenied):
            services.agency_create(actor=w.carol, name="New", code="new", kind="police")
        agency = services.agency_create(
            actor=w.admin, name="New", code="new", kind="police", jurisdiction=[w.areas.guntung]
        )
        assert list(agency.jurisdiction.all()) == [w.areas.guntung]
