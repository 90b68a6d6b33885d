"""Who receives a bulletin: the distribution the issuer asks for, resolved into agencies, and
the classification rule applied before anything is sent.

A distribution is a dict of four lists, each optional: `agencies` (ids picked one by one),
`kinds` (agency kinds), `areas` (ids: agencies whose jurisdiction covers any of them, an area
or one of its ancestors, or lies inside it) and `scopes` (partnership scopes: the issuer's
partners in force under that scope). The bulletin's classification then decides who may get
it (docs/security.md, "Access", applied to bulletins):

- public and restricted: every active agency resolved;
- confidential: the agencies named one by one and the issuer's information-sharing partners;
- secret: the agencies named one by one only.

The issuing agency is never a recipient of its own bulletin (its members read it as issuer).
`resolve` answers both lists (who gets it, who is left out and why), which is what the
compose page's preview shows, and what `bulletin_create` stores: the preview and the send are
the same function on the same input.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from agencies.models import Agency, Area, Classification
from agencies.selectors import partner_agency_ids

SCOPES = ("information_sharing", "joint_patrol", "disaster_response", "training")
KEYS = ("agencies", "kinds", "areas", "scopes")
# More than this many agencies in one list is a mistake, not a distribution (a whole province).
MAX_RECIPIENTS = 2000
REASONS = ("named", "kind", "jurisdiction", "partnership")  # BulletinRecipient.Reason, strongest first


@dataclass
class Resolved:
    """Agencies (id -> reason) who get it, and those the distribution named but the
    classification leaves out (id -> why)."""

    included: dict[int, str] = field(default_factory=dict)
    excluded: dict[int, str] = field(default_factory=dict)
    named: set[int] = field(default_factory=set)


def clean_distribution(raw: dict[str, Any] | None) -> dict[str, list[Any]]:
    """The four lists with ids as ints and unknown kinds or scopes dropped (a stored copy)."""
    raw = raw or {}
    kinds = set(Agency.Kind.values)

    def ints(values: Iterable[Any]) -> list[int]:
        return sorted({int(v.pk if hasattr(v, "pk") else v) for v in values or ()})

    return {
        "agencies": ints(raw.get("agencies", ())),
        "kinds": sorted({str(k) for k in raw.get("kinds", ()) or () if str(k) in kinds}),
        "areas": ints(raw.get("areas", ())),
        "scopes": sorted({str(s) for s in raw.get("scopes", ()) or () if str(s) in SCOPES}),
    }


def is_empty(distribution: dict[str, list[Any]]) -> bool:
    return not any(distribution.get(k) for k in KEYS)


def _candidates(*, issuer_id: int, distribution: dict[str, list[Any]]) -> dict[int, str]:
    """Active agencies the distribution reaches, each with its strongest reason (4 queries at most)."""
    found: dict[int, str] = {}

    def add(ids: Iterable[int], reason: str) -> None:
        for agency_id in ids:
            if agency_id not in found:
                found[agency_id] = reason

    active = Agency.objects.filter(is_active=True).exclude(pk=issuer_id)
    if distribution["agencies"]:
        add(active.filter(pk__in=distribution["agencies"]).values_list("pk", flat=True), "named")
    if distribution["kinds"]:
        add(active.filter(kind__in=distribution["kinds"]).values_list("pk", flat=True), "kind")
    if distribution["areas"]:
        paths = list(Area.objects.filter(pk__in=distribution["areas"]).values_list("path", flat=True))
        covering: Q = Q(pk__in=[])
        for path in paths:
            ancestors = ["/" + "/".join(path.strip("/").split("/")[: i + 1]) + "/" for i in range(path.count("/") - 1)]
            covering |= Q(jurisdiction__path__in=ancestors) | Q(jurisdiction__path__startswith=path)
        if paths:
            add(active.filter(covering).values_list("pk", flat=True).distinct(), "jurisdiction")
    for scope in distribution["scopes"]:
        partners = partner_agency_ids(agency_ids=[issuer_id], scope=scope)
        add(active.filter(pk__in=partners).values_list("pk", flat=True), "partnership")
    return found


def resolve(*, issuer_id: int, classification: str, distribution: dict[str, list[Any]]) -> Resolved:
    """Who gets a bulletin of `classification` sent by `issuer_id` to `distribution`."""
    result = Resolved()
    candidates = _candidates(issuer_id=issuer_id, distribution=distribution)
    result.named = {i for i, reason in candidates.items() if reason == "named"}
    if classification == Classification.CONFIDENTIAL and candidates:
        allowed = result.named | partner_agency_ids(agency_ids=[issuer_id], scope="information_sharing")
    elif classification == Classification.SECRET:
        allowed = set(result.named)
    else:
        allowed = set(candidates)
    for agency_id, reason in candidates.items():
        if agency_id in allowed:
            result.included[agency_id] = reason
        elif classification == Classification.SECRET:
            result.excluded[agency_id] = _("Secret: only agencies named one by one receive it.")
        else:
            result.excluded[agency_id] = _(
                "Confidential: only agencies named one by one and information-sharing partners receive it."
            )
    return result


def resolve_tiers(
    *,
    issuer_id: int,
    classification: str,
    distribution: dict[str, list[Any]],
    releasable_classification: str = "",
    releasable_distribution: dict[str, list[Any]] | None = None,
) -> tuple[Resolved, Resolved]:
    """The full list and the releasable list (agencies already on the full list left out of
    the second: they read the full text)."""
    full = resolve(issuer_id=issuer_id, classification=classification, distribution=distribution)
    wider = Resolved()
    if releasable_classification and releasable_distribution and not is_empty(releasable_distribution):
        wider = resolve(
            issuer_id=issuer_id, classification=releasable_classification, distribution=releasable_distribution
        )
        for agency_id in list(wider.included):
            if agency_id in full.included:
                del wider.included[agency_id]
        # Left out of the full list by its classification, they may still get the releasable text.
        for agency_id in list(full.excluded):
            if agency_id in wider.included:
                del full.excluded[agency_id]
    return full, wider
