"""Moderation of citizen reports: the API at /api/v1/reports/, the pages at /reports/ and the
photos, tried by every persona.

A report from Guntung (Kota Bontang) belongs to the queues of alice and bob (agencies A and B
have Bontang in their jurisdiction), not charlie's (Balikpapan). What a persona may not see
answers 404 and changes nothing; a viewer (vera) sees it but may not act (403).
"""

from __future__ import annotations

import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from incidents.models import CitizenReport, CitizenReportUpdate, Incident, IncidentEvent
from incidents.reports import services
from tests.factories import CitizenReportFactory, IncidentFactory, category

LIST_URL = "/api/v1/reports/"
ACTIONS = {
    "verify": {"title": "Pencurian di gudang"},
    "reject": {"reason": "Tidak cukup keterangan"},
    "duplicate": None,  # filled with an incident's reference by the test
    "spam": {},
}


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


def png(size: tuple[int, int] = (80, 60)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (20, 120, 200)).save(buffer, "PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


@pytest.fixture
def report(world):
    """A Bontang report filed through the service, with a photo and a contact."""
    return services.citizen_report_submit(
        category=category("crime-theft"),
        description="Motor dicuri di depan masjid <b>tadi malam</b>",
        latitude="0.160000",
        longitude="117.480000",
        area=world.areas.guntung,
        contact="wa 0812-1111-2222",
        photos=[png()],
    )


@pytest.fixture
def balikpapan_report(world):
    return CitizenReportFactory(area=world.areas.balikpapan_kota, latitude="-1.240000", longitude="116.850000")


def snapshot(report: CitizenReport) -> tuple:
    report.refresh_from_db()
    return (
        report.status,
        report.incident_id,
        report.moderated_by_id,
        report.moderation_reason,
        report.updates.count(),
        Incident.objects.count(),
    )


def action_body(action: str, world) -> dict:
    if action == "duplicate":
        original = IncidentFactory(area=world.areas.guntung, reporting_agency=world.a)
        return {"incident": original.reference}
    return ACTIONS[action]


# --- The queue -------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["alice", "bob", "carol", "vera", "admin"])
def test_agencies_covering_the_area_see_the_report_in_their_queue(api_as, world, report, persona):
    response = api_as(getattr(world, persona)).get(LIST_URL)

    assert response.status_code == 200
    assert [row["tracking_code"] for row in response.json()["results"]] == [report.tracking_code]


def test_the_queue_leaves_the_contact_out(api_as, world, report):
    row = api_as(world.alice).get(LIST_URL).json()["results"][0]

    assert "contact" not in row
    assert row["photo_count"] == 1
    assert row["area"]["name"] == "Guntung"


@pytest.mark.parametrize("persona", ["charlie", "dave", "nobody"])
def test_others_do_not_see_the_report(api_as, world, report, persona):
    response = api_as(getattr(world, persona)).get(LIST_URL)

    assert response.status_code == 200
    assert response.json()["count"] == 0
    assert report.tracking_code not in response.content.decode()


def test_charlie_sees_the_reports_of_his_own_area_only(api_as, world, report, balikpapan_report):
    rows = api_as(world.charlie).get(LIST_URL).json()["results"]

    assert [row["tracking_code"] for row in rows] == [balikpapan_report.tracking_code]


def test_the_queue_filters_by_status_and_category(api_as, world, report):
    CitizenReportFactory(area=world.areas.guntung, status=CitizenReport.Status.SPAM, tracking_code="SPAM000001")
    client = api_as(world.alice)

    assert [r["tracking_code"] for r in client.get(LIST_URL, {"status": "spam"}).json()["results"]] == ["SPAM000001"]
    assert [r["tracking_code"] for r in client.get(LIST_URL, {"category": "crime"}).json()["results"]] == [
        report.tracking_code
    ]
    assert client.get(LIST_URL, {"status": "bogus"}).status_code == 400


def test_anonymous_gets_401_on_the_moderation_api(api, report):
    assert api.get(LIST_URL).status_code == 401
    assert api.get(f"{LIST_URL}{report.pk}/").status_code == 401
    for action, body in ACTIONS.items():
        assert api.post(f"{LIST_URL}{report.pk}/{action}/", body or {}, format="json").status_code == 401
    assert snapshot(report)[0] == CitizenReport.Status.NEW


def test_the_queue_runs_a_bounded_number_of_queries(api_as, world, django_assert_max_num_queries):
    for _ in range(40):
        CitizenReportFactory(area=world.areas.guntung)
    client = api_as(world.alice)

    with django_assert_max_num_queries(5):
        response = client.get(LIST_URL, {"page_size": 50})

    assert len(response.json()["results"]) == 40


def test_the_queue_page_runs_a_bounded_number_of_queries(client, world, django_assert_max_num_queries):
    for _ in range(40):
        CitizenReportFactory(area=world.areas.guntung)
    client.force_login(world.alice)

    with django_assert_max_num_queries(10):
        response = client.get(reverse("report-queue"))

    assert response.status_code == 200
    assert response.content.decode().count('data-testid="report-row"') == 25


# --- The detail ------------------------------------------------------------------------------


def test_a_moderator_sees_the_contact_photos_and_description(api_as, world, report):
    response = api_as(world.alice).get(f"{LIST_URL}{report.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert body["contact"] == "wa 0812-1111-2222"
    assert body["description"] == "Motor dicuri di depan masjid <b>tadi malam</b>"
    assert body["latitude"] == 0.16
    [photo] = body["photos"]
    token = report.photos.get().token
    assert photo["url"] == f"http://testserver/reports/photos/{token}/"
    assert photo["content_type"] == "image/png"
    assert [u["status"] for u in body["updates"]] == ["new"]


def test_the_detail_never_shows_where_the_photo_is_stored(api_as, world, report, settings):
    raw = api_as(world.alice).get(f"{LIST_URL}{report.pk}/").content.decode()

    assert str(settings.PRIVATE_MEDIA_ROOT) not in raw
    assert f"reports/{report.tracking_code}/" not in raw


@pytest.mark.parametrize("persona", ["charlie", "nobody"])
def test_others_get_404_on_the_detail(api_as, world, report, persona):
    response = api_as(getattr(world, persona)).get(f"{LIST_URL}{report.pk}/")

    assert response.status_code == 404
    assert "0812" not in response.content.decode()


def test_the_contact_is_not_in_the_public_view(client, report):
    response = client.get(f"/api/v1/public/reports/{report.tracking_code}/")

    assert response.status_code == 200
    assert "0812-1111-2222" not in response.content.decode()
    assert "contact" not in response.json()


# --- Actions ---------------------------------------------------------------------------------


@pytest.mark.dates  # the report's times and the incident's come from one clock
def test_verify_creates_one_incident_linked_to_the_report(api_as, world, report):
    response = api_as(world.alice).post(
        f"{LIST_URL}{report.pk}/verify/",
        {"title": "Pencurian motor", "severity": "Severe", "classification": "confidential"},
        format="json",
    )

    assert response.status_code == 200, response.content
    incident = Incident.objects.get()
    report.refresh_from_db()
    assert report.status == CitizenReport.Status.VERIFIED
    assert report.incident == incident
    assert report.moderated_by == world.alice
    assert response.json()["incident_reference"] == incident.reference
    assert response.json()["incident"] == {"id": incident.pk, "reference": incident.reference}
    assert incident.reference.startswith("BON-")
    assert incident.source == Incident.Source.CITIZEN
    assert incident.title == "Pencurian motor"
    assert incident.severity == 3
    assert incident.classification == "confidential"
    assert incident.reporting_agency == world.a
    assert incident.area == world.areas.guntung
    assert incident.description == report.description
    assert IncidentEvent.objects.filter(incident=incident, kind="created").count() == 1
    assert [u.status for u in report.public_updates] == ["new", "verified"]


def test_verify_by_bob_files_the_incident_for_his_agency(api_as, world, report):
    response = api_as(world.bob).post(f"{LIST_URL}{report.pk}/verify/", {}, format="json")

    assert response.status_code == 200, response.content
    assert Incident.objects.get().reporting_agency == world.b


def test_verify_refuses_a_bad_severity(api_as, world, report):
    response = api_as(world.alice).post(f"{LIST_URL}{report.pk}/verify/", {"severity": "Huge"}, format="json")

    assert response.status_code == 400
    assert "severity" in response.json()
    assert snapshot(report) == (CitizenReport.Status.NEW, None, None, "", 0, 0)


def test_reject_needs_a_reason(api_as, world, report):
    for body in ({}, {"reason": ""}, {"reason": "   "}):
        response = api_as(world.alice).post(f"{LIST_URL}{report.pk}/reject/", body, format="json")

        assert response.status_code == 400
        assert "reason" in response.json()
    assert snapshot(report) == (CitizenReport.Status.NEW, None, None, "", 0, 0)


def test_reject_with_a_reason_tells_the_reporter(api_as, world, report):
    response = api_as(world.alice).post(
        f"{LIST_URL}{report.pk}/reject/", {"reason": "Lokasi di luar kota"}, format="json"
    )

    assert response.status_code == 200
    report.refresh_from_db()
    assert report.status == CitizenReport.Status.REJECTED
    assert report.moderation_reason == "Lokasi di luar kota"
    assert "Lokasi di luar kota" in report.updates.last().message


@pytest.mark.parametrize("by", ["reference", "id"])
def test_duplicate_links_the_report_to_the_incident(api_as, world, report, by):
    original = IncidentFactory(area=world.areas.guntung, reporting_agency=world.a)
    value = original.reference if by == "reference" else str(original.pk)

    response = api_as(world.alice).post(f"{LIST_URL}{report.pk}/duplicate/", {"incident": value}, format="json")

    assert response.status_code == 200, response.content
    report.refresh_from_db()
    assert report.status == CitizenReport.Status.DUPLICATE
    assert report.incident == original
    assert Incident.objects.count() == 1


def test_duplicate_of_an_unknown_incident_is_a_field_error(api_as, world, report):
    response = api_as(world.alice).post(
        f"{LIST_URL}{report.pk}/duplicate/", {"incident": "BON-2026-999999"}, format="json"
    )

    assert response.status_code == 400
    assert "incident" in response.json()
    assert snapshot(report)[0] == CitizenReport.Status.NEW


def test_spam(api_as, world, report):
    response = api_as(world.alice).post(f"{LIST_URL}{report.pk}/spam/", format="json")

    assert response.status_code == 200
    assert snapshot(report)[0] == CitizenReport.Status.SPAM


@pytest.mark.parametrize("second", ["verify", "reject", "duplicate", "spam"])
def test_a_report_is_moderated_once(api_as, world, report, second):
    client = api_as(world.alice)
    assert client.post(f"{LIST_URL}{report.pk}/verify/", {}, format="json").status_code == 200
    before = snapshot(report)

    response = client.post(f"{LIST_URL}{report.pk}/{second}/", action_body(second, world), format="json")

    assert response.status_code == 400
    assert "status" in response.json()
    after = snapshot(report)
    # A duplicate test makes its own incident to point at; nothing else may change.
    assert after[:5] == before[:5]
    assert after[5] == before[5] + (1 if second == "duplicate" else 0)


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("persona", ["charlie", "nobody"])
def test_outsiders_get_404_on_every_action_and_nothing_changes(api_as, world, report, action, persona):
    body = action_body(action, world)
    before = snapshot(report)

    response = api_as(getattr(world, persona)).post(f"{LIST_URL}{report.pk}/{action}/", body, format="json")

    assert response.status_code == 404
    assert snapshot(report) == before


@pytest.mark.parametrize("action", list(ACTIONS))
def test_a_viewer_may_not_moderate(api_as, world, report, action):
    body = action_body(action, world)
    before = snapshot(report)

    response = api_as(world.vera).post(f"{LIST_URL}{report.pk}/{action}/", body, format="json")

    assert response.status_code == 403
    assert snapshot(report) == before


# --- Photos ----------------------------------------------------------------------------------


def photo_url(report: CitizenReport) -> str:
    return reverse("report-photo", args=[report.photos.get().token])


@pytest.mark.parametrize("persona", ["alice", "bob", "vera", "admin"])
def test_the_photo_is_served_to_those_who_see_the_report(client, world, report, persona):
    client.force_login(getattr(world, persona))

    response = client.get(photo_url(report))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")
    assert "private" in response["Cache-Control"]
    body = b"".join(response.streaming_content)
    with Image.open(io.BytesIO(body)) as image:
        assert image.size == (80, 60)


@pytest.mark.parametrize("persona", ["charlie", "nobody"])
def test_the_photo_is_404_to_others(client, world, report, persona):
    client.force_login(getattr(world, persona))

    assert client.get(photo_url(report)).status_code == 404


def test_the_photo_is_404_to_anonymous(client, report):
    assert client.get(photo_url(report)).status_code == 404


def test_an_unknown_photo_token_is_404(client, world, report):
    client.force_login(world.alice)

    assert client.get(reverse("report-photo", args=["0" * 32])).status_code == 404


def test_the_photo_has_no_public_url(report, settings):
    photo = report.photos.get()

    assert not str(settings.PRIVATE_MEDIA_ROOT).startswith(str(settings.MEDIA_ROOT))
    assert photo.image.url.startswith("/no-public-url/")


# --- Pages -----------------------------------------------------------------------------------


def test_anonymous_is_sent_to_log_in(client, report):
    for url in (reverse("report-queue"), reverse("report-detail", args=[report.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    response = client.post(reverse("report-verify", args=[report.pk]))
    assert response.status_code == 302
    assert snapshot(report)[0] == CitizenReport.Status.NEW


def test_the_queue_page_lists_new_reports_by_default(client, world, report):
    CitizenReportFactory(area=world.areas.guntung, status=CitizenReport.Status.SPAM, tracking_code="SPAM000001")
    client.force_login(world.alice)

    html = client.get(reverse("report-queue")).content.decode()

    assert report.tracking_code in html
    assert "SPAM000001" not in html
    assert "&lt;b&gt;tadi malam&lt;/b&gt;" in html


def test_the_queue_page_filters_with_htmx(client, world, report):
    CitizenReportFactory(area=world.areas.guntung, status=CitizenReport.Status.SPAM, tracking_code="SPAM000001")
    client.force_login(world.alice)

    response = client.get(reverse("report-queue"), {"status": "spam"}, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html  # only the results
    assert "SPAM000001" in html
    assert report.tracking_code not in html
    assert "HX-Request" in response["Vary"]
    everything = client.get(reverse("report-queue"), {"status": ""}, HTTP_HX_REQUEST="true").content.decode()
    assert "SPAM000001" in everything and report.tracking_code in everything


def test_charlie_does_not_see_the_report_on_the_pages(client, world, report):
    client.force_login(world.charlie)

    assert report.tracking_code not in client.get(reverse("report-queue")).content.decode()
    assert client.get(reverse("report-detail", args=[report.pk])).status_code == 404
    for action in ("verify", "reject", "duplicate", "spam"):
        assert client.post(reverse(f"report-{action}", args=[report.pk]), {"reason": "x"}).status_code == 404
    assert snapshot(report)[0] == CitizenReport.Status.NEW


def test_nobody_sees_an_explanation_instead_of_the_queue(client, world, report):
    client.force_login(world.nobody)

    html = client.get(reverse("report-queue")).content.decode()

    assert 'data-testid="not-member"' in html
    assert report.tracking_code not in html


def test_the_detail_page_shows_the_report_escaped_with_contact_and_photo(client, world, report):
    client.force_login(world.alice)

    response = client.get(reverse("report-detail", args=[report.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Motor dicuri di depan masjid &lt;b&gt;tadi malam&lt;/b&gt;" in html
    assert "<b>tadi malam</b>" not in html
    assert "wa 0812-1111-2222" in html
    assert photo_url(report) in html
    assert 'data-testid="report-actions"' in html
    assert "0.160000, 117.480000" in html


def test_a_viewer_sees_no_actions_and_is_refused_if_she_posts(client, world, report):
    client.force_login(world.vera)

    html = client.get(reverse("report-detail", args=[report.pk])).content.decode()
    response = client.post(reverse("report-spam", args=[report.pk]))

    assert 'data-testid="report-actions"' not in html
    assert response.status_code == 403
    assert snapshot(report)[0] == CitizenReport.Status.NEW


def test_verify_from_the_page(client, world, report):
    client.force_login(world.alice)

    response = client.post(
        reverse("report-verify", args=[report.pk]),
        {"title": "Pencurian motor", "severity": "2", "classification": "restricted"},
    )

    incident = Incident.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("report-detail", args=[report.pk])
    assert snapshot(report)[:2] == (CitizenReport.Status.VERIFIED, incident.pk)
    html = client.get(response["Location"]).content.decode()
    assert incident.reference in html
    assert 'data-testid="report-actions"' not in html  # decided: no more buttons


def test_reject_from_the_page_needs_a_reason(client, world, report):
    client.force_login(world.alice)

    response = client.post(reverse("report-reject", args=[report.pk]), {"reason": ""})

    assert response.status_code == 400
    assert 'data-testid="error-reason"' in response.content.decode()
    assert snapshot(report)[0] == CitizenReport.Status.NEW


def test_duplicate_from_the_page_reports_an_unknown_incident(client, world, report):
    client.force_login(world.alice)

    response = client.post(reverse("report-duplicate", args=[report.pk]), {"incident": "NOPE-1"})

    assert response.status_code == 400
    assert 'data-testid="error-incident"' in response.content.decode()


def test_a_second_decision_from_the_page_is_refused(client, world, report):
    client.force_login(world.alice)
    client.post(reverse("report-spam", args=[report.pk]))

    response = client.post(reverse("report-reject", args=[report.pk]), {"reason": "lagi"})

    assert response.status_code == 400
    assert snapshot(report)[0] == CitizenReport.Status.SPAM
    assert CitizenReportUpdate.objects.filter(report=report).count() == 1
