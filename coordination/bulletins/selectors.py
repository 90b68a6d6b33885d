"""Reads of bulletins, scoped to the user: the one accessor (`bulletins_for`) and what the
inbox and the desk call (`unread_bulletins`, `awaiting_acknowledgement`, `bulletin_counts`).

Who reads a bulletin (docs/security.md, "Access", for bulletins), decided at read time on the
bulletin and its recipient rows as they are now:
- the members of the issuing agency, always (the full text);
- a member of an agency that received the full text: public and restricted, always;
  confidential, when the agency was named one by one or is now an information-sharing partner
  of the issuer; secret, only when it was named one by one;
- a member of an agency that received the releasable text: the same rule on the releasable
  classification, and only the releasable title and text (no attachments, no thread);
- staff: everything (their reads of classified bulletins are audited like anyone's).
What a user may not read is absent from lists and answers 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)

from agencies.models import Agency, Area, Classification
from agencies.roles import agencies_with
from agencies.selectors import partner_agency_ids, user_agency_ids, user_is_staff
from agencies.services import audit_reads
from common.selectors import get_or_404
from common.types import User
from coordination.models import Bulletin, BulletinReceipt, BulletinRecipient, BulletinReply

from .services import require_follower, require_issuer
from .subjects import event_subject  # noqa: F401  (the inbox reads it from here)

OPEN = (Classification.PUBLIC, Classification.RESTRICTED)


def _uid(user: User | None) -> int:
    return int(user.pk) if user is not None and user.is_authenticated and user.pk else 0


def _tier_q(*, field: str, any_: Exists, named: Exists, partner_issuer: Q) -> Q:
    return (
        (Q(**{f"{field}__in": OPEN}) & Q(any_))
        | (Q(**{field: Classification.CONFIDENTIAL}) & (Q(named) | (partner_issuer & Q(any_))))
        | (Q(**{field: Classification.SECRET}) & Q(named))
    )


def _rules(*, staff: bool, own: frozenset[int], partners: frozenset[int]) -> tuple[Q, Q] | None:
    """(reads the full text, reads the releasable text) as Qs for a reader of agencies `own`
    (whose information-sharing partners are `partners`); None for staff (everything)."""
    if staff:
        return None
    if not own:
        nothing = Q(pk__in=[])
        return nothing, nothing
    mine = BulletinRecipient.objects.filter(bulletin_id=OuterRef("pk"), agency_id__in=own)
    full = mine.filter(tier=BulletinRecipient.Tier.FULL)
    wider = mine.filter(tier=BulletinRecipient.Tier.RELEASABLE)
    partner_issuer = Q(issuing_agency_id__in=partners)
    full_q = Q(issuing_agency_id__in=own) | _tier_q(
        field="classification", any_=Exists(full), named=Exists(full.filter(named=True)), partner_issuer=partner_issuer
    )
    releasable_q = ~Q(releasable_body="") & _tier_q(
        field="releasable_classification",
        any_=Exists(wider),
        named=Exists(wider.filter(named=True)),
        partner_issuer=partner_issuer,
    )
    return full_q, releasable_q


def reads_full(bulletin: Bulletin) -> bool:
    """Whether the reader `bulletins_for` annotated the bulletin for reads its full text."""
    return bool(getattr(bulletin, "reads_full", False))


# The reading rule's queryset per (staff, the reader's agencies, their partners): everything
# `_rules` reads, so equal keys build equal querysets. Building it (a dozen EXISTS resolved
# twice, for the filter and for `reads_full`) took 3-5 ms of every desk and search; a copy
# (`.all()`) of the one built for the same key takes microseconds. Never stale: a change of
# membership or partnership is a new key. Bounded: cleared past `_RULES_CACHE_SIZE` keys.
_RULES_CACHE: dict[tuple[bool, frozenset[int], frozenset[int]], QuerySet[Bulletin]] = {}
_RULES_CACHE_SIZE = 512


def bulletins_for(*, user: User) -> QuerySet[Bulletin]:
    """Every bulletin the user may read, each annotated `reads_full` (False: the releasable
    version only). The one accessor: lists, details, the inbox and the desk start here."""
    staff = user_is_staff(user)
    own = frozenset() if staff or not (user and user.is_authenticated) else frozenset(user_agency_ids(user=user))
    partners = frozenset(partner_agency_ids(agency_ids=own, scope="information_sharing")) if own else frozenset()
    key = (staff, own, partners)
    qs = _RULES_CACHE.get(key)
    if qs is None:
        qs = _bulletins_for(staff=staff, own=own, partners=partners)
        if len(_RULES_CACHE) >= _RULES_CACHE_SIZE:
            _RULES_CACHE.clear()
        _RULES_CACHE[key] = qs
    return qs.all()


def _bulletins_for(*, staff: bool, own: frozenset[int], partners: frozenset[int]) -> QuerySet[Bulletin]:
    qs = Bulletin.objects.select_related("issuing_agency", "category")
    rules = _rules(staff=staff, own=own, partners=partners)
    if rules is None:
        return qs.annotate(reads_full=Value(True, output_field=BooleanField()))
    full_q, releasable_q = rules
    return qs.filter(full_q | releasable_q).annotate(
        reads_full=Case(When(full_q, then=Value(True)), default=Value(False), output_field=BooleanField())
    )


def _received(*, user: User) -> QuerySet[Bulletin]:
    """Bulletins the user's agencies received (not those they issued), still in force."""
    own = user_agency_ids(user=user) if user and user.is_authenticated else set()
    return bulletins_for(user=user).filter(
        Exists(BulletinRecipient.objects.filter(bulletin_id=OuterRef("pk"), agency_id__in=own)),
        status=Bulletin.Status.SENT,
    )


def _unread_q(*, user: User) -> Q:
    """Never read, or read before its latest amendment."""
    return ~Q(
        Exists(
            BulletinReceipt.objects.filter(
                bulletin_id=OuterRef("pk"), user_id=_uid(user), read_version__gte=OuterRef("version")
            )
        )
    )


def _awaiting_q(*, user: User) -> Q:
    own = user_agency_ids(user=user) if user and user.is_authenticated else set()
    return Q(ack_required=True) & Q(
        Exists(
            BulletinRecipient.objects.filter(
                bulletin_id=OuterRef("pk"), agency_id__in=own, acknowledged_at__isnull=True
            )
        )
    )


def unread_bulletins(*, user: User) -> QuerySet[Bulletin]:
    """What the user's agencies received and the user has not read (or not since it was
    amended), newest first: the inbox's and the desk's block."""
    return _received(user=user).filter(_unread_q(user=user)).order_by("-created_at", "-id")


def awaiting_acknowledgement(*, user: User) -> QuerySet[Bulletin]:
    """Bulletins waiting for the acknowledgement of one of the user's agencies, the nearest
    deadline first."""
    return _received(user=user).filter(_awaiting_q(user=user)).order_by("ack_deadline", "id")


def bulletin_counts(*, user: User) -> dict[str, int]:
    """{"unread": n, "awaiting_acknowledgement": m} in one query (plus the user's agencies and
    partners, read once per request)."""
    counts = _received(user=user).aggregate(
        unread=Count("pk", filter=_unread_q(user=user)),
        awaiting_acknowledgement=Count("pk", filter=_awaiting_q(user=user)),
    )
    return {key: int(value or 0) for key, value in counts.items()}


def desk_bulletins(*, user: User, agency_id: int | None = None) -> QuerySet[Bulletin]:
    """The desk's block: bulletins in force that `agency_id` (else any of the user's agencies)
    received and that the user has not read, or that wait for that agency's acknowledgement;
    the waiting ones first (nearest deadline), then the newest. Each row is annotated
    `is_unread`, `is_waiting` and `can_acknowledge`: the rule of
    `services.acknowledging_recipient` (in force, asking for one, not staff, an agency of the
    user holding "bulletin.acknowledge" that has not acknowledged) as a column, so a page of
    rows offers the button in no more queries."""
    own = user_agency_ids(user=user) if user and user.is_authenticated else set()
    agencies = own & {agency_id} if agency_id else own
    received = BulletinRecipient.objects.filter(bulletin_id=OuterRef("pk"), agency_id__in=agencies)
    waiting = Q(ack_required=True) & Q(Exists(received.filter(acknowledged_at__isnull=True)))
    held = set() if user_is_staff(user) else agencies_with(user=user, capability="bulletin.acknowledge") & agencies
    acknowledgeable = Q(ack_required=True) & Q(
        Exists(
            BulletinRecipient.objects.filter(
                bulletin_id=OuterRef("pk"), agency_id__in=held, acknowledged_at__isnull=True
            )
        )
    )
    unread = _unread_q(user=user)
    flag: BooleanField[bool, bool] = BooleanField()
    return (
        bulletins_for(user=user)
        # The agency's received rows first (`bulletin_recipient_agency_idx`: a few thousand),
        # then the reading rule on those: an EXISTS here let the planner walk all bulletins.
        .filter(pk__in=BulletinRecipient.objects.filter(agency_id__in=agencies).values("bulletin_id"))
        .filter(status=Bulletin.Status.SENT)
        .filter(unread | waiting)
        .annotate(
            is_unread=Case(When(unread, then=Value(True)), default=Value(False), output_field=flag),
            is_waiting=Case(When(waiting, then=Value(True)), default=Value(False), output_field=flag),
            can_acknowledge=Case(When(acknowledgeable, then=Value(True)), default=Value(False), output_field=flag),
        )
        .order_by("-is_waiting", "ack_deadline", "-created_at", "-id")
    )


def bulletin_list(*, user: User, filters: dict[str, Any] | None = None) -> QuerySet[Bulletin]:
    """The bulletins page and API: filters `box` (received, issued, unread, awaiting),
    `classification`, `status`, `agency` (issuer)."""
    filters = filters or {}
    qs = bulletins_for(user=user)
    own = user_agency_ids(user=user) if user and user.is_authenticated else set()
    box = filters.get("box")
    if box == "issued":
        qs = qs.filter(issuing_agency_id__in=own)
    elif box == "received":
        qs = qs.exclude(issuing_agency_id__in=own)
    elif box == "unread":
        qs = qs.filter(_unread_q(user=user)).exclude(issuing_agency_id__in=own).filter(status=Bulletin.Status.SENT)
    elif box == "awaiting":
        qs = qs.filter(_awaiting_q(user=user), status=Bulletin.Status.SENT)
    if classification := filters.get("classification"):
        qs = qs.filter(classification=classification)
    if status := filters.get("status"):
        qs = qs.filter(status=status)
    if agency := filters.get("agency"):
        qs = qs.filter(issuing_agency=agency)
    return qs.annotate(is_unread=Case(When(_unread_q(user=user), then=Value(True)), default=Value(False))).order_by(
        "-created_at", "-id"
    )


def bulletin_get(*, user: User, pk: int | str, audit: bool = True, attachments: bool = True) -> Bulletin:
    """One bulletin the user may read, with its areas (and attachments, unless the caller shows
    none: the receipts panel polled every few seconds), or 404."""
    qs = bulletins_for(user=user).prefetch_related(
        Prefetch("areas", queryset=Area.objects.only("id", "name", "level").order_by("name")),
        *(["attachments"] if attachments else []),
    )
    bulletin = get_or_404(qs, pk=pk)
    if audit:  # confidential and secret ones only (audit_reads decides on the classification)
        audit_reads(user=user, objects=[bulletin], object_type="bulletin")
    return bulletin


def bulletin_get_for_change(*, user: User, pk: int | str) -> Bulletin:
    """One bulletin the user reads (else 404) and may amend or withdraw (else PermissionDenied)."""
    bulletin = bulletin_get(user=user, pk=pk, audit=False)
    require_issuer(actor=user, bulletin=bulletin)
    return bulletin


def bulletin_get_for_follow(*, user: User, pk: int | str) -> Bulletin:
    """One bulletin whose receipts the user may follow (a member of the issuer, or staff)."""
    bulletin = bulletin_get(user=user, pk=pk, audit=False, attachments=False)
    require_follower(actor=user, bulletin=bulletin)
    return bulletin


def bulletin_attachment_get(*, user: User, token: str) -> Any:
    """An attachment of a bulletin whose full text the user reads, else 404."""
    from coordination.models import BulletinAttachment

    attachment = get_or_404(BulletinAttachment.objects.select_related("bulletin"), token=token)
    bulletin = bulletin_get(user=user, pk=attachment.bulletin_id)
    if not reads_full(bulletin):
        from django.http import Http404

        raise Http404
    return attachment


def bulletin_progress(*, bulletin: Bulletin) -> list[BulletinRecipient]:
    """Each recipient agency with `readers` (its members who read), its acknowledgement and
    reminders, by agency name: the issuer's progress panel (2 queries)."""
    readers = BulletinReceipt.objects.filter(bulletin_id=OuterRef("bulletin_id"), agency_id=OuterRef("agency_id"))
    return list(
        BulletinRecipient.objects.filter(bulletin=bulletin)
        .select_related("agency", "acknowledged_by")
        .annotate(has_readers=Exists(readers))
        .order_by("agency__name", "id")
    )


def bulletin_receipts(*, bulletin: Bulletin) -> QuerySet[BulletinReceipt]:
    """Who read it, person by person (the issuer's panel)."""
    return BulletinReceipt.objects.filter(bulletin=bulletin).select_related("user", "agency").order_by("read_at", "id")


def bulletin_replies(*, bulletin: Bulletin) -> QuerySet[BulletinReply]:
    """The thread of a bulletin the caller reads in full (the caller checked `reads_full`)."""
    return (
        BulletinReply.objects.filter(bulletin=bulletin).select_related("author", "agency").order_by("created_at", "id")
    )


def bulletin_receipt_of(*, user: User, bulletin: Bulletin) -> BulletinReceipt | None:
    return BulletinReceipt.objects.filter(bulletin=bulletin, user_id=_uid(user)).first()


def recipient_choices() -> QuerySet[Agency]:
    """Agencies a distribution may name (active ones, by name)."""
    return Agency.objects.filter(is_active=True).only("id", "name", "kind").order_by("name")
