"""Citizen reports through the /lapor/ pages: the form, the tracking form and status page.

The form posts the API's field names, shows errors next to the fields, reads the time in the
citizen's zone and shares the API's rate limit; the tracking pages are rate limited too.
"""

from __future__ import annotations

import datetime
import re

from django.urls import reverse

from incidents.models import CitizenReport
from incidents.reports import services
from tests.incidents.reports.public_reports.helpers import CREATE_URL, image_bytes, payload, upload

# --- The /lapor/ pages -----------------------------------------------------------------------


def form_data(**overrides: object) -> dict[str, object]:
    data = payload(**overrides)
    data.setdefault("occurred_at", "")
    return data


def test_the_form_posts_the_api_field_names_with_category_codes(client, city):
    response = client.get(reverse("report-create"))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="id">' in html
    for name in ("category", "description", "latitude", "longitude", "occurred_at", "contact", "photos"):
        assert f'name="{name}"' in html
    assert re.search(r'<select name="category"[^>]*>', html)
    assert '<optgroup label="Kejahatan">' in html or '<optgroup label="Crime">' in html
    assert '<option value="crime-theft">' in html
    assert '<option value="suspicious-activity">' in html
    assert 'type="datetime-local"' in html
    assert 'accept="image/jpeg,image/png,image/webp"' in html
    assert re.search(r'<input[^>]*name="photos"[^>]*multiple', html)
    assert "sinergi-navbar" not in html  # the citizens' layout, not the dashboard's
    assert 'href="/static/vendor/leaflet/leaflet.css"' in html


def test_the_form_switches_to_english(client, city):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("report-create")})
    html = client.get(response["Location"]).content.decode()

    assert '<html lang="en">' in html
    assert "Report an incident" in html


def test_the_form_files_a_report_and_shows_its_tracking_code(client, city, settings):
    photo = upload("street.png", image_bytes("PNG"), "image/png")

    response = client.post(reverse("report-create"), {**form_data(), "photos": [photo]})

    report = CitizenReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("report-submitted", args=[report.tracking_code])
    assert report.photos.count() == 1
    assert report.area == city.bontang_utara
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert report.tracking_code in page.content.decode()
    assert reverse("report-track-detail", args=[report.tracking_code]) in page.content.decode()


def test_the_form_reads_the_time_in_the_citizens_zone(client, city):
    # 21:30 typed in a WITA (UTC+8) browser: getTimezoneOffset() is -480.
    response = client.post(reverse("report-create"), form_data(occurred_at="2026-01-10T21:30", tz_offset="-480"))

    assert response.status_code == 302
    occurred = CitizenReport.objects.get().occurred_at
    assert occurred == datetime.datetime(2026, 1, 10, 13, 30, tzinfo=datetime.UTC)


def test_the_form_shows_errors_next_to_the_fields_and_keeps_the_values(client, city):
    response = client.post(
        reverse("report-create"),
        form_data(description="<script>alert(1)</script>", latitude="51.5", contact="saya@example.test"),
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="error-latitude"' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # kept, escaped
    assert "<script>alert(1)</script>" not in html
    assert 'value="saya@example.test"' in html
    assert '<option value="suspicious-activity" selected>' in html
    assert CitizenReport.objects.count() == 0


def test_the_form_shows_photo_errors_from_the_service(client, city):
    fake = upload("photo.jpg", b"plain text", "image/jpeg")

    response = client.post(reverse("report-create"), {**form_data(), "photos": [fake]})

    assert response.status_code == 400
    assert 'data-testid="error-photos"' in response.content.decode()
    assert CitizenReport.objects.count() == 0


def test_the_form_refuses_more_than_three_photos(client, city):
    photos = [upload(f"p{i}.png", image_bytes("PNG"), "image/png") for i in range(4)]

    response = client.post(reverse("report-create"), {**form_data(), "photos": photos})

    assert response.status_code == 400
    assert 'data-testid="error-photos"' in response.content.decode()
    assert CitizenReport.objects.count() == 0


def test_the_form_shares_the_api_rate_limit(client, anon, city):
    for _ in range(5):
        assert anon.post(CREATE_URL, payload(), format="json").status_code == 201

    response = client.post(reverse("report-create"), form_data(description="masih ada orangnya"))

    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    html = response.content.decode()
    assert 'data-testid="throttled"' in html
    assert "masih ada orangnya" in html  # what the citizen typed is still there
    assert CitizenReport.objects.count() == 5


def test_the_tracking_form_leads_to_the_status_page(client, city, world):
    code = client.post(reverse("report-create"), form_data()) and CitizenReport.objects.get().tracking_code

    response = client.get(reverse("report-track"), {"code": f" {code.lower()} "})

    assert response.status_code == 302
    assert response["Location"] == reverse("report-track-detail", args=[code])
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-status="new"' in html
    assert "0812-3456-7890" not in html
    assert "Dua orang memanjat" not in html


def test_the_status_page_shows_public_updates(client, city, world):
    client.post(reverse("report-create"), form_data())
    report = CitizenReport.objects.get()
    services.citizen_report_verify(actor=world.alice, report=report)

    html = client.get(reverse("report-track-detail", args=[report.tracking_code])).content.decode()

    assert 'data-status="verified"' in html
    assert "WITA" in html  # shown in the zone of the report's area


def test_the_tracking_form_says_when_a_code_is_unknown(client, db):
    response = client.get(reverse("report-track"), {"code": "ZZZZZZZZZZ"})

    assert response.status_code == 404
    assert 'data-testid="error-code"' in response.content.decode()


def test_the_status_page_of_an_unknown_code_is_a_friendly_404(client, db):
    response = client.get(reverse("report-track-detail", args=["ZZZZZZZZZZ"]))

    assert response.status_code == 404
    assert 'id="track-form"' in response.content.decode()


def test_the_tracking_pages_are_rate_limited(client, db, settings):
    settings.SINERGI_REPORT_TRACK_RATE = "2/minute"
    client.get(reverse("report-track-detail", args=["ZZZZZZZZZZ"]))
    client.get(reverse("report-track"), {"code": "ZZZZZZZZZZ"})

    response = client.get(reverse("report-track-detail", args=["ZZZZZZZZZZ"]))

    assert response.status_code == 429
    assert "Retry-After" in response
    assert 'data-testid="throttled"' in response.content.decode()
