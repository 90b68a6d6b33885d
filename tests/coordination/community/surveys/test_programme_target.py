"""A survey about a programme names it (one its agency organises or takes part in), and the
visitor's home lists the open surveys."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from coordination.community.surveys import services
from coordination.models import Survey

from ..programmes.helpers import make_programme
from .helpers import make_custom

pytestmark = pytest.mark.django_db


def test_a_survey_about_a_programme_names_one_of_its_agency(world):
    mine = make_programme(world, title="Seminar narkoba SMA 1")  # A organises, B takes part
    survey = make_custom(world, service=Survey.Service.PROGRAMME, programme=mine)
    assert survey.programme == mine and list(mine.surveys.all()) == [survey]
    theirs = make_programme(world, actor=world.bob, title="Program BPBD", partners=[])  # B's alone
    with pytest.raises(ValidationError) as exc:
        services.survey_update(actor=world.alice, survey=survey, programme=theirs)
    assert "programme" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.survey_update(actor=world.alice, survey=survey, service=Survey.Service.OTHER)
    assert "programme" in exc.value.message_dict
    survey.refresh_from_db()
    assert (survey.service, survey.programme) == (Survey.Service.PROGRAMME, mine)


def test_the_api_takes_only_a_programme_the_user_reads(api_as, world):
    hidden = make_programme(world, actor=world.bob, title="Internal BPBD", partners=[])
    client = api_as(world.alice)
    body = {"title": "Survei seminar", "service": "programme", "programme": hidden.pk}
    response = client.post("/api/v1/surveys/", body, format="json")
    assert response.status_code == 400 and "programme" in response.json()
    assert not Survey.objects.exists()
    mine = make_programme(world, title="Seminar")
    response = client.post("/api/v1/surveys/", {**body, "programme": mine.pk}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["programme"] == mine.pk


def test_the_visitors_home_lists_the_open_surveys_their_agency_lists(client, world):
    draft = make_custom(world, title="Survei draf", open_it=False)
    assert 'data-testid="home-surveys"' not in client.get(reverse("dashboard")).content.decode()
    unlisted = make_custom(world, title="Survei peserta seminar")  # open, by its QR code only
    make_custom(world, title="Survei seminar terbuka", listed=True)
    html = client.get(reverse("dashboard")).content.decode()
    assert 'data-testid="home-surveys"' in html and "Survei seminar terbuka" in html
    assert draft.title not in html and unlisted.title not in html
