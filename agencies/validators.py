"""Validators shared by every app (agencies is the bottom of the dependency chain)."""

import ipaddress
import os
from decimal import Decimal
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

# Indonesia's extent with a margin for its outer islands and territorial sea:
# Sabang (5.9 N, 95.3 E) to Merauke (8.5 S, 141.0 E), Rote (11.0 S) and Miangas (5.6 N).
INDONESIA_LAT = (Decimal("-11.5"), Decimal("6.5"))
INDONESIA_LON = (Decimal("94.5"), Decimal("141.5"))


# A camera's stream: CCTV speaks RTSP (rtsp://user:pass@10.0.0.5:554/stream1) far more often than
# HTTP, and a camera sits on the operator's own network, so private addresses are allowed here
# (unlike a webhook, which the portal itself calls).
validate_stream_url = URLValidator(
    schemes=["rtsp", "rtsps", "http", "https", "rtmp", "rtmps"],
    message=_("Enter the stream's address: rtsp://, rtsps://, rtmp://, http:// or https://."),
)


def validate_latitude(value) -> None:
    if value is None:
        return
    lo, hi = INDONESIA_LAT
    if not (lo <= Decimal(str(value)) <= hi):
        raise ValidationError(
            _("Latitude %(value)s is outside Indonesia (%(lo)s to %(hi)s)."),
            code="outside_indonesia",
            params={"value": value, "lo": lo, "hi": hi},
        )


def validate_longitude(value) -> None:
    if value is None:
        return
    lo, hi = INDONESIA_LON
    if not (lo <= Decimal(str(value)) <= hi):
        raise ValidationError(
            _("Longitude %(value)s is outside Indonesia (%(lo)s to %(hi)s)."),
            code="outside_indonesia",
            params={"value": value, "lo": lo, "hi": hi},
        )


# --- Webhook URLs: partners on the internet, not the portal's own network (SSRF) ------------

LOCAL_NAME_SUFFIXES = (".localhost", ".local", ".localdomain", ".internal", ".intranet", ".lan", ".home.arpa")


def private_webhooks_allowed() -> bool:
    """SINERGI_WEBHOOK_ALLOW_PRIVATE: a closed network whose partners live on private addresses."""
    return bool(getattr(settings, "SINERGI_WEBHOOK_ALLOW_PRIVATE", False))


def address_is_public(address: str) -> bool:
    """Whether an IP address is on the public internet: not loopback, private, link-local (the
    cloud metadata service at 169.254.169.254), shared, reserved or multicast."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def validate_webhook_url(value: str) -> None:
    """A webhook goes to a partner's server on the internet: http(s), no credentials in the URL,
    and no loopback, private or link-local address or local name, which would let whoever
    edits a subscription make the portal's workers call its own network. The names are
    resolved again at each send (incidents.threats.transports), where the address is checked too."""
    if not value:
        return
    try:
        parts = urlsplit(value)
        host = parts.hostname or ""
    except ValueError:
        raise ValidationError(_("Enter a valid URL."), code="invalid") from None
    if parts.scheme not in ("http", "https"):
        raise ValidationError(_("A webhook URL starts with https:// (or http://)."), code="scheme")
    if parts.username or parts.password:
        raise ValidationError(
            _("Put no user name or password in a webhook URL: the signature authenticates the portal."),
            code="credentials",
        )
    if private_webhooks_allowed():
        return
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        if host == "localhost" or "." not in host or host.endswith(LOCAL_NAME_SUFFIXES):
            raise ValidationError(
                _("%(host)s is a local name: a webhook goes to a server on the internet."),
                code="private_address",
                params={"host": host},
            ) from None
        return
    if not address_is_public(host):
        raise ValidationError(
            _("%(host)s is not a public address: a webhook goes to a server on the internet."),
            code="private_address",
            params={"host": host},
        )


class PrivateStorage(FileSystemStorage):
    """Partnership documents (MoUs) live in PRIVATE_MEDIA_ROOT, outside MEDIA_ROOT and without
    a public URL: only a view that checks the reader is a party's member serves them. The
    location is read from settings at each use, so tests can point it at a temporary folder."""

    def __init__(self) -> None:
        super().__init__(base_url="/no-public-url/")

    @property
    def base_location(self) -> str:  # type: ignore[override]
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self) -> str:  # type: ignore[override]
        return os.path.abspath(self.base_location)


def private_storage() -> PrivateStorage:
    return PrivateStorage()
