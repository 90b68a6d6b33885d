"""The threat pages and the alert inbox, tried by each persona of tests/conftest.py.

alice (liaison of A, the issuer), carol (commander of A), vera (viewer of A), bob (liaison of
B, A's information-sharing partner), charlie and dave (liaison and commander of C, an outsider
that subscribes to Bontang), nobody, admin and the anonymous visitor. What a persona may not
read answers 404 and appears nowhere; what it may read but not change answers 403 and changes
nothing.
"""

import datetime
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse

from agencies.models import Classification, Membership, Severity
from incidents import services
from incidents.context_processors import inbox_badge
from incidents.models import Alert, Delivery, Threat, ThreatEvent
from incidents.threats import services as threat_services
from tests.factories import AgencyFactory, MembershipFactory, SubscriptionFactory, UserFactory, category

pytestmark = pytest.mark.django_db

SECRET_HEADLINE = "Rencana sabotase kilang LNG"
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _english(settings):
    """Assertions read English msgids, whatever the Indonesian catalogue says."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def log(world, django_capture_on_commit_callbacks):
    """Log a threat through the service and run its fan-out (eager Celery) on commit."""

    def _log(actor=None, **fields):
        defaults = {
            "headline": "Ancaman bom di pelabuhan Lok Tuan",
            "category": category("terrorism-threat"),
            "areas": [world.areas.guntung],
            "severity": Severity.MODERATE,
        }
        defaults.update(fields)
        with django_capture_on_commit_callbacks(execute=True):
            return threat_services.threat_log(actor=actor or world.alice, **defaults)

    return _log


@pytest.fixture
def subscribed(world):
    """C (charlie, dave) wants the terrorism alerts about Bontang, in the app."""
    subscription = SubscriptionFactory(agency=world.c, areas=[world.areas.bontang])
    subscription.category_codes.create(code="terrorism")
    return subscription


@pytest.fixture
def threat(log, subscribed):
    """A restricted threat of A that reaches C through its subscription."""
    return log()


@pytest.fixture
def confidential(log):
    """A confidential threat of A that C is not alerted to (C subscribes to terrorism only)."""
    return log(
        headline=SECRET_HEADLINE, category=category("narcotics-trafficking"), classification=Classification.CONFIDENTIAL
    )


def _form_data(world, **overrides):
    data = {
        "headline": "Unjuk rasa besar di Simpang Tugu",
        "description": "Massa sekitar 500 orang bergerak ke kantor wali kota.",
        "instruction": "Siagakan personel di sekitar Simpang Tugu.",
        "category": category("terrorism-threat").pk,
        "severity": Severity.MODERATE,
        "urgency": 3,
        "certainty": 3,
        "classification": Classification.RESTRICTED,
        "areas": [world.areas.bontang.pk],
        "effective_at": "",
        "expires_at": "",
    }
    data.update(overrides)
    return data


def _snapshot(threat):
    threat.refresh_from_db()
    return (
        threat.revision,
        threat.msg_type,
        threat.headline,
        ThreatEvent.objects.filter(threat=threat).count(),
        Threat.objects.count(),
    )


def _threat_urls(threat):
    return {
        "detail": reverse("threat-detail", args=[threat.pk]),
        "edit": reverse("threat-edit", args=[threat.pk]),
        "progress": reverse("threat-progress", args=[threat.pk]),
    }


def _posts(world, threat):
    return {
        "create": (reverse("threat-create"), _form_data(world)),
        "edit": (reverse("threat-edit", args=[threat.pk]), _form_data(world, headline="Changed")),
        "cancel": (reverse("threat-cancel", args=[threat.pk]), {"reason": "Salah alarm"}),
    }


# --- Anonymous -----------------------------------------------------------------------------


def test_every_threat_and_alert_page_sends_the_anonymous_visitor_to_the_login_page(client, world, threat):
    alert = Alert.objects.get(threat=threat)
    urls = [
        reverse("threat-list"),
        reverse("threat-create"),
        reverse("alert-inbox"),
        reverse("alert-detail", args=[alert.pk]),
        *_threat_urls(threat).values(),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"{reverse('login')}?next={url}"


def test_an_anonymous_post_changes_nothing(client, world, threat):
    alert = Alert.objects.get(threat=threat)
    before = _snapshot(threat)
    posts = [*_posts(world, threat).values(), (reverse("alert-acknowledge", args=[alert.pk]), {"quick": "dispatched"})]
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert _snapshot(threat) == before
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


# --- Visibility ----------------------------------------------------------------------------


def test_charlie_gets_404_on_a_confidential_threat_he_was_not_alerted_to(client, world, confidential):
    client.force_login(world.charlie)
    before = _snapshot(confidential)
    for name, url in _threat_urls(confidential).items():
        response = client.get(url)
        assert response.status_code == 404, name
        assert SECRET_HEADLINE not in response.content.decode()
    for name, (url, data) in _posts(world, confidential).items():
        if name == "create":
            continue
        response = client.post(url, data)
        assert response.status_code == 404, name
        assert SECRET_HEADLINE not in response.content.decode()
    assert _snapshot(confidential) == before


def test_the_confidential_headline_never_reaches_charlies_list(client, world, threat, confidential):
    client.force_login(world.charlie)
    pages = [
        client.get(reverse("threat-list")),
        client.get(reverse("threat-list"), {"q": "sabotase"}),
        client.get(reverse("threat-list"), {"category": "terrorism"}, **HX),
        client.get(reverse("alert-inbox")),
    ]
    for response in pages:
        assert response.status_code == 200
        assert SECRET_HEADLINE not in response.content.decode()
    assert threat.headline in pages[0].content.decode()  # restricted: every member reads it


def test_bob_reads_his_partners_confidential_threat_but_not_who_was_alerted(client, world, log, subscribed):
    confidential = log(headline=SECRET_HEADLINE, classification=Classification.CONFIDENTIAL)
    client.force_login(world.bob)
    body = client.get(reverse("threat-detail", args=[confidential.pk])).content.decode()
    assert SECRET_HEADLINE in body
    assert "Damkar Balikpapan" not in body  # the alerted agency's progress is the issuer's to see
    assert 'data-testid="edit-threat"' not in body


# --- Roles: vera reads but does not act -----------------------------------------------------


def test_vera_gets_403_on_create_edit_and_cancel_and_nothing_changes(client, world, threat):
    client.force_login(world.vera)
    before = _snapshot(threat)
    assert client.get(reverse("threat-create")).status_code == 403
    assert client.get(reverse("threat-edit", args=[threat.pk])).status_code == 403
    for name, (url, data) in _posts(world, threat).items():
        response = client.post(url, data)
        assert response.status_code == 403, name
        assert 'data-testid="forbidden"' in response.content.decode()
    assert _snapshot(threat) == before


def test_vera_sees_the_threat_and_its_progress_without_the_issuers_buttons(client, world, threat):
    client.force_login(world.vera)
    body = client.get(reverse("threat-detail", args=[threat.pk])).content.decode()
    assert threat.headline in body
    assert "Damkar Balikpapan" in body  # a member of the issuing agency follows the fan-out
    assert 'data-testid="edit-threat"' not in body
    assert 'data-testid="cancel-dialog"' not in body


def test_charlie_cannot_change_a_threat_he_was_alerted_to(client, world, threat):
    client.force_login(world.charlie)
    before = _snapshot(threat)
    for name in ("edit", "cancel"):
        url, data = _posts(world, threat)[name]
        assert client.post(url, data).status_code == 403, name
    assert _snapshot(threat) == before


# --- Logging, updating, cancelling ---------------------------------------------------------


def test_alice_logs_a_threat_through_the_form_and_the_subscribed_agency_is_alerted(
    client, world, subscribed, django_capture_on_commit_callbacks
):
    client.force_login(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("threat-create"), _form_data(world))
    threat = Threat.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("threat-detail", args=[threat.pk])
    assert threat.issuing_agency == world.a
    assert threat.created_by == world.alice
    assert list(threat.areas.all()) == [world.areas.bontang]
    assert threat.instruction == "Siagakan personel di sekitar Simpang Tugu."
    assert set(Alert.objects.filter(threat=threat).values_list("agency__code", flat=True)) == {"damkar-balikpapan"}
    assert set(
        Delivery.objects.filter(alert__threat=threat, channel="in_app").values_list("user__username", flat=True)
    ) == {"charlie", "dave"}


def test_the_form_reads_times_in_the_areas_zone(client, world, subscribed):
    client.force_login(world.alice)
    client.post(
        reverse("threat-create"),
        _form_data(world, effective_at="2030-05-03T08:00", expires_at="2030-05-03T20:00"),
    )
    threat = Threat.objects.get()
    # Bontang is WITA (UTC+8): 08:00 local is 00:00 UTC.
    assert threat.effective_at == datetime.datetime(2030, 5, 3, 0, 0, tzinfo=datetime.UTC)
    assert threat.expires_at == datetime.datetime(2030, 5, 3, 12, 0, tzinfo=datetime.UTC)
    body = client.get(reverse("threat-detail", args=[threat.pk])).content.decode()
    assert "3 May 2030 08:00" in body
    assert "WITA" in body


def test_a_bad_form_re_renders_with_errors_and_saves_nothing(client, world, subscribed):
    client.force_login(world.alice)
    response = client.post(
        reverse("threat-create"),
        _form_data(world, areas=[], effective_at="2030-05-03T08:00", expires_at="2030-05-02T08:00"),
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert 'data-testid="form-errors"' in body
    assert "Choose at least one area." in body
    assert "The threat must expire after it takes effect." in body
    assert "Unjuk rasa besar di Simpang Tugu" in body  # what was typed is kept
    assert Threat.objects.count() == 0
    assert Alert.objects.count() == 0


def test_an_area_outside_the_jurisdiction_is_refused(client, world):
    client.force_login(world.alice)
    response = client.post(reverse("threat-create"), _form_data(world, areas=[world.areas.balikpapan.pk]))
    assert response.status_code == 400
    assert Threat.objects.count() == 0


def test_the_area_choices_are_the_jurisdiction_down_to_districts(client, world):
    client.force_login(world.alice)
    body = client.get(reverse("threat-create")).content.decode()
    assert f'id="area-{world.areas.bontang.pk}"' in body
    assert f'id="area-{world.areas.bontang_utara.pk}"' in body
    assert f'id="area-{world.areas.guntung.pk}"' not in body  # villages: no
    assert f'id="area-{world.areas.balikpapan.pk}"' not in body  # elsewhere: no


def test_a_secret_threat_without_named_agencies_is_refused_by_the_service(client, world):
    client.force_login(world.alice)
    response = client.post(reverse("threat-create"), _form_data(world, classification=Classification.SECRET))
    assert response.status_code == 400
    assert "name at least one" in response.content.decode()
    assert Threat.objects.count() == 0


def test_alice_updates_the_threat_and_every_recipient_hears_again(
    client, world, threat, django_capture_on_commit_callbacks
):
    client.force_login(world.alice)
    assert client.get(reverse("threat-edit", args=[threat.pk])).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("threat-edit", args=[threat.pk]),
            _form_data(
                world, headline="Ancaman bom: area diperluas", severity=Severity.SEVERE, expires_at="2030-05-03T20:00"
            ),
        )
    assert response.status_code == 302
    threat.refresh_from_db()
    assert (threat.revision, threat.msg_type, threat.severity) == (2, "Update", Severity.SEVERE)
    assert Delivery.objects.filter(alert__threat=threat, revision=2, user=world.charlie).exists()
    timeline = client.get(reverse("threat-detail", args=[threat.pk])).content.decode()
    assert 'data-kind="updated"' in timeline
    assert "Severe" in timeline
    assert "3 May 2030 20:00 WITA" in timeline  # the change, in the area's local time


def test_alice_cancels_with_a_reason(client, world, threat, django_capture_on_commit_callbacks):
    client.force_login(world.alice)
    body = client.get(reverse("threat-detail", args=[threat.pk])).content.decode()
    assert 'data-testid="cancel-dialog"' in body
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("threat-cancel", args=[threat.pk]), {"reason": "Salah alarm, sudah diperiksa"})
    assert response.status_code == 302
    threat.refresh_from_db()
    assert threat.msg_type == "Cancel"
    assert ThreatEvent.objects.filter(threat=threat, kind="cancelled", message="Salah alarm, sudah diperiksa").exists()
    body = client.get(reverse("threat-detail", args=[threat.pk])).content.decode()
    assert 'data-testid="cancelled-note"' in body
    assert 'data-testid="cancel-dialog"' not in body


def test_a_cancel_without_a_reason_changes_nothing(client, world, threat):
    client.force_login(world.alice)
    before = _snapshot(threat)
    response = client.post(reverse("threat-cancel", args=[threat.pk]), {"reason": ""})
    assert response.status_code == 400
    assert _snapshot(threat) == before


def test_alice_raises_a_threat_from_an_incident(client, world, subscribed, django_capture_on_commit_callbacks):
    incident = services.incident_create(
        actor=world.alice,
        title="Bom rakitan di gudang",
        category=category("terrorism-explosive"),
        area=world.areas.guntung,
    )
    client.force_login(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("threat-from-incident", args=[incident.pk]))
    threat = Threat.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("threat-detail", args=[threat.pk])
    assert (threat.incident, threat.headline, threat.issuing_agency) == (incident, "Bom rakitan di gudang", world.a)
    assert Alert.objects.filter(threat=threat, agency=world.c).exists()


def test_vera_cannot_raise_a_threat_from_an_incident(client, world):
    incident = services.incident_create(
        actor=world.alice, title="Kebakaran gudang", category=category("fire-building"), area=world.areas.guntung
    )
    client.force_login(world.vera)
    assert client.post(reverse("threat-from-incident", args=[incident.pk])).status_code == 403
    assert Threat.objects.count() == 0


# --- The list ------------------------------------------------------------------------------


def test_the_list_filters_by_severity_state_category_and_area(client, world, log):
    log(headline="Banjir rob", category=category("flood-tidal"), severity=Severity.MINOR)
    log(headline="Kerusuhan", category=category("social-conflict-riot"), severity=Severity.SEVERE)
    cancelled = log(headline="Kebocoran gas", category=category("industrial-gas-leak"))
    threat_services.threat_cancel(actor=world.alice, threat=cancelled, reason="Aman")
    client.force_login(world.alice)

    def headlines(**params):
        body = client.get(reverse("threat-list"), params, **HX).content.decode()
        return {h for h in ("Banjir rob", "Kerusuhan", "Kebocoran gas") if h in body}

    assert headlines() == {"Banjir rob", "Kerusuhan", "Kebocoran gas"}
    assert headlines(min_severity=Severity.SEVERE) == {"Kerusuhan"}
    assert headlines(state="cancelled") == {"Kebocoran gas"}
    assert headlines(state="active") == {"Banjir rob", "Kerusuhan"}
    assert headlines(category="flood") == {"Banjir rob"}
    assert headlines(area=world.areas.bontang_utara.pk) == {"Banjir rob", "Kerusuhan", "Kebocoran gas"}
    assert headlines(area=world.areas.balikpapan.pk) == set()


def test_the_list_answers_the_results_partial_to_htmx(client, world, threat):
    client.force_login(world.alice)
    partial = client.get(reverse("threat-list"), **HX)
    assert partial["Vary"] == "HX-Request" or "HX-Request" in partial["Vary"]
    assert "<html" not in partial.content.decode()
    assert 'data-testid="threat-results"' in partial.content.decode()
    full = client.get(reverse("threat-list")).content.decode()
    assert "<html" in full
    assert 'class="badge sev-2"' in full  # Moderate: the yellow badge


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
