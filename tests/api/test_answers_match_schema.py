"""What the API answers is what its schema publishes, by class (issue 11, class 9): every 400 is
`{field: [messages]}`, an optional URL or e-mail is null rather than "", a nullable column is
documented nullable, a record's date-time lies in sane years, and an oversized request is
refused (413) before its body is read."""

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework import serializers

from agencies.form_fields import ZonedDateTimeField
from common.dates import CalendarDateTimeSerializerField
from common.serializers import DateTimeField, ModelSerializer
from coordination.models import SitRep
from coordination.operations import services as operation_services
from tests.factories import CameraFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db


def field_errors_shape(body):
    return isinstance(body, dict) and all(
        isinstance(k, str) and isinstance(v, list) and all(isinstance(m, str) for m in v) for k, v in body.items()
    )


def make_operation(world):
    now = timezone.now()
    return operation_services.operation_create(
        actor=world.alice,
        name="Operasi Pekat",
        kind="enforcement",
        classification="restricted",
        areas=[world.areas.bontang],
        starts_at=now + datetime.timedelta(days=1),
        ends_at=now + datetime.timedelta(days=2),
    )


# --- 400 is {field: [messages]}, whatever was sent ------------------------------------------


def collection_writes(api_as, world):
    """Every POST of the schema whose path names no record (they need no id to reach the body)."""
    schema = api_as(world.admin).get("/api/v1/schema/", {"format": "json"}).json()
    return [path for path, ops in schema["paths"].items() if "post" in ops and "{" not in path]


@pytest.mark.parametrize("body", [b"{not json", b"\xb5\x00", b"[1, 2]", b'"text"', b"42"])
def test_every_write_answers_a_body_it_cannot_read_with_field_messages(api_as, world, body):
    client = api_as(world.admin)
    paths = collection_writes(api_as, world)
    assert len(paths) >= 15
    for path in paths:
        response = client.generic("POST", path, body, content_type="application/json")
        assert response.status_code in (400, 403, 415), (path, response.status_code)
        if response.status_code == 400:
            assert field_errors_shape(response.json()), (path, response.json())


def test_a_body_that_is_not_json_names_no_field(api_as, world):
    response = api_as(world.alice).generic("POST", "/api/v1/incidents/", b"{oops", content_type="application/json")

    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]
    assert "JSON" in response.json()["non_field_errors"][0]


def test_a_list_fields_errors_stay_under_its_name(api_as, world):
    op = make_operation(world)

    response = api_as(world.alice).post(
        f"/api/v1/operations/{op.pk}/link/", {"incidents": ["x", 5], "threats": [0]}, format="json"
    )

    assert response.status_code == 400
    body = response.json()
    assert field_errors_shape(body)
    assert set(body) == {"incidents", "threats"}
    assert body["incidents"][0].startswith("0: ")


def test_an_id_past_what_the_column_holds_is_refused_on_its_field(api_as, world):
    op = make_operation(world)

    response = api_as(world.alice).post(f"/api/v1/operations/{op.pk}/link/", {"incidents": [2**90]}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["incidents"]


def test_the_agency_audit_is_documented_as_a_page_of_audit_rows(api_as, world):
    paths = api_as(world.admin).get("/api/v1/schema/", {"format": "json"}).json()["paths"]

    audit = paths["/api/v1/agencies/{id}/audit/"]["get"]
    assert audit["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("PaginatedAuditLogList")
    assert paths["/api/v1/agencies/{id}/"]["patch"]["summary"] != audit["summary"]


def test_a_code_with_a_nul_character_is_refused_on_its_field(api_as, world):
    response = api_as(world.alice).post(
        "/api/v1/incidents/", {"title": "x", "category": "crime\x00", "area": world.areas.guntung.pk}, format="json"
    )

    assert response.status_code == 400
    assert "category" in response.json()


def test_every_writable_slug_relation_is_the_common_one():
    from common.serializers import SlugRelatedField

    offenders = [
        f"{cls.__name__}.{name}"
        for cls in project_serializers()
        for name, field in cls().fields.items()
        if isinstance(field, serializers.SlugRelatedField)
        and not field.read_only
        and not isinstance(field, SlugRelatedField)
    ]
    assert offenders == []


# --- Optional URLs and e-mails: null, never "" ----------------------------------------------


def test_a_blank_duty_email_and_stream_url_answer_null(api_as, world):
    camera = CameraFactory(operator=world.a, area=world.areas.guntung, stream_url="")
    client = api_as(world.alice)

    assert client.get(f"/api/v1/agencies/{world.a.pk}/").json()["duty_email"] is None
    assert client.get(f"/api/v1/cameras/{camera.pk}/").json()["stream_url"] is None


def test_a_blank_webhook_url_answers_null(api_as, world):
    subscription = SubscriptionFactory(agency=world.a, areas=[world.areas.bontang], webhook_url="")

    body = api_as(world.alice).get(f"/api/v1/subscriptions/{subscription.pk}/").json()

    assert body["webhook_url"] is None


def test_null_clears_an_optional_url_and_a_set_one_answers_as_stored(api_as, world):
    camera = CameraFactory(operator=world.a, area=world.areas.guntung, stream_url="rtsp://cam.example/1")
    client = api_as(world.carol)
    url = f"/api/v1/cameras/{camera.pk}/"
    assert client.get(url).json()["stream_url"] == "rtsp://cam.example/1"

    response = client.patch(url, {"stream_url": None}, format="json")

    assert response.status_code == 200, response.json()
    camera.refresh_from_db()
    assert camera.stream_url == "" and response.json()["stream_url"] is None


def test_the_schema_documents_optional_urls_and_emails_as_nullable_formats(api_as, world):
    components = api_as(world.admin).get("/api/v1/schema/", {"format": "json"}).json()["components"]["schemas"]

    for component, name, fmt in [
        ("Agency", "duty_email", "email"),
        ("Camera", "stream_url", "uri"),
        ("Subscription", "webhook_url", "uri"),
    ]:
        prop = components[component]["properties"][name]
        assert (prop["format"], prop["nullable"]) == (fmt, True), component


# --- Nullable columns are documented nullable ------------------------------------------------


def test_the_schema_documents_nullable_columns_as_nullable(api_as, world):
    components = api_as(world.admin).get("/api/v1/schema/", {"format": "json"}).json()["components"]["schemas"]

    assert components["Operation"]["properties"]["command_post_lat"]["nullable"] is True
    assert components["OperationDetail"]["properties"]["command_post_lon"]["nullable"] is True
    assert components["PartnershipRequest"]["properties"]["supersedes"]["nullable"] is True
    assert components["CitizenReportDetail"]["properties"]["moderated_by"]["nullable"] is True


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def project_serializers():
    import config.urls  # noqa: F401  every API module, so every serializer, is imported

    return [
        cls
        for cls in _subclasses(serializers.Serializer)
        if cls.__module__.split(".")[0] in {"agencies", "incidents", "coordination"}
    ]


def test_every_model_serializer_has_the_common_base():
    """The null, URL, e-mail and date-time rules live in common.serializers.ModelSerializer."""
    found = [cls for cls in project_serializers() if issubclass(cls, serializers.ModelSerializer)]
    assert len(found) >= 20
    assert [cls for cls in found if not issubclass(cls, ModelSerializer)] == []


def test_every_date_time_a_serializer_takes_is_the_common_one():
    offenders = []
    for cls in project_serializers():
        fields = cls().fields
        offenders += [
            f"{cls.__module__}.{cls.__name__}.{name}"
            for name, field in fields.items()
            if isinstance(field, serializers.DateTimeField)
            and not field.read_only
            # a record's years, or (query parameters) the calendar's edges of common.dates
            and not isinstance(field, (DateTimeField, CalendarDateTimeSerializerField))
        ]
    assert offenders == []


# --- Date-times in sane years ----------------------------------------------------------------


@pytest.mark.parametrize("start", ["0006-02-28T00:14:12+08:00", "1899-12-31T23:00:00Z", "3000-01-02T00:00:00+07:00"])
def test_a_sitrep_outside_sane_years_is_refused_on_its_field(api_as, world, start):
    op = make_operation(world)

    response = api_as(world.alice).post(
        f"/api/v1/operations/{op.pk}/sitreps/",
        {"period_start": start, "period_end": "2026-12-05T12:00:00+08:00", "summary": "x"},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()) == ["period_start"]
    assert SitRep.objects.count() == 0


def test_a_sitrep_in_1900_is_accepted(api_as, world):
    op = make_operation(world)

    response = api_as(world.alice).post(
        f"/api/v1/operations/{op.pk}/sitreps/",
        {"period_start": "1900-01-02T00:00:00+08:00", "period_end": "1900-01-02T06:00:00+08:00", "summary": "x"},
        format="json",
    )

    assert response.status_code == 201, response.json()


@pytest.mark.parametrize("value", ["0006-02-28T00:14", "3001-01-01T00:00"])
def test_a_form_date_time_outside_sane_years_is_a_form_error(value):
    from django import forms

    class Form(forms.Form):
        at = ZonedDateTimeField()

    form = Form(data={"at": value})
    assert not form.is_valid()
    assert "at" in form.errors


# --- Oversized requests: 413 before the body is read -----------------------------------------


class UnreadableBody:
    """A request body that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


HUGE = str(90 * 1024 * 1024)


def test_an_oversized_api_request_is_refused_as_json_without_reading_it(client):
    response = client.generic(
        "POST",
        "/api/v1/public/reports/",
        b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=HUGE,
        **{"wsgi.input": UnreadableBody()},
    )

    assert response.status_code == 413
    assert field_errors_shape(response.json()) and list(response.json()) == ["non_field_errors"]


def test_an_oversized_report_form_is_refused_with_a_page_without_reading_it(client):
    response = client.generic(
        "POST",
        "/lapor/",
        b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=HUGE,
        **{"wsgi.input": UnreadableBody()},
    )

    assert response.status_code == 413
    assert response.templates[0].name == "request_too_large.html"
    assert b'data-testid="request-too-large"' in response.content


def test_a_request_within_the_bound_is_read(client, settings):
    settings.SINERGI_MAX_REQUEST_BYTES = 1000
    cache.clear()  # the submissions' rate limit counts in the cache
    small = client.post("/api/v1/public/reports/", {"description": "x" * 10})
    big = client.post("/api/v1/public/reports/", {"description": "x" * 2000})

    assert small.status_code == 400
    assert big.status_code == 413


def test_the_bound_leaves_room_for_a_report_with_its_photos(settings):
    from incidents.reports.services import MAX_PHOTO_BYTES, MAX_PHOTOS

    text = 1024 * 1024  # the report's description and fields, with room to spare
    assert MAX_PHOTOS * MAX_PHOTO_BYTES + text <= settings.SINERGI_MAX_REQUEST_BYTES
    assert settings.SINERGI_MAX_REQUEST_BYTES >= settings.DATA_UPLOAD_MAX_MEMORY_SIZE
