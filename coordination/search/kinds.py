"""The registry of what the search box searches: one `SearchKind` per kind of record.

A kind names the scoped queryset it searches (built on its feature's own list selector, so a
hit is always a record the user may read), the fields of its document(s), the field whose
words are matched against typos (trigram), and how a hit is shown (title, text for the
snippet, link). On PostgreSQL each document has two GIN expression indexes, created by
`coordination/migrations/0008_search.py` (`INDEXES` there): keep the fields here and the
expressions there the same, in the same order, or the search reads the whole table.

Adding a kind (meetings, say) takes an entry here and two indexes in a migration:

    from coordination.meetings.selectors import meeting_list

    register(SearchKind(
        slug="meeting", label=_("Meeting"), queryset=lambda user: meeting_list(user=user),
        documents=(Document(fields=("title", "agenda", "place"), index="meeting_search_tsv"),),
        title=lambda m: m.title, text=lambda m: m.agenda, url=lambda m: reverse("meeting-detail", args=[m.pk]),
    ))

and in a new migration (see 0008_search.py) `("meeting_search_tsv", "coordination_meeting",
"sinergi_search_tsv(title, agenda, place)")` and `("meeting_search_trgm", "coordination_meeting",
"sinergi_search_text(title) gin_trgm_ops")`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from agencies.selectors import agency_list, area_list, membership_list
from common.types import User
from coordination.bulletins.selectors import bulletins_for
from coordination.community.programmes.selectors import programme_list
from coordination.meetings.selectors import meeting_list
from coordination.operations.selectors import operation_list
from incidents.reports.selectors import citizen_report_list
from incidents.selectors import incident_list
from incidents.threats.selectors import threat_list


@dataclass(frozen=True)
class Document:
    """The searchable text of a record: `fields` (the full-text document, in index order), the
    fields matched against typos (`typo`, the first field by default), its tsvector index's name
    (`index`), and `when`, a condition
    on the row for the kinds whose readers read different texts (a bulletin's releasable version)."""

    fields: tuple[str, ...]
    index: str  # the name of its tsvector index (migration 0008_search): its statistics decide the plan
    typo: tuple[str, ...] = ()
    when: Q | None = None

    @property
    def typo_fields(self) -> tuple[str, ...]:
        return self.typo or self.fields[:1]


@dataclass(frozen=True)
class SearchKind:
    slug: str
    label: str | Promise
    queryset: Callable[[User], QuerySet[Any]]
    documents: tuple[Document, ...]
    title: Callable[[Any], str]
    text: Callable[[Any], str]
    url: Callable[[Any], str]
    audit_type: str = ""  # the audit's object type for kinds that carry a classification
    # The related rows `title`, `text` and `url` read (joined to the candidates); the scoped
    # queryset's other joins are left out of the search's query.
    related: tuple[str, ...] = ()


KINDS: list[SearchKind] = []


def register(kind: SearchKind) -> None:
    """Add a kind to the search (once; the order is the order of the kind filter)."""
    if any(k.slug == kind.slug for k in KINDS):
        raise ValueError(f"search kind {kind.slug!r} registered twice")
    KINDS.append(kind)


def kind_choices() -> list[tuple[str, str | Promise]]:
    return [(k.slug, k.label) for k in KINDS]


def _member_name(m: Any) -> str:
    return m.user.get_full_name() or m.user.get_username()


register(
    SearchKind(
        slug="incident",
        label=_("Incident"),
        queryset=lambda user: incident_list(user=user),
        documents=(
            Document(fields=("reference", "title", "description"), index="incident_search_tsv", typo=("title",)),
        ),
        title=lambda i: f"{i.reference} · {i.title}",
        text=lambda i: i.description,
        url=lambda i: reverse("incident-detail", args=[i.pk]),
        audit_type="incident",
    )
)
register(
    SearchKind(
        slug="report",
        label=_("Citizen report"),
        queryset=lambda user: citizen_report_list(user=user),
        documents=(
            Document(fields=("tracking_code", "description"), index="report_search_tsv", typo=("description",)),
        ),
        title=lambda r: f"{r.tracking_code} · {r.category}",
        text=lambda r: r.description,
        url=lambda r: reverse("report-detail", args=[r.pk]),
        related=("category",),
    )
)
register(
    SearchKind(
        slug="threat",
        label=_("Threat"),
        queryset=lambda user: threat_list(user=user),
        documents=(
            Document(
                fields=("headline", "description", "instruction", "headline_en", "description_en"),
                index="threat_search_tsv",
            ),
        ),
        title=lambda t: t.headline,
        text=lambda t: t.description,
        url=lambda t: reverse("threat-detail", args=[t.pk]),
        audit_type="threat",
    )
)
register(
    SearchKind(
        slug="bulletin",
        label=_("Bulletin"),
        queryset=lambda user: bulletins_for(user=user),
        # A reader of the releasable version searches (and sees) that text only, never the full one.
        documents=(
            Document(fields=("title", "body"), index="bulletin_search_tsv", when=Q(reads_full=True)),
            Document(
                fields=("releasable_title", "releasable_body"),
                index="bulletin_rel_search_tsv",
                when=Q(reads_full=False),
            ),
        ),
        title=lambda b: b.title if b.reads_full else b.releasable_title,
        text=lambda b: b.body if b.reads_full else b.releasable_body,
        url=lambda b: reverse("bulletin-detail", args=[b.pk]),
        audit_type="bulletin",
    )
)
register(
    SearchKind(
        slug="operation",
        label=_("Operation"),
        queryset=lambda user: operation_list(user=user),
        documents=(Document(fields=("name", "objectives", "command_post"), index="operation_search_tsv"),),
        title=lambda o: o.name,
        text=lambda o: o.objectives,
        url=lambda o: reverse("operation-detail", args=[o.pk]),
        audit_type="operation",
    )
)
register(
    SearchKind(
        slug="meeting",
        label=_("Meeting"),
        queryset=lambda user: meeting_list(user=user),
        documents=(Document(fields=("title", "agenda", "place"), index="meeting_search_tsv"),),
        title=lambda m: m.title,
        text=lambda m: m.agenda,
        url=lambda m: reverse("meeting-detail", args=[m.pk]),
    )
)
register(
    SearchKind(
        slug="programme",
        label=_("Programme"),
        queryset=lambda user: programme_list(user=user),
        documents=(Document(fields=("title", "description", "venue"), index="programme_search_tsv"),),
        title=lambda p: p.title,
        text=lambda p: p.description or p.venue,
        url=lambda p: reverse("programme-detail", args=[p.pk]),
    )
)
register(
    SearchKind(
        slug="agency",
        label=_("Agency"),
        queryset=lambda user: agency_list(user=user),
        documents=(Document(fields=("name", "code", "address"), index="agency_search_tsv"),),
        title=lambda a: a.name,
        text=lambda a: a.address,
        url=lambda a: reverse("agency-detail", args=[a.pk]),
    )
)
register(
    SearchKind(
        slug="area",
        label=_("Area"),
        queryset=lambda user: area_list(),
        documents=(Document(fields=("name", "code", "postal_code"), index="area_search_tsv"),),
        title=lambda a: a.name,
        text=lambda a: f"{a.get_level_display()} · {a.parent.name}" if a.parent_id else str(a.get_level_display()),
        url=lambda a: reverse("area-detail", args=[a.pk]),
        related=("parent",),
    )
)
register(
    SearchKind(
        slug="member",
        label=_("Member"),
        queryset=lambda user: membership_list(user=user),
        # The person's names are on the user (auth_user): the indexes are there.
        documents=(
            Document(
                fields=("user__first_name", "user__last_name", "user__username"),
                index="user_search_tsv",
                typo=("user__first_name", "user__last_name"),
            ),
        ),
        title=_member_name,
        text=lambda m: f"{m.get_role_display()} · {m.agency.name}",
        url=lambda m: reverse("agency-detail", args=[m.agency_id]),
        related=("user", "agency"),
    )
)
