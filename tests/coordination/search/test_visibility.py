"""Search shows only what the user may read: the permission matrix's world (every kind at every
classification, each record marked with its token), searched kind by kind as every persona.
No answer carries a token the oracle says the persona may not read, and every token it says
they may read is found (nothing over-hidden). On PostgreSQL when DATABASE_URL points at it
(full-text prefixes), else through the SQLite fallback (icontains)."""

from __future__ import annotations

import re

import pytest

from coordination.search.kinds import KINDS
from tests.access.conftest import _matrix_media, matrix, matrix_media  # noqa: F401  (the world's fixtures)
from tests.access.matrix import api_clients, forbidden_tokens, shown_tokens
from tests.access.world import PERSONAS

pytestmark = pytest.mark.django_db

# The search's kind -> the matrix's kind whose tokens its hits show.
MATRIX_KIND = {
    "incident": "incident",
    "report": "report",
    "threat": "threat",
    "bulletin": "bulletin",
    "operation": "operation",
    "meeting": "meeting",
    "programme": "programme",
}


@pytest.fixture(scope="module")
def clients(matrix):  # noqa: F811
    return api_clients(matrix)


@pytest.mark.parametrize("kind", [k.slug for k in KINDS])
def test_search_shows_each_persona_what_it_may_read_and_nothing_else(matrix, clients, kind):  # noqa: F811
    problems = []
    for persona in PERSONAS:
        response = clients[persona.name].get("/api/v1/search/", {"q": "MTX", "kind": kind})
        if persona.relation == "anonymous":
            if response.status_code != 401:
                problems.append(f"{persona.name}: {response.status_code}")
            continue
        assert response.status_code == 200, (persona.name, response.content)
        body = response.content.decode()
        found = set(re.findall(r"MTX[a-z]+", body))
        if leaked := found & forbidden_tokens(persona):
            problems.append(f"{persona.name} {kind}: leaks {sorted(leaked)}")
        if kind in MATRIX_KIND and (missing := shown_tokens(persona, MATRIX_KIND[kind]) - found):
            problems.append(f"{persona.name} {kind}: hides {sorted(missing)}")
    assert not problems, "\n".join(problems)


def test_a_releasable_reader_never_finds_a_bulletin_by_its_full_text(matrix, clients):  # noqa: F811
    """The partner without information sharing reads the secret bulletin's releasable version
    only: a word of its full text alone finds nothing, a word of the releasable one finds it."""
    from coordination.models import Bulletin

    secret = matrix.record("bulletin", "secret")
    Bulletin.objects.filter(pk=secret.pk).update(body="Penyelundupan trenggiling MTXbulletinfullsecret")
    partner, owner = clients["partner-viewer"], clients["owner-viewer"]
    assert partner.get("/api/v1/search/", {"q": "trenggiling", "kind": "bulletin"}).json()["results"] == []
    found = owner.get("/api/v1/search/", {"q": "trenggiling", "kind": "bulletin"}).json()["results"]
    assert [h["title"] for h in found] == ["Buletin MTXbulletinsecret"]
    rel = partner.get("/api/v1/search/", {"q": "MTXbulletinrelsecret", "kind": "bulletin"}).json()["results"]
    assert rel[0]["title"] == "Rilis MTXbulletinrelsecret"  # (similar ones follow on PostgreSQL)
