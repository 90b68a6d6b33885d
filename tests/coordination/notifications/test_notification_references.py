"""Notifications hold references and are written when read (issue 11, class 4: "stored copies
outlive the rule"): an agency taken off a secret operation keeps its notification, which no
longer names the operation."""

import pytest
from django.urls import reverse
from django.utils import translation

from agencies.models import Classification
from coordination.models import InboxItem, Participation
from coordination.notifications import selectors
from coordination.operations import services
from tests.coordination.operations.test_operations import make_operation

NAME = "Operasi Senyap Dermaga"


@pytest.fixture
def removed(world):
    """Alice (A) leads a secret operation with Damkar (C), then takes C off it."""
    op = make_operation(world, classification=Classification.SECRET, participants=[world.c], name=NAME)
    services.participation_remove(actor=world.alice, participation=Participation.objects.get(operation=op))
    return op


def test_notifications_store_no_names(world, removed):
    rows = list(InboxItem.objects.values("message", "kind", "operation_id", "subject_agency_id"))
    assert rows and all(r["message"] == "" for r in rows)
    assert {r["kind"] for r in rows} == {"operation.added", "operation.removed"}
    assert {r["subject_agency_id"] for r in rows} == {world.c.pk}


def test_the_agency_taken_off_no_longer_reads_the_operations_name(client, api_as, world, removed):
    data = api_as(world.charlie).get("/api/v1/notifications/").json()["results"]
    assert data and all(n["operation"] is None for n in data)
    assert NAME not in str(data)
    client.force_login(world.charlie)
    body = client.get(reverse("inbox")).content.decode()
    assert 'data-testid="inbox-entry"' in body and NAME not in body


def test_a_reader_of_the_operation_reads_it_named(world, removed):
    InboxItem.objects.create(
        user=world.carol, agency=world.a, operation=removed, kind="operation.removed", subject_agency=world.c
    )
    rows = list(selectors.notification_list(user=world.carol))
    with translation.override("en"):
        selectors.notification_texts(user=world.carol, notifications=rows)
        assert rows[0].text == f"{world.c.name} no longer takes part in {NAME}."
