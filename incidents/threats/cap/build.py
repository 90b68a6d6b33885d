"""CAP 1.2 out: a threat as a CAP <alert>, and the Atom feed of public alerts.

Every document is built with lxml (so every text is escaped) and is valid against the OASIS
schema (the package docstring, incidents/threats/cap/__init__.py, says what goes where).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from lxml import etree

from agencies.models import Area, Classification
from incidents.models import Threat, ThreatMessage

from .parse import (
    AREAID_GEOCODE,
    ATOM_NS,
    BSNI_GEOCODE,
    CAP_CONTENT_TYPE,
    CAP_NS,
    CATEGORY_EVENT_CODE,
    CERTAINTY_NAMES,
    DEFAULT_ZONE,
    SEVERITY_NAMES,
    URGENCY_NAMES,
)

# A circle that roughly covers an area around its centroid, by level (km).
AREA_RADIUS_KM: dict[int, int] = {
    Area.Level.PROVINCE: 150,
    Area.Level.REGENCY: 30,
    Area.Level.DISTRICT: 10,
    Area.Level.VILLAGE: 3,
}

# Characters XML 1.0 cannot carry at all; a text typed into the portal may hold them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


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


RESTRICTION_TEXT: dict[str, str] = {
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
