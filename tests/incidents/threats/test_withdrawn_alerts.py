"""A threat made secret after its fan-out: the agencies that may no longer read it keep an
alert that shows nothing of it (withdrawn), waits for nothing, and gets nothing more.

Class 4 of issue 11 ("stored copies outlive the rule"): what a user reads is decided at read
time by the record's current rule.
"""

import pytest
from django.core import mail
from django.urls import reverse

from agencies.models import Classification, Membership, Severity
from incidents.models import Alert, Delivery, Threat
from incidents.threats import deliveries, escalation, fanout
from incidents.threats import selectors as threat_selectors
from incidents.threats import services as threat_services
from tests.factories import AgencyFactory, MembershipFactory, SubscriptionFactory, UserFactory, category

HEADLINE = "Rahasia: jaringan narkoba di dermaga Tanjung Laut"
D = Delivery.Status


@pytest.fixture
def held(monkeypatch):
    """Sends are queued but never run: the deliveries stay pending, as on a busy worker."""
    monkeypatch.setattr(fanout, "queue_now", lambda *args, **kwargs: True)


@pytest.fixture
def fanned(world, held, django_capture_on_commit_callbacks):
    """Alice (A) logs a confidential threat; Damkar (C) hears of it through its subscription
    (e-mail, SMS and a webhook, pending), BPBD (B) is named."""
    SubscriptionFactory(
        agency=world.c,
        areas=[world.areas.bontang],
        channel_email=True,
        channel_sms=True,
        channel_webhook=True,
        webhook_url="https://hooks.example.org/sinergi",
    )
    Membership.objects.filter(user=world.charlie).update(phone="+6281200000001")
    with django_capture_on_commit_callbacks(execute=True):
        threat = threat_services.threat_log(
            actor=world.alice,
            headline=HEADLINE,
            description="Detail operasi tertutup",
            category=category("terrorism-threat"),
            areas=[world.areas.guntung],
            severity=Severity.SEVERE,
            classification=Classification.CONFIDENTIAL,
            named_agencies=[world.b],
        )
    alert_c = Alert.objects.get(threat=threat, agency=world.c)
    assert Delivery.objects.filter(alert=alert_c, status=D.QUEUED).exclude(channel=Delivery.Channel.IN_APP).count() >= 3
    return threat


def _make_secret(world, threat, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        threat_services.threat_update(
            actor=world.alice, threat=threat, classification=Classification.SECRET, named_agencies=[world.b]
        )


@pytest.fixture
def secret(world, fanned, django_capture_on_commit_callbacks):
    _make_secret(world, fanned, django_capture_on_commit_callbacks)
    fanned.refresh_from_db()
    assert fanned.revision == 2
    return fanned


def _alert_c(world, threat):
    return Alert.objects.get(threat=threat, agency=world.c)


class TestDeliveries:
    def test_the_pending_deliveries_of_the_agency_that_lost_the_threat_are_cancelled(self, world, secret):
        rows = Delivery.objects.filter(alert=_alert_c(world, secret)).exclude(channel=Delivery.Channel.IN_APP)
        assert rows.exists()
        assert set(rows.values_list("status", flat=True)) == {D.CANCELLED}

    def test_the_named_agency_keeps_its_pending_deliveries(self, world, secret):
        alert_b = Alert.objects.get(threat=secret, agency=world.b)
        assert Delivery.objects.filter(alert=alert_b, status=D.QUEUED, revision=secret.revision).exists()

    def test_the_senders_send_nothing_more(self, world, secret):
        ids = list(Delivery.objects.filter(alert=_alert_c(world, secret)).values_list("pk", flat=True))
        for channel in (Delivery.Channel.EMAIL, Delivery.Channel.SMS, Delivery.Channel.WEBHOOK):
            assert deliveries.deliveries_send(channel=channel, ids=ids).sent == 0
        assert mail.outbox == []

    def test_the_senders_check_again_before_they_send(self, world, fanned, monkeypatch):
        """Made secret behind the service's back (an admin, a race): the claim is read again."""
        posted = []
        monkeypatch.setattr(deliveries, "webhook_post", lambda **kwargs: posted.append(kwargs))
        Threat.objects.filter(pk=fanned.pk).update(classification=Classification.SECRET)
        alert_c = _alert_c(world, fanned)
        for channel in (Delivery.Channel.EMAIL, Delivery.Channel.SMS, Delivery.Channel.WEBHOOK):
            ids = list(Delivery.objects.filter(alert=alert_c, channel=channel).values_list("pk", flat=True))
            result = deliveries.deliveries_send(channel=channel, ids=ids)
            assert (result.sent, result.cancelled) == (0, len(ids))
        assert mail.outbox == [] and posted == []
        assert not Delivery.objects.filter(alert=alert_c, status__in=[D.QUEUED, D.SENDING, D.RETRYING]).exists()

    def test_the_new_revision_reaches_no_member_of_the_agency_that_lost_it(self, world, secret):
        assert not Delivery.objects.filter(alert=_alert_c(world, secret), revision=secret.revision).exists()

    def test_a_withdrawn_alert_is_never_escalated(self, world, secret):
        alert_c = _alert_c(world, secret)
        before = Delivery.objects.filter(alert=alert_c).count()
        assert escalation.alert_escalate(alert_id=alert_c.pk) == 0
        assert Delivery.objects.filter(alert=alert_c).count() == before
        assert Alert.objects.get(pk=alert_c.pk).escalation_level == 0

    def test_a_secret_threat_without_an_issuing_agency_withdraws_too(self, world, fanned):
        Threat.objects.filter(pk=fanned.pk).update(classification=Classification.SECRET, issuing_agency=None)
        assert deliveries.deliveries_cancel_withdrawn(threat_id=fanned.pk) >= 3


class TestApi:
    def test_the_alert_list_and_detail_show_it_withdrawn_without_its_text(self, world, api_as, secret):
        client = api_as(world.charlie)
        alert_c = _alert_c(world, secret)
        listing = client.get("/api/v1/alerts/")
        detail = client.get(f"/api/v1/alerts/{alert_c.pk}/")
        assert listing.status_code == detail.status_code == 200
        (row,) = [r for r in listing.json()["results"] if r["id"] == alert_c.pk]
        for data in (row, detail.json()):
            assert data["status"] == "withdrawn"
            assert data["threat"] is None
        assert HEADLINE not in listing.content.decode() + detail.content.decode()

    def test_the_inbox_shows_it_withdrawn_and_counts_it_nowhere(self, world, api_as, secret):
        client = api_as(world.charlie)
        inbox = client.get("/api/v1/inbox/")
        assert inbox.status_code == 200
        rows = inbox.json()["results"]
        assert rows and all(r["status"] == "withdrawn" and r["threat"] is None for r in rows)
        assert HEADLINE not in inbox.content.decode()
        assert client.get("/api/v1/inbox/counts/").json() == {"unread": 0, "unacknowledged": 0}

    def test_acknowledging_it_is_refused_and_changes_nothing(self, world, api_as, secret):
        alert_c = _alert_c(world, secret)
        response = api_as(world.charlie).post(f"/api/v1/alerts/{alert_c.pk}/acknowledge/", {}, format="json")
        assert response.status_code == 400
        assert Alert.objects.get(pk=alert_c.pk).acknowledged_at is None

    def test_the_named_agency_still_reads_it(self, world, api_as, secret):
        client = api_as(world.bob)
        alert_b = Alert.objects.get(threat=secret, agency=world.b)
        data = client.get(f"/api/v1/alerts/{alert_b.pk}/").json()
        assert data["status"] == "open"
        assert data["threat"]["headline"] == HEADLINE

    def test_the_issuer_sees_the_withdrawn_alert_in_the_progress(self, world, api_as, secret):
        data = api_as(world.alice).get(f"/api/v1/threats/{secret.pk}/progress/").json()
        by_agency = {a["agency_id"]: a for a in data["agencies"]}
        assert by_agency[world.c.pk]["withdrawn"] is True
        assert by_agency[world.b.pk]["withdrawn"] is False


class TestPages:
    def test_the_inbox_page_shows_it_withdrawn_without_its_text(self, client, world, secret):
        client.force_login(world.charlie)
        response = client.get(reverse("alert-inbox"))
        assert response.status_code == 200
        body = response.content.decode()
        assert HEADLINE not in body
        assert 'data-status="withdrawn"' in body

    def test_the_inbox_filters_say_nothing_of_it(self, client, world, secret):
        client.force_login(world.charlie)
        for query in ("?show=unacknowledged", "?show=unread", f"?min_severity={Severity.SEVERE}"):
            body = client.get(reverse("alert-inbox") + query).content.decode()
            assert HEADLINE not in body
            assert 'data-status="withdrawn"' not in body

    def test_the_alert_page_shows_it_withdrawn_without_its_text(self, client, world, secret):
        client.force_login(world.charlie)
        response = client.get(reverse("alert-detail", args=[_alert_c(world, secret).pk]))
        assert response.status_code == 200
        body = response.content.decode()
        assert HEADLINE not in body and "Detail operasi tertutup" not in body
        assert 'data-status="withdrawn"' in body
        assert 'data-testid="ack-form"' not in body

    def test_the_bell_counts_it_nowhere(self, client, world, secret):
        client.force_login(world.charlie)
        assert threat_selectors.inbox_counts(user=world.charlie) == {"unread": 0, "unacknowledged": 0}
        body = client.get(reverse("alert-badge")).content.decode()
        assert HEADLINE not in body

    def test_a_member_who_left_the_agency_no_longer_reads_its_alerts(self, client, api_as, world, fanned):
        """The rule is the reader's membership now, not the one the delivery was made for."""
        Membership.objects.filter(user=world.charlie, agency=world.c).update(is_active=False)
        client.force_login(world.charlie)
        assert HEADLINE not in client.get(reverse("alert-inbox")).content.decode()
        assert HEADLINE not in api_as(world.charlie).get("/api/v1/inbox/").content.decode()
        assert threat_selectors.inbox_counts(user=world.charlie)["unread"] == 0

    def test_posting_an_acknowledgement_is_refused(self, client, world, secret):
        client.force_login(world.charlie)
        alert_c = _alert_c(world, secret)
        client.post(reverse("alert-acknowledge", args=[alert_c.pk]), {"quick": "monitoring"})
        assert Alert.objects.get(pk=alert_c.pk).acknowledged_at is None


@pytest.mark.parametrize("classification", list(Classification.values))
@pytest.mark.parametrize("relation", ["issuer", "named", "alerted"])
def test_an_alert_is_live_exactly_when_its_agency_reads_the_threat(world, classification, relation):
    """`alert_live_q` is `threat_visibility_q` for a member of the alerted agency alone."""
    agency = AgencyFactory()
    member = MembershipFactory(user=UserFactory(), agency=agency, role=Membership.Role.VIEWER).user
    threat = Threat.objects.create(
        identifier=f"t-{classification}-{relation}",
        sender="x",
        sent_at="2026-01-01T00:00:00Z",
        headline="h",
        category=category("terrorism-threat"),
        classification=classification,
        issuing_agency=agency if relation == "issuer" else world.a,
    )
    if relation == "named":
        threat.named_agencies.add(agency)
    alert = Alert.objects.create(threat=threat, agency=agency, reason=Alert.Reason.SUBSCRIPTION)
    readable = threat_selectors.threat_list(user=member).filter(pk=threat.pk).exists()
    assert Alert.objects.filter(threat_selectors.alert_live_q(), pk=alert.pk).exists() is readable
