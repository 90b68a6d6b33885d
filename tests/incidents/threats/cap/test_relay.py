"""CAP relays (issue 11, class 3): an Update or Cancel that references an alert another agency
imported applies only when the importing agency (or staff) sends it, or when it carries a
valid XML signature (XML-DSig, enveloped) by a sender the importing agency registered.

The <sender> of a document is text anyone can write: a relay by another agency with the same
<sender> is refused (400, field "xml") and nothing changes: no threat change, no message, no
revision, no event, no alert, no delivery. Keys and certificates are made here with
`cryptography`; the documents are built from the real samples of tests/data/cap/.
"""

import pytest
from django.urls import reverse
from lxml import etree
from signxml import XMLSigner, methods

from agencies.models import Membership
from incidents.models import Alert, CapSender, Delivery, Threat, ThreatEvent, ThreatMessage
from incidents.threats import cap
from incidents.threats import services as threat_services
from tests.factories import MembershipFactory, UserFactory, category
from tests.incidents.threats.cap.helpers import NS, assert_valid_cap, import_as, keypair, sample, text

ORIGINAL = "sc-valid.xml"
SENDER = "info@meteo.gov.sc"
SENDERS = reverse("api-cap-sender-list")
DSIG_NS = "http://www.w3.org/2000/09/xmldsig#"


# --- Keys, certificates and signed documents --------------------------------------------------


@pytest.fixture(scope="module")
def keys():
    """The authority's own key and certificate, and a forger's."""
    return {
        "authority": keypair("meteo.gov.sc"),
        "forger": keypair("meteo.gov.sc"),
        "expired": keypair("meteo.gov.sc", expired=True),
    }


def sign(xml: bytes, keypair: tuple[bytes, str]) -> bytes:
    key_pem, cert_pem = keypair
    root = etree.fromstring(xml)
    signed = XMLSigner(method=methods.enveloped, signature_algorithm="rsa-sha256", digest_algorithm="sha256").sign(
        root, key=key_pem, cert=cert_pem
    )
    result = etree.tostring(signed, xml_declaration=True, encoding="UTF-8")
    assert_valid_cap(result)  # a signature is a CAP 1.2 extension the schema allows
    return result


def unsigned(root: etree._Element) -> etree._Element:
    """Without the issuer's own signature (the sample is signed; a changed copy no longer is)."""
    for signature in root.findall(f"{{{DSIG_NS}}}Signature"):
        root.remove(signature)
    return root


def original() -> bytes:
    """The Seychelles sample, over Kota Bontang, severe and current, so that it fans out."""
    root = unsigned(etree.fromstring(sample(ORIGINAL)))
    root.find("cap:info/cap:area/cap:areaDesc", NS).text = "Kota Bontang"
    root.find("cap:info/cap:severity", NS).text = "Severe"
    root.find("cap:info/cap:expires", NS).text = "2099-05-19T23:30:00+04:00"
    result = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    assert_valid_cap(result)
    return result


def derived(xml: bytes, *, identifier: str, msg_type: str, headline: str = "All clear", sender: str | None = None):
    """Another message about the same alert, referencing it, as its sender would write it."""
    root = unsigned(etree.fromstring(xml))
    reference = f"{text(root, 'cap:sender')},{text(root, 'cap:identifier')},{text(root, 'cap:sent')}"
    root.find("cap:identifier", NS).text = identifier
    root.find("cap:sent", NS).text = "2024-05-19T19:00:00+04:00"
    root.find("cap:msgType", NS).text = msg_type
    if sender:
        root.find("cap:sender", NS).text = sender
    references = etree.Element("{urn:oasis:names:tc:emergency:cap:1.2}references")
    references.text = reference
    root.find("cap:info", NS).addprevious(references)
    for element in root.findall("cap:info/cap:headline", NS):
        element.text = headline
    result = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    assert_valid_cap(result)
    return result


def tampered(xml: bytes) -> bytes:
    return xml.replace(b"All clear", b"All clear, go home")


@pytest.fixture
def log(world, django_capture_on_commit_callbacks):
    def _log(**fields):
        defaults = {"headline": "Ancaman bom", "category": category("terrorism-threat"), "areas": [world.areas.guntung]}
        with django_capture_on_commit_callbacks(execute=True):
            return threat_services.threat_log(actor=world.alice, **{**defaults, **fields})

    return _log


@pytest.fixture
def imported(world, api_as, django_capture_on_commit_callbacks):
    """Polres Bontang (alice) imported the alert; it fanned out to BPBD Bontang."""
    with django_capture_on_commit_callbacks(execute=True):
        response = import_as(api_as, world.alice, original())
    assert response.status_code == 201, response.content
    threat = Threat.objects.get(pk=response.json()["id"])
    assert threat.issuing_agency == world.a and Alert.objects.filter(threat=threat).exists()
    return threat


def snapshot() -> dict:
    """Everything a relay could change: the threats, their messages, events, alerts, deliveries."""
    return {
        "threats": list(
            Threat.objects.order_by("pk").values_list(
                "pk", "revision", "msg_type", "identifier", "sender", "headline", "cap_status", "fanned_out_revision"
            )
        ),
        "messages": list(ThreatMessage.objects.order_by("pk").values_list("pk", "threat_id", "revision", "identifier")),
        "events": list(ThreatEvent.objects.order_by("pk").values_list("pk", "kind")),
        "alerts": list(Alert.objects.order_by("pk").values_list("pk", "agency_id", "revision")),
        "deliveries": list(Delivery.objects.order_by("pk").values_list("pk", "status", "revision")),
    }


def relay(api_as, user, xml, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return import_as(api_as, user, xml)


def register(agency, certificate: str, *, sender: str = SENDER, is_active: bool = True) -> CapSender:
    return CapSender.objects.create(agency=agency, sender=sender, certificate=certificate, is_active=is_active)


def assert_applied(threat: Threat, response, *, revision: int = 2, msg_type: str = "Cancel") -> None:
    assert response.status_code == 200, response.content
    assert response.json()["id"] == threat.pk
    threat.refresh_from_db()
    assert (threat.revision, threat.msg_type, threat.headline) == (revision, msg_type, "All clear")
    assert ThreatMessage.objects.filter(threat=threat, revision=revision).exists()


# --- Refused: the <sender> alone proves nothing ------------------------------------------------


@pytest.mark.parametrize("msg_type", ["Update", "Cancel"])
@pytest.mark.parametrize("relayer", ["bob", "charlie"])  # a partner of the importer, an outsider
def test_a_spoofed_update_or_cancel_is_refused_and_nothing_changes(
    world, api_as, imported, django_capture_on_commit_callbacks, msg_type, relayer
):
    before = snapshot()
    spoof = derived(original(), identifier="spoofed-1", msg_type=msg_type)
    response = relay(api_as, getattr(world, relayer), spoof, django_capture_on_commit_callbacks)
    assert response.status_code == 400, response.content
    assert "agency that imported" in response.json()["xml"][0]
    assert snapshot() == before
    assert not ThreatMessage.objects.filter(identifier="spoofed-1").exists()


def test_the_service_refuses_a_spoof_with_a_field_message(world, imported):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        cap.threat_import_cap(actor=world.bob, xml=derived(original(), identifier="s", msg_type="Cancel"))
    assert "xml" in caught.value.message_dict


def test_a_viewer_or_analyst_of_the_importing_agency_may_not_import_at_all(world, api_as, imported):
    analyst = MembershipFactory(user=UserFactory(), agency=world.a, role=Membership.Role.ANALYST).user
    before = snapshot()
    response = import_as(api_as, analyst, derived(original(), identifier="a-1", msg_type="Cancel"))
    assert response.status_code == 403
    assert snapshot() == before


# --- Applied: the importer, staff, a signature of a registered sender ---------------------------


@pytest.mark.parametrize("msg_type", ["Update", "Cancel"])
def test_the_original_importer_applies_an_update_or_cancel(
    world, api_as, imported, django_capture_on_commit_callbacks, msg_type
):
    response = relay(
        api_as,
        world.carol,
        derived(original(), identifier="own-1", msg_type=msg_type),
        django_capture_on_commit_callbacks,
    )
    assert_applied(imported, response, msg_type=msg_type)
    assert imported.fanned_out_revision == 2


def test_staff_applies_a_cancel(world, api_as, imported, django_capture_on_commit_callbacks):
    response = relay(
        api_as,
        world.admin,
        derived(original(), identifier="staff-1", msg_type="Cancel"),
        django_capture_on_commit_callbacks,
    )
    assert_applied(imported, response)


@pytest.mark.parametrize("msg_type", ["Update", "Cancel"])
def test_a_relay_signed_by_a_sender_the_importer_registered_applies(
    world, api_as, imported, keys, django_capture_on_commit_callbacks, msg_type
):
    registered = register(world.a, keys["authority"][1])
    signed = sign(derived(original(), identifier="signed-1", msg_type=msg_type), keys["authority"])
    response = relay(api_as, world.charlie, signed, django_capture_on_commit_callbacks)
    assert_applied(imported, response, msg_type=msg_type)
    event = ThreatEvent.objects.filter(
        threat=imported, kind={"Update": "updated", "Cancel": "cancelled"}[msg_type]
    ).get()
    assert event.data["signed_by"] == registered.pk and event.actor == world.charlie


# --- Refused: signatures that prove nothing ------------------------------------------------------


def _assert_refused(response, before, *, signed: bool = True) -> None:
    assert response.status_code == 400, response.content
    message = response.json()["xml"][0]
    assert ("XML signature does not verify" in message) if signed else ("agency that imported" in message)
    assert snapshot() == before


def test_a_relay_signed_with_an_unregistered_key_is_refused(
    world, api_as, imported, keys, django_capture_on_commit_callbacks
):
    register(world.a, keys["authority"][1])
    before = snapshot()
    # The forger's certificate travels in the signature's KeyInfo: it is never trusted.
    signed = sign(derived(original(), identifier="forged-1", msg_type="Cancel"), keys["forger"])
    _assert_refused(relay(api_as, world.charlie, signed, django_capture_on_commit_callbacks), before)


def test_a_tampered_signed_relay_is_refused(world, api_as, imported, keys, django_capture_on_commit_callbacks):
    register(world.a, keys["authority"][1])
    before = snapshot()
    signed = tampered(sign(derived(original(), identifier="tampered-1", msg_type="Cancel"), keys["authority"]))
    assert b"go home" in signed
    _assert_refused(relay(api_as, world.charlie, signed, django_capture_on_commit_callbacks), before)


def test_a_relay_signed_by_a_sender_registered_to_another_agency_is_refused(
    world, api_as, imported, keys, django_capture_on_commit_callbacks
):
    register(world.b, keys["forger"][1])  # the relaying agency trusts its own key: it counts for nothing here
    register(world.c, keys["authority"][1])  # nor does a third agency's registration of the real one
    before = snapshot()
    for user, pair in ((world.bob, keys["forger"]), (world.charlie, keys["authority"])):
        signed = sign(derived(original(), identifier=f"other-{user.pk}", msg_type="Cancel"), pair)
        _assert_refused(relay(api_as, user, signed, django_capture_on_commit_callbacks), before)


def test_a_signed_relay_of_an_inactive_sender_is_refused(
    world, api_as, imported, keys, django_capture_on_commit_callbacks
):
    register(world.a, keys["authority"][1], is_active=False)
    before = snapshot()
    signed = sign(derived(original(), identifier="inactive-1", msg_type="Cancel"), keys["authority"])
    _assert_refused(relay(api_as, world.charlie, signed, django_capture_on_commit_callbacks), before)


def test_a_relay_signed_with_an_expired_registered_certificate_is_refused(
    world, api_as, imported, keys, django_capture_on_commit_callbacks
):
    register(world.a, keys["expired"][1])
    before = snapshot()
    signed = sign(derived(original(), identifier="expired-1", msg_type="Cancel"), keys["expired"])
    _assert_refused(relay(api_as, world.charlie, signed, django_capture_on_commit_callbacks), before)


def test_a_signed_relay_from_another_sender_than_the_original_is_refused(
    world, api_as, imported, keys, django_capture_on_commit_callbacks
):
    # The importer trusts this key for another authority: it does not speak for the Seychelles.
    register(world.a, keys["authority"][1], sender="other@example.org")
    before = snapshot()
    xml = derived(original(), identifier="other-sender-1", msg_type="Cancel", sender="other@example.org")
    _assert_refused(
        relay(api_as, world.charlie, sign(xml, keys["authority"]), django_capture_on_commit_callbacks),
        before,
        signed=True,
    )


def test_a_signature_never_lets_a_relay_change_a_threat_the_portal_issued(
    world, api_as, log, keys, django_capture_on_commit_callbacks, settings
):
    threat = log(classification="public")
    register(world.a, keys["authority"][1], sender=threat.sender)
    exported = api_as(world.alice).get(reverse("api-threat-cap", args=[threat.pk])).content
    before = snapshot()
    signed = sign(derived(exported, identifier="portal-1", msg_type="Cancel"), keys["authority"])
    _assert_refused(relay(api_as, world.charlie, signed, django_capture_on_commit_callbacks), before)


def test_a_signature_moved_onto_another_document_does_not_count(world, imported, keys):
    """See what is signed: the signed part must be the whole message the import acts on."""
    register(world.a, keys["authority"][1])
    signed = etree.fromstring(sign(derived(original(), identifier="moved-1", msg_type="Cancel"), keys["authority"]))
    message = cap.cap_read(signed)
    assert cap.cap_trusted_signer(signed, message=message, agency_id=world.a.pk) is not None
    other = cap.cap_read(etree.fromstring(derived(original(), identifier="moved-2", msg_type="Cancel")))
    assert cap.cap_trusted_signer(signed, message=other, agency_id=world.a.pk) is None


# --- The registry of CAP senders (API) -----------------------------------------------------------


def test_a_commander_registers_a_sender_and_reads_it_back(world, api_as, keys):
    response = api_as(world.carol).post(SENDERS, {"sender": SENDER, "certificate": keys["authority"][1]}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["agency"]["id"], body["sender"], body["is_active"]) == (world.a.pk, SENDER, True)
    assert body["registered_by"] == "carol" and len(body["fingerprint"]) == 64
    assert [row["id"] for row in api_as(world.alice).get(SENDERS).json()["results"]] == [body["id"]]


def test_a_certificate_that_is_not_pem_is_a_field_error(world, api_as):
    response = api_as(world.carol).post(SENDERS, {"sender": SENDER, "certificate": "not a certificate"}, format="json")
    assert response.status_code == 400 and "certificate" in response.json()
    assert not CapSender.objects.exists()


def test_staff_names_the_agency(world, api_as, keys):
    response = api_as(world.admin).post(SENDERS, {"sender": SENDER, "certificate": keys["authority"][1]}, format="json")
    assert response.status_code == 400 and "agency" in response.json()
    response = api_as(world.admin).post(
        SENDERS, {"sender": SENDER, "certificate": keys["authority"][1], "agency": world.b.pk}, format="json"
    )
    assert response.status_code == 201 and CapSender.objects.get().agency == world.b


def test_only_the_agencys_managers_see_and_change_its_senders(world, api_as, keys):
    registered = register(world.a, keys["authority"][1])
    detail = reverse("api-cap-sender-detail", args=[registered.pk])
    # Other agencies (a partner, an outsider), a viewer of the agency, no agency: nothing to see.
    for user in (world.bob, world.charlie, world.vera, world.nobody):
        client = api_as(user)
        assert client.get(SENDERS).json()["results"] == []
        assert client.get(detail).status_code == 404
        assert client.patch(detail, {"is_active": False}, format="json").status_code == 404
        assert client.delete(detail).status_code == 404
    assert api_as(None).get(SENDERS).status_code == 401
    assert api_as(None).delete(detail).status_code == 401
    # A viewer may not register one for the agency either.
    response = api_as(world.vera).post(SENDERS, {"sender": SENDER, "certificate": keys["authority"][1]}, format="json")
    assert response.status_code == 403
    # Nor may bob register one in agency A's name.
    response = api_as(world.bob).post(
        SENDERS, {"sender": SENDER, "certificate": keys["forger"][1], "agency": world.a.pk}, format="json"
    )
    assert response.status_code == 400 and "agency" in response.json()
    assert list(CapSender.objects.values_list("pk", "is_active")) == [(registered.pk, True)]
    # The agency's liaison and staff may.
    assert api_as(world.alice).patch(detail, {"is_active": False}, format="json").json()["is_active"] is False
    assert api_as(world.admin).get(detail).status_code == 200
    assert api_as(world.alice).delete(detail).status_code == 204
    assert not CapSender.objects.exists()


def test_a_sender_registered_by_someone_since_deleted_reads_back(world, api_as, keys):
    registered = register(world.a, keys["authority"][1])  # registered_by is empty
    body = api_as(world.alice).get(reverse("api-cap-sender-detail", args=[registered.pk])).json()
    assert body["registered_by"] is None and body["sender"] == SENDER


def test_the_schema_documents_the_cap_senders(db, client):
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()
    assert {"get", "post"} <= set(schema["paths"]["/api/v1/cap-senders/"])
    assert {"get", "patch", "delete"} <= set(schema["paths"]["/api/v1/cap-senders/{id}/"])
    assert {"tokenAuth": []} in schema["paths"]["/api/v1/cap-senders/"]["get"]["security"]
