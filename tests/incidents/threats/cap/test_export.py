"""CAP 1.2 out: cap.xml, the public Atom feed and documents, and round trips.

A portal threat is valid CAP (checked against the OASIS schema) with offsets, two languages,
circles and escaped texts; updates and cancels reference what they replace; an exported alert
imported again becomes a new revision; the public feed shows current public threats only and
is rate limited. Last, the cap module's own pieces.
"""

import copy
import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from agencies.models import Membership, Severity
from incidents.models import Threat, ThreatMessage
from incidents.threats import cap
from incidents.threats import services as threat_services
from incidents.threats.cap import build as cap_build
from tests.factories import AgencyFactory, AreaFactory, MembershipFactory, UserFactory, category
from tests.incidents.threats.cap.helpers import (
    CAP_NS,
    NS,
    assert_valid_cap,
    cap_of,
    import_as,
    minimal_alert,
    sample,
    text,
)

FEED = reverse("api-public-cap-feed")


OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")


@pytest.fixture
def log(world, django_capture_on_commit_callbacks):
    def _log(actor=None, **fields):
        defaults = {
            "headline": "Ancaman bom di pelabuhan",
            "description": "Laporan ancaman bom di Pelabuhan Loktuan.",
            "instruction": "Jauhi area pelabuhan.",
            "category": category("terrorism-threat"),
            "areas": [world.areas.guntung],
            "severity": Severity.SEVERE,
        }
        defaults.update(fields)
        with django_capture_on_commit_callbacks(execute=True):
            return threat_services.threat_log(actor=actor or world.alice, **defaults)

    return _log


# --- Out: a portal threat as CAP -----------------------------------------------------------------


def test_a_logged_threat_is_valid_cap_with_an_offset_and_two_languages(world, api_as, log):
    threat = log(headline_en="Bomb threat at the port")
    root = cap_of(api_as(world.alice), threat)
    sent = text(root, "cap:sent")
    assert OFFSET.match(sent) and sent.endswith("+08:00")  # Guntung is WITA
    assert not sent.endswith("Z")
    assert (text(root, "cap:identifier"), text(root, "cap:sender")) == (threat.identifier, threat.sender)
    assert (text(root, "cap:status"), text(root, "cap:msgType")) == ("Actual", "Alert")
    assert root.find("cap:references", NS) is None
    infos = root.findall("cap:info", NS)
    assert [text(i, "cap:language") for i in infos] == ["id-ID", "en-US"]
    indonesian, english_ = infos
    assert text(indonesian, "cap:headline") == "Ancaman bom di pelabuhan"
    assert text(english_, "cap:headline") == "Bomb threat at the port"
    assert text(english_, "cap:description") == threat.description  # no English text: the Indonesian one
    assert (text(indonesian, "cap:event"), text(english_, "cap:event")) == ("Ancaman teror", "Terror threat")
    assert text(indonesian, "cap:category") == "Security"
    assert (text(indonesian, "cap:severity"), text(indonesian, "cap:urgency")) == ("Severe", "Expected")
    assert text(indonesian, "cap:certainty") == "Likely"
    assert text(indonesian, "cap:senderName") == "Polres Bontang"
    assert text(indonesian, "cap:web").endswith(f"/threats/{threat.pk}/")
    assert OFFSET.match(text(indonesian, "cap:effective"))
    area = indonesian.find("cap:area", NS)
    assert text(area, "cap:areaDesc") == "Guntung"
    assert {(text(g, "cap:valueName"), text(g, "cap:value")) for g in area.findall("cap:geocode", NS)} == {
        ("areaid", world.areas.guntung.path)
    }


def test_an_area_with_a_centroid_gets_a_circle_and_its_code(world, api_as, log):
    papua = AreaFactory(
        name="Kota Jayapura", code="JAP", timezone="Asia/Jayapura", centroid_lat="-2.533", centroid_lon="140.717"
    )
    threat = log(areas=[papua])
    root = cap_of(api_as(world.alice), threat)
    assert text(root, "cap:sent").endswith("+09:00")
    area = root.find("cap:info/cap:area", NS)
    assert text(area, "cap:circle") == "-2.533000,140.717000 150"
    assert ("BSNI", "JAP") in {
        (text(g, "cap:valueName"), text(g, "cap:value")) for g in area.findall("cap:geocode", NS)
    }


def test_texts_are_escaped_and_control_characters_dropped(world, api_as, log):
    threat = log(headline='<b>Bom</b> & "granat" \x07di </alert>', description="]]> <!-- x -->")
    root = cap_of(api_as(world.alice), threat)
    assert text(root, "cap:info/cap:headline") == '<b>Bom</b> & "granat" di </alert>'
    assert text(root, "cap:info/cap:description") == "]]> <!-- x -->"


@pytest.mark.parametrize(
    ("classification", "scope"),
    [("public", "Public"), ("restricted", "Restricted"), ("confidential", "Restricted"), ("secret", "Private")],
)
def test_the_scope_follows_the_classification(world, api_as, log, classification, scope):
    threat = log(classification=classification, named_agencies=[world.b])
    root = cap_of(api_as(world.alice), threat)
    assert text(root, "cap:scope") == scope
    if scope == "Restricted":
        assert text(root, "cap:restriction")
    else:
        assert root.find("cap:restriction", NS) is None
    if scope == "Private":
        assert text(root, "cap:addresses") == "bpbd-bontang"
    else:
        assert root.find("cap:addresses", NS) is None


def test_an_update_references_the_alert_and_a_cancel_both(world, api_as, log, django_capture_on_commit_callbacks):
    threat = log()
    alert_message = f"{threat.sender},{threat.identifier},"
    with django_capture_on_commit_callbacks(execute=True):
        threat_services.threat_update(actor=world.alice, threat=threat, severity=Severity.EXTREME)
    threat.refresh_from_db()
    root = cap_of(api_as(world.alice), threat)
    assert text(root, "cap:msgType") == "Update"
    (reference,) = text(root, "cap:references").split()
    assert reference.startswith(alert_message)
    assert OFFSET.match(reference.split(",")[2])
    assert text(root, "cap:info/cap:severity") == "Extreme"
    update_identifier = threat.identifier

    with django_capture_on_commit_callbacks(execute=True):
        threat_services.threat_cancel(actor=world.alice, threat=threat, reason="Ancaman tidak terbukti")
    threat.refresh_from_db()
    root = cap_of(api_as(world.alice), threat)
    assert text(root, "cap:msgType") == "Cancel"
    references = text(root, "cap:references").split()
    assert [r.split(",")[1] for r in references] == [alert_message.split(",")[1], update_identifier]
    assert text(root, "cap:info/cap:instruction") == "Ancaman tidak terbukti"


def test_cap_xml_follows_the_threat_visibility(world, api_as, log, django_assert_max_num_queries):
    threat = log(classification="confidential", severity=Severity.MODERATE)
    url = reverse("api-threat-cap", args=[threat.pk])
    assert api_as(None).get(url).status_code == 401
    assert api_as(world.charlie).get(url).status_code == 404
    assert api_as(world.nobody).get(url).status_code == 404
    assert api_as(world.alice).get(url + "x").status_code == 404
    with django_assert_max_num_queries(12):
        assert_valid_cap(api_as(world.bob).get(url).content)  # partner of the issuer


# --- Round trips -----------------------------------------------------------------------------


def _derived(xml: bytes, *, identifier: str, msg_type: str, headline: str | None = None) -> bytes:
    """Another message about the same alert, as its sender would write it."""
    root = etree.fromstring(xml)
    original = f"{text(root, 'cap:sender')},{text(root, 'cap:identifier')},{text(root, 'cap:sent')}"
    root.find("cap:identifier", NS).text = identifier
    root.find("cap:sent", NS).text = "2026-03-01T09:30:00+08:00"
    root.find("cap:msgType", NS).text = msg_type
    references = root.find("cap:references", NS)
    if references is None:
        references = etree.Element(f"{{{CAP_NS}}}references")
        root.find("cap:info", NS).addprevious(references)
    references.text = " ".join(filter(None, [references.text, original]))
    if headline:
        for element in root.findall("cap:info/cap:headline", NS):
            element.text = headline
    result = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    assert_valid_cap(result)
    return result


def test_an_update_of_an_exported_alert_becomes_a_new_revision(world, api_as, log, django_capture_on_commit_callbacks):
    threat = log(named_agencies=[world.c])
    exported = api_as(world.alice).get(reverse("api-threat-cap", args=[threat.pk])).content
    update = _derived(exported, identifier="sinergi-update-1", msg_type="Update", headline="Ancaman meluas")
    with django_capture_on_commit_callbacks(execute=True):
        response = import_as(api_as, world.alice, update)
    assert response.status_code == 200, response.content
    assert response.json()["id"] == threat.pk and Threat.objects.count() == 1
    threat.refresh_from_db()
    assert (threat.revision, threat.msg_type, threat.identifier) == (2, "Update", "sinergi-update-1")
    assert threat.headline == "Ancaman meluas"
    assert threat.category.code == "terrorism-threat"  # the eventCode carried it
    assert list(threat.areas.all()) == [world.areas.guntung]  # the areaid geocode carried it
    assert threat.sent_at == datetime.datetime(2026, 3, 1, 1, 30, tzinfo=datetime.UTC)
    message = ThreatMessage.objects.get(threat=threat, revision=2)
    assert b"sinergi-update-1" in message.xml.encode()
    assert threat.fanned_out_revision == 2
    # Its own export now references the original alert.
    root = cap_of(api_as(world.alice), threat)
    assert text(root, "cap:references").split(",")[1] == ThreatMessage.objects.get(threat=threat, revision=1).identifier

    cancel = _derived(update, identifier="sinergi-cancel-1", msg_type="Cancel")
    response = import_as(api_as, world.alice, cancel)
    assert response.status_code == 200
    threat.refresh_from_db()
    assert (threat.revision, threat.msg_type) == (3, "Cancel")
    assert response.json()["status"] == "cancelled"
    assert len(text(cap_of(api_as(world.alice), threat), "cap:references").split()) == 2


def test_an_update_of_a_foreign_alert_by_another_agency_is_refused(world, api_as):
    """The same <sender> proves nothing: only the importer, staff or a registered signature
    (test_relay.py) update an imported alert."""
    import_as(api_as, world.alice, minimal_alert())
    update = minimal_alert(
        identifier="bmkg-2026-0002",
        msg_type="Update",
        references="info@bmkg.go.id,bmkg-2026-0001,2026-03-01T08:00:00+08:00",
        event="Banjir bandang",
    )
    response = import_as(api_as, world.bob, update)
    assert response.status_code == 400 and "xml" in response.json()
    threat = Threat.objects.get()
    assert (threat.revision, threat.category.code, threat.issuing_agency) == (1, "flood", world.a)


def test_an_outsider_may_not_update_a_portal_threat_by_cap(world, api_as, log):
    threat = log(classification="public")
    exported = api_as(world.alice).get(reverse("api-threat-cap", args=[threat.pk])).content
    cancel = _derived(exported, identifier="forged-cancel", msg_type="Cancel")
    response = import_as(api_as, world.charlie, cancel)
    assert response.status_code == 400 and "xml" in response.json()
    threat.refresh_from_db()
    assert (threat.revision, threat.msg_type) == (1, "Alert")
    assert not ThreatMessage.objects.filter(identifier="forged-cancel").exists()


def test_an_update_referencing_a_threat_you_may_not_see_imports_as_new(world, api_as, log):
    threat = log(classification="confidential", severity=Severity.MODERATE)
    exported = api_as(world.alice).get(reverse("api-threat-cap", args=[threat.pk])).content
    update = _derived(exported, identifier="c-update", msg_type="Update")
    response = import_as(api_as, world.charlie, update)
    assert response.status_code == 201
    threat.refresh_from_db()
    assert threat.revision == 1
    assert Threat.objects.get(identifier="c-update").issuing_agency == world.c


def test_an_update_of_a_cancelled_threat_is_refused(world, api_as, log):
    threat = log()
    threat_services.threat_cancel(actor=world.alice, threat=threat)
    threat.refresh_from_db()
    exported = api_as(world.alice).get(reverse("api-threat-cap", args=[threat.pk])).content
    response = import_as(api_as, world.alice, _derived(exported, identifier="late-update", msg_type="Update"))
    assert response.status_code == 400 and "xml" in response.json()


# --- The public feed and documents --------------------------------------------------------------


@pytest.fixture
def published(world, log):
    public = log(headline="Banjir rob di Bontang Kuala", classification="public", category=category("flood-tidal"))
    restricted = log(headline="Razia gabungan", classification="restricted")
    expired = log(
        headline="Banjir kemarin",
        classification="public",
        effective_at=timezone.now() - datetime.timedelta(days=2),
        expires_at=timezone.now() - datetime.timedelta(days=1),
    )
    return public, restricted, expired


def test_the_feed_is_atom_with_current_public_threats_only(world, api_as, published):
    public, restricted, expired = published
    response = api_as(None).get(FEED)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = etree.fromstring(response.content)
    assert feed.tag == "{http://www.w3.org/2005/Atom}feed"
    assert text(feed, "atom:id") == "http://testserver" + FEED
    assert text(feed, "atom:title") and OFFSET.match(text(feed, "atom:updated"))
    entries = feed.findall("atom:entry", NS)
    assert [text(e, "atom:title") for e in entries] == ["Banjir rob di Bontang Kuala"]
    (entry,) = entries
    link = entry.find("atom:link", NS)
    assert link.get("type") == "application/cap+xml"
    assert text(entry, "atom:id") == link.get("href")
    assert OFFSET.match(text(entry, "atom:updated"))
    assert b"Razia" not in response.content and b"kemarin" not in response.content

    document = api_as(None).get(link.get("href"))
    assert document.status_code == 200
    root = assert_valid_cap(document.content)
    assert text(root, "cap:identifier") == public.identifier and text(root, "cap:scope") == "Public"


def test_a_restricted_or_unknown_identifier_has_no_public_document(world, api_as, published):
    _public, restricted, expired = published
    for identifier in (restricted.identifier, expired.identifier, "nope"):
        response = api_as(None).get(reverse("api-public-cap", kwargs={"identifier": identifier}))
        assert response.status_code == 404


def test_a_foreign_identifier_with_dots_and_colons_has_a_public_document(world, api_as):
    import_as(api_as, world.alice, sample("us-valid.xml"))
    threat = Threat.objects.get()
    threat.expires_at = timezone.now() + datetime.timedelta(days=1)
    threat.save()
    feed = etree.fromstring(api_as(None).get(FEED).content)
    href = feed.find("atom:entry/atom:link", NS).get("href")
    assert_valid_cap(api_as(None).get(href).content)


def test_the_public_endpoints_are_rate_limited(world, api_as, settings, published):
    settings.SINERGI_PUBLIC_CAP_RATE = "2/minute"
    client = api_as(None)
    assert [client.get(FEED).status_code for _ in range(3)] == [200, 200, 429]


def test_a_bad_token_does_not_lock_out_the_public_feed(world, api_as, published):
    client = api_as(None)
    client.credentials(HTTP_AUTHORIZATION="Token nonsense")
    assert client.get(FEED).status_code == 200


# --- Unit: the module's own pieces ------------------------------------------------------------


def test_cap_datetime_never_writes_z():
    moment = datetime.datetime(2026, 1, 1, 0, 0, 0, 123456, tzinfo=datetime.UTC)
    from zoneinfo import ZoneInfo

    assert cap.cap_datetime(moment, ZoneInfo("Asia/Jakarta")) == "2026-01-01T07:00:00+07:00"
    assert cap.cap_datetime(moment, ZoneInfo("UTC")) == "2026-01-01T00:00:00+00:00"


def test_the_circle_radius_depends_on_the_level(areas):
    village = copy.copy(areas.guntung)
    village.centroid_lat, village.centroid_lon = Decimal("0.1"), Decimal("117.5")
    (block,) = cap_build._portal_area_blocks([village])
    assert block["circles"] == ["0.1,117.5 3"]


def test_an_agency_code_with_a_space_is_quoted():
    assert cap_build._quote_address("tim sar") == '"tim sar"'
    assert cap_build._quote_address("bpbd-bontang") == "bpbd-bontang"


def test_the_service_returns_whether_it_created(world):
    threat, created = cap.threat_import_cap(actor=world.alice, xml=minimal_alert())
    again, created_again = cap.threat_import_cap(actor=world.alice, xml=minimal_alert())
    assert (created, created_again) == (True, False) and again.pk == threat.pk


def test_an_alert_without_info_imports_with_its_identity(world):
    xml = b"""<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>no-info</identifier>
<sender>x@example.org</sender><sent>2026-03-01T08:00:00+07:00</sent><status>Test</status>
<msgType>Alert</msgType><scope>Public</scope><note>Uji sistem</note></alert>"""
    threat, created = cap.threat_import_cap(actor=world.alice, xml=xml)
    assert created and threat.headline == "Uji sistem" and threat.cap_status == "Test"
    assert threat.category.code == "suspicious-activity"


def test_many_agencies_members_import_for_the_chosen_one(world):
    other = AgencyFactory()
    user = UserFactory()
    MembershipFactory(user=user, agency=world.a, role=Membership.Role.COMMANDER)
    MembershipFactory(user=user, agency=other, role=Membership.Role.LIAISON)
    threat, _created = cap.threat_import_cap(actor=user, xml=minimal_alert(), agency=other)
    assert threat.issuing_agency == other
