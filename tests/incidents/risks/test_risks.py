"""The risk register: its API (/api/v1/risks/, /api/v1/risks/attention/) and its pages.

Each persona of tests/conftest.py tries it: what a persona may not read answers 404 and never
appears in a list, a count or a ranking; what it may read but not change answers 403.
"""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.models import AuditLog, Classification
from incidents.models import RiskAssessment
from tests.factories import AreaFactory, IncidentFactory, RiskAssessmentFactory, category

pytestmark = pytest.mark.django_db


def today() -> datetime.date:
    """Read at each use, not at import: a run (or --clock) may cross midnight after collection."""
    return timezone.localdate()


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def risks(world):
    """One assessment of agency A per classification, each in its own area."""

    def make(name, classification, likelihood, impact):
        area = AreaFactory(name=name, parent=world.areas.bontang_utara)
        return RiskAssessmentFactory(
            area=area,
            assessing_agency=world.a,
            classification=classification,
            likelihood=likelihood,
            impact=impact,
        )

    return {
        "public": make("Kelurahan Publik", Classification.PUBLIC, 2, 2),
        "restricted": make("Kelurahan Terbatas", Classification.RESTRICTED, 3, 4),
        "confidential": make("Kelurahan Rahasia", Classification.CONFIDENTIAL, 5, 4),
        "secret": make("Kelurahan Sangat Rahasia", Classification.SECRET, 5, 5),
    }


def _ids(response):
    return {row["id"] for row in response.json()["results"]}


def _payload(world, **overrides):
    data = {
        "area": world.areas.guntung.pk,
        "hazard": "flood",
        "likelihood": 3,
        "impact": 4,
        "vulnerabilities": "Drainase tersumbat",
        "mitigations": "Normalisasi saluran",
        "assessed_on": today().isoformat(),
        "review_due": (today() + datetime.timedelta(days=180)).isoformat(),
        "classification": "restricted",
    }
    data.update(overrides)
    return data


# --- API: reads ----------------------------------------------------------------------------


def test_the_api_needs_authentication(api, world, risks):
    assert api.get("/api/v1/risks/").status_code == 401
    assert api.get(f"/api/v1/risks/{risks['public'].pk}/").status_code == 401
    assert api.get("/api/v1/risks/attention/").status_code == 401
    assert api.post("/api/v1/risks/", _payload(world), format="json").status_code == 401
    assert RiskAssessment.objects.count() == 4


@pytest.mark.parametrize(
    ("persona", "visible"),
    [
        ("nobody", {"public"}),
        ("charlie", {"public", "restricted"}),
        ("bob", {"public", "restricted", "confidential"}),
        ("alice", {"public", "restricted", "confidential", "secret"}),
        ("vera", {"public", "restricted", "confidential", "secret"}),
        ("admin", {"public", "restricted", "confidential", "secret"}),
    ],
)
def test_each_persona_lists_and_reads_exactly_what_the_classification_allows(api_as, world, risks, persona, visible):
    client = api_as(getattr(world, persona))
    response = client.get("/api/v1/risks/")
    assert response.status_code == 200
    assert _ids(response) == {risks[name].pk for name in visible}
    assert response.json()["count"] == len(visible)
    for name, risk in risks.items():
        expected = 200 if name in visible else 404
        assert client.get(f"/api/v1/risks/{risk.pk}/").status_code == expected, name


def test_a_confidential_read_is_audited(api_as, world, risks):
    api_as(world.bob).get(f"/api/v1/risks/{risks['confidential'].pk}/")
    log = AuditLog.objects.get()
    assert (log.user, log.object_type, log.object_id) == (world.bob, "risk", str(risks["confidential"].pk))


@pytest.mark.dates
def test_the_api_gives_the_score_and_flags_an_overdue_review(api_as, world, risks):
    RiskAssessment.objects.filter(pk=risks["restricted"].pk).update(review_due=today() - datetime.timedelta(days=1))
    row = api_as(world.alice).get(f"/api/v1/risks/{risks['restricted'].pk}/").json()
    assert (row["likelihood"], row["impact"], row["score"]) == (3, 4, 12)
    assert row["review_overdue"] is True
    assert row["hazard"]["code"] == "flood"
    assert row["assessing_agency"]["name"] == "Polres Bontang"


@pytest.mark.dates
def test_the_api_orders_by_score_and_by_review_date(api_as, world, risks):
    client = api_as(world.alice)
    by_default = [r["score"] for r in client.get("/api/v1/risks/").json()["results"]]
    assert by_default == [25, 20, 12, 4]
    ascending = [r["score"] for r in client.get("/api/v1/risks/", {"ordering": "score"}).json()["results"]]
    assert ascending == [4, 12, 20, 25]
    RiskAssessment.objects.filter(pk=risks["public"].pk).update(review_due=today() + datetime.timedelta(days=1))
    first = client.get("/api/v1/risks/", {"ordering": "review_due"}).json()["results"][0]
    assert first["id"] == risks["public"].pk


def test_the_api_filters_with_riskfilter(api_as, world, risks):
    client = api_as(world.alice)
    assert _ids(client.get("/api/v1/risks/", {"min_score": 20})) == {risks["confidential"].pk, risks["secret"].pk}
    assert _ids(client.get("/api/v1/risks/", {"area": risks["public"].area_id})) == {risks["public"].pk}
    assert _ids(client.get("/api/v1/risks/", {"hazard": "fire"})) == set()
    assert client.get("/api/v1/risks/", {"min_score": "lots"}).status_code == 400


# --- API: writes ---------------------------------------------------------------------------


def test_alice_records_a_risk_and_gets_its_score(api_as, world):
    response = api_as(world.alice).post("/api/v1/risks/", _payload(world), format="json")
    assert response.status_code == 201, response.json()
    risk = RiskAssessment.objects.get()
    assert (risk.assessing_agency, risk.score, risk.area_path) == (world.a, 12, world.areas.guntung.path)
    assert response.json()["score"] == 12


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"likelihood": 6}, "likelihood"),
        ({"likelihood": 0}, "likelihood"),
        ({"impact": 9}, "impact"),
        ({"impact": "high"}, "impact"),
        ({"hazard": "meteor"}, "hazard"),
        ({"area": 99999999}, "area"),
        ({"assessed_on": "2026-03-10", "review_due": "2026-03-09"}, "review_due"),  # before the assessment
        ({"classification": "top"}, "classification"),
        ({"agency": 99999999}, "agency"),
    ],
)
def test_bad_input_is_a_400_with_field_messages_and_saves_nothing(api_as, world, overrides, field):
    response = api_as(world.alice).post("/api/v1/risks/", _payload(world, **overrides), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert RiskAssessment.objects.count() == 0


def test_a_risk_cannot_be_recorded_for_another_agency(api_as, world):
    response = api_as(world.alice).post("/api/v1/risks/", _payload(world, agency=world.c.pk), format="json")
    assert response.status_code == 400
    assert "agency" in response.json()
    assert RiskAssessment.objects.count() == 0


@pytest.mark.parametrize("persona", ["vera", "nobody"])
def test_viewers_and_users_without_agency_cannot_record_a_risk(api_as, world, persona):
    response = api_as(getattr(world, persona)).post("/api/v1/risks/", _payload(world), format="json")
    assert response.status_code == 403
    assert RiskAssessment.objects.count() == 0


def test_alice_changes_the_impact_and_the_score_follows(api_as, world, risks):
    risk = risks["restricted"]
    response = api_as(world.alice).patch(f"/api/v1/risks/{risk.pk}/", {"impact": 5}, format="json")
    assert response.status_code == 200
    assert response.json()["score"] == 15
    risk.refresh_from_db()
    assert (risk.impact, risk.score) == (5, 15)


def test_a_review_date_before_the_assessment_is_refused_on_update(api_as, world, risks):
    risk = risks["restricted"]
    before = (risk.assessed_on - datetime.timedelta(days=1)).isoformat()
    response = api_as(world.alice).patch(f"/api/v1/risks/{risk.pk}/", {"review_due": before}, format="json")
    assert response.status_code == 400
    assert "review_due" in response.json()
    risk.refresh_from_db()
    assert risk.review_due > risk.assessed_on


def test_other_agencies_get_403_on_what_they_see_and_404_on_what_they_dont(api_as, world, risks):
    charlie = api_as(world.charlie)
    assert charlie.patch(f"/api/v1/risks/{risks['restricted'].pk}/", {"impact": 1}, format="json").status_code == 403
    assert charlie.patch(f"/api/v1/risks/{risks['confidential'].pk}/", {"impact": 1}, format="json").status_code == 404
    assert api_as(world.vera).patch(f"/api/v1/risks/{risks['restricted'].pk}/", {"impact": 1}).status_code == 403
    assert sorted(RiskAssessment.objects.values_list("impact", flat=True)) == [2, 4, 4, 5]


# --- Attention -----------------------------------------------------------------------------


@pytest.fixture
def ranking(world):
    """Two areas with the same top score (20); one has three recent incidents, the other none."""
    busy = AreaFactory(name="Kelurahan Ramai", parent=world.areas.bontang_utara)
    quiet = AreaFactory(name="Kelurahan Sepi", parent=world.areas.bontang_utara)
    low = AreaFactory(name="Kelurahan Aman", parent=world.areas.bontang_utara)
    RiskAssessmentFactory(area=quiet, assessing_agency=world.a, likelihood=4, impact=5)
    RiskAssessmentFactory(
        area=quiet,
        assessing_agency=world.a,
        hazard=category("fire"),
        likelihood=1,
        impact=2,
        review_due=today() - datetime.timedelta(days=3),
    )
    RiskAssessmentFactory(area=busy, assessing_agency=world.a, likelihood=5, impact=4)
    RiskAssessmentFactory(area=low, assessing_agency=world.a, likelihood=1, impact=1)
    village = AreaFactory(name="RT 5", parent=busy)  # incidents below the area count for it
    for _ in range(3):
        IncidentFactory(area=village, reporting_agency=world.a)
    IncidentFactory(area=quiet, reporting_agency=world.a, occurred_at=timezone.now() - datetime.timedelta(days=120))
    return {"busy": busy, "quiet": quiet, "low": low}


@pytest.mark.dates
def test_the_attention_ranking_puts_recent_incidents_first_among_equal_scores(api_as, world, ranking):
    response = api_as(world.alice).get("/api/v1/risks/attention/")
    assert response.status_code == 200
    rows = response.json()
    assert [r["area"]["name"] for r in rows] == ["Kelurahan Ramai", "Kelurahan Sepi", "Kelurahan Aman"]
    assert [r["rank"] for r in rows] == [1, 2, 3]
    busy, quiet, _low = rows
    assert (busy["max_score"], busy["recent_incidents"], busy["review_overdue"]) == (20, 3, False)
    assert (quiet["max_score"], quiet["recent_incidents"], quiet["review_overdue"]) == (20, 0, True)
    assert (quiet["assessments"], quiet["overdue_reviews"]) == (2, 1)


def test_the_attention_ranking_counts_only_incidents_the_user_may_see(api_as, world, ranking):
    IncidentFactory.create_batch(
        5, area=ranking["quiet"], reporting_agency=world.a, classification=Classification.CONFIDENTIAL
    )
    alice_rows = api_as(world.alice).get("/api/v1/risks/attention/").json()
    charlie_rows = api_as(world.charlie).get("/api/v1/risks/attention/").json()
    assert alice_rows[0]["area"]["name"] == "Kelurahan Sepi"
    assert alice_rows[0]["recent_incidents"] == 5
    assert charlie_rows[0]["area"]["name"] == "Kelurahan Ramai"
    assert {r["area"]["name"]: r["recent_incidents"] for r in charlie_rows}["Kelurahan Sepi"] == 0


def test_the_attention_ranking_narrows_to_an_area_and_validates_its_input(api_as, world, ranking):
    client = api_as(world.alice)
    rows = client.get("/api/v1/risks/attention/", {"area": ranking["quiet"].pk}).json()
    assert [r["area"]["name"] for r in rows] == ["Kelurahan Sepi"]
    assert len(client.get("/api/v1/risks/attention/", {"limit": 1}).json()) == 1
    for params in ({"days": 0}, {"days": "x"}, {"limit": 1000}, {"area": 99999999}):
        response = client.get("/api/v1/risks/attention/", params)
        assert response.status_code == 400, params
        assert set(params) <= set(response.json())


def test_nobody_sees_no_ranking_of_restricted_assessments(api_as, world, ranking):
    assert api_as(world.nobody).get("/api/v1/risks/attention/").json() == []


def test_the_api_needs_a_bounded_number_of_queries(api_as, world, django_assert_max_num_queries):
    for i in range(30):
        area = AreaFactory(name=f"Kelurahan {i}", parent=world.areas.bontang_utara)
        RiskAssessmentFactory(area=area, assessing_agency=world.a)
        IncidentFactory(area=area, reporting_agency=world.a)
    client = api_as(world.alice)
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/risks/").json()["count"] == 30
    with django_assert_max_num_queries(8):
        assert len(client.get("/api/v1/risks/attention/").json()) == 30


# --- Pages ---------------------------------------------------------------------------------


def test_every_risk_page_sends_the_anonymous_visitor_to_the_login_page(client, world, risks):
    for url in (
        reverse("risk-list"),
        reverse("risk-heatmap"),
        reverse("risk-create"),
        reverse("risk-edit", args=[risks["public"].pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"{reverse('login')}?next={url}"


def test_the_register_page_shows_what_each_persona_may_see(client, world, risks):
    client.force_login(world.charlie)
    body = client.get(reverse("risk-list")).content.decode()
    assert "Kelurahan Terbatas" in body and "Kelurahan Publik" in body
    assert "Kelurahan Rahasia" not in body
    assert "Kelurahan Sangat Rahasia" not in body
    assert reverse("risk-edit", args=[risks["restricted"].pk]) not in body  # not his agency's
    client.force_login(world.nobody)
    body = client.get(reverse("risk-list")).content.decode()
    assert "Kelurahan Publik" in body and "Kelurahan Terbatas" not in body


@pytest.mark.dates
def test_the_register_page_ranks_the_areas_needing_attention(client, world, ranking):
    client.force_login(world.alice)
    body = client.get(reverse("risk-list")).content.decode()
    table = body[body.index('data-testid="attention-table"') : body.index('data-testid="risk-count"')]
    assert table.index("Kelurahan Ramai") < table.index("Kelurahan Sepi") < table.index("Kelurahan Aman")
    assert table.count('data-testid="overdue"') == 1
    assert "1 overdue" in table
    assert reverse("risk-edit", args=[RiskAssessment.objects.first().pk]) in body  # alice's own agency


def test_the_htmx_register_request_returns_only_the_results(client, world, risks):
    client.force_login(world.alice)
    response = client.get(reverse("risk-list"), {"min_score": 20}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body
    assert 'id="risk-filters"' not in body
    assert body.count('data-testid="risk-row"') == 2
    assert "HX-Request" in response["Vary"]


def test_the_register_and_attention_need_a_bounded_number_of_queries(client, world, django_assert_max_num_queries):
    for i in range(40):
        area = AreaFactory(name=f"Kelurahan {i}", parent=world.areas.bontang_utara)
        RiskAssessmentFactory(area=area, assessing_agency=world.a, likelihood=1 + i % 5)
        IncidentFactory(area=area, reporting_agency=world.a)
    client.force_login(world.alice)
    with django_assert_max_num_queries(18):
        body = client.get(reverse("risk-list")).content.decode()
    assert body.count('data-testid="risk-row"') == 25
    assert body.count('data-testid="attention-row"') == 10
    with django_assert_max_num_queries(14):
        body = client.get(reverse("risk-heatmap")).content.decode()
    assert body.count('data-testid="heat-cell"') == 40


def test_the_heat_map_colours_each_cell_by_score(client, world, risks):
    from incidents.risks.presenters import risk_colour

    RiskAssessmentFactory(
        area=risks["restricted"].area, assessing_agency=world.b, hazard=category("fire"), likelihood=1, impact=1
    )
    client.force_login(world.alice)
    body = client.get(reverse("risk-heatmap")).content.decode()
    cells = re.findall(r'<td class="cell" style="([^"]+)" data-testid="heat-cell" data-score="(\d+)"', body)
    assert sorted(int(score) for _style, score in cells) == [1, 4, 12, 20, 25]
    for style, score in cells:
        assert style == risk_colour(int(score)).style
    assert "Flood" in body and "Fire" in body
    assert body.count('class="cell empty"') == 3  # four areas x two hazards, five assessed


def test_the_heat_map_scale_runs_from_green_to_red():
    from incidents.risks.presenters import risk_colour

    def rgb(score):
        value = risk_colour(score).background
        return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)

    red_1, green_1, _ = rgb(1)
    red_25, green_25, _ = rgb(25)
    assert green_1 > red_1
    assert red_25 > green_25
    assert [rgb(s)[0] >= rgb(s - 1)[0] or rgb(s)[1] <= rgb(s - 1)[1] for s in range(2, 26)] == [True] * 24


def test_the_heat_map_hides_what_charlie_may_not_see(client, world, risks):
    client.force_login(world.charlie)
    body = client.get(reverse("risk-heatmap")).content.decode()
    assert "Kelurahan Rahasia" not in body
    assert "Kelurahan Terbatas" in body


def test_the_heat_map_places_areas_with_a_centre_on_the_map(client, world, risks):
    area = risks["restricted"].area
    area.centroid_lat, area.centroid_lon = "0.150000", "117.480000"
    area.save()
    client.force_login(world.alice)
    body = client.get(reverse("risk-heatmap")).content.decode()
    assert 'id="risk-points"' in body
    assert '"lat": 0.15, "lon": 117.48, "score": 12' in body
    assert "3 areas have no known centre" in body


def test_an_area_name_with_markup_is_escaped_on_the_risk_pages(client, world):
    area = AreaFactory(name="<script>alert(1)</script>", parent=world.areas.bontang_utara)
    RiskAssessmentFactory(area=area, assessing_agency=world.a)
    client.force_login(world.alice)
    for url in (reverse("risk-list"), reverse("risk-heatmap")):
        body = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def _form(world, **overrides):
    data = _payload(world, hazard=category("flood").pk, **overrides)
    data.pop("classification")
    data["classification"] = "restricted"
    return data


@pytest.mark.dates
def test_the_risk_form_rerenders_with_field_errors_and_saves_nothing(client, world):
    client.force_login(world.alice)
    response = client.post(
        reverse("risk-create"),
        _form(world, likelihood=9, review_due=(today() - datetime.timedelta(days=1)).isoformat()),
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Select a valid choice. 9 is not one of the available choices." in body
    assert "The review date comes before the assessment." in body
    assert RiskAssessment.objects.count() == 0


def test_alice_records_a_risk_through_the_form(client, world):
    client.force_login(world.alice)
    response = client.post(reverse("risk-create"), _form(world))
    assert response.status_code == 302
    risk = RiskAssessment.objects.get()
    assert (risk.area, risk.assessing_agency, risk.score) == (world.areas.guntung, world.a, 12)


def test_the_risk_form_refuses_an_area_outside_the_jurisdiction(client, world):
    client.force_login(world.alice)
    response = client.post(reverse("risk-create"), _form(world, area=world.areas.balikpapan_kota.pk))
    assert response.status_code == 400
    assert RiskAssessment.objects.count() == 0


def test_alice_edits_a_risk_through_the_form(client, world, risks):
    risk = risks["restricted"]
    client.force_login(world.alice)
    page = client.get(reverse("risk-edit", args=[risk.pk])).content.decode()
    assert 'value="Kelurahan Terbatas · Bontang Utara, Kota Bontang"' in page
    data = _form(world, area=risk.area_id, likelihood=5, impact=5)
    response = client.post(reverse("risk-edit", args=[risk.pk]), data)
    assert response.status_code == 302
    risk.refresh_from_db()
    assert risk.score == 25


def test_the_risk_pages_refuse_what_a_role_does_not_allow(client, world, risks):
    client.force_login(world.vera)
    assert client.get(reverse("risk-create")).status_code == 403
    assert client.get(reverse("risk-edit", args=[risks["restricted"].pk])).status_code == 403
    client.force_login(world.charlie)
    assert client.get(reverse("risk-edit", args=[risks["restricted"].pk])).status_code == 403
    assert client.get(reverse("risk-edit", args=[risks["confidential"].pk])).status_code == 404
    data = _form(world, area=risks["restricted"].area_id, likelihood=1, impact=1)
    assert client.post(reverse("risk-edit", args=[risks["restricted"].pk]), data).status_code == 403
    risks["restricted"].refresh_from_db()
    assert risks["restricted"].score == 12
