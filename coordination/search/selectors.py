"""The one search box: every registered kind (`kinds.KINDS`) searched for what the user may read,
each kind's best hits ranked, then merged.

How a kind is searched (a constant number of queries whatever the data: one a kind, two when
nothing is found):
- PostgreSQL: full-text search of the kind's documents (`sinergi_search_tsv`: the `simple`
  configuration over unaccented, lower-cased text, so Indonesian words are matched as they
  are written, with no English stemming), every word required as written;
  when no kind finds anything that way, a second round matches the typo fields by trigram
  word similarity (pg_trgm, `%>`), which finds "kebakarn" for "kebakaran". Both are answered
  by GIN expression indexes (coordination/migrations/0008_search.py). Each query takes a
  bounded set of candidates (the newest `_candidates(n)` matches: 2n + 10, by primary key: an
  index walk for a common word, a bitmap of the GIN index for a rare one or where the index's
  word statistics show it cheaper (`_bitmap`); joined to the related rows a hit shows only)
  with their rank (`ts_rank` plus the trigram word similarity of the typo fields, computed for
  those rows only), and keeps the best. The statements run in one transaction without
  parallel workers.
- elsewhere (SQLite, the demo and the default tests): every word `icontains` in one of the
  document's fields, the newest 2n + 10, ranked in Python (words found in the title count
  more).
The candidates are always built on the kind's scoped queryset (its feature's list selector),
so a record the user may not read is never a candidate.
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any

from django.contrib.postgres.search import SearchQueryField, SearchVectorField
from django.db import OperationalError, connection, transaction
from django.db.models import BooleanField, Case, F, FloatField, Func, Q, TextField, Value, When
from django.utils.functional import Promise

from common.request_cache import request_cache_scope
from common.types import User

from .kinds import KINDS, Document, SearchKind

MIN_LENGTH = 2
MAX_LENGTH = 200
MAX_WORDS = 8
PER_KIND = 5  # hits a kind adds to the merged list when every kind is searched
LIMIT = 20  # hits shown at most (all of one kind when the search is narrowed to it)
SNIPPET = 160  # characters around the first word found

_WORD = re.compile(r"[^\W_]+")


@dataclass
class Hit:
    kind: str
    kind_label: str | Promise
    title: str
    snippet: str
    url: str
    rank: float
    record: Any = field(repr=False, default=None)


@dataclass
class SearchResult:
    q: str
    kind: str | None
    hits: list[Hit] = field(default_factory=list)
    too_short: bool = False


def search_words(q: str) -> list[str]:
    """The words of a query (letters and digits; at most `MAX_WORDS`)."""
    return _WORD.findall(q[:MAX_LENGTH])[:MAX_WORDS]


def search(*, user: User, q: str, kind: str | None = None, limit: int = LIMIT) -> SearchResult:
    """What `user` may read that matches `q`, best first; one kind (`kind`, a registered slug) or
    all of them. A query shorter than `MIN_LENGTH` characters (or without a word) finds nothing
    and says so (`too_short`)."""
    q = (q or "").strip()[:MAX_LENGTH]
    result = SearchResult(q=q, kind=kind)
    words = search_words(q)
    if len(q) < MIN_LENGTH or not words:
        result.too_short = True
        return result
    kinds = [k for k in KINDS if kind in (None, "", k.slug)]
    per_kind = limit if len(kinds) == 1 else PER_KIND
    postgres = connection.vendor == "postgresql"
    hits: list[Hit] = []
    # The kinds' reading rules ask the same questions (the user's partners, moderation areas):
    # read once for the whole search, as a page's request cache does, when called elsewhere.
    with request_cache_scope(), _serial() if postgres else nullcontext():
        for k in kinds:
            found = (_postgres if postgres else _fallback)(k, user, q, words, per_kind)
            hits.extend(_hit(k, row, rank) for row, rank in found)
        if postgres and not hits:  # no word as written anywhere: a typo or another spelling?
            hits = _postgres_typos(kinds, user, q, words, per_kind)
    hits.sort(key=lambda h: -h.rank)
    result.hits = hits[:limit]
    for hit in result.hits:
        hit.snippet = snippet(hit.snippet, words)
    return result


@contextmanager
def _serial() -> Iterator[None]:
    """The search's statements without parallel workers (in one transaction, the setting
    local to it). A rare word's bitmap scan is planned for thousands of rows and given two
    workers, whose start took 13-25 ms of a query that reads five rows; a search's statements
    are many small ones, not worth a worker."""
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SELECT set_config('max_parallel_workers_per_gather', '0', true)")
        yield


def _hit(kind: SearchKind, row: Any, rank: float) -> Hit:
    return Hit(
        kind=kind.slug,
        kind_label=kind.label,
        title=kind.title(row),
        snippet=kind.text(row) or "",
        url=kind.url(row),
        rank=float(rank or 0),
        record=row,
    )


# --- PostgreSQL ----------------------------------------------------------------------------


class _Tsv(Func):
    """sinergi_search_tsv(field, ...): the indexed document (migration 0008_search)."""

    function = "sinergi_search_tsv"
    output_field = SearchVectorField()


def _text(*expressions: Any) -> Func:
    """sinergi_search_text(field, ...): unaccented, lower-cased text (the trigram indexes)."""
    return Func(*expressions, function="sinergi_search_text", output_field=TextField())


def _tsquery(words: list[str]) -> Func:
    # Each word quoted (only letters and digits reach here) and matched as written, never as a
    # prefix: the planner estimates a prefix at 0.5% of the rows whatever it is, and so walks the
    # primary key computing every row's document for a word nobody wrote (15 s over a million
    # incidents); an exact word has its statistics. A word begun ("bont") finds Bontang through
    # the typo round.
    text = " & ".join(f"'{w}'" for w in words)
    return Func(
        _text(Value(text)),
        template="to_tsquery('simple'::regconfig, %(expressions)s)",
        output_field=SearchQueryField(),
    )


def _matches(doc: Document, words: list[str]) -> Func:
    return Func(
        _Tsv(*[F(f) for f in doc.fields]),
        _tsquery(words),
        template="%(expressions)s",
        arg_joiner=" @@ ",
        output_field=BooleanField(),
    )


def _similar(doc: Document, q: str) -> Func:
    return Func(
        _text(*[F(f) for f in doc.typo_fields]),
        _text(Value(q)),
        template="%(expressions)s",
        arg_joiner=" %%> ",
        output_field=BooleanField(),
    )


def _rank(doc: Document, q: str, words: list[str]) -> Func:
    return Func(
        Func(_Tsv(*[F(f) for f in doc.fields]), _tsquery(words), function="ts_rank", output_field=FloatField()),
        Func(_text(Value(q)), _text(*[F(f) for f in doc.typo_fields]), function="word_similarity"),
        template="(%(expressions)s)",
        arg_joiner=" + ",
        output_field=FloatField(),
    )


def _match_q(kind: SearchKind, make: Any) -> Q:
    return reduce(or_, [(doc.when or Q()) & Q(make(doc)) for doc in kind.documents])


def _rank_expr(kind: SearchKind, q: str, words: list[str]) -> Any:
    if len(kind.documents) == 1:
        return _rank(kind.documents[0], q, words)
    whens = [When(doc.when or Q(), then=_rank(doc, q, words)) for doc in kind.documents]
    return Case(*whens, default=Value(0.0), output_field=FloatField())


def _candidates(n: int) -> int:
    return 2 * n + 10


# What each tsvector index's statistics know (kept by ANALYZE): its rows (pg_class.reltuples)
# and its common words with the share of rows holding each (pg_stats.most_common_elems and
# most_common_elem_freqs of the index expression), read once per process for five minutes.
_COMMON_TTL = 300.0
_common: tuple[float, dict[str, tuple[float, dict[str, float]]]] = (0.0, {})


def word_stats() -> dict[str, tuple[float, dict[str, float]]]:
    """{index name: (rows, {common word: share of the rows holding it})}."""
    global _common
    loaded_at, by_index = _common
    if time.monotonic() - loaded_at > _COMMON_TTL:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT s.tablename, c.reltuples, s.most_common_elems::text::text[], s.most_common_elem_freqs"
                " FROM pg_stats s JOIN pg_class c ON c.relname = s.tablename"
                " WHERE s.tablename LIKE %s AND s.most_common_elems IS NOT NULL",
                ["%search_tsv"],
            )
            by_index = {
                name: (max(float(rows or 0), 0.0), dict(zip(words or (), freqs or (), strict=False)))
                for name, rows, words, freqs in cur.fetchall()
            }
        _common = (time.monotonic(), by_index)
    return by_index


def _bitmap(kind: SearchKind, words: list[str], n: int) -> bool:
    """Whether the GIN index's bitmap finds the candidates cheaper than a walk along the primary
    key, forced then. The planner would guess otherwise:
    - no word is among the common ones of the kind's indexes: few rows match, yet a word it has
      no statistics of is taken for half the rarest common one (0.5% of a million incidents)
      and the primary key walked computing every row's document for a word nobody wrote (15 s);
    - the rarest word's share f of the rows is known: the walk computes about candidates / f
      documents, the bitmap reads about rows x f of them, each about as dear (~7 us); the
      planner prices a document at a fraction of a heap row and walked 2,000 citizen reports
      (19 ms) for 20 of the 1% holding "warga" that the bitmap reads in 2 ms. Where the walk is
      the cheaper (a 1% word over a million incidents), the planner is left to choose."""
    stats = word_stats()
    folded = {fold(w) for w in words}
    for doc in kind.documents:
        rows, freqs = stats.get(doc.index, (0.0, {}))
        known = [freqs[w] for w in folded if w in freqs]
        if known and rows * min(known) ** 2 >= _candidates(n):
            return False
    return True


def _ranked(
    kind: SearchKind, user: User, match: Q, q: str, words: list[str], n: int, *, bitmap: bool = False
) -> list[tuple[Any, float]]:
    # One query: the newest candidates with their rank. PostgreSQL computes the rank (an
    # expensive target: it recomputes the document) after the LIMIT, for those rows only.
    # Only the related rows a hit shows are joined (`SearchKind.related`): the selectors' other
    # joins were made before the sort, for every match (the threats' issuing agencies hashed
    # from all 100k agencies, 35 ms; a phrase's 10,000 incidents joined to four tables).
    # `bitmap`: ordered by an expression no index gives (pk + 0), so the GIN index is read.
    order = (F("pk") + 0).desc() if bitmap else F("pk").desc()
    rows = kind.queryset(user).select_related(None)
    if kind.related:
        rows = rows.select_related(*kind.related)
    rows = rows.filter(match).annotate(search_rank=_rank_expr(kind, q, words))
    ranked = [(row, float(row.search_rank or 0)) for row in rows.order_by(order)[: _candidates(n)]]
    ranked.sort(key=lambda pair: -pair[1])
    return ranked[:n]


def _postgres(kind: SearchKind, user: User, q: str, words: list[str], n: int) -> list[tuple[Any, float]]:
    match = _match_q(kind, lambda d: _matches(d, words))
    return _ranked(kind, user, match, q, words, n, bitmap=_bitmap(kind, words, n))


TYPO_TIMEOUT_MS = 300


def _postgres_typos(kinds: list[SearchKind], user: User, q: str, words: list[str], n: int) -> list[Hit]:
    """The typo round: each kind's typo fields by trigram word similarity, in one transaction
    whose statements may each take TYPO_TIMEOUT_MS at most. Trigram matches have no statistics,
    and a misspelt rare word over a million rows may cost more than a search may: then the
    round ends there with what it found, rather than hold the page."""
    hits: list[Hit] = []
    try:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(
                "SELECT current_setting('statement_timeout'), set_config('statement_timeout', %s, true)",
                [str(TYPO_TIMEOUT_MS)],
            )
            (previous, _new) = cur.fetchone()
            for kind in kinds:
                match = _match_q(kind, lambda d: _similar(d, q))
                hits.extend(_hit(kind, row, rank) for row, rank in _ranked(kind, user, match, q, words, n))
            cur.execute("SELECT set_config('statement_timeout', %s, true)", [previous])
    except OperationalError:  # the time bound (QueryCanceled); the rollback undid the setting
        pass
    return hits


# --- Elsewhere (SQLite) --------------------------------------------------------------------


def _fallback(kind: SearchKind, user: User, q: str, words: list[str], n: int) -> list[tuple[Any, float]]:
    def doc_q(doc: Document) -> Q:
        every = Q()
        for word in words:
            every &= reduce(or_, [Q(**{f"{f}__icontains": word}) for f in doc.fields])
        return (doc.when or Q()) & every

    match = reduce(or_, [doc_q(doc) for doc in kind.documents])
    rows = list(kind.queryset(user).filter(match).order_by("-pk")[: _candidates(n)])
    scored = [(row, _score(kind, row, q, words)) for row in rows]
    scored.sort(key=lambda pair: -pair[1])
    return scored[:n]


def _score(kind: SearchKind, row: Any, q: str, words: list[str]) -> float:
    """Words in the title count three, in the text one; the whole query in the title one more."""
    title, text = fold(kind.title(row)), fold(kind.text(row) or "")
    score = sum(3.0 if fold(w) in title else 1.0 if fold(w) in text else 0.0 for w in words)
    return score / len(words) + (1.0 if fold(q) in title else 0.0)


# --- Snippets ------------------------------------------------------------------------------


def fold(text: str) -> str:
    """Lower-cased, without accents: "Café" and "cafe" compare equal."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def snippet(text: str, words: Iterable[str], size: int = SNIPPET) -> str:
    """About `size` characters of `text` around the first of `words` it holds (else its start)."""
    text = " ".join((text or "").split())
    if len(text) <= size:
        return text
    folded = fold(text)
    # Folding may change the length (ligatures); positions are only used when it did not.
    at = -1
    if len(folded) == len(text):
        found = [i for i in (folded.find(fold(w)) for w in words) if i >= 0]
        at = min(found) if found else -1
    start = max(0, at - size // 3) if at >= 0 else 0
    piece = text[start : start + size]
    return ("…" if start else "") + piece.strip() + ("…" if start + size < len(text) else "")
