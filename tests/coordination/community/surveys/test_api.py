"""The surveys API: managers build, members read results, the public answers with field errors."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from coordination.models import Survey, SurveyResponse

from .helpers import K, make_custom, make_skm, q, skm_answers

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


def test_a_manager_creates_an_skm_survey_and_opens_it(api_as, world):
    client = api_as(world.alice)
    created = client.post("/api/v1/surveys/", {"title": "SKM SKCK", "kind": "skm", "service": "other"}, format="json")
    assert created.status_code == 201
    body = created.json()
    assert [x["element"] for x in body["questions"]] == [f"U{i}" for i in range(1, 10)]
    assert body["public_url"] is None  # a draft has no public link yet
    opened = client.post(f"/api/v1/surveys/{body['id']}/open/")
    assert opened.status_code == 200 and opened.json()["status"] == "open"
    assert opened.json()["public_url"].endswith(f"/survei/{Survey.objects.get().token}/")


def test_bad_input_is_a_400_with_field_messages(api_as, world):
    client = api_as(world.alice)
    assert client.post("/api/v1/surveys/", {"kind": "nope"}, format="json").json().keys() >= {"title", "kind"}
    survey = make_custom(world, open_it=False)
    bad = client.post(f"/api/v1/surveys/{survey.pk}/questions/", {"kind": "single", "text": "?"}, format="json")
    assert bad.status_code == 400 and "options" in bad.json()
    assert client.get("/api/v1/surveys/index/?by=nothing").status_code == 400
    assert client.get(f"/api/v1/surveys/{survey.pk}/export/?file=pdf").status_code == 400


def test_a_viewer_reads_results_but_may_not_change_and_another_agency_gets_404(api_as, world):
    survey = make_skm(world)
    viewer = api_as(world.vera)
    assert viewer.get(f"/api/v1/surveys/{survey.pk}/results/").status_code == 200
    assert viewer.patch(f"/api/v1/surveys/{survey.pk}/", {"title": "X"}, format="json").status_code == 403
    outsider = api_as(world.bob)
    assert outsider.get(f"/api/v1/surveys/{survey.pk}/").status_code == 404
    assert outsider.get("/api/v1/surveys/").json()["results"] == []
    survey.refresh_from_db()
    assert survey.title != "X"


def test_the_public_answers_through_the_api_once_per_device(api_as, world):
    survey = make_custom(world)
    client = api_as(None)
    shown = client.get(f"/api/v1/public/surveys/{survey.token}/")
    assert shown.status_code == 200 and shown.json()["open"] is True and len(shown.json()["questions"]) == 6
    answers = {str(q(survey, K.LIKERT).pk): 9, str(q(survey, K.SINGLE).pk): 1, str(q(survey, K.YES_NO).pk): True}
    url = f"/api/v1/public/surveys/{survey.token}/"
    bad = client.post(url, {"answers": answers, "device_token": "abc"}, format="json")
    assert bad.status_code == 400 and list(bad.json()) == [f"q{q(survey, K.LIKERT).pk}"]
    answers[str(q(survey, K.LIKERT).pk)] = 4
    answers[str(q(survey, K.MULTIPLE).pk)] = [1, 2]
    assert client.post(url, {"answers": answers}, format="json").status_code == 400  # no device token
    assert client.post(url, {"answers": answers, "device_token": "abc"}, format="json").status_code == 201
    assert client.post(url, {"answers": answers, "device_token": "abc"}, format="json").status_code == 400
    assert SurveyResponse.objects.filter(survey=survey).count() == 1
    results = api_as(world.alice).get(f"/api/v1/surveys/{survey.pk}/results/").json()
    assert results["respondents"] == 1


def test_the_public_api_honeypot_keeps_nothing(api_as, world):
    survey = make_skm(world)
    answers = {str(k): v for k, v in skm_answers(survey).items()}
    response = api_as(None).post(
        f"/api/v1/public/surveys/{survey.token}/",
        {"answers": answers, "device_token": "x", "website": "spam"},
        format="json",
    )
    assert response.status_code == 201 and not SurveyResponse.objects.exists()
