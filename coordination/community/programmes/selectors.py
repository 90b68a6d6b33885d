"""Reads of community programmes, scoped to the user, and the public portal's reads.

Who reads a programme (docs/security.md, "Programmes"): a public one anyone signed in; an
internal one the members of its organiser and partner agencies; staff everything. What a user
may not read is absent from lists and answers 404 (`programme_get`); what they read but may not
change answers 403 (`programme_get_for_change`). The public portal shows, without a login,
the public programmes that are approved or being held and not ended (`public_programme_list`).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from agencies.models import Agency
from agencies.selectors import user_agency_ids, user_is_staff
from common.selectors import get_or_404
from common.types import User
from coordination.community.portal.selectors import Section
from coordination.models import (
    ActionItem,
    Programme,
    ProgrammeMaterial,
    ProgrammePhoto,
    ProgrammeSession,
)

from .services import require_planner

PUBLIC_STATUSES = (Programme.Status.APPROVED, Programme.Status.HELD)


def programme_visibility_q(*, user: User) -> Q | None:
    """The Q a programme must match for `user` to read it; None means everything (staff)."""
    if user_is_staff(user):
        return None
    if not user or not user.is_authenticated:
        return Q(pk__in=[])
    q = Q(is_public=True)
    own = user_agency_ids(user=user)
    if own:
        partner = Programme.partners.through.objects.filter(programme_id=OuterRef("pk"), agency_id__in=own)
        q |= Q(organiser_id__in=own) | Q(Exists(partner))
    return q


def programme_list(*, user: User, filters: dict[str, Any] | None = None) -> QuerySet[Programme]:
    """The programmes the user may read; `filters`: `status`, `upcoming` (not ended yet)."""
    qs = Programme.objects.select_related("organiser", "area")
    q = programme_visibility_q(user=user)
    if q is not None:
        qs = qs.filter(q)
    filters = filters or {}
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("upcoming"):
        qs = qs.filter(ends_at__gt=timezone.now())
    return qs


def programme_get(*, user: User, pk: int | str) -> Programme:
    """One programme the user may read, with its children, or 404."""
    qs = programme_list(user=user).prefetch_related(
        Prefetch("partners", queryset=Agency.objects.only("id", "name", "code").order_by("name")),
        Prefetch("sessions", queryset=ProgrammeSession.objects.order_by("starts_at", "id")),
        "target_groups",
        "goods",
        "materials",
        "photos",
        Prefetch(
            "action_items",
            queryset=ActionItem.objects.select_related("owner_agency", "owner_person").order_by("due_date", "id"),
        ),
    )
    return get_or_404(qs.annotate(registration_count=Count("registrations", distinct=True)), pk=pk)


def programme_get_for_change(*, user: User, pk: int | str) -> Programme:
    """One programme the user may read (else 404) and plan (else PermissionDenied: a commander,
    liaison or planner of the organiser, or staff)."""
    programme = programme_get(user=user, pk=pk)
    require_planner(actor=user, programme=programme)
    return programme


def programme_material_get(*, user: User, token: str) -> ProgrammeMaterial:
    """A material of a programme the user reads, else 404."""
    material = get_or_404(ProgrammeMaterial.objects.all(), token=token)
    if not programme_list(user=user).filter(pk=material.programme_id).exists():
        raise Http404
    return material


def programme_photo_get(*, user: User, token: str) -> ProgrammePhoto:
    """A photo of a programme the user reads, else 404."""
    photo = get_or_404(ProgrammePhoto.objects.all(), token=token)
    if not programme_list(user=user).filter(pk=photo.programme_id).exists():
        raise Http404
    return photo


def programme_registrations(*, user: User, programme: Programme) -> QuerySet[Any]:
    """Who registered (names and contacts): the organiser's and partners' members who read the
    programme, and staff; the caller read `programme` through `programme_get`."""
    if not user_is_staff(user):
        own = user_agency_ids(user=user)
        partners = {p.pk for p in programme.partners.all()}
        if not own & ({programme.organiser_id} | partners):
            return programme.registrations.none()
    return programme.registrations.order_by("created_at", "id")


# --- The public portal ---------------------------------------------------------------------


def public_programme_list() -> QuerySet[Programme]:
    """Public programmes approved or being held and not ended, soonest first (no login).
    Served by `programme_public_idx` (ends_at where public)."""
    return (
        Programme.objects.filter(is_public=True, status__in=PUBLIC_STATUSES, ends_at__gt=timezone.now())
        .select_related("area", "organiser")
        .order_by("starts_at", "id")
    )


def public_upcoming(limit: int = 5) -> list[Programme]:
    """The next public programmes for the public home page: one query, at most `limit` rows."""
    return list(public_programme_list()[: max(0, limit)])


# The visitor's home shows at most this many programmes (its section, registered in coordination/apps.py).
HOME_PROGRAMME_LIMIT = 3


def public_section(request: HttpRequest) -> Section | None:
    """The visitor's home: the next public programmes, or nothing when none is coming up."""
    rows = public_upcoming(limit=HOME_PROGRAMME_LIMIT)
    if not rows:
        return None
    return Section("programmes", "coordination/community/programmes/partials/public_section.html", {"programmes": rows})


def public_programme_get(*, pk: int | str) -> Programme:
    """One programme of the public list, with its sessions, partners and goods, else 404."""
    qs = public_programme_list().prefetch_related(
        Prefetch("partners", queryset=Agency.objects.only("id", "name").order_by("name")),
        Prefetch("sessions", queryset=ProgrammeSession.objects.order_by("starts_at", "id")),
        "target_groups",
    )
    return get_or_404(qs, pk=pk)


def programme_points(qs: QuerySet[Programme], *, limit: int = 300) -> list[Programme]:
    """Programmes of `qs` with a place on the map (their point, else their area's centre),
    newest first, at most `limit`."""
    return list(
        qs.filter(
            Q(latitude__isnull=False) | Q(area__centroid_lat__isnull=False, area__centroid_lon__isnull=False)
        ).order_by("-starts_at", "-id")[:limit]
    )
