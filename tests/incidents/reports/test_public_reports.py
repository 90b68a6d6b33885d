"""Citizen reports from the public: the API at /api/v1/public/reports/ and the /lapor/ pages.

Every bad input answers 400 naming the field and saves nothing; photos are checked by their
content and stored without EXIF/GPS; the tracking page shows the status and public updates
only; the rate limits answer 429 with Retry-After and lose nothing already accepted.
"""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from agencies.models import Area
from incidents.models import CitizenReport, CitizenReportPhoto, CitizenReportUpdate
from incidents.reports import services
from tests.factories import CitizenReportFactory, category

CREATE_URL = "/api/v1/public/reports/"
BONTANG = {"latitude": "0.160000", "longitude": "117.480000"}
GPS_IFD = 34853  # EXIF tag GPSInfo


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """The rate limits live in the cache: each test starts with a clean budget."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def city(areas):
    """Kota Bontang and Bontang Utara with centroids, so that a report gets its area."""
    Area.objects.filter(pk=areas.bontang.pk).update(
        centroid_lat=Decimal("0.133300"), centroid_lon=Decimal("117.500000")
    )
    Area.objects.filter(pk=areas.bontang_utara.pk).update(
        centroid_lat=Decimal("0.165000"), centroid_lon=Decimal("117.485000")
    )
    return areas


@pytest.fixture
def anon():
    # A client that enforces CSRF like a browser would: the public API must not need a token.
    return APIClient(enforce_csrf_checks=True)


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (64, 48), exif: Image.Exif | None = None) -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", size, (180, 40, 40))
    if exif is not None:
        image.save(buffer, fmt, exif=exif)
    else:
        image.save(buffer, fmt)
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def payload(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "category": "suspicious-activity",
        "description": "Dua orang memanjat pagar gudang pelabuhan.",
        **BONTANG,
        "contact": "0812-3456-7890",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def stored_files(settings) -> list[Path]:
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# --- Accepted --------------------------------------------------------------------------------


def test_it_accepts_a_json_report_and_answers_its_tracking_code(anon, city):
    response = anon.post(CREATE_URL, payload(occurred_at="2026-01-10T21:30:00+08:00"), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"tracking_code", "status", "url"}
    assert body["status"] == "new"
    assert body["url"] == f"/api/v1/public/reports/{body['tracking_code']}/"
    assert response["Location"] == body["url"]
    report = CitizenReport.objects.get()
    assert report.tracking_code == body["tracking_code"]
    assert report.category.code == "suspicious-activity"
    assert report.status == CitizenReport.Status.NEW
    assert report.contact == "0812-3456-7890"
    assert report.occurred_at == datetime.datetime(2026, 1, 10, 13, 30, tzinfo=datetime.UTC)
    assert report.area == city.bontang_utara  # the nearest area with a centroid
    assert report.area_path == city.bontang_utara.path
    assert [u.status for u in report.public_updates] == ["new"]
    assert not report.updates.exists()  # "received" is the report itself, not a stored row


def test_it_accepts_a_report_with_only_the_required_fields(anon, city):
    response = anon.post(CREATE_URL, payload(contact=None), format="json")

    assert response.status_code == 201, response.content
    report = CitizenReport.objects.get()
    assert report.contact == ""
    assert report.occurred_at is None


def test_it_takes_the_area_given(anon, city):
    response = anon.post(CREATE_URL, payload(area=city.guntung.pk), format="json")

    assert response.status_code == 201
    assert CitizenReport.objects.get().area == city.guntung


def test_it_accepts_a_multipart_report_with_three_photos(anon, city, settings):
    photos = [
        upload("a.png", image_bytes("PNG"), "image/png"),
        upload("b.jpg", image_bytes("JPEG"), "image/jpeg"),
        upload("c.webp", image_bytes("WEBP"), "image/webp"),
    ]

    response = anon.post(CREATE_URL, {**payload(), "photos": photos}, format="multipart")

    assert response.status_code == 201, response.content
    report = CitizenReport.objects.get()
    assert sorted(report.photos.values_list("content_type", flat=True)) == ["image/jpeg", "image/png", "image/webp"]
    assert len(stored_files(settings)) == 3
    for photo in report.photos.all():
        # In the private storage, never under MEDIA_ROOT.
        assert Path(photo.image.path).is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT))
        with Image.open(photo.image.path) as stored:
            assert (stored.width, stored.height) == (64, 48)


def test_it_rounds_coordinates_to_six_decimals(anon, city):
    response = anon.post(CREATE_URL, payload(latitude="0.16000049", longitude="117.48000051"), format="json")

    assert response.status_code == 201, response.content
    report = CitizenReport.objects.get()
    assert (report.latitude, report.longitude) == (Decimal("0.160000"), Decimal("117.480001"))


def test_it_stores_a_jpeg_without_its_exif_and_gps_data(anon, city):
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[GPS_IFD] = {1: "N", 2: (0.0, 9.0, 36.0), 3: "E", 4: (117.0, 28.0, 48.0)}
    original = image_bytes("JPEG", exif=exif)
    with Image.open(io.BytesIO(original)) as check:  # the upload really carries a position
        assert check.getexif().get_ifd(GPS_IFD)

    response = anon.post(
        CREATE_URL, {**payload(), "photos": [upload("gps.jpg", original, "image/jpeg")]}, format="multipart"
    )

    assert response.status_code == 201, response.content
    photo = CitizenReportPhoto.objects.get()
    with Image.open(photo.image.path) as stored:
        assert stored.format == "JPEG"
        assert "exif" not in stored.info
        assert len(stored.getexif()) == 0
        assert not stored.getexif().get_ifd(GPS_IFD)
    raw = Path(photo.image.path).read_bytes()
    assert b"Exif" not in raw
    assert b"PhoneMaker" not in raw


def test_it_stores_the_description_exactly_as_given(anon, city):
    text = '<script>alert(1)</script> & "quotes"\n  second line  '

    response = anon.post(CREATE_URL, payload(description=text), format="json")

    assert response.status_code == 201
    assert CitizenReport.objects.get().description == text


# --- Refused: 400 with the field, and nothing saved -----------------------------------------


def assert_refused(response, field: str, settings) -> None:
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert response.json()[field]  # a message, not just the key
    assert CitizenReport.objects.count() == 0
    assert CitizenReportUpdate.objects.count() == 0
    assert stored_files(settings) == []


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"category": None}, "category"),
        ({"category": "no-such-category"}, "category"),
        ({"category": ""}, "category"),
        ({"description": None}, "description"),
        ({"description": ""}, "description"),
        ({"description": "   \n  "}, "description"),
        ({"description": "x" * 5001}, "description"),
        ({"latitude": "51.507400", "longitude": "-0.127800"}, "latitude"),  # London
        ({"latitude": "51.507400", "longitude": "-0.127800"}, "longitude"),
        ({"latitude": "-91"}, "latitude"),
        ({"longitude": "181"}, "longitude"),
        ({"latitude": "abc"}, "latitude"),
        ({"latitude": "NaN"}, "latitude"),
        ({"latitude": None}, "latitude"),
        ({"longitude": None}, "longitude"),
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"area": 999999}, "area"),
        ({"contact": "x" * 201}, "contact"),
    ],
)
def test_it_refuses_bad_fields(anon, city, settings, overrides, field):
    response = anon.post(CREATE_URL, payload(**overrides), format="json")

    assert_refused(response, field, settings)


@pytest.mark.dates
def test_it_refuses_an_occurrence_in_the_future(anon, city, settings):
    tomorrow = (timezone.now() + datetime.timedelta(days=1)).isoformat()

    response = anon.post(CREATE_URL, payload(occurred_at=tomorrow), format="json")

    assert_refused(response, "occurred_at", settings)


def test_it_refuses_an_inactive_category(anon, city, settings):
    retired = category("cybercrime")
    retired.is_active = False
    retired.save()

    response = anon.post(CREATE_URL, payload(category="cybercrime"), format="json")

    assert_refused(response, "category", settings)


def test_it_refuses_more_than_three_photos(anon, city, settings):
    photos = [upload(f"p{i}.png", image_bytes("PNG"), "image/png") for i in range(4)]

    response = anon.post(CREATE_URL, {**payload(), "photos": photos}, format="multipart")

    assert_refused(response, "photos", settings)


def test_it_refuses_a_photo_over_10_mb(anon, city, settings):
    big = image_bytes("JPEG") + b"\0" * (11 * 1024 * 1024)

    response = anon.post(
        CREATE_URL, {**payload(), "photos": [upload("big.jpg", big, "image/jpeg")]}, format="multipart"
    )

    assert_refused(response, "photos", settings)
    assert "10 MB" in response.json()["photos"][0]


def test_it_refuses_a_text_file_named_like_a_jpeg(anon, city, settings):
    fake = upload("photo.jpg", b"this is not a photo, just text\n" * 20, "image/jpeg")

    response = anon.post(CREATE_URL, {**payload(), "photos": [fake]}, format="multipart")

    assert_refused(response, "photos", settings)


def test_it_refuses_a_real_image_of_another_format(anon, city, settings):
    gif = upload("photo.png", image_bytes("GIF"), "image/png")

    response = anon.post(CREATE_URL, {**payload(), "photos": [gif]}, format="multipart")

    assert_refused(response, "photos", settings)


def test_it_refuses_a_truncated_jpeg(anon, city, settings):
    broken = upload("photo.jpg", image_bytes("JPEG", size=(400, 300))[:300], "image/jpeg")

    response = anon.post(CREATE_URL, {**payload(), "photos": [broken]}, format="multipart")

    assert_refused(response, "photos", settings)


def test_one_bad_photo_among_good_ones_saves_nothing(anon, city, settings):
    photos = [
        upload("a.png", image_bytes("PNG"), "image/png"),
        upload("b.jpg", b"not an image", "image/jpeg"),
        upload("c.jpg", image_bytes("JPEG"), "image/jpeg"),
    ]

    response = anon.post(CREATE_URL, {**payload(), "photos": photos}, format="multipart")

    assert_refused(response, "photos", settings)


def test_a_database_failure_while_storing_photos_leaves_no_file_behind(city, settings, monkeypatch):
    from django.db import DatabaseError

    from incidents.models import CitizenReportPhoto

    real_save, saved = CitizenReportPhoto.save, []

    def failing_second_save(self, *args, **kwargs):
        saved.append(self)
        if len(saved) == 2:
            raise DatabaseError("disk full")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(CitizenReportPhoto, "save", failing_second_save)
    photos = [services.CleanPhoto(image_bytes("PNG"), "image/png", "png", 64, 48) for _ in range(3)]

    with pytest.raises(DatabaseError):
        services._citizen_report_store(
            CitizenReport(category=category("fire"), description="x", latitude=1, longitude=117), photos
        )

    assert len(saved) == 2  # the first photo's file and row were written, then the second failed
    assert stored_files(settings) == []
    assert not CitizenReport.objects.exists()


def test_photos_in_a_json_body_are_refused(anon, city, settings):
    response = anon.post(CREATE_URL, payload(photos=["aGVsbG8="]), format="json")

    assert_refused(response, "photos", settings)


def test_it_needs_no_login_and_ignores_a_session(client, anon, city, world):
    anon.force_login(world.alice)  # a session cookie, without a CSRF token

    response = anon.post(CREATE_URL, payload(), format="json")

    assert response.status_code == 201


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
    }
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


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        {"category": "fire", "description": "Api", **BONTANG},
        {"category": "fire", "description": "Api", **BONTANG, "contact": "", "occurred_at": None, "area": None},
        {"category": "fire", "description": "Api", **BONTANG, "contact": "0812", "photos": []},
        {"category": "fire", **BONTANG},  # description missing: required
        {"description": "Api", "latitude": None, "longitude": "117.48", "area": 10**9},
        {"category": "fire", "description": "Api", **BONTANG, "occurred_at": "not a time", "contact": None},
    ],
)
def test_the_input_serializer_skipping_absent_fields_validates_as_drf_does(body):
    """The intake's serializer leaves out of its loop the optional fields a JSON body lacks
    (bench/report_intake.py): its data and errors are DRF's own, field by field."""
    from rest_framework import serializers as drf

    from incidents.reports.api import PublicReportInputSerializer

    class AsDrf(PublicReportInputSerializer):
        _writable_fields = drf.Serializer._writable_fields
        _read_only_defaults = drf.Serializer._read_only_defaults

    category("fire")
    ours, drfs = PublicReportInputSerializer(data=body), AsDrf(data=body)
    assert ours.is_valid() == drfs.is_valid()
    assert ours.errors == drfs.errors
    assert (ours.validated_data if not ours.errors else None) == (drfs.validated_data if not drfs.errors else None)
