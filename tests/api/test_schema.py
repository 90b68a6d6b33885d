"""The OpenAPI schema at /api/v1/schema/ and the Swagger UI at /api/v1/docs/."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from drf_spectacular.validation import validate_schema

AGENCIES_PATHS = [
    "/api/v1/areas/",
    "/api/v1/areas/{id}/",
    "/api/v1/agencies/",
    "/api/v1/agencies/{id}/",
    "/api/v1/members/",
    "/api/v1/members/{id}/",
    "/api/v1/partnerships/",
    "/api/v1/partnerships/{id}/",
    "/api/v1/subscriptions/",
    "/api/v1/subscriptions/{id}/",
    "/api/v1/vital-objects/",
    "/api/v1/vital-objects/{id}/",
    "/api/v1/cameras/",
    "/api/v1/cameras/{id}/",
]


@pytest.fixture
def schema(db, client):
    response = client.get(reverse("api-schema"), {"format": "json"})
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def plain_static_storage(settings):
    """The tests run without collectstatic, so without the manifest that production uses."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def test_the_schema_is_valid_openapi_3(schema):
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)


def test_the_schema_lists_every_agencies_endpoint(schema):
    assert set(AGENCIES_PATHS) <= set(schema["paths"])


def test_the_schema_requires_authentication_on_the_agencies_endpoints(schema):
    operation = schema["paths"]["/api/v1/subscriptions/"]["get"]

    assert {"tokenAuth": []} in operation["security"]
    assert {} not in operation["security"]


def test_the_schema_never_shows_the_webhook_secret_in_a_response(schema):
    components = schema["components"]["schemas"]

    assert "webhook_secret" not in components["Subscription"]["properties"]
    assert "has_webhook_secret" in components["Subscription"]["properties"]
    assert "webhook_secret" in components["SubscriptionRequest"]["properties"]


def test_the_schema_documents_min_severity_as_cap_names(schema):
    assert schema["components"]["schemas"]["MinSeverityEnum"]["enum"] == [
        "Unknown",
        "Minor",
        "Moderate",
        "Severe",
        "Extreme",
    ]


def test_the_schema_documents_the_members_agency_filter(schema):
    names = {p["name"] for p in schema["paths"]["/api/v1/members/"]["get"]["parameters"]}

    assert {"agency", "role", "page", "page_size"} <= names


def test_the_schema_documents_the_areas_subtree_filter_as_an_integer(schema):
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/areas/"]["get"]["parameters"]}

    assert parameters["descendants_of"]["schema"] == {"type": "integer"}


def test_swagger_ui_renders(db, client, plain_static_storage):
    response = client.get(reverse("api-docs"))

    assert response.status_code == 200
    assert b"swagger-ui" in response.content


def test_swagger_ui_references_no_external_host(db, client, plain_static_storage):
    html = client.get(reverse("api-docs")).content.decode().lower()

    for host in ("cdn", "unpkg", "jsdelivr", "cloudflare", "googleapis"):
        assert host not in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)


def test_swagger_ui_assets_are_our_own_static_files(db, client, plain_static_storage, settings):
    html = client.get(reverse("api-docs")).content.decode()
    static_url = "/" + settings.STATIC_URL.lstrip("/")

    assets = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+\.(?:js|css|png))["']""", html)

    assert len(assets) >= 3
    for asset in assets:
        assert asset.startswith(static_url + "drf_spectacular_sidecar/")
        assert finders.find(asset.removeprefix(static_url)) is not None
