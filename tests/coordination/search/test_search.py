"""The search box: the page and the API, the SQLite fallback (the default run), ranking,
snippets, short and odd queries, the audit of classified hits, a bounded number of queries."""

from __future__ import annotations

import pytest
from django.db import connection

from agencies.models import AuditLog, Classification
from coordination.search.selectors import search, snippet
from tests.factories import AreaFactory, CitizenReportFactory, IncidentFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def incidents(world):
    own = {"reporting_agency": world.a, "area": world.areas.bontang_utara}
    return {
        "fire": IncidentFactory(title="Kebakaran gudang pelabuhan", description="Api besar di gudang.", **own),
        "flood": IncidentFactory(title="Banjir di permukiman warga", description="Air setinggi lutut.", **own),
        "secret": IncidentFactory(
            title="Kebakaran rahasia", classification=Classification.SECRET, reporting_agency=world.a
        ),
    }


def test_a_word_finds_the_incidents_the_user_may_read_with_kind_title_snippet_and_link(world, incidents, client):
    client.force_login(world.bob)  # B reads restricted incidents, not A's secret one
    page = client.get("/search/", {"q": "kebakaran"}).content.decode()
    assert 'data-testid="search-hit"' in page and "Kebakaran gudang pelabuhan" in page
    assert f'href="/incidents/{incidents["fire"].pk}/"' in page and "Api besar di gudang." in page
    assert "Kebakaran rahasia" not in page
    client.force_login(world.alice)
    assert "Kebakaran rahasia" in client.get("/search/", {"q": "kebakaran"}).content.decode()


def test_the_api_answers_hits_with_their_kind(world, incidents, api_as):
    response = api_as(world.alice).get("/api/v1/search/", {"q": "banjir permukiman"})
    assert response.status_code == 200
    hits = response.json()["results"]
    assert [(h["kind"], h["title"]) for h in hits] == [
        ("incident", f"{incidents['flood'].reference} · Banjir di permukiman warga")
    ]
    assert hits[0]["url"] == f"/incidents/{incidents['flood'].pk}/"


@pytest.mark.parametrize(
    "query, field",
    [({}, "q"), ({"q": "a"}, "q"), ({"q": "x" * 201}, "q"), ({"q": "banjir", "kind": "nope"}, "kind")],
)
def test_the_api_refuses_bad_parameters_with_field_messages(world, api_as, query, field):
    response = api_as(world.alice).get("/api/v1/search/", query)
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_the_api_wants_a_login(api):
    assert api.get("/api/v1/search/", {"q": "banjir"}).status_code in (401, 403)


@pytest.mark.parametrize("q", ["", "a", "  ", "__", "%", "'", "\\", "\x00x", "a" * 500, "kebakaran'); --", "!!!"])
def test_odd_and_short_queries_answer_a_page_never_a_500(world, incidents, client, q):
    client.force_login(world.alice)
    response = client.get("/search/", {"q": q, "kind": "incident"})
    assert response.status_code == 200


def test_a_short_query_says_so(world, client):
    client.force_login(world.alice)
    page = client.get("/search/", {"q": "a"}).content.decode()
    assert 'data-testid="search-too-short"' in page
    assert 'data-testid="search-results"' in client.get("/search/").content.decode()


def test_an_unknown_kind_is_a_form_error_not_a_500(world, client):
    client.force_login(world.alice)
    response = client.get("/search/", {"q": "banjir", "kind": "spaceship"})
    assert response.status_code == 200 and 'data-testid="search-errors"' in response.content.decode()


def test_the_kind_filter_keeps_one_kind(world, incidents, client):
    AreaFactory(name="Kebakaran Hilir", parent=world.areas.bontang_utara)
    client.force_login(world.alice)
    every = client.get("/search/", {"q": "kebakaran"}).content.decode()
    assert 'data-kind="area"' in every and 'data-kind="incident"' in every
    areas = client.get("/search/", {"q": "kebakaran", "kind": "area"}).content.decode()
    assert 'data-kind="area"' in areas and 'data-kind="incident"' not in areas


def test_members_agencies_and_areas_are_found_by_name(world, client):
    MembershipFactory(user=UserFactory(username="siti", first_name="Siti", last_name="Rahmawati"), agency=world.b)
    client.force_login(world.alice)
    result = search(user=world.alice, q="rahmawati")
    assert [(h.kind, h.title) for h in result.hits] == [("member", "Siti Rahmawati")]
    assert result.hits[0].url == f"/agencies/{world.b.pk}/"
    # (on PostgreSQL the areas named Balikpapan follow by trigram similarity, ranked below)
    assert [h.kind for h in search(user=world.alice, q="Damkar Balikpapan").hits][:1] == ["agency"]
    assert "area" in {h.kind for h in search(user=world.alice, q="bontang").hits}


def test_a_user_of_no_agency_finds_areas_and_public_records_only(world, incidents):
    IncidentFactory(title="Kebakaran umum", classification=Classification.PUBLIC, reporting_agency=world.a)
    kinds_titles = {(h.kind, h.title.split(" · ")[-1]) for h in search(user=world.nobody, q="kebakaran").hits}
    assert kinds_titles == {("incident", "Kebakaran umum")}
    assert search(user=world.nobody, q="Polres").hits == []  # the directory is for members


def test_reports_are_found_only_in_the_moderation_queue(world):
    report = CitizenReportFactory(description="Penjambretan di pasar malam", area=world.areas.bontang_utara)
    assert [h.url for h in search(user=world.alice, q="penjambretan").hits] == [f"/reports/{report.pk}/"]
    assert search(user=world.charlie, q="penjambretan").hits == []  # Balikpapan's agency


def test_the_title_ranks_above_the_text(world):
    own = {"reporting_agency": world.a}
    later = IncidentFactory(title="Pencurian motor", description="Terjadi di dekat gudang.", **own)
    first = IncidentFactory(title="Gudang terbakar", description="Api.", **own)
    hits = search(user=world.alice, q="gudang", kind="incident").hits
    assert [h.record.pk for h in hits] == [first.pk, later.pk]


def test_classified_hits_are_audited(world, incidents, client):
    client.force_login(world.alice)
    before = AuditLog.objects.count()
    client.get("/search/", {"q": "rahasia"})
    assert AuditLog.objects.count() > before
    before = AuditLog.objects.count()
    client.get("/search/", {"q": "pelabuhan"})  # a restricted incident only
    assert AuditLog.objects.count() == before


def test_the_query_count_does_not_grow_with_the_hits(world, client, django_assert_max_num_queries):
    for n in range(40):
        IncidentFactory(title=f"Kebakaran {n}", reporting_agency=world.a, classification=Classification.CONFIDENTIAL)
        AreaFactory(name=f"Kebakaran Ulu {n}", parent=world.areas.bontang_utara)
    client.force_login(world.alice)
    client.get("/search/", {"q": "kebakaran"})
    with django_assert_max_num_queries(40):
        response = client.get("/search/", {"q": "kebakaran"})
    assert response.content.decode().count('data-testid="search-hit"') == 10


def test_snippets_are_cut_around_the_word():
    text = "awal " * 60 + "banjir bandang melanda" + " akhir" * 60
    cut = snippet(text, ["banjir"])
    assert "banjir bandang" in cut and cut.startswith("…") and cut.endswith("…") and len(cut) < 170


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the SQLite fallback")
def test_the_fallback_matches_every_word_in_any_field(world, incidents):
    assert [h.record for h in search(user=world.alice, q="gudang api", kind="incident").hits] == [incidents["fire"]]
    assert search(user=world.alice, q="gudang banjir", kind="incident").hits == []
