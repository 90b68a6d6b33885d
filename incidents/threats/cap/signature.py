"""CAP 1.2 in: the XML signature of an alert (XML-DSig, CAP 1.2 section 3.3.2.1), verified
against the certificates an agency registered for a sender, and never against a key or a
certificate the document carries itself.

A `<sender>` is text anyone can write; a signature is what proves that a relayed Update or
Cancel comes from the authority that sent the original alert. `cap_trusted_signer` says which
registered `CapSender` (if any) signed the document:

- the signature is an enveloped one, the only ds:Signature child of <alert> (with several,
  which one counts would be a guess: none does), with one reference covering
  the whole alert (SignXML's `location="./"`, `expect_references=1`); SHA-1 is refused (SignXML's
  default); the network is never read (no URI resolver) and the document is re-read with the
  safe parser of parse.py (no entities, no DTD, no network);
- the certificate is the registered one: SignXML checks the signature with `x509_cert`, which
  overrides whatever KeyInfo says, and refuses a KeyValue that does not match it;
- "see what is signed": the message read from the signed part must be the message the import
  acts on (every field the portal uses), or the signature does not count.
"""

from __future__ import annotations

import logging

from lxml import etree
from signxml import SignatureConfiguration, XMLVerifier
from signxml.exceptions import InvalidCertificate, InvalidDigest, InvalidInput, InvalidSignature

from incidents.models import CapSender

from .parse import CapMessage, _safe_parser, cap_read

logger = logging.getLogger(__name__)

DSIG_NS = "http://www.w3.org/2000/09/xmldsig#"

_CONFIG = SignatureConfiguration(location="./", expect_references=1)


def cap_signature(root: etree._Element) -> etree._Element | None:
    """The document's enveloped signature (a ds:Signature child of <alert>), if it has one."""
    return root.find(f"{{{DSIG_NS}}}Signature")


def _one_signature(root: etree._Element) -> bool:
    """Exactly one signature: with several, which one a verifier checks is a guess, so none counts."""
    return len(root.findall(f"{{{DSIG_NS}}}Signature")) == 1


def cap_signature_verifies(root: etree._Element, *, message: CapMessage, certificate: str) -> bool:
    """Whether `root` carries a valid enveloped signature by the key of `certificate` (PEM) that
    covers the whole alert as `message` reads it."""
    try:
        result = XMLVerifier().verify(
            etree.tostring(root), x509_cert=certificate.strip(), parser=_safe_parser(), expect_config=_CONFIG
        )
    except (InvalidSignature, InvalidDigest, InvalidCertificate, InvalidInput, ValueError) as exc:
        logger.info("CAP signature of %s,%s refused: %s", message.sender, message.identifier, exc)
        return False
    signed = getattr(result, "signed_xml", None)
    if not isinstance(signed, etree._Element) or signed.tag != root.tag:
        return False
    return cap_read(signed) == message


def cap_trusted_signer(root: etree._Element, *, message: CapMessage, agency_id: int | None) -> CapSender | None:
    """The active sender registered by `agency_id` under the document's <sender> whose
    certificate signed the document; None if none did (or the document is not signed)."""
    if agency_id is None or not _one_signature(root):
        return None
    registered_senders = CapSender.objects.filter(agency_id=agency_id, sender=message.sender, is_active=True)
    for registered in registered_senders.order_by("pk"):
        if cap_signature_verifies(root, message=message, certificate=registered.certificate):
            return registered
    return None
