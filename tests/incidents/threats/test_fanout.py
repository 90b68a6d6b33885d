import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from agencies.models import Severity
from incidents.models import Alert, Delivery, Threat, ThreatEvent
from incidents.threats import escalation, fanout
from incidents.threats import selectors as threat_selectors
from incidents.threats import services as threat_services
from tests.factories import AgencyFactory, MembershipFactory, SubscriptionFactory, UserFactory, category


@pytest.fixture
def log(world, django_capture_on_commit_callbacks):
    def _log(actor=None, **fields):
        defaults = {
            "headline": "Ancaman bom di pelabuhan",
            "category": category("terrorism-threat"),
            "areas": [world.areas.guntung],
            "severity": Severity.MODERATE,
        }
        defaults.update(fields)
        with django_capture_on_commit_callbacks(execute=True):
            return threat_services.threat_log(actor=actor or world.alice, **defaults)

    return _log


def _alerted(threat):
    return set(Alert.objects.filter(threat=threat).values_list("agency__code", flat=True))


class TestRecipients:
    def test_a_subscription_on_the_parent_category_and_an_ancestor_area_matches(self, world, log):
        SubscriptionFactory(agency=world.c, areas=[world.areas.bontang])  # no categories = all
        threat = log()
        assert _alerted(threat) == {"damkar-balikpapan"}

    def test_a_subscription_to_another_category_does_not_match(self, world, log):
        sub = SubscriptionFactory(agency=world.c, areas=[world.areas.bontang])
        sub.category_codes.create(code="flood")
        assert _alerted(log()) == set()

    def test_a_parent_category_code_covers_its_children(self, world, log):
        sub = SubscriptionFactory(agency=world.c, areas=[world.areas.province])
        sub.category_codes.create(code="terrorism")
        assert _alerted(log()) == {"damkar-balikpapan"}

    def test_the_minimum_severity_is_respected(self, world, log):
        SubscriptionFactory(agency=world.c, areas=[world.areas.bontang], min_severity=Severity.SEVERE)
        assert _alerted(log(severity=Severity.MODERATE)) == set()

    def test_a_threat_over_a_whole_province_reaches_a_city_subscription(self, world, log):
        SubscriptionFactory(agency=world.c, areas=[world.areas.balikpapan_kota])
        assert _alerted(log(areas=[world.areas.province])) == {"damkar-balikpapan"}

    def test_severe_threats_reach_the_agencies_of_the_jurisdiction(self, world, log):
        assert _alerted(log(severity=Severity.SEVERE)) == {"bpbd-bontang"}  # A issues it, B covers Bontang

    def test_moderate_threats_do_not_reach_jurisdiction_without_subscription(self, world, log):
        assert _alerted(log(severity=Severity.MODERATE)) == set()

    def test_named_agencies_always_hear(self, world, log):
        assert _alerted(log(named_agencies=[world.c])) == {"damkar-balikpapan"}

    def test_inactive_agencies_never_hear(self, world, log):
        world.b.is_active = False
        world.b.save()
        assert _alerted(log(severity=Severity.EXTREME, named_agencies=[world.b])) == set()

    def test_a_secret_threat_goes_to_named_agencies_only(self, world, log):
        SubscriptionFactory(agency=world.c, areas=[world.areas.bontang])
        threat = log(severity=Severity.EXTREME, classification="secret", named_agencies=[world.b])
        assert _alerted(threat) == {"bpbd-bontang"}

    def test_a_secret_threat_needs_named_agencies(self, world, log):
        with pytest.raises(ValidationError) as exc:
            log(classification="secret")
        assert "named_agencies" in exc.value.message_dict


class TestFanOut:
    def test_every_member_gets_an_in_app_alert_and_liaisons_an_email(self, world, log):
        SubscriptionFactory(agency=world.c, areas=[world.areas.bontang], channel_email=True)
        threat = log()
        rows = set(Delivery.objects.filter(alert__threat=threat).values_list("channel", "user__username", "status"))
        assert rows == {
            ("in_app", "charlie", "sent"),
            ("in_app", "dave", "sent"),
            ("email", "charlie", "sent"),
            ("email", "dave", "sent"),
        }
        assert sorted(m.to[0] for m in mail.outbox) == ["charlie@example.test", "dave@example.test"]
        assert "Ancaman bom" in mail.outbox[0].subject

    def test_running_the_fan_out_again_creates_nothing(self, world, log):
        SubscriptionFactory(agency=world.c, areas=[world.areas.bontang], channel_email=True)
        threat = log()
        before = Delivery.objects.count()
        result = fanout.threat_fan_out(threat_id=threat.pk)
        assert result.skipped
        Threat.objects.filter(pk=threat.pk).update(fanned_out_revision=0)  # as if it crashed before recording
        fanout.threat_fan_out(threat_id=threat.pk)
        assert Delivery.objects.count() == before
        assert Alert.objects.filter(threat=threat).count() == 1
        assert len(mail.outbox) == 2

    def test_an_update_reaches_everyone_again(self, world, log, django_capture_on_commit_callbacks):
        SubscriptionFactory(agency=world.c, areas=[world.areas.bontang], channel_email=True)
        threat = log()
        with django_capture_on_commit_callbacks(execute=True):
            threat_services.threat_update(actor=world.alice, threat=threat, severity=Severity.SEVERE)
        threat.refresh_from_db()
        assert (threat.revision, threat.msg_type) == (2, "Update")
        # Severe now: BPBD, whose jurisdiction covers the area, joins the subscribers.
        assert set(Delivery.objects.filter(revision=2, channel="email").values_list("user__username", flat=True)) == {
            "charlie",
            "dave",
            "bob",
        }
        assert "PEMBARUAN" in mail.outbox[-1].subject  # "UPDATE": alerts go out in Indonesian, the default

    def test_cancel_is_sent_once(self, world, log, django_capture_on_commit_callbacks):
        SubscriptionFactory(agency=world.c, areas=[world.areas.bontang], channel_email=True)
        threat = log()
        with django_capture_on_commit_callbacks(execute=True):
            threat_services.threat_cancel(actor=world.alice, threat=threat, reason="False alarm")
            threat_services.threat_cancel(actor=world.alice, threat=threat, reason="again")
        threat.refresh_from_db()
        assert (threat.revision, threat.msg_type) == (2, "Cancel")
        assert len(mail.outbox) == 4

    def test_only_the_issuer_may_update(self, world, log):
        threat = log()
        with pytest.raises((PermissionDenied, ValidationError)):
            threat_services.threat_update(actor=world.charlie, threat=threat, headline="hijacked")
        threat.refresh_from_db()
        assert threat.headline == "Ancaman bom di pelabuhan"

    def test_a_broker_down_at_commit_still_saves_the_threat(
        self, world, monkeypatch, django_capture_on_commit_callbacks
    ):
        from incidents.threats import tasks

        def refuse(*args, **kwargs):
            raise ConnectionError("redis is down")

        monkeypatch.setattr(tasks.threat_fan_out, "apply_async", refuse)
        SubscriptionFactory(agency=world.c, areas=[world.areas.bontang])
        with django_capture_on_commit_callbacks(execute=True):
            threat = threat_services.threat_log(
                actor=world.alice, headline="X", category=category("fire"), areas=[world.areas.guntung]
            )
        assert Threat.objects.filter(pk=threat.pk, fanned_out_revision=0).exists()
        monkeypatch.undo()
        Threat.objects.filter(pk=threat.pk).update(updated_at=timezone.now() - datetime.timedelta(minutes=5))
        assert escalation.alerts_sweep().fanned_out == 1
        assert _alerted(threat) == {"damkar-balikpapan"}


class TestAcknowledgeAndEscalate:
    def test_any_member_acknowledges_once(self, world, log):
        SubscriptionFactory(agency=world.c, areas=[world.areas.bontang])
        alert = Alert.objects.get(threat=log())
        threat_services.alert_acknowledge(actor=world.charlie, alert=alert, response="Units dispatched")
        first = alert.acknowledged_at
        threat_services.alert_acknowledge(actor=world.dave, alert=alert, response="again")
        alert.refresh_from_db()
        assert (alert.acknowledged_by, alert.response, alert.acknowledged_at) == (
            world.charlie,
            "Units dispatched",
            first,
        )
        assert ThreatEvent.objects.filter(kind="acknowledged").count() == 1

    def test_another_agency_cannot_acknowledge(self, world, log):
        SubscriptionFactory(agency=world.c, areas=[world.areas.bontang])
        alert = Alert.objects.get(threat=log())
        with pytest.raises(PermissionDenied):
            threat_services.alert_acknowledge(actor=world.bob, alert=alert)
        alert.refresh_from_db()
        assert alert.acknowledged_at is None

    def test_unacknowledged_alerts_escalate_to_commander_and_duty_then_parent(self, world, log, settings):
        settings.SINERGI_ESCALATION_MINUTES = {"moderate": 10}
        parent = AgencyFactory(name="Polda", code="polda")
        MembershipFactory(agency=parent, user=UserFactory(username="pak-polda"), role="commander")
        world.c.parent = parent
        world.c.duty_email = "piket@damkar.example.id"
        world.c.save()
        SubscriptionFactory(agency=world.c, areas=[world.areas.bontang])
        threat = log()
        alert = Alert.objects.get(threat=threat)
        assert escalation.alerts_sweep().escalated == 0
        Alert.objects.filter(pk=alert.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=11))
        assert escalation.alerts_sweep().escalated == 1
        alert.refresh_from_db()
        assert alert.escalation_level == 1
        level1 = set(Delivery.objects.filter(escalation_level=1).values_list("channel", "recipient_key"))
        dave_id = world.dave.pk
        assert {
            ("in_app", f"esc1:user:{dave_id}"),
            ("email", f"esc1:user:{dave_id}"),
            ("email", f"duty:{world.c.pk}"),
        } <= level1
        assert "piket@damkar.example.id" in [m.to[0] for m in mail.outbox]
        Alert.objects.filter(pk=alert.pk).update(escalated_at=timezone.now() - datetime.timedelta(minutes=11))
        escalation.alerts_sweep()
        assert Alert.objects.get(threat=threat, agency=parent).reason == "escalation"
        assert Alert.objects.get(pk=alert.pk).escalation_level == 2

    def test_acknowledged_alerts_do_not_escalate(self, world, log):
        SubscriptionFactory(agency=world.c, areas=[world.areas.bontang])
        alert = Alert.objects.get(threat=log())
        threat_services.alert_acknowledge(actor=world.charlie, alert=alert)
        Alert.objects.filter(pk=alert.pk).update(created_at=timezone.now() - datetime.timedelta(days=1))
        assert escalation.alerts_sweep().escalated == 0


class TestVisibility:
    def test_a_confidential_threat_is_read_by_alerted_agencies_and_partners(self, world, log):
        SubscriptionFactory(agency=world.c, areas=[world.areas.bontang])
        threat = log(classification="confidential")
        assert threat_selectors.threat_list(user=world.charlie).filter(pk=threat.pk).exists()  # alerted
        assert threat_selectors.threat_list(user=world.bob).filter(pk=threat.pk).exists()  # partner of issuer
        assert not threat_selectors.threat_list(user=world.nobody).filter(pk=threat.pk).exists()

    def test_progress_counts_deliveries_and_acknowledgements(self, world, log):
        SubscriptionFactory(agency=world.c, areas=[world.areas.bontang], channel_email=True)
        threat = log()
        alert = Alert.objects.get(threat=threat)
        threat_services.alert_acknowledge(actor=world.charlie, alert=alert)
        progress = threat_selectors.threat_progress(threat=threat)
        assert progress["acknowledged"] == 1 and progress["alerts"] == 1
        assert progress["deliveries"] == {"sent": 4}


def test_a_secret_threat_never_escalates_to_an_unnamed_parent(world, log):
    parent = AgencyFactory(name="Polda", code="polda")
    world.b.parent = parent
    world.b.save()
    threat = log(classification="secret", named_agencies=[world.b])
    alert = Alert.objects.get(threat=threat)
    Alert.objects.filter(pk=alert.pk).update(
        escalation_level=1, escalated_at=timezone.now() - datetime.timedelta(days=1)
    )
    escalation.alert_escalate(alert_id=alert.pk)
    assert not Alert.objects.filter(threat=threat, agency=parent).exists()


def test_an_outsider_is_refused_not_asked_for_an_agency(world, log):
    threat = log()
    with pytest.raises(PermissionDenied):
        threat_services.threat_cancel(actor=world.charlie, threat=threat)
