"""The multi-step escalations of issue 11, as scenarios on the matrix's world (tests/access/world.py):

- consent: a partnership grants nothing until every party accepted it, nor once ended or
  declined, nor outside its dates; a one-sided proposal grants its proposer nothing;
- merge: an outsider cannot merge its incident into the owner's nor become involved; a partner
  that reads a confidential incident cannot pull a third agency into it;
- CAP relay: an Update or Cancel of the owner's imported alert sent by another agency is refused
  and changes nothing; from the importer or staff it applies;
- reclassification: an alert of a threat made secret shows as withdrawn, its pending deliveries
  are cancelled and no answer (API, inbox, pages) shows its text any more; an agency's calendar
  feed never names a secret operation's shift it contributes a unit to.
"""

from __future__ import annotations

import datetime
import secrets

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from agencies.models import Classification, Partnership
from coordination.models.patrols import CalendarFeed, ShiftContribution
from incidents.models import Alert, Delivery, Incident, IncidentEvent, Threat, ThreatEvent, ThreatMessage
from tests.incidents.threats.cap.helpers import minimal_alert

from .world import CONFIDENTIAL, RESTRICTED, SECRET, token

pytestmark = pytest.mark.django_db


def api(world, persona: str) -> APIClient:
    client = APIClient()
    client.force_authenticate(world.users[persona])
    return client


def page(world, persona: str) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


# --- Consent ------------------------------------------------------------------------------


def _reads_confidential(world, persona: str) -> list[int]:
    client = api(world, persona)
    return [
        client.get(f"/api/v1/incidents/{world.record('incident', CONFIDENTIAL).pk}/").status_code,
        client.get(f"/api/v1/threats/{world.record('threat', CONFIDENTIAL).pk}/").status_code,
        client.get(f"/api/v1/operations/{world.record('operation', CONFIDENTIAL).pk}/").status_code,
    ]


def test_the_information_sharing_partner_reads_confidential_while_the_partnership_is_in_force(matrix):
    assert _reads_confidential(matrix, "isp-viewer") == [200, 200, 200]


@pytest.mark.parametrize(
    "change",
    [
        {"status": Partnership.Status.PROPOSED},
        {"status": Partnership.Status.DECLINED},
        {"status": Partnership.Status.ENDED},
        {"valid_from": 1},
        {"valid_until": -1},
    ],
    ids=["proposed", "declined", "ended", "not-yet-valid", "expired"],
)
def test_a_partnership_not_in_force_grants_nothing(matrix, change):
    # Dates as days from today, read when the test runs (not when the module is imported).
    change = {
        k: timezone.localdate() + datetime.timedelta(days=v) if k.startswith("valid_") else v for k, v in change.items()
    }
    Partnership.objects.filter(pk=matrix.record("partnership").pk).update(**change)
    assert _reads_confidential(matrix, "isp-viewer") == [404, 404, 404]


def test_ending_the_partnership_through_the_api_takes_the_partners_reads_away(matrix):
    response = api(matrix, "owner-commander").post(f"/api/v1/partnerships/{matrix.record('partnership').pk}/end/")
    assert response.status_code == 200, response.content
    assert _reads_confidential(matrix, "isp-viewer") == [404, 404, 404]


def test_a_one_sided_proposal_grants_its_proposer_nothing_until_the_other_side_accepts(matrix):
    response = api(matrix, "outsider-commander").post(
        "/api/v1/partnerships/",
        {
            "title": "MoU sepihak",
            "agencies": [matrix.agencies.outsider.pk, matrix.agencies.owner.pk],
            "scopes": ["information_sharing"],
            "valid_from": timezone.localdate().isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    proposal = response.json()["id"]
    assert _reads_confidential(matrix, "outsider-viewer") == [404, 404, 404]
    # Nobody of the outsider may accept for the owner, not even its commander.
    refused = api(matrix, "outsider-commander").post(f"/api/v1/partnerships/{proposal}/accept/")
    assert refused.status_code in {400, 403}
    assert _reads_confidential(matrix, "outsider-viewer") == [404, 404, 404]
    # The owner's commander accepts: now it is in force, and the outsider reads confidential.
    accepted = api(matrix, "owner-commander").post(f"/api/v1/partnerships/{proposal}/accept/")
    assert accepted.status_code == 200, accepted.content
    assert _reads_confidential(matrix, "outsider-viewer") == [200, 200, 200]


# --- Merge and assignment -----------------------------------------------------------------


def _incident_state(incident: Incident) -> tuple:
    incident.refresh_from_db()
    return (
        incident.title,
        incident.status,
        incident.classification,
        incident.duplicate_of_id,
        incident.lead_agency_id,
        sorted(incident.involved_agencies.values_list("pk", flat=True)),
        IncidentEvent.objects.filter(incident=incident).count(),
    )


def test_an_outsider_cannot_merge_into_the_owners_incident_nor_become_involved(matrix):
    theirs = matrix.record("incident", RESTRICTED)  # the outsider reads it
    client = api(matrix, "outsider-commander")
    created = client.post(
        "/api/v1/incidents/",
        {"title": "Salinan", "category": "crime-theft", "area": matrix.agencies.areas.balikpapan.pk},
        format="json",
    )
    assert created.status_code == 201, created.content
    own = Incident.objects.get(pk=created.json()["id"])
    before = _incident_state(theirs), _incident_state(own)

    merged = client.post(f"/api/v1/incidents/{own.pk}/merge/", {"into": theirs.reference}, format="json")
    assert merged.status_code in {403, 404}, merged.content
    edited = client.patch(f"/api/v1/incidents/{theirs.pk}/", {"title": "Diambil alih"}, format="json")
    assigned = client.post(
        f"/api/v1/incidents/{theirs.pk}/assign/", {"involved_agencies": [matrix.agencies.outsider.pk]}, format="json"
    )
    assert (edited.status_code, assigned.status_code) == (403, 403)
    assert (_incident_state(theirs), _incident_state(own)) == before


def test_a_partner_cannot_pull_a_third_agency_into_a_confidential_incident(matrix):
    incident = matrix.record("incident", CONFIDENTIAL)  # the information-sharing partner reads it
    before = _incident_state(incident)
    client = api(matrix, "isp-commander")
    assigned = client.post(
        f"/api/v1/incidents/{incident.pk}/assign/",
        {"involved_agencies": [matrix.agencies.isp.pk, matrix.agencies.outsider.pk]},
        format="json",
    )
    merged = client.post(
        f"/api/v1/incidents/{incident.pk}/merge/", {"into": matrix.record("incident", RESTRICTED).reference}
    )
    assert (assigned.status_code, merged.status_code) == (403, 403)
    assert _incident_state(incident) == before
    assert _reads_confidential(matrix, "outsider-viewer")[0] == 404


def test_the_owners_liaison_merges_two_of_its_incidents_and_involves_nobody(matrix):
    original, duplicate = matrix.record("incident", RESTRICTED), matrix.record("incident", PUBLIC_LEVEL)
    response = api(matrix, "owner-liaison").post(
        f"/api/v1/incidents/{duplicate.pk}/merge/", {"into": original.reference}, format="json"
    )
    assert response.status_code == 200, response.content
    duplicate.refresh_from_db()
    assert duplicate.duplicate_of_id == original.pk
    assert not original.involved_agencies.exists()


PUBLIC_LEVEL = Classification.PUBLIC


# --- CAP relay ----------------------------------------------------------------------------

REFERENCE = "info@bmkg.go.id,mtx-bmkg-1,2026-03-01T08:00:00+08:00"


def _import(world, persona: str, xml: str):
    return api(world, persona).post(
        "/api/v1/threats/import-cap/", data=xml, content_type="application/xml", HTTP_ACCEPT_LANGUAGE="en"
    )


def _cap_snapshot() -> tuple:
    return (
        list(Threat.objects.order_by("pk").values_list("pk", "revision", "msg_type", "headline")),
        ThreatMessage.objects.count(),
        ThreatEvent.objects.count(),
        list(Alert.objects.order_by("pk").values_list("pk", "revision")),
        Delivery.objects.count(),
    )


@pytest.fixture
def imported(matrix):
    response = _import(matrix, "owner-liaison", minimal_alert(identifier="mtx-bmkg-1"))
    assert response.status_code == 201, response.content
    return Threat.objects.get(pk=response.json()["id"])


@pytest.mark.parametrize("msg_type", ["Update", "Cancel"])
@pytest.mark.parametrize("relayer", ["isp-commander", "partner-commander", "outsider-commander"])
def test_a_relay_from_another_importing_agency_is_refused_and_changes_nothing(matrix, imported, msg_type, relayer):
    before = _cap_snapshot()
    relay = minimal_alert(identifier="mtx-spoof", msg_type=msg_type, references=REFERENCE, event="Aman")
    response = _import(matrix, relayer, relay)
    assert response.status_code == 400, response.content
    assert "xml" in response.json()
    assert _cap_snapshot() == before


@pytest.mark.parametrize("relayer", ["owner-liaison", "staff"])
def test_a_cancel_from_the_importer_or_staff_applies(matrix, imported, relayer):
    relay = minimal_alert(identifier=f"mtx-cancel-{relayer}", msg_type="Cancel", references=REFERENCE)
    response = _import(matrix, relayer, relay)
    assert response.status_code == 200, response.content
    imported.refresh_from_db()
    assert (imported.msg_type, imported.revision) == ("Cancel", 2)


# --- Reclassification ---------------------------------------------------------------------


@pytest.fixture
def alerted(matrix):
    """The owner's restricted threat alerted the information-sharing partner (in-app and e-mail
    still queued), then the owner's liaison made it secret through the API."""
    threat = matrix.record("threat", RESTRICTED)
    alert = Alert.objects.create(threat=threat, agency=matrix.agencies.isp, reason=Alert.Reason.JURISDICTION)
    viewer = matrix.users["isp-viewer"]
    for channel in (Delivery.Channel.IN_APP, Delivery.Channel.EMAIL):
        Delivery.objects.create(alert=alert, channel=channel, recipient_key=f"u{viewer.pk}", user=viewer)
    assert token("threat", RESTRICTED) in api(matrix, "isp-viewer").get("/api/v1/inbox/").content.decode()
    response = api(matrix, "owner-liaison").patch(
        f"/api/v1/threats/{threat.pk}/", {"classification": SECRET}, format="json"
    )
    assert response.status_code == 200, response.content
    return alert


def test_an_alert_of_a_threat_made_secret_is_withdrawn_and_its_text_gone(matrix, alerted):
    secret_text = token("threat", RESTRICTED)
    client = api(matrix, "isp-viewer")
    detail = client.get(f"/api/v1/alerts/{alerted.pk}/")
    assert detail.status_code == 200
    assert (detail.json()["status"], detail.json()["threat"]) == ("withdrawn", None)
    for url in ("/api/v1/alerts/", f"/api/v1/alerts/{alerted.pk}/", "/api/v1/inbox/", "/api/v1/inbox/counts/"):
        assert secret_text not in client.get(url).content.decode(), url
    browser = page(matrix, "isp-viewer")
    for url in ("/alerts/", f"/alerts/{alerted.pk}/", "/alerts/badge/", "/"):
        response = browser.get(url)
        assert response.status_code == 200, url
        assert secret_text not in response.content.decode(), url
    assert client.get(f"/api/v1/threats/{alerted.threat_id}/").status_code == 404


def test_the_pending_deliveries_of_a_threat_made_secret_are_cancelled(matrix, alerted):
    statuses = set(Delivery.objects.filter(alert=alerted).values_list("status", flat=True))
    assert statuses == {Delivery.Status.CANCELLED}


def test_a_withdrawn_alert_cannot_be_acknowledged(matrix, alerted):
    response = api(matrix, "isp-viewer").post(f"/api/v1/alerts/{alerted.pk}/acknowledge/", {}, format="json")
    assert response.status_code in {400, 403, 404}
    alerted.refresh_from_db()
    assert alerted.acknowledged_at is None


def test_a_calendar_feed_never_names_a_secret_operations_shift_its_agency_contributes_to(matrix):
    for level in (RESTRICTED, SECRET):
        ShiftContribution.objects.create(
            shift=matrix.record("shift", level), agency=matrix.agencies.isp, unit_name="Tim BPBD", headcount=2
        )
    feed = CalendarFeed.objects.create(agency=matrix.agencies.isp, token=secrets.token_urlsafe(24))
    body = APIClient().get("/api/v1/shifts.ics", {"token": feed.token}).content.decode()
    assert token("shift", RESTRICTED) in body
    assert token("shift", SECRET) not in body and token("operation", SECRET) not in body
    # and the API agrees: the secret shift is 404 to the contributing agency's members
    assert api(matrix, "isp-viewer").get(f"/api/v1/shifts/{matrix.record('shift', SECRET).pk}/").status_code == 404
