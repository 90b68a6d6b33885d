"""What the citizen report tests share: the API's URL, a place in Bontang, a valid report,
test images and uploads.
"""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

CREATE_URL = "/api/v1/public/reports/"


BONTANG = {"latitude": "0.160000", "longitude": "117.480000"}


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
