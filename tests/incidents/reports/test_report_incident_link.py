"""A citizen's report verified into an incident: the incident starts verified, links back to
the report and shows its photos to those who may read the incident; the reporter follows the
incident's progress in plain words, and nothing else of it.
"""

from __future__ import annotations

import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from rest_framework.test import APIClient

from agencies.models import Classification
from incidents import services
from incidents.models import Incident, IncidentEvent
from incidents.models.reports import PublicProgress
from incidents.reports import services as report_services

S = Incident.Status


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


def png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (80, 60), (20, 120, 200)).save(buffer, "PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


@pytest.fixture
def report(world):
    from tests.factories import category

    return report_services.citizen_report_submit(
        category=category("crime-theft"),
        description="Motor dicuri di depan masjid",
        latitude="0.160000",
        longitude="117.480000",
        area=world.areas.guntung,
        contact="wa 0812-1111-2222",
        photos=[png()],
    )


def verify(world, report, classification=Classification.RESTRICTED) -> Incident:
    return report_services.citizen_report_verify(
        actor=world.alice, report=report, title="Pencurian motor SECRET-TITLE", classification=classification
    )


def test_the_incident_of_a_verified_report_starts_verified_with_its_event(world, report):
    incident = verify(world, report)
    incident.refresh_from_db()
    assert incident.status == S.VERIFIED
    assert incident.source == Incident.Source.CITIZEN
    kinds = list(incident.events.order_by("at", "id").values_list("kind", flat=True))
    assert kinds == [IncidentEvent.Kind.CREATED, IncidentEvent.Kind.VERIFIED]
    # From verified the workflow goes on as for any verified incident.
    services.incident_change_status(actor=world.alice, incident=incident, status=S.RESPONDING)


def test_the_incident_page_links_back_to_the_report_and_shows_its_photos(client, world, report):
    incident = verify(world, report)
    client.force_login(world.alice)
    html = client.get(reverse("incident-detail", args=[incident.pk])).content.decode()
    assert 'data-testid="citizen-reports"' in html
    assert f'href="{reverse("report-detail", args=[report.pk])}"' in html
    token = report.photos.get().token
    assert f'src="{reverse("report-photo", args=[token])}"' in html


@pytest.mark.parametrize("persona", ["charlie", "dave"])
def test_a_member_of_another_agency_who_reads_the_incident_sees_the_photos_not_the_report(
    client, world, report, persona
):
    incident = verify(world, report)  # restricted: every agency member reads it
    client.force_login(getattr(world, persona))
    html = client.get(reverse("incident-detail", args=[incident.pk])).content.decode()
    assert 'data-testid="citizen-reports"' in html
    assert report.tracking_code in html
    assert reverse("report-detail", args=[report.pk]) not in html  # not their queue: no link
    photo = reverse("report-photo", args=[report.photos.get().token])
    assert photo in html
    assert client.get(photo).status_code == 200
    assert client.get(reverse("report-detail", args=[report.pk])).status_code == 404


def test_the_photos_of_a_confidential_incident_are_404_to_who_may_not_read_it(client, world, report):
    incident = verify(world, report, Classification.CONFIDENTIAL)
    photo = reverse("report-photo", args=[report.photos.get().token])
    client.force_login(world.charlie)
    assert client.get(reverse("incident-detail", args=[incident.pk])).status_code in (403, 404)
    assert client.get(photo).status_code == 404
    # Once charlie's agency is involved, the incident and its photos are theirs to read.
    services.incident_assign(actor=world.alice, incident=incident, involved_agencies=[world.c])
    assert client.get(photo).status_code == 200


def test_a_signed_in_user_without_an_agency_never_gets_the_photos(client, world, report):
    incident = verify(world, report, Classification.PUBLIC)
    client.force_login(world.nobody)
    html = client.get(reverse("incident-detail", args=[incident.pk])).content.decode()
    photo = reverse("report-photo", args=[report.photos.get().token])
    assert photo not in html
    assert client.get(photo).status_code == 404


@pytest.mark.parametrize(
    ("moves", "progress", "words"),
    [
        ([], PublicProgress.PASSED_ON, "Diteruskan ke petugas"),
        ([S.RESPONDING], PublicProgress.HANDLING, "Petugas sedang menangani"),
        ([S.RESPONDING, S.CONTAINED], PublicProgress.UNDER_CONTROL, "Situasi sudah terkendali"),
        ([S.RESPONDING, S.RESOLVED], PublicProgress.HANDLED, "Selesai ditangani"),
        ([S.RESPONDING, S.RESOLVED, S.CLOSED], PublicProgress.HANDLED, "Selesai ditangani"),
    ],
)
def test_the_reporter_follows_the_incident_in_plain_words(client, world, report, moves, progress, words):
    incident = verify(world, report, Classification.SECRET)
    for status in moves:
        services.incident_change_status(actor=world.alice, incident=incident, status=status, note="INTERNAL-NOTE")

    api = APIClient().get(f"/api/v1/public/reports/{report.tracking_code}/")
    assert api.status_code == 200
    body = api.json()
    assert body["progress"] == progress
    assert body["progress_label"] == str(PublicProgress(progress).label)
    page = client.get(reverse("report-track-detail", args=[report.tracking_code]))
    html = page.content.decode()
    assert f'data-progress="{progress}"' in html
    assert words in html  # Bahasa Indonesia, the default
    for internal in (incident.reference, "SECRET-TITLE", "INTERNAL-NOTE", world.a.name, "alice"):
        assert internal not in html
        assert internal not in api.content.decode()


def test_a_report_not_yet_verified_has_no_progress(client, report):
    body = APIClient().get(f"/api/v1/public/reports/{report.tracking_code}/").json()
    assert body["progress"] is None and body["progress_label"] == ""
    html = client.get(reverse("report-track-detail", args=[report.tracking_code])).content.decode()
    assert 'data-testid="report-progress"' not in html


def test_the_status_page_in_english(client, world, report):
    incident = verify(world, report)
    services.incident_change_status(actor=world.alice, incident=incident, status=S.RESPONDING)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("report-track-detail", args=[report.tracking_code]), HTTP_ACCEPT_LANGUAGE="en").content
    assert b"Officers are handling it" in html


def test_the_reports_section_costs_the_same_queries_for_one_report_or_many(client, world, report):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import category

    incident = verify(world, report)
    client.force_login(world.alice)
    url = reverse("incident-detail", args=[incident.pk])
    client.get(url)  # warm the per-process caches
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for i in range(4):
        duplicate = report_services.citizen_report_submit(
            category=category("crime-theft"),
            description=f"Motor dicuri lagi {i}",
            latitude="0.160000",
            longitude="117.480000",
            area=world.areas.guntung,
            photos=[png(), png()],
        )
        report_services.citizen_report_mark_duplicate(actor=world.alice, report=duplicate, incident=incident)
    with CaptureQueriesContext(connection) as many:
        html = client.get(url).content.decode()
    assert html.count('data-testid="citizen-report"') == 5
    assert html.count("/reports/photos/") == 2 * 9  # each photo: the link and the image
    assert len(many.captured_queries) == len(one.captured_queries)
