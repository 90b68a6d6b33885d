"""A CAP source's index read safely: Atom (CAP 1.2 Atom indexes as BMKG, MeteoAlarm and NWS
publish them) or RSS 2.0, parsed with the CAP import's parser (no entities, no DTD, no
network) and any DOCTYPE refused; each entry gives the URL of its CAP document.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from lxml import etree

from ..cap.parse import ATOM_NS, CAP_CONTENT_TYPE, CAP_NS, _safe_parser

# How many entries of one index a poll reads: a feed is a window on the latest alerts.
MAX_ENTRIES = 500


@dataclass(frozen=True)
class FeedEntry:
    key: str  # the entry's id (or guid, or link) and its updated time: a changed entry is new
    url: str


def _atom_link(entry: etree._Element) -> str:
    links = entry.findall(f"{{{ATOM_NS}}}link")
    for wanted in (
        lambda link: (link.get("type") or "").startswith(CAP_CONTENT_TYPE),
        lambda link: link.get("rel") in (None, "alternate"),
        lambda link: True,
    ):
        for link in links:
            if link.get("href") and wanted(link):
                return link.get("href", "")
    return ""


def feed_is_cap_alert(root: etree._Element) -> bool:
    return root.tag == f"{{{CAP_NS}}}alert"


def feed_parse(body: bytes) -> etree._Element:
    """The root of an index or alert, parsed safely; ValidationError {"xml": [...]} otherwise."""
    if not body.strip():
        raise ValidationError({"xml": [_("The source answered an empty document.")]})
    try:
        tree = etree.ElementTree(etree.fromstring(body, _safe_parser()))
    except etree.XMLSyntaxError as exc:
        raise ValidationError(
            {"xml": [_("Not well-formed XML, line %(line)s: %(message)s") % {"line": exc.lineno, "message": exc.msg}]}
        ) from None
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise ValidationError({"xml": [_("A feed has no DOCTYPE: documents with a DTD or entities are refused.")]})
    return tree.getroot()


def feed_entries(root: etree._Element, *, base_url: str) -> list[FeedEntry]:
    """The entries of an Atom feed or an RSS 2.0 channel, their links made absolute against
    `base_url`; ValidationError when the document is neither."""
    entries: list[FeedEntry] = []
    if root.tag == f"{{{ATOM_NS}}}feed":
        for entry in root.findall(f"{{{ATOM_NS}}}entry")[:MAX_ENTRIES]:
            href = _atom_link(entry)
            if not href:
                continue
            url = urljoin(base_url, href.strip())
            ident = (entry.findtext(f"{{{ATOM_NS}}}id") or url).strip()
            updated = (entry.findtext(f"{{{ATOM_NS}}}updated") or "").strip()
            entries.append(FeedEntry(key=f"{ident}|{updated}"[:700], url=url))
        return entries
    if root.tag == "rss":
        for item in root.findall("channel/item")[:MAX_ENTRIES]:
            enclosure = item.find("enclosure")
            href = (item.findtext("link") or "").strip()
            if enclosure is not None and (enclosure.get("type") or "").startswith(CAP_CONTENT_TYPE):
                href = enclosure.get("url", href)
            if not href:
                continue
            url = urljoin(base_url, href.strip())
            ident = (item.findtext("guid") or url).strip()
            updated = (item.findtext("pubDate") or "").strip()
            entries.append(FeedEntry(key=f"{ident}|{updated}"[:700], url=url))
        return entries
    raise ValidationError({"xml": [_("Neither an Atom feed, an RSS channel nor a CAP alert.")]})
