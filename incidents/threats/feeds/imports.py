"""One CAP document a source's poll fetched, imported through the CAP importer's own steps
(incidents/threats/cap/services.py): the same safe parsing and schema validation (a DOCTYPE is
refused), the same identity rule (a known (sender, identifier) is never imported twice), the
same Update and Cancel as new revisions, with the source's own rules:

- the relaying agency (`CapSource.agency`) issues the threats; nobody signs in: staff decided,
  by registering the source, that its documents count as that agency's imports;
- an Update or Cancel applies only to a threat imported from the same source; one referring
  to a threat from anywhere else (another source, an import by hand, the portal's own) is
  refused, as a relay without a signature is refused on the import endpoint;
- a source with "signature required" takes only documents whose enveloped XML signature
  verifies against its registered certificate (cap/signature.py: one signature, covering the
  whole alert, the signed message the one applied);
- new alerts outside the source's categories or under its minimum severity are skipped.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from incidents.models import CapFetch, CapSource, Threat

from ..cap.parse import CapMessage, cap_parse, cap_read
from ..cap.services import _apply, _check_identity, _create, _info_fields, _known_threat, _referenced_threat
from ..cap.signature import _one_signature, cap_signature_verifies


@dataclass
class ImportOutcome:
    outcome: str
    threat: Threat | None = None
    error: str = ""
    message: CapMessage | None = None


def _messages(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


def _wanted(source: CapSource, message: CapMessage) -> bool:
    """Whether a new alert passes the source's filters (categories of any info, severity of the
    primary one)."""
    if source.categories and not any(set(info.categories) & set(source.categories) for info in message.infos):
        return False
    primary = message.primary
    severity = primary.severity if primary is not None else 0
    return severity >= source.min_severity


def cap_source_import(*, source: CapSource, xml: bytes) -> ImportOutcome:
    """Import one document of `source` (see the module docstring). Atomic; never raises for
    what the document says: the outcome names what happened and why."""
    try:
        tree = cap_parse(xml)
        message = cap_read(tree.getroot())
        _check_identity(message)
    except ValidationError as exc:
        return ImportOutcome(CapFetch.Outcome.REFUSED, error=_messages(exc))
    root = tree.getroot()
    if source.require_signature and not (
        _one_signature(root) and cap_signature_verifies(root, message=message, certificate=source.certificate)
    ):
        return ImportOutcome(
            CapFetch.Outcome.REFUSED,
            error=_("The alert's XML signature does not verify against the source's certificate."),
            message=message,
        )
    existing = _known_threat(message.sender, message.identifier)
    if existing is not None:
        return ImportOutcome(CapFetch.Outcome.DUPLICATE, threat=existing, message=message)
    target = None
    if message.msg_type in (Threat.MsgType.UPDATE, Threat.MsgType.CANCEL):
        target = _referenced_threat(message.references)
        if target is not None and target.cap_source_id != source.pk:
            return ImportOutcome(
                CapFetch.Outcome.REFUSED,
                error=_("The alert this message refers to did not come from this source: it is not applied."),
                message=message,
            )
    if target is None and not _wanted(source, message):
        return ImportOutcome(CapFetch.Outcome.SKIPPED, message=message)
    xml_text = xml.decode(tree.docinfo.encoding or "utf-8", errors="replace")
    try:
        fields = _info_fields(message)
        with transaction.atomic():
            if target is not None:
                threat = _apply(
                    actor=None,
                    agency=source.agency,
                    target=target,
                    root=root,
                    message=message,
                    xml_text=xml_text,
                    fields=fields,
                    cap_source=source,
                )
                cancelled = message.msg_type == Threat.MsgType.CANCEL
                outcome = CapFetch.Outcome.CANCELLED if cancelled else CapFetch.Outcome.UPDATED
                return ImportOutcome(outcome, threat=threat, message=message)
            threat = _create(
                actor=None, agency=source.agency, message=message, xml_text=xml_text, fields=fields, cap_source=source
            )
            return ImportOutcome(CapFetch.Outcome.IMPORTED, threat=threat, message=message)
    except ValidationError as exc:
        return ImportOutcome(CapFetch.Outcome.REFUSED, error=_messages(exc), message=message)
    except IntegrityError:
        # Two polls importing the same message at once: the unique (sender, identifier) let one win.
        existing = _known_threat(message.sender, message.identifier)
        if existing is None:
            raise
        return ImportOutcome(CapFetch.Outcome.DUPLICATE, threat=existing, message=message)
