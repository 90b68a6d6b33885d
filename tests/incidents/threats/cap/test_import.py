"""CAP 1.2 in: import-cap.

The real alerts in tests/data/cap/ (see its README: source and licence) are imported as they
are, and the valid ones exported again as valid CAP; areas, categories and scopes map to the
portal's; who may import; hostile and broken XML is refused.
"""

import datetime
import re

import pytest
from lxml import etree

from agencies.models import Classification, Membership, Severity
from incidents.models import Alert, Threat, ThreatEvent, ThreatMessage
from tests.factories import AreaFactory, MembershipFactory
from tests.incidents.threats.cap.helpers import IMPORT, NS, SAMPLES, cap_of, import_as, minimal_alert, sample, text

VALID_SAMPLES = sorted(p.name for p in SAMPLES.glob("*-valid.xml"))


INVALID_SAMPLES = sorted(p.name for p in SAMPLES.glob("*-invalid-schema.xml"))


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
