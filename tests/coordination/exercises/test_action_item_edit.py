"""Editing an action item's text, owner and due date in the pages: its parent's planners only,
offered only to them, bad input as form errors with nothing lost, and the list's rights read
in one query whatever the number of items."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from coordination.meetings import services as meeting_services
from coordination.models import ActionItem
from tests.factories import MembershipFactory, UserFactory

from ...browser_form import post_rendered, rendered_form
from ..meetings.helpers import make_meeting

pytestmark = pytest.mark.django_db


def _item(world, **fields):
    meeting = make_meeting(world)
    return meeting_services.meeting_action_item_create(
        actor=world.alice,
        meeting=meeting,
        description=fields.get("description", "Susun jadwal patroli"),
        owner_agency=fields.get("owner_agency", world.b),
        due_date=timezone.localdate() + datetime.timedelta(days=7),
    )


def _state(item):
    item.refresh_from_db()
    return (item.description, item.owner_agency_id, item.owner_person_id, item.due_date, item.status)


def test_the_organisers_planner_edits_text_owner_and_date_from_the_meeting_page(client, world):
    item = _item(world)
    client.force_login(world.alice)
    meeting_page = reverse("meeting-detail", args=[item.meeting_id])
    html = client.get(meeting_page).content.decode()
    link = re.search(rf'href="(/action-items/{item.pk}/edit/[^"]*)"', html)
    assert link, "the planner is offered the edit link"
    edit = link.group(1).replace("&amp;", "&")
    due = (timezone.localdate() + datetime.timedelta(days=14)).isoformat()
    response = post_rendered(
        client,
        edit,
        changes={"description": "Susun jadwal patroli gabungan", "owner_person": str(world.bob.pk), "due_date": due},
    )
    assert response.status_code == 302 and response["Location"] == meeting_page
    assert _state(item) == (
        "Susun jadwal patroli gabungan",
        world.b.pk,
        world.bob.pk,
        datetime.date.fromisoformat(due),
        "open",
    )


def test_saving_the_form_unchanged_changes_nothing(client, world):
    item = _item(world)
    before = _state(item)
    client.force_login(world.alice)
    response = post_rendered(client, reverse("action-item-edit", args=[item.pk]))
    assert response.status_code == 302
    assert _state(item) == before


def test_the_owner_agency_moves_the_status_but_is_not_offered_the_edit(client, world):
    item = _item(world)
    client.force_login(world.bob)  # liaison of B, the owner agency, not of the organiser
    html = client.get(reverse("action-item-list")).content.decode()
    assert "Susun jadwal patroli" in html and f'action="/action-items/{item.pk}/status/"' in html
    assert f"/action-items/{item.pk}/edit/" not in html
    before = _state(item)
    assert client.get(reverse("action-item-edit", args=[item.pk])).status_code == 403
    assert client.post(reverse("action-item-edit", args=[item.pk]), {"description": "x"}).status_code == 403
    assert _state(item) == before
    client.force_login(world.charlie)  # reads neither the meeting nor the item
    assert client.get(reverse("action-item-edit", args=[item.pk])).status_code == 404


def test_a_person_outside_the_owner_agency_is_a_form_error_and_nothing_changes(client, world):
    item = _item(world)
    before = _state(item)
    client.force_login(world.alice)
    url = reverse("action-item-edit", args=[item.pk])
    form = dict(rendered_form(client.get(url).content.decode(), action=""))
    # alice is of A, not of B (the owner agency): the form lists B's persons only, so post her by hand.
    response = client.post(url, {**form, "owner_person": str(world.alice.pk), "description": "Baru"})
    assert response.status_code == 200
    assert response.context["form"].errors["owner_person"]
    response = client.post(url, {**form, "description": "", "due_date": "31-12-2026"})
    assert set(response.context["form"].errors) == {"description", "due_date"}
    assert _state(item) == before


def test_the_list_reads_everyones_rights_in_a_bounded_number_of_queries(client, world, django_assert_max_num_queries):
    meeting = make_meeting(world)
    other = MembershipFactory(user=UserFactory(username="budi"), agency=world.b, role="viewer").user
    ActionItem.objects.bulk_create(
        ActionItem(meeting=meeting, description=f"Item {n}", owner_agency=world.b, owner_person=other,
                   due_date=timezone.localdate() + datetime.timedelta(days=n))
        for n in range(25)
    )  # fmt: skip
    client.force_login(world.alice)
    client.get(reverse("action-item-list"))
    with django_assert_max_num_queries(14):
        html = client.get(reverse("action-item-list")).content.decode()
    assert html.count('data-testid="action-item-edit"') == 25
