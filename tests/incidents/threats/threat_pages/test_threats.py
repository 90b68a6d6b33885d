"""The threat pages that log, update and cancel a threat, and the threat list.

The form reads times in the area's zone and re-renders with errors saving nothing, an update
or a cancel reaches every recipient again, a threat is raised from an incident, and the list
filters and answers its partial to htmx.
"""

import datetime

import pytest
from django.urls import reverse

from agencies.models import Classification, Severity
from incidents import services
from incidents.models import Alert, Delivery, Threat, ThreatEvent
from incidents.threats import services as threat_services
from tests.factories import category
from tests.incidents.threats.threat_pages.helpers import HX, _form_data, _snapshot

pytestmark = pytest.mark.django_db


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
