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

import bisect
import datetime
import itertools
import time
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, IntegerField, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Lower
from django.http import Http404
from django.utils import timezone

from agencies import selectors as agency_selectors
from agencies.models import Agency, Area
from agencies.selectors import classification_q, user_agency_ids
from agencies.selectors import user_is_staff as _is_staff
from agencies.services import audit_reads
from common.types import User

from .models import Category, CitizenReport, CitizenReportPhoto, Incident, IncidentEvent, RiskAssessment
from .services import require_incident_manager


def _agency_involvement_q(agency_ids: set[int]) -> Q:
    involved = Incident.involved_agencies.through.objects.filter(incident_id=OuterRef("pk"), agency_id__in=agency_ids)
    return Q(reporting_agency_id__in=agency_ids) | Q(lead_agency_id__in=agency_ids) | Q(Exists(involved))


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
    try:
        incident = qs.get(reference=pk) if isinstance(pk, str) and not pk.isdigit() else qs.get(pk=pk)
    except (Incident.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
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


# --- Citizen reports -----------------------------------------------------------------------


def citizen_report_public_get(*, tracking_code: str) -> CitizenReport:
    """A report as its reporter follows it: only the status and public updates are used."""
    try:
        return (
            CitizenReport.objects.select_related("category")
            # The incident's status only: the reporter follows its progress, nothing else of it.
            .select_related("incident")
            .prefetch_related("updates")
            .get(tracking_code=tracking_code.strip().upper())
        )
    except CitizenReport.DoesNotExist:
        raise Http404 from None


def moderation_area_paths(*, user: Any) -> list[str] | None:
    """Paths of the areas whose reports the user moderates; None means every report (staff)."""
    if _is_staff(user):
        return None
    own = user_agency_ids(user=user)
    if not own:
        return []
    return list(Area.objects.filter(agencies_with_jurisdiction__in=own).values_list("path", flat=True).distinct())


def citizen_report_list(*, user: Any, status: str | None = None) -> QuerySet[CitizenReport]:
    """Reports from the areas under the user's agencies' jurisdiction (the moderation queue)."""
    # The photo count as a correlated subquery, not Count("photos"): a GROUP BY over every
    # report of the area would come before the ORDER BY ... LIMIT of a page.
    photos = (
        CitizenReportPhoto.objects.filter(report_id=OuterRef("pk"))
        .order_by()
        .values("report_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    qs = CitizenReport.objects.select_related("category", "area", "incident").annotate(
        photo_count=Coalesce(Subquery(photos, output_field=IntegerField()), 0)
    )
    paths = moderation_area_paths(user=user)
    if paths is not None:
        if not paths:
            return qs.none()
        q = Q()
        for path in paths:
            q |= Q(area_path__startswith=path)
        qs = qs.filter(q)
    if status:
        qs = qs.filter(status=status)
    return qs


def citizen_report_get(*, user: Any, pk: int | str) -> CitizenReport:
    try:
        return citizen_report_list(user=user).prefetch_related("photos", "updates").get(pk=pk)
    except (CitizenReport.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def incident_citizen_reports(*, user: Any, incident: Incident) -> list[CitizenReport]:
    """The citizens' reports behind an incident the caller already read through `incident_get`
    (the one verified into it, those marked its duplicates), with their photos: whoever may
    read the incident sees them. `can_open` tells whether the user may also open the report
    itself (its moderators: the reporter's contact is on it)."""
    reports = list(
        CitizenReport.objects.filter(incident=incident)
        .select_related("category")
        .prefetch_related("photos")
        .order_by("created_at", "id")
    )
    if reports:
        openable = set(citizen_report_list(user=user).filter(incident=incident).values_list("pk", flat=True))
        has_agency = _is_staff(user) or bool(user_agency_ids(user=user))
        for report in reports:
            report.can_open = report.pk in openable  # type: ignore[attr-defined]
            # The same rule as citizen_report_photo_get, which serves them.
            report.shown_photos = list(report.photos.all()) if has_agency or report.can_open else []  # type: ignore[attr-defined]
    return reports


def citizen_report_photo_get(*, user: Any, token: str) -> CitizenReportPhoto:
    """A report's photo for a user who may read its report (a moderator) or, as a member of an
    agency, the incident the report was verified into or marked a duplicate of; else 404."""
    photo = CitizenReportPhoto.objects.filter(token=token).select_related("report").first()
    if photo is None:
        raise Http404
    if citizen_report_list(user=user).filter(pk=photo.report_id).exists():
        return photo
    # Personal data: a signed-in user without an agency reads public incidents, not their photos.
    has_agency = _is_staff(user) or bool(user_agency_ids(user=user))
    if (
        has_agency
        and photo.report.incident_id
        and incident_list(user=user).filter(pk=photo.report.incident_id).exists()
    ):
        return photo
    raise Http404


# --- Risk register -------------------------------------------------------------------------


def risk_list(*, user: Any) -> QuerySet[RiskAssessment]:
    """Risk assessments the user may read (same classification rules, by assessing agency)."""
    qs = RiskAssessment.objects.select_related("area", "hazard", "assessing_agency")
    q = classification_q(user=user, involved=lambda agency_ids: Q(assessing_agency_id__in=agency_ids))
    return qs if q is None else qs.filter(q)


def risk_get(*, user: Any, pk: int | str) -> RiskAssessment:
    try:
        risk = risk_list(user=user).get(pk=pk)
    except (RiskAssessment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    audit_reads(user=user, objects=[risk], object_type="risk")
    return risk


def areas_needing_attention(
    *, user: Any, within: Area | None = None, days: int = 90, limit: int = 50
) -> list[dict[str, Any]]:
    """Areas ranked by their highest risk score and the incidents of the last `days` days.

    Rank = max risk score x 2 + recent incidents the user may see; overdue reviews are flagged.
    Two grouped queries, whatever the number of rows.
    """
    today = timezone.localdate()
    risks = risk_list(user=user)
    if within is not None:
        risks = risks.filter(area_path__startswith=within.path)
    # Grouped per area in the database: a thousand rows out instead of every assessment.
    grouped = (
        risks.order_by()
        .values("area_id", "area__name", "area__level", "area__path")
        .annotate(
            max_score=Max("score"),
            assessments=Count("id"),
            overdue_reviews=Count("id", filter=Q(review_due__lt=today)),
        )
    )
    by_area: dict[int, dict[str, Any]] = {
        row["area_id"]: {
            "area_id": row["area_id"],
            "area_name": row["area__name"],
            "area_level": row["area__level"],
            "area_path": row["area__path"],
            "max_score": row["max_score"],
            "assessments": row["assessments"],
            "overdue_reviews": row["overdue_reviews"],
            "recent_incidents": 0,
        }
        for row in grouped
    }
    if not by_area:
        return []
    since = timezone.now() - datetime.timedelta(days=days)
    # Recent incidents per area path, once, then summed under each assessed area in Python:
    # an OR of one LIKE per assessed area (3,000 of them) made PostgreSQL test every recent
    # incident against each (12 s over a million incidents). The paths come sorted, so the
    # ones under an area are a contiguous run found by bisection.
    recent = incident_list(user=user).filter(occurred_at__gte=since)
    if within is not None:
        recent = recent.filter(area_path__startswith=within.path)
    rows = sorted(recent.order_by().values_list("area_path").annotate(n=Count("id")))
    paths = [path for path, _n in rows]
    running = list(itertools.accumulate((n for _path, n in rows), initial=0))
    for entry in by_area.values():
        prefix = entry["area_path"]
        lo = bisect.bisect_left(paths, prefix)
        hi = bisect.bisect_left(paths, prefix + "\uffff")
        entry["recent_incidents"] = running[hi] - running[lo]
        entry["rank_score"] = entry["max_score"] * 2 + entry["recent_incidents"]
    ranked = sorted(by_area.values(), key=lambda e: (-e["rank_score"], -e["max_score"], e["area_name"]))
    return ranked[:limit]
