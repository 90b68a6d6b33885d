"""The home page at `/`: a member's desk (what needs them now, the small map, the last 30 days,
their agency's card); an anonymous visitor gets the public portal's home instead of the staff
login (`coordination.community.portal`, which owns that page)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from agencies import selectors as agency_selectors
from agencies.audit import audit_kinds
from agencies.models import Agency, Area, Membership
from common.types import User
from common.views import map_settings
from coordination.community.portal.urls import visitor_home

from . import selectors


@dataclass
class AgencyCard:
    """One of the user's agencies as the dashboard shows it."""

    membership: Membership
    agency: Agency
    partners: list[Agency] = field(default_factory=list)
    partnership_count: int = 0


def _agency_cards(user: User, only: Agency | None = None) -> list[AgencyCard]:
    """The cards of the user's agencies; `only` one of them, read already by `agency_list` with
    its jurisdiction (the desk's scope)."""
    agency_ids = agency_selectors.user_agency_ids(user=user)
    if only is not None:
        agency_ids = agency_ids & {only.pk}
    if not agency_ids or not user.is_authenticated:
        return []
    if only is not None:
        agencies = {only.pk: only}
    else:
        agencies = {
            agency.pk: agency
            for agency in agency_selectors.agency_list(user=user)
            .filter(pk__in=agency_ids)
            .prefetch_related(Prefetch("jurisdiction", queryset=Area.objects.only("id", "name", "level")))
        }
    memberships = agency_selectors.membership_list(user=user).filter(
        user=user, is_active=True, agency_id__in=agency_ids
    )
    cards = [AgencyCard(membership=m, agency=agencies[m.agency_id]) for m in memberships if m.agency_id in agencies]
    # The parties' names only: the list's proposer and ender (four joins under a DISTINCT cost
    # more to plan than to run) and its answers are not on a card.
    partnerships = (
        agency_selectors.partnership_list(user=user)
        .select_related(None)
        .prefetch_related(None)
        .prefetch_related(Prefetch("agencies", queryset=Agency.objects.only("id", "name", "code")))
        .filter(agency_selectors.partnership_in_force_q(), agencies__in=agency_ids)
        .distinct()
    )
    for partnership in partnerships:
        parties = list(partnership.agencies.all())
        for card in cards:
            if any(party.pk == card.agency.pk for party in parties):
                card.partnership_count += 1
                known = {p.pk for p in card.partners}
                card.partners.extend(p for p in parties if p.pk != card.agency.pk and p.pk not in known)
    for card in cards:
        card.partners.sort(key=lambda agency: agency.name)
    return cards


# The session remembers when the member last opened their desk, per agency looked at: the
# incidents block lists what moved since then.
SEEN_KEY = "desk_seen"


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """`/`: a member's desk; an anonymous visitor gets the public portal's home instead of the
    staff login (report an event, follow a report, the current public alerts...)."""
    if not request.user.is_authenticated:
        return visitor_home(request)  # the public portal's home (coordination.community.portal)
    is_member = agency_selectors.user_is_member(user=request.user)
    if not is_member:
        return render(request, "coordination/desk/dashboard.html", {"cards": [], "is_member": False})
    agency_id = request.GET.get("agency")
    seen: dict[str, str] = request.session.get(SEEN_KEY, {})
    key = str(agency_id or "default")
    since = datetime.datetime.fromisoformat(seen[key]) if key in seen else None
    context = selectors.desk(user=request.user, agency_id=agency_id, since=since)
    _audit(request, context)
    request.session[SEEN_KEY] = {**seen, key: timezone.now().isoformat()}
    scope = context["scope"]
    cards = _agency_cards(request.user, only=scope.agency) if scope.agency is not None else []
    return render(
        request,
        "coordination/desk/dashboard.html",
        {**context, **map_settings(), "cards": cards, "is_member": True, "now": timezone.now()},
    )


def _audit(request: HttpRequest, context: dict[str, Any]) -> None:
    """The list-read audit of the desk (docs/security.md): one row per kind of record naming
    the confidential and secret ones it shows (block rows and map points), from the rows
    already read: three INSERTs for all the kinds, none when nothing classified is shown."""
    blocks = context["blocks"]
    kinds = [
        ("incident", [*blocks["incidents"].rows, *context["map"].pop("audit")]),  # not for the map script
        ("threat", [alert.threat for alert in blocks["alerts"].rows]),
        ("operation", blocks["operations"].rows),
        ("bulletin", blocks["bulletins"].rows),
    ]
    with transaction.atomic():  # one transaction for the rows and their links
        audit_kinds(user=request.user, kinds=kinds, detail=request.path)
