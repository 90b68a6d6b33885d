"""Reads of the agencies app, already scoped to the user asking.

Visibility rules (docs/security.md, "Access"):
- areas are reference data: every signed-in user reads them;
- the agency directory, members, partnerships, vital objects and cameras are *restricted*:
  every user who belongs to an active agency (or is platform staff) reads them (a partnership
  still proposed, or declined, only its parties); a signed-in user with no membership sees
  none of them;
- subscriptions and members' phone numbers are an agency's own business: only its members
  (and staff) read them.
What a user may not see is simply absent: `<entity>_get` raises Http404, never PermissionDenied.
`<entity>_get_for_change` (what the API and pages fetch before a write) answers Http404 too to a
user who may not see the agency's business, and PermissionDenied to one who sees it but whose
role does not let them change it (the capability `agencies.roles` names).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from common.request_cache import request_cached
from common.selectors import get_or_404
from common.types import User

from .membership import user_agency_ids, user_is_staff, user_roles_in  # noqa: F401 - re-exported: every app reads them here
from .models import (  # noqa: F401 - partnership_in_force_q is re-exported: the one rule of partnerships
    Agency,
    Area,
    AuditLog,
    Camera,
    Classification,
    Membership,
    Partnership,
    PartnershipAnswer,
    Subscription,
    VitalObject,
    partnership_in_force_q,
)
from .roles import agencies_with, has_capability, roles_for


def agency_reader(*, agency: Agency) -> User:
    """A reader that is a member of `agency` and nothing more (never staff, never saved): what
    the agency's own copies show when no user asks (its calendar feed) is what the same
    selectors give a member of that agency alone. An inactive agency reads what a user of no
    agency reads."""
    from django.contrib.auth.models import User as Account

    reader = Account(username=f"agency-reader-{agency.pk}", is_active=True, is_staff=False, is_superuser=False)
    reader._sinergi_agency_ids = {agency.pk} if agency.is_active else set()  # type: ignore[attr-defined]
    return reader


def user_is_member(*, user: User | None) -> bool:
    """True for staff and for anyone who belongs to an active agency: they may read restricted data."""
    return user_is_staff(user) or bool(user_agency_ids(user=user))


def user_has_role(*, user: User, agency: Agency | int, roles: Iterable[str]) -> bool:
    """True when the user holds one of `roles` in `agency`, or is platform staff."""
    if user_is_staff(user):
        return True
    if not user or not user.is_authenticated:
        return False
    agency_id = agency.pk if isinstance(agency, Agency) else agency
    return Membership.objects.filter(
        user=user, agency_id=agency_id, role__in=list(roles), is_active=True, agency__is_active=True
    ).exists()


def managed_agency_ids(*, user: User, roles: Iterable[str] | None = None) -> set[int] | None:
    """Agencies in which the user holds one of `roles` (by default those of the capability
    "agency.manage"); None means every agency (staff)."""
    if user_is_staff(user):
        return None
    if not user or not user.is_authenticated:
        return set()
    if roles is None:
        roles = roles_for("agency.manage")
    return set(
        Membership.objects.filter(user=user, role__in=list(roles), is_active=True, agency__is_active=True).values_list(
            "agency_id", flat=True
        )
    )


def require_capability(*, user: User, agency_id: int | None, capability: str) -> None:
    """Staff pass; a member of the agency needs `capability` there (else PermissionDenied);
    anyone else gets Http404: what they may not see of the agency's business is absent."""

    if user_is_staff(user):
        return
    if not user.is_authenticated or agency_id not in user_agency_ids(user=user):
        raise Http404
    if not Membership.objects.filter(
        user=user, agency_id=agency_id, role__in=list(roles_for(capability)), is_active=True
    ).exists():
        raise PermissionDenied(_("Your role in this agency does not allow this."))


# --- Areas ---------------------------------------------------------------------------------


def area_list(*, filters: dict[str, Any] | None = None) -> QuerySet[Area]:
    """All areas; the API and pages narrow them with `AreaFilter`."""
    qs = Area.objects.select_related("parent")
    filters = filters or {}
    if level := filters.get("level"):
        qs = qs.filter(level=level)
    if "parent" in filters:
        qs = qs.filter(parent_id=filters["parent"])
    if name := filters.get("name"):
        qs = qs.filter(name__icontains=name)
    return qs


def area_descendants(*, area: Area, include_self: bool = False) -> QuerySet[Area]:
    """The area's whole subtree through its materialized path (one indexed range scan)."""
    qs = Area.objects.filter(path__startswith=area.path)
    if not include_self:
        qs = qs.exclude(pk=area.pk)
    return qs


def area_ancestors(*, area: Area) -> QuerySet[Area]:
    """The area's ancestors, root first, without the area itself."""
    return Area.objects.filter(path__in=area.ancestor_paths[:-1]).order_by("level")


def area_get(*, pk: int) -> Area:
    return get_or_404(Area.objects.select_related("parent"), pk=pk)


def area_covering_q(*, area: Area, field: str = "jurisdiction") -> Q:
    """A Q that matches rows whose `field` (an Area relation) is the area or one of its ancestors.

    An agency whose jurisdiction is a regency covers every village in it: the village's
    ancestor paths name the regency.
    """
    return Q(**{f"{field}__path__in": area.ancestor_paths})


# --- Agencies ------------------------------------------------------------------------------


def agency_list(*, user: User, filters: dict[str, Any] | None = None) -> QuerySet[Agency]:
    """The agency directory as the user may see it, with member counts."""
    if not user_is_member(user=user):
        return Agency.objects.none()
    qs = (
        Agency.objects.select_related("parent", "headquarters_area")
        .annotate(member_count=Count("memberships", filter=Q(memberships__is_active=True), distinct=True))
        # Meta.ordering is dropped from aggregate queries: paginate on an explicit order.
        .order_by("name", "id")
    )
    filters = filters or {}
    if kind := filters.get("kind"):
        qs = qs.filter(kind=kind)
    if search := filters.get("search"):
        qs = qs.filter(Q(name__icontains=search) | Q(code__icontains=search))
    if area := filters.get("area"):
        qs = qs.filter(area_covering_q(area=area) | Q(jurisdiction__path__startswith=area.path)).distinct()
    if "is_active" in filters:
        qs = qs.filter(is_active=filters["is_active"])
    return qs


def agency_get(*, user: User, pk: int | str) -> Agency:
    """One agency or 404, with what its detail page shows."""
    if not user_is_member(user=user):
        raise Http404
    return get_or_404(
        Agency.objects.select_related("parent", "headquarters_area").prefetch_related(
            Prefetch("jurisdiction", queryset=Area.objects.select_related("parent").order_by("level", "name")),
            "children",
        ),
        pk=pk,
    )


def agency_get_for_change(*, user: User, pk: int | str) -> Agency:
    """An agency the user may change: staff any, its commander its contact details (which
    fields is `services.agency_update`'s call)."""
    agency = agency_get(user=user, pk=pk)
    require_capability(user=user, agency_id=agency.pk, capability="agency.edit")
    return agency


# --- Members -------------------------------------------------------------------------------


def membership_list(*, user: User, agency: Agency | None = None) -> QuerySet[Membership]:
    """Members of the agencies the user may see (all of them for members); optionally one agency's."""
    if not user_is_member(user=user):
        return Membership.objects.none()
    qs = Membership.objects.select_related("user", "agency")
    if agency is not None:
        qs = qs.filter(agency=agency)
    return qs


def membership_can_see_contact(*, user: User | None, membership: Membership) -> bool:
    """A member's phone is for their own agency (and staff), not for the whole directory."""
    return user_is_staff(user) or membership.agency_id in user_agency_ids(user=user)


def membership_get(*, user: User, pk: int | str) -> Membership:
    return get_or_404(membership_list(user=user), pk=pk)


def membership_get_for_change(*, user: User, pk: int | str) -> Membership:
    """A membership of one of the user's own agencies (any, for staff), else 404; a member of
    that agency without the commander role gets PermissionDenied."""
    membership = membership_get(user=user, pk=pk)
    require_capability(user=user, agency_id=membership.agency_id, capability="agency.members")
    return membership


# --- Partnerships --------------------------------------------------------------------------


def partnership_list(*, user: User, filters: dict[str, Any] | None = None) -> QuerySet[Partnership]:
    """Partnerships as the user may read them: every member reads those in force or past (the
    directory is restricted); a proposal, and a declined one, only the parties (and staff) read.

    Filters: `agency` (a party), `awaiting_answer` (`partnership_awaiting_q`).
    """
    if not user_is_member(user=user):
        return Partnership.objects.none()
    qs = Partnership.objects.select_related("proposed_by", "proposed_by_agency", "ended_by", "ended_by_agency")
    qs = qs.prefetch_related(
        Prefetch("agencies", queryset=Agency.objects.only("id", "name", "code")),
        Prefetch(
            "answers",
            queryset=PartnershipAnswer.objects.select_related("agency", "answered_by").order_by("agency__name"),
        ),
    )
    staff = user_is_staff(user)
    own = user_agency_ids(user=user)
    if not staff:
        private = [Partnership.Status.PROPOSED, Partnership.Status.DECLINED]
        qs = qs.filter(~Q(status__in=private) | Q(pk__in=Partnership.objects.filter(agencies__in=own).values("pk")))
    filters = filters or {}
    if agency := filters.get("agency"):
        qs = qs.filter(agencies=agency)
    if filters.get("awaiting_answer"):
        qs = qs.filter(partnership_awaiting_q(user=user))
    return qs


def partnership_awaiting_q(*, user: User) -> Q:
    """Proposals awaiting an answer from one of the user's agencies (every open one, for staff)."""
    pending = PartnershipAnswer.objects.filter(answer=PartnershipAnswer.Answer.PENDING)
    if not user_is_staff(user):
        pending = pending.filter(agency_id__in=user_agency_ids(user=user))
    return Q(status=Partnership.Status.PROPOSED, pk__in=pending.values("partnership_id"))


def partnership_get(*, user: User, pk: int | str) -> Partnership:
    return get_or_404(partnership_list(user=user), pk=pk)


def partnership_get_for_change(*, user: User, pk: int | str) -> Partnership:
    """A partnership the user may answer or end: staff any; a commander of one of its parties
    (for which party, and whether the partnership still takes that answer, is the service's
    call). A member of a party who is not its commander gets PermissionDenied; a reader who
    belongs to no party gets Http404, as for every agency's business."""

    partnership = partnership_get(user=user, pk=pk)
    if not user_is_staff(user):
        parties = [party.pk for party in partnership.agencies.all()]
        if not set(parties) & user_agency_ids(user=user):
            raise Http404  # another agencies' business, as `require_capability` answers
        if not any(
            agencies_with(user=user, capability=capability, among=parties)
            for capability in ("partnership.accept", "partnership.end")
        ):
            raise PermissionDenied(_("Only a commander of one of its parties may answer or end a partnership."))
    return partnership


def partner_agency_ids(*, agency_ids: Iterable[int], scope: str, on: date | None = None) -> set[int]:
    """Agencies bound to any of `agency_ids` by a partnership in force `on` a day (today by
    default) with `scope`: accepted by every party, not ended, between its dates
    (`partnership_in_force_q`, the one rule). Read once per request and question."""
    agency_ids = sorted(set(agency_ids))

    def compute() -> set[int]:
        partnerships = Partnership.objects.filter(
            partnership_in_force_q(on=on), agencies__in=agency_ids, **{scope: True}
        )
        return set(
            Agency.objects.filter(partnerships__in=partnerships).exclude(pk__in=agency_ids).values_list("pk", flat=True)
        )

    # A desk page asks the same question of every block: read once per request
    # (`common.request_cache`; cleared when a partnership or its answer is saved).
    return set(request_cached(("partner_agency_ids", tuple(agency_ids), scope, on), compute))


# --- Classification: who reads what ----------------------------------------------------------


def classification_q(
    *,
    user: User,
    involved: Callable[[set[int]], Q],
    confidential: Callable[[set[int], set[int]], Q] | None = None,
    field: str = "classification",
) -> Q | None:
    """The Q a classified row must match for `user` to read it (docs/security.md, "Access"); None means
    everything (platform staff). Every app's visibility rule is this one, given its own
    meaning of "involved":

    - public: everyone, signed in or not; restricted: every member of an agency;
    - confidential: the agencies `involved` in the row and their information-sharing partners
      (`confidential(own, partners)` when an app words that differently, e.g. partners of the
      lead only);
    - secret: the agencies `involved` only.

    `involved(agency_ids)` is the Q of rows that those agencies are involved in; `field` is the
    classification's lookup path (e.g. "operation__classification").
    """
    if user_is_staff(user):
        return None
    own = user_agency_ids(user=user)
    if not own:
        return Q(**{field: Classification.PUBLIC})
    partners = partner_agency_ids(agency_ids=own, scope="information_sharing")
    confidential_q = confidential(own, partners) if confidential else involved(own | partners)
    return (
        Q(**{f"{field}__in": [Classification.PUBLIC, Classification.RESTRICTED]})
        | (Q(**{field: Classification.CONFIDENTIAL}) & confidential_q)
        | (Q(**{field: Classification.SECRET}) & involved(own))
    )


# --- Subscriptions -------------------------------------------------------------------------


def subscription_list(*, user: User) -> QuerySet[Subscription]:
    """Subscriptions of the user's own agencies (every agency's for staff)."""
    qs = Subscription.objects.select_related("agency").prefetch_related(
        "category_codes", Prefetch("areas", queryset=Area.objects.only("id", "name", "level"))
    )
    if user_is_staff(user):
        return qs
    return qs.filter(agency_id__in=user_agency_ids(user=user))


def subscription_get(*, user: User, pk: int | str) -> Subscription:
    return get_or_404(subscription_list(user=user), pk=pk)


def subscription_get_for_change(*, user: User, pk: int | str) -> Subscription:
    """A subscription the user may change: staff any, a commander or liaison of its agency."""
    subscription = subscription_get(user=user, pk=pk)
    require_capability(user=user, agency_id=subscription.agency_id, capability="agency.manage")
    return subscription


# --- Vital objects and cameras -------------------------------------------------------------


def vital_object_list(*, user: User) -> QuerySet[VitalObject]:
    if not user_is_member(user=user):
        return VitalObject.objects.none()
    return VitalObject.objects.select_related("area", "operator").prefetch_related(
        Prefetch("guarding_agencies", queryset=Agency.objects.only("id", "name", "code"))
    )


def vital_object_get(*, user: User, pk: int | str) -> VitalObject:
    return get_or_404(vital_object_list(user=user), pk=pk)


def vital_object_get_for_change(*, user: User, pk: int | str) -> VitalObject:
    """A vital object the user may change: staff any, a commander or liaison of its operator."""
    vital_object = vital_object_get(user=user, pk=pk)
    require_capability(user=user, agency_id=vital_object.operator_id, capability="agency.manage")
    return vital_object


def camera_list(*, user: User) -> QuerySet[Camera]:
    if not user_is_member(user=user):
        return Camera.objects.none()
    return Camera.objects.select_related("area", "operator", "vital_object")


def camera_get(*, user: User, pk: int | str) -> Camera:
    return get_or_404(camera_list(user=user), pk=pk)


def mask_secret(value: str) -> str:
    """How a stored secret (a webhook's signing secret, a feed token, an API key) reads after
    it was shown once: that it is set, never any of it."""
    return "••••••••" if value else "—"


def camera_can_see_stream(*, user: User | None, camera: Camera) -> bool:
    """A camera's stream URL may carry credentials: it is for the members of the camera's
    operator agency (any role) and staff, not for the rest of the directory's readers."""
    return user_is_staff(user) or camera.operator_id in user_agency_ids(user=user)


def camera_get_for_change(*, user: User, pk: int | str) -> Camera:
    """A camera the user may change: staff any, a commander or liaison of its operator."""
    camera = camera_get(user=user, pk=pk)
    require_capability(user=user, agency_id=camera.operator_id, capability="agency.manage")
    return camera


# --- Audit --------------------------------------------------------------------------------


def can_read_audit(*, user: User, agency: Agency) -> bool:
    """Staff, or a commander of the agency (`audit.read`): the agency page offers its audit."""
    if user_is_staff(user):
        return True
    # A non-member's answer needs no query (the directory's readers see other agencies' pages).
    return agency.pk in user_agency_ids(user=user) and has_capability(
        user=user, capability="audit.read", agency_ids=[agency.pk]
    )


def agency_audit_list(*, user: User, agency: Agency) -> QuerySet[AuditLog]:
    """Who read the agency's confidential and secret records (those it reports, leads, issues or
    assesses), newest first: 404 for an outsider, PermissionDenied below `audit.read`."""
    require_capability(user=user, agency_id=agency.pk, capability="audit.read")
    return (
        AuditLog.objects.filter(owner_agencies=agency)
        .select_related("user")
        .prefetch_related(Prefetch("reader_agencies", queryset=Agency.objects.only("id", "name").order_by("name")))
        .order_by("-at", "-id")
    )


# --- Areas on maps -------------------------------------------------------------------------


def map_areas(areas: QuerySet[Area], *, limit: int, max_level: int = Area.Level.DISTRICT) -> list[dict[str, Any]]:
    """Areas drawn under a map, biggest first: name, level, centroid and boundary (GeoJSON or
    None). Only areas that can be placed (a centroid or a boundary) and at most `limit` of them,
    so that a national import never puts 90k areas in a page."""
    rows = (
        areas.filter(level__lte=max_level)
        .filter(Q(centroid_lat__isnull=False, centroid_lon__isnull=False) | Q(boundary__isnull=False))
        .order_by("level", "name")
        .values("name", "level", "centroid_lat", "centroid_lon", "boundary")[:limit]
    )
    return [
        {
            "name": r["name"],
            "level": r["level"],
            "lat": float(r["centroid_lat"]) if r["centroid_lat"] is not None else None,
            "lon": float(r["centroid_lon"]) if r["centroid_lon"] is not None else None,
            "boundary": r["boundary"] or None,
        }
        for r in rows
    ]


PUBLIC_MAP_AREAS_KEY = "sinergi:public-map-areas"


def public_map_areas(*, limit: int = 600) -> list[dict[str, Any]]:
    """Areas for the citizens' maps (areas are public reference data: names and centres only,
    no boundaries, to keep the public page light), cached for five minutes."""
    from django.core.cache import cache

    def compute() -> list[dict[str, Any]]:
        return [
            {k: v for k, v in row.items() if k != "boundary"}
            for row in map_areas(Area.objects.all(), limit=limit)
            if row["lat"] is not None
        ]

    areas = cache.get(PUBLIC_MAP_AREAS_KEY)
    if areas is None:
        areas = compute()
        cache.set(PUBLIC_MAP_AREAS_KEY, areas, 300)
    return areas


def filter_agency_choices(*, user: User, selected: Any = None) -> QuerySet[Agency]:
    """The agencies a list's agency filter offers, by name (a lazy queryset: one query).

    Staff: every active agency. Others: their own agencies, their partners, and the agencies
    whose jurisdiction lies inside or above their agencies' jurisdiction (the city's agencies
    and the province's): the ones they work beside, a few dozen where a province holds
    thousands (drawing 2,000 options cost a page 120 KB and most of its time). A `selected`
    agency outside those stays offered, so a shared link keeps its filter; the filter's
    validation is the filterset's, not this list.
    """
    qs = Agency.objects.filter(is_active=True)
    if not user_is_staff(user):
        own = user_agency_ids(user=user)
        paths = list(Area.objects.filter(agencies_with_jurisdiction__in=own).values_list("path", flat=True))
        above = {path[: i + 1] for path in paths for i, ch in enumerate(path) if ch == "/" and i}
        near = Q(pk__in=own | partner_agency_ids(agency_ids=own, scope="information_sharing")) if own else Q(pk__in=[])
        near |= Q(jurisdiction__path__in=above)
        for path in paths:
            near |= Q(jurisdiction__path__startswith=path)
        selected_id = str(getattr(selected, "pk", selected) or "")
        if selected_id.isdigit():
            near |= Q(pk=int(selected_id))
        qs = qs.filter(pk__in=Agency.objects.filter(near).values("pk"))
    return qs.only("id", "name").order_by("name")
