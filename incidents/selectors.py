"""Reads of the incidents app, scoped to the user (docs/security.md, "Access").

Classification decides who reads an incident:
- public: anyone signed in;
- restricted: every member of an active agency;
- confidential: the reporting, lead and involved agencies (and, with the alerts, the alerted
  ones), plus agencies whose valid partnership with one of them covers information sharing;
- secret: the reporting, lead and involved agencies only.
Staff read everything. Reads of confidential and secret records are audited by `*_get`.
"""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.db.models.functions import Lower

from agencies import selectors as agency_selectors
from agencies.models import Agency, Area
from agencies.selectors import classification_q, user_agency_ids, user_is_staff
from agencies.services import audit_reads
from common.request_cache import request_cached
from common.selectors import get_or_404
from common.types import User

from .models import Category, Incident, IncidentEvent
from .services import require_incident_assigner, require_incident_manager


def _agency_involvement_q(agency_ids: set[int]) -> Q:
    # `pk IN (the agencies' involvements)`, not a correlated EXISTS: PostgreSQL reads the
    # involvements once into a hash instead of probing them for every confidential or secret row,
    # and plans the OR in a tenth of the time (the risk register's count of the last 90 days'
    # incidents per area: 243 ms -> 107 ms over 123k rows, bench/pages.py's world).
    involved = Incident.involved_agencies.through.objects.filter(agency_id__in=agency_ids).values("incident_id")
    return Q(reporting_agency_id__in=agency_ids) | Q(lead_agency_id__in=agency_ids) | Q(pk__in=involved)


def incident_visibility_q(*, user: User) -> Q | None:
    """The Q an incident must match for `user` to read it; None means everything (staff).
    Involved: the reporting, lead and involved agencies."""
    return classification_q(user=user, involved=_agency_involvement_q)


def _scoped(qs: QuerySet[Incident], user: User) -> QuerySet[Incident]:
    q = incident_visibility_q(user=user)
    return qs if q is None else qs.filter(q)


def category_with_children_ids(*, code: str) -> list[int]:
    """A category and its children: filtering on "flood" includes "flash flood"."""
    return list(Category.objects.filter(Q(code=code) | Q(parent__code=code)).values_list("pk", flat=True))


# Categories by code, kept per process for a minute: every public report names one, and the
# taxonomy changes a few times a year (an admin's new category is usable within a minute).
_CATEGORIES_TTL = 60.0
_categories: tuple[float, dict[str, Category]] = (0.0, {})


def category_by_code(code: str) -> Category | None:
    """The category with this code (active or not), from a per-process cache; None if unknown."""
    global _categories
    loaded_at, by_code = _categories
    if time.monotonic() - loaded_at > _CATEGORIES_TTL:
        by_code = {c.code: c for c in Category.objects.select_related("parent")}
        _categories = (time.monotonic(), by_code)
    return by_code.get(code)


def category_cache_clear() -> None:
    global _categories
    _categories = (0.0, {})


def category_list(*, active_only: bool = True) -> QuerySet[Category]:
    qs = Category.objects.select_related("parent")
    return qs.filter(is_active=True) if active_only else qs


def incident_list(*, user: User, filters: dict[str, Any] | None = None) -> QuerySet[Incident]:
    """Incidents the user may read, newest first. Filters are applied by `IncidentFilter`."""
    qs = Incident.objects.select_related("category", "area", "reporting_agency", "lead_agency")
    return _scoped(qs, user)


def incident_get(*, user: User, pk: int | str, audit: bool = True) -> Incident:
    """One incident the user may read, or 404. Confidential and secret reads are audited."""
    qs = (
        incident_list(user=user)
        .select_related("camera", "vital_object", "duplicate_of", "created_by")
        .prefetch_related(Prefetch("involved_agencies", queryset=Agency.objects.only("id", "name", "code")))
    )
    lookup = {"reference": pk} if isinstance(pk, str) and not pk.isdigit() else {"pk": pk}
    incident = get_or_404(qs, **lookup)
    if audit:
        audit_reads(user=user, objects=[incident], object_type="incident")
    return incident


def incident_get_for_change(*, user: User, pk: int | str) -> Incident:
    """One incident the user may change (edit, status, assign, link, merge): 404 as `incident_get`
    for what the user may not read, PermissionDenied for what they read but may not change (the
    rule of `services.require_incident_manager`, which the services apply again as they write)."""
    incident = incident_get(user=user, pk=pk)
    require_incident_manager(actor=user, incident=incident)
    return incident


def incident_get_for_assign(*, user: User, pk: int | str) -> Incident:
    """One incident whose agencies (lead, involved) the user may change: 404 as `incident_get`,
    PermissionDenied unless the user may assign it (`services.require_incident_assigner`: the
    steering agency's commanders and liaisons, or staff)."""
    incident = incident_get(user=user, pk=pk)
    require_incident_assigner(actor=user, incident=incident)
    return incident


def incident_timeline(*, incident: Incident) -> QuerySet[IncidentEvent]:
    """The timeline of an incident the caller already read through `incident_get`."""
    return incident.events.select_related("actor", "actor_agency").order_by("at", "id")


def incident_assign_candidates(*, user: User, incident: Incident) -> QuerySet[Agency]:
    """The agencies an incident may be assigned to: the active agencies working in its regency
    or city, plus those already on it (the assign form's choices)."""
    area = incident.area
    regency = area
    if area.level > Area.Level.REGENCY:
        regency = agency_selectors.area_ancestors(area=area).filter(level=Area.Level.REGENCY).first() or area
    working = agency_selectors.agency_list(user=user, filters={"area": regency, "is_active": True})
    ids = set(working.values_list("pk", flat=True))
    ids |= {a.pk for a in incident.involved_agencies.all()}
    ids |= {i for i in (incident.lead_agency_id, incident.reporting_agency_id) if i}
    return agency_selectors.agency_list(user=user).filter(pk__in=ids).order_by(Lower("name"), "pk")


def incident_in_bbox(qs: QuerySet[Incident], *, bbox: tuple[Decimal, Decimal, Decimal, Decimal]) -> QuerySet[Incident]:
    """Narrow to a bounding box (min lon, min lat, max lon, max lat), as GeoJSON orders it."""
    min_lon, min_lat, max_lon, max_lat = bbox
    return qs.filter(latitude__gte=min_lat, latitude__lte=max_lat, longitude__gte=min_lon, longitude__lte=max_lon)


def moderation_area_paths(*, user: User) -> list[str] | None:
    """Paths of the areas whose reports the user moderates; None means every report (staff)."""
    if user_is_staff(user):
        return None
    own = user_agency_ids(user=user)
    if not own:
        return []
    ids = tuple(sorted(own))

    def compute() -> list[str]:
        return list(Area.objects.filter(agencies_with_jurisdiction__in=ids).values_list("path", flat=True).distinct())

    # The desk asks it for two blocks: read once per request (`common.request_cache`).
    return list(request_cached(("moderation_area_paths", ids), compute))
