"""A partnership's MoU: a commander of a party uploads it, checked by content and size; it is
kept in private storage and served only to the parties' members and staff, never from a
public URL."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agencies.models import Partnership

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "public"


def _mou(world) -> Partnership:
    return Partnership.objects.get(title="MoU A-B")


def _upload(client, partnership, agency, content=PDF, name="mou.pdf"):
    return client.post(
        reverse("partnership-document-upload", args=[partnership.pk]),
        {"agency": agency.pk, "document": SimpleUploadedFile(name, content, content_type="application/pdf")},
    )


def test_a_commander_uploads_the_mou_and_the_parties_download_it(client, world, settings, tmp_path):
    mou = _mou(world)
    client.force_login(world.carol)
    assert _upload(client, mou, world.a).status_code == 302
    mou.refresh_from_db()
    assert mou.document.name.endswith(".pdf")
    assert (tmp_path / "private" / mou.document.name).exists()
    assert not (tmp_path / "public").exists()
    for who in ("alice", "bob", "admin"):
        client.force_login(getattr(world, who))
        response = client.get(reverse("partnership-document", args=[mou.pk]))
        assert response.status_code == 200, who
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
    for who in ("charlie", "nobody"):
        client.force_login(getattr(world, who))
        assert client.get(reverse("partnership-document", args=[mou.pk])).status_code == 404, who
    client.logout()
    assert client.get(reverse("partnership-document", args=[mou.pk])).status_code == 404


def test_the_api_gives_the_download_address_to_the_parties_only(api_as, world, client):
    mou = _mou(world)
    client.force_login(world.carol)
    _upload(client, mou, world.a)
    body = api_as(world.bob).get(f"/api/v1/partnerships/{mou.pk}/").json()
    assert body["document"].endswith(reverse("partnership-document", args=[mou.pk]))
    assert api_as(world.charlie).get(f"/api/v1/partnerships/{mou.pk}/").json()["document"] is None


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"MZ\x90\x00 not a document", "mou.pdf"),
        (b"<html><script>alert(1)</script></html>", "mou.pdf"),
        (b"", "mou.pdf"),
    ],
)
def test_what_is_not_a_document_is_refused(client, world, content, name):
    mou = _mou(world)
    client.force_login(world.carol)
    response = _upload(client, mou, world.a, content=content, name=name)
    assert response.status_code == 302
    mou.refresh_from_db()
    assert not mou.document


def test_a_document_over_the_size_limit_is_refused(client, world, settings):
    settings.SINERGI_MOU_MAX_BYTES = 100
    mou = _mou(world)
    client.force_login(world.carol)
    _upload(client, mou, world.a, content=PDF + b"0" * 200)
    mou.refresh_from_db()
    assert not mou.document


@pytest.mark.parametrize(("who", "status"), [("alice", 403), ("charlie", 404), ("dave", 404)])
def test_only_a_commander_of_a_party_uploads(client, world, who, status):
    mou = _mou(world)
    client.force_login(getattr(world, who))
    assert _upload(client, mou, world.a).status_code == status
    mou.refresh_from_db()
    assert not mou.document


def test_the_agency_page_offers_the_upload_to_its_commander_only(client, world):
    client.force_login(world.carol)
    page = client.get(reverse("agency-detail", args=[world.a.pk])).content.decode()
    assert 'data-testid="mou-upload"' in page
    client.force_login(world.alice)
    page = client.get(reverse("agency-detail", args=[world.a.pk])).content.decode()
    assert 'data-testid="mou-upload"' not in page
