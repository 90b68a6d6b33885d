"""Citizen reports: following one by its tracking code, and the rate limits.

Tracking shows the status and public updates only; the limits answer 429 with Retry-After,
count per client address (a forged X-Forwarded-For does not reset them) and lose nothing
already accepted.
"""

from __future__ import annotations

from django.urls import reverse
from rest_framework.test import APIClient

from incidents.models import CitizenReport
from incidents.reports import services
from tests.factories import CitizenReportFactory
from tests.incidents.reports.public_reports.helpers import CREATE_URL, payload

# --- Following a report by its tracking code -------------------------------------------------


def test_tracking_shows_the_status_and_public_updates_only(anon, city, world):
    created = anon.post(CREATE_URL, payload(description="SECRET-DESCRIPTION"), format="json").json()
    report = CitizenReport.objects.get()
    services.citizen_report_reject(actor=world.alice, report=report, reason="Lokasi tidak dapat ditemukan")

    response = anon.get(created["url"])

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "tracking_code",
        "category",
        "status",
        "status_label",
        "received_at",
        "progress",
        "progress_label",
        "updates",
        "questions",  # the moderators' questions: agency names and text, never a person
    }
    assert body["questions"] == []
    assert body["tracking_code"] == report.tracking_code
    assert body["category"] == {"code": "suspicious-activity", "name": report.category.name}
    assert body["status"] == "rejected"
    assert [u["status"] for u in body["updates"]] == ["new", "rejected"]
    assert set(body["updates"][0]) == {"status", "status_label", "at", "message"}
    assert "Lokasi tidak dapat ditemukan" in body["updates"][1]["message"]
    raw = response.content.decode()
    for private in ("SECRET-DESCRIPTION", "0812-3456-7890", "117.48", "0.16", "alice", "latitude", "contact"):
        assert private not in raw


def test_tracking_a_verified_report_does_not_reveal_the_incident(anon, city, world):
    created = anon.post(CREATE_URL, payload(), format="json").json()
    incident = services.citizen_report_verify(actor=world.alice, report=CitizenReport.objects.get())

    body = anon.get(created["url"]).json()

    assert body["status"] == "verified"
    assert incident.reference not in str(body)


def test_a_report_judged_spam_reads_rejected_to_its_reporter(anon, client, city, world):
    created = anon.post(CREATE_URL, payload(), format="json").json()
    report = CitizenReport.objects.get()
    services.citizen_report_mark_spam(actor=world.alice, report=report)

    body = anon.get(created["url"]).json()
    html = client.get(reverse("report-track-detail", args=[report.tracking_code])).content.decode()

    assert (body["status"], body["status_label"]) == ("rejected", "Ditolak")
    assert [u["status"] for u in body["updates"]] == ["new", "rejected"]
    assert "spam" not in str(body).lower()
    assert 'data-status="rejected"' in html
    assert "spam" not in html.lower()
    report.refresh_from_db()
    assert report.status == CitizenReport.Status.SPAM  # moderators still see what it was


def test_tracking_accepts_a_lowercase_code(anon, city):
    code = anon.post(CREATE_URL, payload(), format="json").json()["tracking_code"]

    response = anon.get(f"/api/v1/public/reports/{code.lower()}/")

    assert response.status_code == 200
    assert response.json()["tracking_code"] == code


def test_tracking_an_unknown_code_answers_404(anon, db):
    CitizenReportFactory(tracking_code="KNOWN23456")

    assert anon.get("/api/v1/public/reports/NOTACODE99/").status_code == 404
    assert anon.get("/api/v1/public/reports/KNOWN2345/").status_code == 404


# --- Rate limits -----------------------------------------------------------------------------


def test_the_sixth_report_in_a_minute_is_refused_with_retry_after(anon, city):
    accepted = [anon.post(CREATE_URL, payload(description=f"laporan {i}"), format="json") for i in range(5)]

    refused = anon.post(CREATE_URL, payload(description="laporan 6"), format="json")

    assert [r.status_code for r in accepted] == [201] * 5
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    codes = {r.json()["tracking_code"] for r in accepted}
    assert set(CitizenReport.objects.values_list("tracking_code", flat=True)) == codes
    assert sorted(CitizenReport.objects.values_list("description", flat=True)) == [f"laporan {i}" for i in range(5)]


def test_refused_reports_count_towards_the_limit(anon, city):
    for _ in range(5):
        assert anon.post(CREATE_URL, payload(category="nope"), format="json").status_code == 400

    assert anon.post(CREATE_URL, payload(), format="json").status_code == 429
    assert CitizenReport.objects.count() == 0


def test_the_daily_limit_applies_too(anon, city, settings):
    settings.SINERGI_REPORT_RATE_MINUTE = "100/minute"
    settings.SINERGI_REPORT_RATE_DAY = "3/day"
    for _ in range(3):
        assert anon.post(CREATE_URL, payload(), format="json").status_code == 201

    refused = anon.post(CREATE_URL, payload(), format="json")

    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 60
    assert CitizenReport.objects.count() == 3


def test_a_request_refused_for_the_minute_does_not_eat_the_day(anon, city, settings, monkeypatch):
    """Only requests let through count: a refused one gives its increments back. The clock
    starts at the beginning of a day (and so of a minute): the windows are fixed periods."""
    from common.throttling import WindowsThrottle

    settings.SINERGI_REPORT_RATE_MINUTE = "2/minute"
    settings.SINERGI_REPORT_RATE_DAY = "3/day"
    now = [86400.0 * 20_000]
    monkeypatch.setattr(WindowsThrottle, "timer", lambda self: now[0])
    statuses = [anon.post(CREATE_URL, payload(), format="json").status_code for _ in range(4)]
    minute_refusal = anon.post(CREATE_URL, payload(), format="json")
    now[0] += 61
    after_a_minute = anon.post(CREATE_URL, payload(), format="json").status_code
    day_refusal = anon.post(CREATE_URL, payload(), format="json")

    assert statuses == [201, 201, 429, 429]
    assert int(minute_refusal["Retry-After"]) == 60
    assert after_a_minute == 201  # the three refusals counted for nothing
    assert day_refusal.status_code == 429
    assert int(day_refusal["Retry-After"]) == 86400 - 61
    assert CitizenReport.objects.count() == 3


def test_each_client_address_has_its_own_budget(city):
    first, second = APIClient(REMOTE_ADDR="203.0.113.7"), APIClient(REMOTE_ADDR="203.0.113.8")
    for _ in range(5):
        first.post(CREATE_URL, payload(), format="json")

    assert first.post(CREATE_URL, payload(), format="json").status_code == 429
    assert second.post(CREATE_URL, payload(), format="json").status_code == 201


def test_a_forged_forwarded_for_header_does_not_reset_the_budget(anon, city):
    for i in range(5):
        anon.post(CREATE_URL, payload(), format="json", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}")

    response = anon.post(CREATE_URL, payload(), format="json", HTTP_X_FORWARDED_FOR="198.51.100.99")

    assert response.status_code == 429


def test_behind_a_trusted_proxy_the_forwarded_address_counts(city, settings):
    settings.SINERGI_NUM_PROXIES = 1
    proxy = APIClient(REMOTE_ADDR="10.0.0.2")
    for _ in range(5):
        proxy.post(CREATE_URL, payload(), format="json", HTTP_X_FORWARDED_FOR="203.0.113.7")

    assert proxy.post(CREATE_URL, payload(), format="json", HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 429
    assert proxy.post(CREATE_URL, payload(), format="json", HTTP_X_FORWARDED_FOR="203.0.113.8").status_code == 201


def test_tracking_look_ups_have_their_own_limit(anon, city, settings):
    settings.SINERGI_REPORT_TRACK_RATE = "3/minute"
    code = anon.post(CREATE_URL, payload(), format="json").json()["tracking_code"]
    statuses = [anon.get(f"/api/v1/public/reports/{c}/").status_code for c in (code, "AAAAAAAAAA", code)]

    refused = anon.get(f"/api/v1/public/reports/{code}/")

    assert statuses == [200, 404, 200]
    assert refused.status_code == 429
    assert "Retry-After" in refused
    # Looking up does not eat into the budget for reporting.
    assert anon.post(CREATE_URL, payload(), format="json").status_code == 201
