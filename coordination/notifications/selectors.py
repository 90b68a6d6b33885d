"""Reads of the one inbox: a member's alerts and entries, newest first, in a bounded number of
queries whatever the data.

Two sources, one list. Alerts are the threats' in-app deliveries: the fan-out already writes
one per member (`incidents/threats/fanout.py`), so copying each into an `InboxItem` would
double the fan-out's writes (200k alerts times their members) for nothing the inbox needs.
Every other entry (operations, bulletins and meetings today; assignments later) is an
`InboxItem`; a bulletin's entries are read with the bulletin (`bulletins.services`), and
whether one waits for an acknowledgement is the bulletin recipient row's.

A page takes the first `offset + size` rows of each source from its index
(`threat_selectors.inbox_rows`, `inbox_item_user_idx`), merges them by time and keeps its
`size`: two queries and their prefetches, however many rows the user has; the counts are two
COUNTs, each bounded (`common.pagination.COUNT_BOUND`). The bell's one unread figure is the
sum of two indexed COUNTs (`inbox_counts`).

What each entry says is written now, for the reader, from the record as it is now: an alert
whose threat the reader's agency may no longer read, or an entry whose operation or bulletin
the reader may no longer read, shows as withdrawn, unnamed and without a link
(issue 11, class 4).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from agencies.models import Agency
from common.pagination import COUNT_BOUND
from common.types import User
from coordination.bulletins.selectors import bulletins_for, event_subject, reads_full
from coordination.community.programmes.selectors import programme_list
from coordination.evaluations.selectors import evaluation_list, evaluation_title
from coordination.meetings.selectors import meeting_list
from coordination.models import BulletinRecipient, InboxItem
from coordination.operations.selectors import operation_list
from incidents.reports.selectors import citizen_report_list
from incidents.threats import selectors as threat_selectors

from .kinds import GROUPS, group_of

OPERATION_EVENTS = ("changed", "started", "added", "removed")


@dataclass
class Entry:
    """One row of the inbox as every reader (page, API, desk) shows it."""

    key: str  # "alert-<alert id>" or "item-<inbox item id>": what marking read takes
    group: str
    kind: str
    created_at: datetime
    unread: bool
    needs_ack: bool
    text: str
    url: str | None
    agency: Agency | None
    withdrawn: bool = False
    severity: int | None = None  # an alert's (CAP's scale, 1 Minor to 4 Extreme)
    severity_label: str = ""
    zone: str = ""  # the IANA zone its time is shown in (the record's area)
    alert: Any = None  # the Alert, for the acknowledge button
    item: InboxItem | None = None
    bulletin: Any = None  # the Bulletin the reader may read now (None: hidden, or not one)


@dataclass
class InboxPage:
    entries: list[Entry]
    count: int
    more: bool  # the count passed its bound: "more than"
    number: int
    size: int

    @property
    def has_next(self) -> bool:
        return self.number * self.size < self.count

    @property
    def has_previous(self) -> bool:
        return self.number > 1


# --- Entries (InboxItem) ---------------------------------------------------------------------


def notification_list(*, user: User, unread: bool | None = None, group: str | None = None) -> QuerySet[InboxItem]:
    """The user's own entries, newest first (`group`: one of `kinds.GROUPS`)."""
    if not user or not user.is_authenticated:
        return InboxItem.objects.none()
    qs = (
        InboxItem.objects.filter(user=user)
        .select_related(
            "agency__headquarters_area",
            "operation",
            "subject_agency",
            "meeting__area",
            "programme__area",
            "report__area",
            "report__category",
            "evaluation__scope_agency",
            "evaluation__scope_area",
            "evaluation__scope_partnership",
        )
        .prefetch_related("operation__areas")
        .order_by("-created_at", "-id")
    )
    if group:
        qs = qs.filter(kind__startswith=f"{group}.")
    if unread is True:
        qs = qs.filter(read_at__isnull=True)
    elif unread is False:
        qs = qs.filter(read_at__isnull=False)
    return qs


def notification_texts(*, user: User, notifications: Iterable[InboxItem]) -> None:
    """Give each entry its `text`, `operation_readable` and `event`, written now for `user`.

    The operation is named only if the user may read it now (`operation_list`, one query):
    made secret, or the user's agency taken off it, it reads as "an operation you cannot see",
    with no link. An entry written before entries held references keeps its stored text,
    under the same rule."""
    rows = list(notifications)
    ids = {n.operation_id for n in rows if n.operation_id}
    readable = set(operation_list(user=user).filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
    for n in rows:
        n.event = n.kind.split(".", 1)[-1]  # type: ignore[attr-defined]
        n.operation_readable = n.operation_id in readable  # type: ignore[attr-defined]
        if n.operation_id and not n.operation_readable:  # type: ignore[attr-defined]
            n.text = _("An operation you cannot see changed.")  # type: ignore[attr-defined]
            continue
        name = n.operation.name if n.operation else ""
        agency = n.subject_agency.name if n.subject_agency else "—"
        texts = {
            "changed": _("The plan of %(name)s changed.") % {"name": name},
            "started": _("%(name)s has started.") % {"name": name},
            "added": _("%(agency)s was added to %(name)s.") % {"agency": agency, "name": name},
            "removed": _("%(agency)s no longer takes part in %(name)s.") % {"agency": agency, "name": name},
        }
        n.text = n.message or texts.get(n.event, n.kind)  # type: ignore[attr-defined]


def bulletin_texts(*, user: User, items: Iterable[InboxItem]) -> None:
    """Give each bulletin entry its `text`, `bulletin_readable`, `readable_bulletin` and
    `waiting` (its agency has not acknowledged yet), written now for `user`: two queries.

    The bulletin is named only if the user may read it now (`bulletins_for`, the reader's tier:
    the releasable title for a releasable reader); otherwise the entry reads "a bulletin you
    cannot see", without a link. "Waiting" is the recipient row's acknowledgement, the one the
    bulletin's page and the desk read: acknowledging there answers here too."""
    rows = [n for n in items if n.bulletin_id]
    if not rows:
        return
    ids = {n.bulletin_id for n in rows}
    readable = {b.pk: b for b in bulletins_for(user=user).filter(pk__in=ids)}
    waiting = (
        set(
            BulletinRecipient.objects.filter(
                bulletin_id__in=list(readable),
                agency_id__in={n.agency_id for n in rows},
                acknowledged_at__isnull=True,
                bulletin__ack_required=True,
                bulletin__status="sent",
            ).values_list("bulletin_id", "agency_id")
        )
        if readable
        else set()
    )
    for n in rows:
        n.event = n.kind.split(".", 1)[-1]  # type: ignore[attr-defined]
        bulletin = readable.get(n.bulletin_id or 0)
        n.bulletin_readable = bulletin is not None  # type: ignore[attr-defined]
        n.readable_bulletin = bulletin  # type: ignore[attr-defined]
        n.waiting = bulletin is not None and (n.bulletin_id, n.agency_id) in waiting  # type: ignore[attr-defined]
        if bulletin is None:
            n.text = _("A bulletin you cannot see.")  # type: ignore[attr-defined]
            continue
        title = bulletin.title if reads_full(bulletin) else (bulletin.releasable_title or bulletin.title)
        n.text = event_subject(n.event, title)  # type: ignore[attr-defined]
        if n.event == "amended" and n.bulletin_version:  # type: ignore[attr-defined]
            n.text += " " + _("(version %(n)s)") % {"n": n.bulletin_version}  # type: ignore[attr-defined]


@dataclass(frozen=True)
class RecordKind:
    """A group of inbox entries about one kind of record that a reader may or may not read now:
    meetings, programmes, citizens' reports. Its entries are written when they are read, for the
    reader: the record is named (and linked) only if its feature's own list selector still
    gives it to the reader (one query per group on a page), otherwise `hidden`."""

    group: str
    field: str  # the InboxItem foreign key
    readable: Any  # (user) -> the feature's list selector's queryset
    url_name: str
    texts: dict[str, Any]  # event -> text with %(title)s
    title: Any  # (record) -> its name in the texts
    hidden: Any  # the text of an entry whose record the reader may not read


RECORD_KINDS: tuple[RecordKind, ...] = (
    RecordKind(
        "meeting",
        "meeting",
        lambda user: meeting_list(user=user),
        "meeting-detail",
        {
            "invited": gettext_lazy("You are invited to %(title)s."),
            "changed": gettext_lazy("The time or place of %(title)s changed."),
            "cancelled": gettext_lazy("%(title)s is cancelled."),
        },
        lambda meeting: meeting.title,
        gettext_lazy("A meeting you cannot see."),
    ),
    RecordKind(
        "programme",
        "programme",
        lambda user: programme_list(user=user),
        "programme-detail",
        {"approved": gettext_lazy("%(title)s is approved."), "cancelled": gettext_lazy("%(title)s is cancelled.")},
        lambda programme: programme.title,
        gettext_lazy("A programme you cannot see."),
    ),
    RecordKind(
        "report",
        "report",
        lambda user: citizen_report_list(user=user),
        "report-detail",
        {"answered": gettext_lazy("The reporter answered your question on %(title)s.")},
        lambda report: _("report #%(id)s (%(category)s)") % {"id": report.pk, "category": report.category.name},
        gettext_lazy("A citizen's report you cannot see."),
    ),
    RecordKind(
        "evaluation",
        "evaluation",
        lambda user: evaluation_list(user=user),
        "evaluation-detail",
        {"published": gettext_lazy("The evaluation %(title)s was published to your agency.")},
        lambda evaluation: evaluation_title(evaluation, get_language() or "id"),
        gettext_lazy("An evaluation you cannot see."),
    ),
)


def _record_kind(n: InboxItem) -> RecordKind | None:
    return next((k for k in RECORD_KINDS if getattr(n, f"{k.field}_id")), None)


def record_texts(*, user: User, items: Iterable[InboxItem]) -> None:
    """Give each entry of a `RECORD_KINDS` group its `text` and `readable`, for `user`."""
    items = list(items)
    for kind in RECORD_KINDS:
        rows = [n for n in items if getattr(n, f"{kind.field}_id")]
        if not rows:
            continue
        ids = {getattr(n, f"{kind.field}_id") for n in rows}
        readable = set(kind.readable(user).filter(pk__in=ids).values_list("pk", flat=True))
        for n in rows:
            record = getattr(n, kind.field)
            n.readable = getattr(n, f"{kind.field}_id") in readable and record is not None  # type: ignore[attr-defined]
            if not n.readable:  # type: ignore[attr-defined]
                n.text = str(kind.hidden)  # type: ignore[attr-defined]
                continue
            event = n.kind.split(".", 1)[-1]
            text = kind.texts.get(event)
            n.text = str(text) % {"title": kind.title(record)} if text else n.kind  # type: ignore[attr-defined]


def _record_entry(n: InboxItem, kind: RecordKind) -> Entry:
    readable = bool(getattr(n, "readable", False))
    record = getattr(n, kind.field) if readable else None
    return Entry(
        key=f"item-{n.pk}",
        group=kind.group,
        kind=n.kind,
        created_at=n.created_at,
        unread=n.read_at is None,
        needs_ack=False,
        text=str(getattr(n, "text", "")),
        url=reverse(kind.url_name, args=[getattr(n, f"{kind.field}_id")]) if readable else None,
        agency=n.agency,
        withdrawn=not readable,
        zone=record.area.timezone if record is not None and getattr(record, "area_id", None) else "",
        item=n,
    )


def _item_zone(n: InboxItem, readable: bool) -> str:
    area = next(iter(n.operation.areas.all()), None) if readable and n.operation else None
    area = area or n.agency.headquarters_area
    return area.timezone if area else ""


def _bulletin_entry(n: InboxItem) -> Entry:
    bulletin = getattr(n, "readable_bulletin", None)
    return Entry(
        key=f"item-{n.pk}",
        group="bulletin",
        kind=n.kind,
        created_at=n.created_at,
        unread=n.read_at is None,
        needs_ack=n.needs_ack and bool(getattr(n, "waiting", False)),
        text=str(getattr(n, "text", "")),
        url=reverse("bulletin-detail", args=[n.bulletin_id]) if bulletin is not None else None,
        agency=n.agency,
        withdrawn=bulletin is None,
        zone=n.agency.headquarters_area.timezone if n.agency.headquarters_area else "",
        item=n,
        bulletin=bulletin,
    )


def _item_entries(user: User, items: list[InboxItem]) -> list[Entry]:
    bulletin_texts(user=user, items=items)
    record_texts(user=user, items=items)
    notification_texts(user=user, notifications=[n for n in items if not n.bulletin_id and _record_kind(n) is None])
    entries = []
    for n in items:
        if n.bulletin_id:
            entries.append(_bulletin_entry(n))
            continue
        kind = _record_kind(n)
        if kind is not None:
            entries.append(_record_entry(n, kind))
            continue
        readable = getattr(n, "operation_readable", False)
        entries.append(
            Entry(
                key=f"item-{n.pk}",
                group=group_of(n.kind),
                kind=n.kind,
                created_at=n.created_at,
                unread=n.read_at is None,
                needs_ack=n.needs_ack and n.acknowledged_at is None,
                text=str(getattr(n, "text", "")),
                url=reverse("operation-detail", args=[n.operation_id]) if readable and n.operation_id else None,
                agency=n.agency,
                withdrawn=bool(n.operation_id) and not readable,
                zone=_item_zone(n, readable),
                item=n,
            )
        )
    return entries


# --- Alerts (the threats' in-app deliveries) -----------------------------------------------


def _alert_rows(user: User, *, unread: bool | None, needs_ack: bool | None) -> QuerySet[Any]:
    rows: QuerySet[Any] = threat_selectors.inbox_rows(user=user)
    if unread is not None:
        rows = rows.filter(unread=unread)  # the annotation of `inbox_rows`
    if needs_ack:
        rows = rows.filter(threat_selectors.alert_waiting_q("alert__"))
    return rows


def _alert_entries(user: User, rows: list[Any]) -> list[Entry]:
    english = (get_language() or "").startswith("en")
    entries = []
    for row in rows:
        alert, threat = row.alert, row.alert.threat
        withdrawn = bool(getattr(row, "withdrawn", False))
        alert.withdrawn = withdrawn
        waiting = not withdrawn and alert.acknowledged_at is None and not threat.is_cancelled
        headline = (threat.headline_en if english and threat.headline_en else threat.headline) or ""
        entries.append(
            Entry(
                key=f"alert-{alert.pk}",
                group="alert",
                kind="alert",
                created_at=row.created_at,
                unread=bool(getattr(row, "unread", False)),
                needs_ack=waiting,
                text=_("An alert that is no longer shared with your agency.") if withdrawn else headline,
                url=reverse("alert-detail", args=[alert.pk]),
                agency=alert.agency,
                withdrawn=withdrawn,
                severity=None if withdrawn else threat.severity,
                severity_label="" if withdrawn else str(threat.get_severity_display()),
                zone="" if withdrawn else next((a.timezone for a in threat.areas.all()), ""),
                alert=alert,
            )
        )
    return entries


# --- The one inbox -------------------------------------------------------------------------


def _item_waiting_q() -> Q:
    """Entries waiting for an acknowledgement: a bulletin's, while the recipient row of the
    entry's agency has none and the bulletin is in force; any other, by its own stamp."""
    unacknowledged = BulletinRecipient.objects.filter(
        bulletin_id=OuterRef("bulletin_id"), agency_id=OuterRef("agency_id"), acknowledged_at__isnull=True
    )
    return Q(needs_ack=True) & (
        Q(bulletin__isnull=True, acknowledged_at__isnull=True)
        | Q(bulletin__status="sent", bulletin__ack_required=True) & Q(Exists(unacknowledged))
    )


def inbox_page(
    *,
    user: User,
    group: str | None = None,
    unread: bool | None = None,
    needs_ack: bool | None = None,
    number: int = 1,
    size: int = 25,
) -> InboxPage:
    """One page of the user's inbox, newest first, filtered by group (`kinds.GROUPS`), unread
    and waiting for an acknowledgement. Pages end at `COUNT_BOUND` rows."""
    if not user or not user.is_authenticated:
        return InboxPage([], 0, False, 1, size)
    if group and group not in GROUPS:
        group = "none"
    number = max(1, min(number, max(1, COUNT_BOUND // size)))
    window = number * size
    alerts: list[Any] = []
    items: list[InboxItem] = []
    count = 0
    if group in (None, "alert"):
        rows = _alert_rows(user, unread=unread, needs_ack=needs_ack)
        alerts = list(rows[:window])
        count += rows[: COUNT_BOUND + 1].count()
    if group != "alert":
        qs = notification_list(user=user, unread=unread, group=group)
        if needs_ack:
            qs = qs.filter(_item_waiting_q())
        items = list(qs[:window])
        count += qs[: COUNT_BOUND + 1].count()
    merged = sorted(
        [(r.created_at, "a", r) for r in alerts] + [(n.created_at, "i", n) for n in items],
        key=lambda t: t[0],
        reverse=True,
    )[window - size : window]
    page_alerts = [r for _at, src, r in merged if src == "a"]
    page_items = [n for _at, src, n in merged if src == "i"]
    by_key = {e.key: e for e in _alert_entries(user, page_alerts) + _item_entries(user, page_items)}
    keys = [f"alert-{r.alert_id}" if src == "a" else f"item-{r.pk}" for _at, src, r in merged]
    more = count > COUNT_BOUND
    return InboxPage([by_key[k] for k in keys], min(count, COUNT_BOUND), more, number, size)


def _count(qs: QuerySet[Any], bound: int | None = None) -> Subquery:
    """COUNT(*) of `qs` as a scalar subquery (one row: grouped by a constant); with `bound`,
    of its first `bound` rows in `qs`'s order only (give it the order of an index: without
    one, PostgreSQL expected to find the first hundred alerts early in a sequential scan of
    the table and read 200k rows when they sat at its end)."""
    if bound is not None:
        qs = qs.model._default_manager.filter(pk__in=qs.values("pk")[:bound])
    return Subquery(qs.order_by().values(one=Value(1)).annotate(n=Count("*")).values("n")[:1])


# The bell shows "99+" past 99: counting further read every unread alert of a busy agency
# (thousands, 30-60 ms on every page over 200k alerts) for a figure nobody sees.
BELL_BOUND = 100


def inbox_counts(*, user: User, bound: int | None = None) -> dict[str, int]:
    """The bell: `unread` (alerts and entries, one figure), and the alerts of the user's
    agencies waiting for an acknowledgement: one query of three indexed COUNTs. With `bound`
    (the bell's `BELL_BOUND`) each COUNT stops at `bound`: `unread` and `unacknowledged` are
    then exact below `bound` and at least `bound` otherwise."""
    if not user or not user.is_authenticated:
        return {"unread": 0, "unacknowledged": 0, "alerts": 0, "items": 0}
    unread_alerts, unacked = threat_selectors.inbox_count_querysets(user=user)
    items = InboxItem.objects.filter(user=user, read_at__isnull=True)
    if bound is not None:
        # The waiting alerts in the order of `alert_waiting_idx`; the other two unordered (an
        # order on the deliveries sorted all the user's unread ones: their join to the alerts
        # of the agency is estimated at a few rows).
        unread_alerts = unread_alerts.order_by()
        unacked = unacked.order_by("agency_id", "created_at")
        items = items.order_by()
    row = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .values(
            alerts=Coalesce(_count(unread_alerts, bound), 0),
            items=Coalesce(_count(items, bound), 0),
            unacknowledged=Coalesce(_count(unacked, bound), 0),
        )
        .first()
    ) or {"alerts": 0, "items": 0, "unacknowledged": 0}
    return {**row, "unread": row["alerts"] + row["items"]}
