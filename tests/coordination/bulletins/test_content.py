"""Attachments (checked by content, size-limited, served to readers only) and the Markdown
text (sanitised)."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from agencies.models import Agency, Classification
from coordination.bulletins.presenters import render_markdown
from coordination.models import BulletinAttachment

from .helpers import issue

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00" + b"\x00" * 200


def pdf(name="laporan.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_a_renamed_executable_is_refused_whatever_its_name_and_type(world):
    with pytest.raises(ValidationError) as exc:
        issue(world, attachments=[pdf("laporan.pdf", EXE)])
    assert "attachments" in exc.value.message_dict
    assert BulletinAttachment.objects.count() == 0


def test_plain_text_posing_as_a_pdf_is_refused(world):
    with pytest.raises(ValidationError):
        issue(world, attachments=[pdf("catatan.pdf", b"just some text, not a PDF")])


def test_an_attachment_over_the_limit_is_refused(world, settings):
    settings.SINERGI_BULLETIN_ATTACHMENT_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as exc:
        issue(world, attachments=[pdf(content=PDF + b"0" * 2000)])
    assert "attachments" in exc.value.message_dict


def test_an_attachment_is_served_to_readers_with_its_type_and_404_to_others(world, client, settings, tmp_path):
    bulletin = issue(
        world,
        classification=Classification.CONFIDENTIAL,
        distribution={"agencies": [world.b.pk]},
        attachments=[pdf()],
        releasable_body="Ringkasan.",
        releasable_classification=Classification.RESTRICTED,
        releasable_distribution={"kinds": [Agency.Kind.FIRE]},
    )
    attachment = bulletin.attachments.get()
    assert str(settings.PRIVATE_MEDIA_ROOT) in attachment.file.path
    url = f"/bulletins/attachments/{attachment.token}/"
    client.force_login(world.bob)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="laporan.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF
    for persona in (world.charlie, world.nobody):  # the releasable reader, and a user of no agency
        client.force_login(persona)
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 404


def test_the_api_adds_an_attachment_for_the_issuer_only(world, api_as):
    bulletin = issue(world)
    url = f"/api/v1/bulletins/{bulletin.pk}/attachments/"
    refused = api_as(world.alice).post(url, {"file": pdf("x.pdf", EXE)}, format="multipart")
    assert refused.status_code == 400 and "attachments" in refused.json()
    assert api_as(world.bob).post(url, {"file": pdf()}, format="multipart").status_code == 403
    created = api_as(world.alice).post(url, {"file": pdf()}, format="multipart")
    assert created.status_code == 201 and created.json()["content_type"] == "application/pdf"


def test_markdown_keeps_structure_and_drops_scripts_and_handlers():
    html = str(
        render_markdown(
            "# Judul\n\n**tebal** [tautan](https://example.org)\n\n<script>alert(1)</script>\n\n"
            '<img src=x onerror="alert(2)">\n\n<a href="javascript:alert(3)">klik</a>'
        )
    )
    assert "<h1>Judul</h1>" in html and "<strong>tebal</strong>" in html
    assert 'href="https://example.org"' in html
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html and "<img" not in html


def test_the_page_shows_the_sanitised_text(world, client):
    bulletin = issue(world, body="Halo <script>alert('x')</script> **dunia**")
    client.force_login(world.bob)
    page = client.get(f"/bulletins/{bulletin.pk}/").content.decode()
    assert "<strong>dunia</strong>" in page and "alert('x')" not in page
