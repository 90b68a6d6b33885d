"""The community pages offer what the services accept, from one reading of the rule: a
programme's actions from the organiser's role read once; staff create surveys by the service's
rule, not by a view's own check."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coordination.community.programmes import services

from .programmes.helpers import make_programme

pytestmark = pytest.mark.django_db


def test_a_programmes_rights_read_the_organisers_role_once(world):
    programme = make_programme(world)  # planned, organised by A
    with CaptureQueriesContext(connection) as queries:
        alice = services.programme_rights(actor=world.alice, programme=programme)
    assert len(queries) == 1
    assert alice["change"] and alice["cancel"] and alice["add_material"] and not alice["approve"]
    assert services.programme_rights(actor=world.carol, programme=programme)["approve"]  # A's commander
    assert not any(services.programme_rights(actor=world.vera, programme=programme).values())  # A's viewer
    assert all(
        services.programme_rights(actor=world.admin, programme=programme)[a] for a in ("change", "approve", "cancel")
    )
    assert services.can_approve(actor=world.carol, programme=programme)
    assert not services.can_approve(actor=world.alice, programme=programme)


def test_staff_are_offered_and_given_the_survey_builder(client, world):
    client.force_login(world.admin)
    assert reverse("survey-create") in client.get(reverse("survey-list")).content.decode()
    assert client.get(reverse("survey-create")).status_code == 200
    client.force_login(world.vera)  # a viewer: neither
    assert reverse("survey-create") not in client.get(reverse("survey-list")).content.decode()
    assert client.get(reverse("survey-create")).status_code == 403
