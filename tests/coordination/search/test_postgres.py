"""PostgreSQL's search: typos by trigram similarity, accents folded by unaccent, prefixes, and the
GIN expression indexes of migration 0008_search actually used. They run when DATABASE_URL points
at PostgreSQL (CI sets it) and skip on the default SQLite run, as tests/integration does."""

from __future__ import annotations

import pytest
from django.db import connection

from coordination.search import selectors
from coordination.search.kinds import KINDS
from coordination.search.selectors import search
from tests.factories import AgencyFactory, IncidentFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's full-text and trigram search"),
]


@pytest.fixture
def fire(world):
    return IncidentFactory(title="Kebakaran gudang logistik", description="Dilaporkan warga.", reporting_agency=world.a)


def test_a_typo_finds_the_word_by_trigram_similarity(world, fire):
    assert [h.record for h in search(user=world.alice, q="kebakarn gudang", kind="incident").hits] == [fire]
    assert [h.record for h in search(user=world.alice, q="gudnag logistik", kind="incident").hits] == [fire]


def test_accents_are_folded_both_ways(world):
    cafe = AgencyFactory(name="Kafe Café Sentosa")
    assert [h.record for h in search(user=world.alice, q="cafe", kind="agency").hits] == [cafe]
    plain = IncidentFactory(title="Kerusuhan di kafe", reporting_agency=world.a)
    assert [h.record for h in search(user=world.alice, q="KAFÉ", kind="incident").hits] == [plain]


def test_words_are_matched_as_written_and_the_last_ones_as_prefixes(world, fire):
    assert [h.record for h in search(user=world.alice, q="gudang logis", kind="incident").hits] == [fire]
    assert [h.record for h in search(user=world.alice, q="dilaporkan warga", kind="incident").hits] == [fire]
    assert search(user=world.alice, q="banjir", kind="incident").hits == []


def test_every_kind_reads_its_gin_indexes(world, fire, django_assert_max_num_queries):
    """The expressions the selectors write are those the migration indexed: with sequential
    scans off, every kind's candidate query plans a scan of its `*_search_*` indexes."""
    captured: list[str] = []
    with connection.cursor() as cur:
        cur.execute("SET enable_seqscan = off")
    try:
        for kind in KINDS:
            with django_assert_max_num_queries(20) as ctx:
                search(user=world.admin, q="kebakarn", kind=kind.slug)
            sqls = [q["sql"] for q in ctx.captured_queries if "sinergi_search" in q["sql"]]
            assert sqls, kind.slug
            for sql in sqls:
                with connection.cursor() as cur:
                    cur.execute("EXPLAIN " + sql)
                    plan = "\n".join(row[0] for row in cur.fetchall())
                captured.append(plan)
                assert "_search_" in plan, f"{kind.slug}: {plan}"
    finally:
        with connection.cursor() as cur:
            cur.execute("SET enable_seqscan = on")
    assert selectors._candidates(selectors.LIMIT) <= 100
