"""Citizen reports from the public: filing one at /api/v1/public/reports/.

What is accepted (JSON or multipart with up to three photos, stored without EXIF/GPS) and
what is refused: every bad input answers 400 naming the field and saves nothing, photos are
checked by their content. Last, the intake's serializer validates as DRF's does.
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from PIL import Image

from incidents.models import CitizenReport, CitizenReportPhoto, CitizenReportUpdate
from incidents.reports import services
from tests.factories import category
from tests.incidents.reports.public_reports.helpers import BONTANG, CREATE_URL, image_bytes, payload, upload

GPS_IFD = 34853  # EXIF tag GPSInfo


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


# --- The /lapor/ pages -----------------------------------------------------------------------


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
