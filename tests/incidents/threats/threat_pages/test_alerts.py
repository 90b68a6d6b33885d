"""The alert inbox, acknowledgements, the issuer's progress view and the bell.

Who sees which alert, reading and acknowledging it (in each reader's language, twice
harmlessly), when the progress partial polls, bounded queries for the progress, list and
inbox, and the bell's counts.
"""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse

from agencies.models import Membership, Severity
from incidents.context_processors import inbox_badge
from incidents.models import Alert, Delivery, ThreatEvent
from incidents.threats import services as threat_services
from tests.factories import AgencyFactory, MembershipFactory, SubscriptionFactory, UserFactory, category
from tests.incidents.threats.threat_pages.helpers import HX

pytestmark = pytest.mark.django_db


# --- Inbox and acknowledgement -------------------------------------------------------------


def test_charlie_sees_the_alert_in_his_inbox_with_the_badge_counts(client, world, threat):
    client.force_login(world.charlie)
    response = client.get(reverse("alert-inbox"))
    body = response.content.decode()
    assert response.status_code == 200
    assert threat.headline in body
    assert 'data-unread="true"' in body  # shown in bold until opened
    assert response.context["inbox_badge"]["unread"] == 1
    assert response.context["inbox_badge"]["unacknowledged"] == 1
    assert 'data-testid="nav-alerts-unread"' in body  # the bell in the navbar
    assert "1 unread · 1 waiting for your agency's acknowledgement" in body


def test_alice_has_no_alert_of_her_own_threat(client, world, threat):
    client.force_login(world.alice)
    response = client.get(reverse("alert-inbox"))
    assert 'data-testid="inbox-empty"' in response.content.decode()
    assert response.context["inbox_badge"]["unread"] == 0


def test_opening_the_alert_marks_it_read(client, world, threat):
    alert = Alert.objects.get(threat=threat)
    client.force_login(world.charlie)
    response = client.get(reverse("alert-detail", args=[alert.pk]))
    assert response.status_code == 200
    assert threat.headline in response.content.decode()
    assert not Delivery.objects.filter(user=world.charlie, channel="in_app", read_at__isnull=True).exists()
    assert Delivery.objects.filter(user=world.dave, read_at__isnull=True).exists()  # dave has not read it
    assert 'data-unread="false"' in client.get(reverse("alert-inbox")).content.decode()


def test_an_alert_of_another_agency_is_404(client, world, threat):
    alert = Alert.objects.get(threat=threat)
    client.force_login(world.bob)
    assert client.get(reverse("alert-detail", args=[alert.pk])).status_code == 404
    assert client.post(reverse("alert-acknowledge", args=[alert.pk]), {"quick": "dispatched"}).status_code == 404
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def test_charlie_acknowledges_and_the_row_and_alices_progress_say_so(client, world, threat):
    alert = Alert.objects.get(threat=threat)
    client.force_login(world.charlie)
    response = client.post(
        reverse("alert-acknowledge", args=[alert.pk]),
        {"quick": "dispatched", "response": "2 regu ke Lok Tuan", "place": "row"},
        **HX,
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith("<li")  # the inbox row, swapped in place
    assert 'data-acknowledged="true"' in body
    assert "Acknowledged for Damkar Balikpapan by" in body
    assert "Units dispatched: 2 regu ke Lok Tuan" in body
    assert 'data-testid="ack-form"' not in body
    # The inbox's heading is swapped out of band with the row: nothing is waiting any more.
    summary = re.search(r'<span[^>]*id="inbox-summary"[^>]*hx-swap-oob="true"[^>]*>(.*?)</span>', body, re.S)
    assert summary and "0 waiting for your agency" in summary.group(1)
    alert.refresh_from_db()
    assert (alert.acknowledged_by, alert.quick_response, alert.response) == (
        world.charlie,
        "dispatched",
        "2 regu ke Lok Tuan",
    )
    assert client.get(reverse("alert-inbox")).context["inbox_badge"]["unacknowledged"] == 0

    client.force_login(world.alice)
    progress = client.get(reverse("threat-progress", args=[threat.pk]), **HX).content.decode()
    assert 'data-acknowledged="true"' in progress
    assert "Damkar Balikpapan" in progress
    assert "Units dispatched: 2 regu ke Lok Tuan" in progress
    assert "1 of 1 agencies acknowledged" in progress


def test_a_quick_acknowledgement_reads_in_each_readers_language(client, world, threat):
    alert = Alert.objects.get(threat=threat)
    client.force_login(world.charlie)
    client.post(
        reverse("alert-acknowledge", args=[alert.pk]),
        {"quick": "dispatched", "response": "2 regu ke Lok Tuan"},
        HTTP_ACCEPT_LANGUAGE="id",
    )
    alert.refresh_from_db()
    assert (alert.quick_response, alert.response) == ("dispatched", "2 regu ke Lok Tuan")

    client.force_login(world.alice)
    url = reverse("threat-detail", args=[threat.pk])
    client.cookies["django_language"] = "en"
    english = client.get(url).content.decode()
    client.cookies["django_language"] = "id"
    indonesian = client.get(url).content.decode()
    assert "Units dispatched: 2 regu ke Lok Tuan" in english and "Unit dikerahkan" not in english
    assert "Unit dikerahkan: 2 regu ke Lok Tuan" in indonesian and "Units dispatched" not in indonesian


def test_acknowledging_again_is_harmless(client, world, threat):
    alert = Alert.objects.get(threat=threat)
    client.force_login(world.charlie)
    client.post(reverse("alert-acknowledge", args=[alert.pk]), {"quick": "monitoring"})
    client.force_login(world.dave)
    response = client.post(reverse("alert-acknowledge", args=[alert.pk]), {"quick": "not_ours"}, **HX)
    assert response.status_code == 200
    assert 'data-acknowledged="true"' in response.content.decode()
    response = client.post(reverse("alert-acknowledge", args=[alert.pk]), {"quick": "not_ours"})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert (alert.acknowledged_by, alert.quick_response, alert.response) == (world.charlie, "monitoring", "")
    assert ThreatEvent.objects.filter(threat=threat, kind="acknowledged").count() == 1


def test_a_plain_acknowledgement_redirects_back(client, world, threat):
    alert = Alert.objects.get(threat=threat)
    client.force_login(world.charlie)
    response = client.post(
        reverse("alert-acknowledge", args=[alert.pk]), {"response": "Dipantau", "next": reverse("alert-inbox")}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("alert-inbox")
    alert.refresh_from_db()
    assert alert.response == "Dipantau"


def test_the_inbox_filters_unacknowledged_and_severity(client, world, log, subscribed):
    severe = log(headline="Ledakan di pabrik pupuk", category=category("terrorism-explosive"), severity=Severity.SEVERE)
    subscribed.min_severity = Severity.MINOR
    subscribed.save()
    log(headline="Paket mencurigakan", severity=Severity.MINOR)
    threat_services.alert_acknowledge(actor=world.charlie, alert=Alert.objects.get(threat=severe, agency=world.c))
    client.force_login(world.charlie)

    def headlines(**params):
        body = client.get(reverse("alert-inbox"), params, **HX).content.decode()
        return {h for h in ("Paket mencurigakan", "Ledakan di pabrik pupuk") if h in body}

    assert headlines() == {"Paket mencurigakan", "Ledakan di pabrik pupuk"}
    assert headlines(show="unacknowledged") == {"Paket mencurigakan"}
    assert headlines(min_severity=Severity.SEVERE) == {"Ledakan di pabrik pupuk"}


# --- Progress and polling ------------------------------------------------------------------


def test_the_progress_polls_while_an_alert_is_unacknowledged(client, world, threat):
    client.force_login(world.alice)
    response = client.get(reverse("threat-progress", args=[threat.pk]), **HX)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'hx-trigger="every 3s"' in body
    assert 'data-settled="false"' in body
    assert 'data-acknowledged="false"' in body


def test_the_progress_stops_polling_once_everything_is_settled(client, world, threat):
    threat_services.alert_acknowledge(actor=world.dave, alert=Alert.objects.get(threat=threat), response="OK")
    client.force_login(world.alice)
    response = client.get(reverse("threat-progress", args=[threat.pk]), **HX)
    body = response.content.decode()
    assert response.status_code == 286  # htmx: stop polling
    assert "hx-trigger" not in body
    assert 'data-settled="true"' in body
    # The page itself starts without polling too.
    page = client.get(reverse("threat-detail", args=[threat.pk])).content.decode()
    assert 'hx-trigger="every 3s"' not in page


def test_the_progress_polls_while_a_delivery_is_pending_even_when_acknowledged(client, world, threat):
    alert = Alert.objects.get(threat=threat)
    threat_services.alert_acknowledge(actor=world.dave, alert=alert)
    Delivery.objects.filter(alert=alert, user=world.dave).update(status=Delivery.Status.RETRYING)
    client.force_login(world.alice)
    response = client.get(reverse("threat-progress", args=[threat.pk]), **HX)
    assert response.status_code == 200
    assert 'hx-trigger="every 3s"' in response.content.decode()


def test_the_alerted_agency_sees_its_own_alert_only(client, world, threat):
    other = AgencyFactory(name="Basarnas Bontang", code="basarnas-btg")
    Alert.objects.create(threat=threat, agency=other, reason=Alert.Reason.NAMED)
    client.force_login(world.charlie)
    body = client.get(reverse("threat-detail", args=[threat.pk])).content.decode()
    assert "Damkar Balikpapan" in body
    assert "Basarnas Bontang" not in body
    assert "Your agency's alert" in body


def test_the_detail_shows_the_cap_link_and_the_timeline(client, world, threat):
    client.force_login(world.alice)
    body = client.get(reverse("threat-detail", args=[threat.pk])).content.decode()
    assert f'href="/api/v1/threats/{threat.pk}/cap.xml"' in body
    assert 'data-kind="logged"' in body
    assert 'data-kind="fanned_out"' in body
    assert "WITA" in body


# --- Bounded queries -----------------------------------------------------------------------


@pytest.fixture
def crowd(world, areas):
    """30 more agencies subscribed to Bontang, each with two members."""
    agencies = []
    for i in range(30):
        agency = AgencyFactory(name=f"Satgas {i:02}", code=f"satgas-{i:02}")
        for role in (Membership.Role.LIAISON, Membership.Role.COMMANDER):
            MembershipFactory(user=UserFactory(username=f"satgas-{i:02}-{role}"), agency=agency, role=role)
        SubscriptionFactory(agency=agency, areas=[areas.bontang], channel_email=True)
        agencies.append(agency)
    return agencies


def test_the_progress_partial_makes_a_bounded_number_of_queries(
    client, world, log, crowd, subscribed, django_assert_max_num_queries
):
    threat = log()
    assert Alert.objects.filter(threat=threat).count() == 31
    client.force_login(world.alice)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("threat-progress", args=[threat.pk]), **HX)
    assert response.content.decode().count('data-testid="progress-row"') == 31
    with django_assert_max_num_queries(25):
        client.get(reverse("threat-detail", args=[threat.pk]))


def test_the_list_and_the_inbox_make_a_bounded_number_of_queries(
    client, world, log, subscribed, django_assert_max_num_queries
):
    for i in range(30):
        log(headline=f"Ancaman {i:02}", areas=[world.areas.guntung, world.areas.bontang_utara])
    client.force_login(world.charlie)
    with django_assert_max_num_queries(16):
        body = client.get(reverse("threat-list")).content.decode()
    assert body.count('data-testid="threat-row"') == 25
    with django_assert_max_num_queries(16):
        body = client.get(reverse("alert-inbox")).content.decode()
    assert body.count('data-testid="inbox-row"') == 25


# --- The bell's context processor ----------------------------------------------------------


def test_the_badge_costs_no_query_for_an_anonymous_visitor(django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        context = inbox_badge(request)
        assert context["inbox_badge"]["unread"] == 0
        assert context["inbox_badge"]["unacknowledged"] == 0


def test_the_badge_counts_only_when_read(world, threat, django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user = world.charlie
    with django_assert_num_queries(0):
        context = inbox_badge(request)
    with django_assert_num_queries(3):  # the user's agencies, then the two counts
        assert context["inbox_badge"]["unread"] == 1
        assert context["inbox_badge"]["unacknowledged"] == 1


def test_a_cancelled_threat_is_not_waiting_for_acknowledgement(world, threat):
    threat_services.threat_cancel(actor=world.alice, threat=threat, reason="Aman")
    request = RequestFactory().get("/")
    request.user = world.charlie
    assert inbox_badge(request)["inbox_badge"]["unacknowledged"] == 0


def test_the_bell_refreshes_itself_with_the_counts(client, world, threat):
    client.force_login(world.charlie)
    response = client.get(reverse("alert-badge"), **HX)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-unread="1"' in body
    assert 'data-unacknowledged="1"' in body
    assert 'hx-trigger="every 30s, alerts-changed from:body"' in body


def test_the_bell_of_an_ended_session_stops_polling_and_disappears(client, world):
    response = client.get(reverse("alert-badge"), **HX)
    assert response.status_code == 286
    assert response.content == b""


def test_an_acknowledgement_tells_the_bell_to_refresh(client, world, threat):
    alert = Alert.objects.get(threat=threat)
    client.force_login(world.charlie)
    response = client.post(reverse("alert-acknowledge", args=[alert.pk]), {"quick": "monitoring"}, **HX)
    assert response["HX-Trigger"] == "alerts-changed"
