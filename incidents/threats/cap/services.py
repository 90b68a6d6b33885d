"""CAP 1.2 import: another authority's alert as a threat (`threat_import_cap`).

The alert is parsed and validated by parse.py. The first <info> whose language starts with
"id" (else "en", else the first) gives the Indonesian texts, the first English one the *_en
texts; its <area> blocks are kept in `cap_areas` and linked to portal areas
(`cap_match_areas`); the category is chosen by `cap_category_for`; the package docstring
(incidents/threats/cap/__init__.py) gives the rules. Who may import and who may apply an
Update or Cancel is read from agencies/roles.py ("threat.import") and the threat selectors.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.http import Http404
from django.utils.translation import gettext as _
from lxml import etree

from agencies.models import Agency, Area, Classification
from agencies.roles import roles_for
from agencies.services import acting_agency
from common.services import model_update, signed_in
from common.types import User
from incidents.models import CapSender, CapSource, Category, Threat, ThreatEvent, ThreatMessage

from .. import selectors as threat_selectors
from .. import services as threat_services
from .areas import cap_area_matches
from .parse import CATEGORY_EVENT_CODE, CapInfo, CapMessage, cap_parse, cap_read
from .signature import cap_signature, cap_trusted_signer

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

SCOPE_TO_CLASSIFICATION = {
    "Public": Classification.PUBLIC,
    "Restricted": Classification.RESTRICTED,
    "Private": Classification.CONFIDENTIAL,
}


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


def cap_match_areas(cap_areas: Sequence[dict[str, Any]]) -> list[Area]:
    """Portal areas that the CAP areas cover (areas.py: geocode, polygon, circle, else name)."""
    return [area for area, _reason in cap_area_matches(cap_areas)]


def _link_areas(threat: Threat) -> list[Area]:
    """Link the threat to the areas its CAP areas cover and record why (`area_matches`)."""
    matches = cap_area_matches(threat.cap_areas)
    threat.area_matches = [reason for _area, reason in matches]
    Threat.objects.filter(pk=threat.pk).update(area_matches=threat.area_matches)
    areas = [area for area, _reason in matches]
    threat.areas.set(areas)
    return areas


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


def _importing_agency(actor: User, agency: Agency | None) -> Agency | None:
    """The agency an import is filed under (errors name the field `agency`): one where the
    actor holds "threat.import" (commanders and liaisons), or none for staff."""
    return acting_agency(actor=actor, agency=agency, roles=roles_for("threat.import"), field="agency")


def _clip(value: str, length: int = 200) -> str:
    return value if len(value) <= length else value[: length - 1] + "…"


# What an imported message sets on a threat (`_info_fields`); an Update sets them again.
IMPORTED_FIELDS = (
    "headline",
    "description",
    "instruction",
    "headline_en",
    "description_en",
    "instruction_en",
    "category",
    "severity",
    "urgency",
    "certainty",
    "effective_at",
    "onset_at",
    "expires_at",
    "cap_areas",
)


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


def _create(
    *,
    actor: User | None,
    agency: Agency | None,
    message: CapMessage,
    xml_text: str,
    fields: dict[str, Any],
    cap_source: CapSource | None = None,
) -> Threat:
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
        cap_source=cap_source,
        created_by=signed_in(actor),
        **fields,
    )
    _full_clean(threat)
    threat.save()
    areas = _link_areas(threat)
    threat_services.threat_message_record(threat, xml=xml_text)
    threat_services.threat_event(
        threat,
        actor=actor,
        agency=agency,
        kind=ThreatEvent.Kind.IMPORTED,
        message=threat.headline,
        data={
            "sender": message.sender,
            "identifier": message.identifier,
            "msg_type": message.msg_type,
            "cap_areas": len(threat.cap_areas),
            "areas": [a.pk for a in areas],
            "category": threat.category.code,
            "cap_source": cap_source.pk if cap_source is not None else None,
        },
    )
    threat_services.queue_fan_out(threat.pk)
    return threat


def _check_relay(*, actor: User, threat: Threat, root: etree._Element, message: CapMessage) -> CapSender | None:
    """Refuse (ValidationError {"xml": [...]}) an Update or Cancel of `threat` that neither its
    issuing agency (or staff) sends nor a sender that agency registered signed; returns that
    registered sender when the signature is what lets it through."""
    if threat_selectors.can_change_by_cap(user=actor, threat=threat):
        return None
    if threat_selectors.cap_relay_sender(threat=threat, sender=message.sender):
        signer = cap_trusted_signer(root, message=message, agency_id=threat.issuing_agency_id)
        if signer is not None:
            return signer
    if cap_signature(root) is None:
        error = _(
            "Only the agency that imported the alert this message refers to, or staff, may apply its update or "
            "cancellation; a relay by another agency needs the XML signature of a CAP sender that agency registered."
        )
    else:
        error = _(
            "The alert's XML signature does not verify against a CAP sender of this <sender> registered by the "
            "agency that imported the alert it refers to."
        )
    raise ValidationError({"xml": [error]})


def _apply(
    *,
    actor: User | None,
    agency: Agency | None,
    target: Threat,
    root: etree._Element,
    message: CapMessage,
    xml_text: str,
    fields: dict[str, Any],
    cap_source: CapSource | None = None,
) -> Threat:
    """A CAP Update or Cancel of a threat we hold: a new revision, as threat_update/cancel make.
    From a CAP source (a poll), the caller checked that the threat came from the same source."""
    threat = Threat.objects.select_for_update().get(pk=target.pk)
    if cap_source is not None:
        if threat.cap_source_id != cap_source.pk:  # checked by the poll; again under the lock
            raise ValidationError({"xml": [_("The alert this message refers to came from another source.")]})
        signer = None
    else:
        assert actor is not None
        signer = _check_relay(actor=actor, threat=threat, root=root, message=message)
    cancelling = message.msg_type == Threat.MsgType.CANCEL
    if threat.is_cancelled:
        if cancelling:
            return threat  # cancelled already: nothing changes
        raise ValidationError({"xml": [_("The threat this update refers to was cancelled; import it as a new alert.")]})
    # The classification stays the portal's decision: a foreign scope never widens or narrows
    # who reads a threat already here.
    model_update(instance=threat, fields=fields, allowed=IMPORTED_FIELDS)
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
        areas = _link_areas(threat)
    threat_services.threat_message_record(threat, xml=xml_text)
    threat_services.threat_event(
        threat,
        actor=actor,
        agency=agency,
        kind=ThreatEvent.Kind.CANCELLED if cancelling else ThreatEvent.Kind.UPDATED,
        message=message.note,
        data={
            "cap": {"sender": message.sender, "identifier": message.identifier, "msg_type": message.msg_type},
            "signed_by": signer.pk if signer is not None else None,
            "cap_source": cap_source.pk if cap_source is not None else None,
            "areas": [a.pk for a in areas] if areas is not None else None,
        },
    )
    threat_services.queue_fan_out(threat.pk)
    return threat


def threat_import_cap(*, actor: User, xml: bytes, agency: Agency | None = None) -> tuple[Threat, bool]:
    """Import another authority's CAP 1.2 alert as a threat of the actor's agency; returns the
    threat and whether a new one was created. Atomic; the fan-out is queued on commit.

    - Who: a commander or liaison of an agency (`agency` when they have several; it becomes the
      issuing agency), or staff (PermissionDenied otherwise). The issuing agency is always the
      importing one, never decided by the document's <sender>.
    - The bytes are parsed safely and validated against the OASIS schema (ValidationError
      {"xml": [...]} with the schema's messages otherwise).
    - Idempotent: a message whose (sender, identifier) is known returns its threat unchanged.
    - An Update or Cancel that references a message or threat we hold, visible to the actor,
      becomes a new revision of it when the actor is of the issuing agency (the one that
      imported or issued it) or staff, or when it is a relay of an imported alert signed
      (XML-DSig) by a sender the issuing agency registered under the original's <sender>
      (signature.py); otherwise ValidationError {"xml": [...]} and nothing changes. The
      <sender> alone proves nothing. One that references nothing the actor sees is imported
      as a new threat.
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
        if target is not None:
            try:  # what the actor may not see does not exist for them
                target = threat_selectors.threat_get(user=actor, pk=target.pk, audit=False)
            except Http404:
                target = None
    xml_text = xml.decode(tree.docinfo.encoding or "utf-8", errors="replace")
    fields = _info_fields(message)
    try:
        with transaction.atomic():
            if target is not None:
                return _apply(
                    actor=actor,
                    agency=importing,
                    target=target,
                    root=tree.getroot(),
                    message=message,
                    xml_text=xml_text,
                    fields=fields,
                ), False
            return _create(actor=actor, agency=importing, message=message, xml_text=xml_text, fields=fields), True
    except IntegrityError:
        # Two imports of the same message at once: the unique (sender, identifier) let one win.
        existing = _known_threat(message.sender, message.identifier)
        if existing is None:
            raise
        return existing, False


# --- Registered CAP senders (whose signed relays may update or cancel an imported alert) --------

CAP_SENDER_FIELDS = ("sender", "certificate", "is_active")


@transaction.atomic
def cap_sender_register(
    *, actor: User, sender: str, certificate: str, agency: Agency | None = None, is_active: bool = True
) -> CapSender:
    """Register a CAP sender and its X.509 certificate for an agency where the actor holds
    "threat.cap_senders" (`agency` when they have several; staff name it)."""
    owner = acting_agency(
        actor=actor,
        agency=agency,
        roles=roles_for("threat.cap_senders"),
        field="agency",
        staff_without_agency=False,
    )
    if owner is None:
        raise ValidationError({"agency": [_("Name the agency this sender is registered for.")]})
    registered = CapSender(
        agency=owner,
        sender=sender,
        certificate=certificate,
        is_active=is_active,
        registered_by=signed_in(actor),
    )
    registered.full_clean()
    registered.save()
    return registered


@transaction.atomic
def cap_sender_update(*, actor: User, cap_sender: CapSender, **fields: Any) -> CapSender:
    """Change a registered sender (its id, certificate or active flag); the caller got it through
    `cap_sender_get_for_change`, checked again here."""
    if not threat_selectors.can_manage_cap_senders(user=actor, agency_id=cap_sender.agency_id):
        raise PermissionDenied(threat_selectors.CAP_SENDER_DENIED)
    model_update(instance=cap_sender, fields=fields, allowed=CAP_SENDER_FIELDS, save=True)
    return cap_sender


@transaction.atomic
def cap_sender_delete(*, actor: User, cap_sender: CapSender) -> None:
    if not threat_selectors.can_manage_cap_senders(user=actor, agency_id=cap_sender.agency_id):
        raise PermissionDenied(threat_selectors.CAP_SENDER_DENIED)
    cap_sender.delete()
