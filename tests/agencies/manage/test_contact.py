"""The duty contact and declared capacity: its commander edits them; a change of capacity
dates the declaration; the agency page shows them and the API carries them."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from agencies.models import AuditLog

pytestmark = pytest.mark.django_db

FORM = {
    "duty_phone": "+62 548 110",
    "duty_email": "piket@polres.id",
    "duty_radio": "Kanal 7",
    "capacity_personnel": "120",
    "capacity_vehicles": "14",
    "capacity_boats": "2",
    "capacity_medical_teams": "",
}


@time_machine.travel("2026-12-05 23:30 +08:00", tick=False)
def test_the_commander_saves_the_duty_contact_and_capacity(client, world):
    client.force_login(world.carol)
    assert client.get(reverse("agency-contact", args=[world.a.pk])).status_code == 200
    response = client.post(reverse("agency-contact", args=[world.a.pk]), FORM)
    assert response.status_code == 302
    world.a.refresh_from_db()
    assert (world.a.duty_phone, world.a.capacity_personnel, world.a.capacity_medical_teams) == (
        "+62 548 110",
        120,
        None,
    )
    assert str(world.a.capacity_declared_at) == "2026-12-05"
    page = client.get(reverse("agency-detail", args=[world.a.pk])).content.decode()
    assert 'data-testid="capacity"' in page and "120" in page
    assert AuditLog.objects.filter(action="contact_changed", owner_agencies=world.a).exists()


def test_the_same_capacity_keeps_its_declaration_date(client, world):
    client.force_login(world.carol)
    client.post(reverse("agency-contact", args=[world.a.pk]), FORM)
    world.a.refresh_from_db()
    type(world.a).objects.filter(pk=world.a.pk).update(capacity_declared_at="2026-01-01")
    client.post(reverse("agency-contact", args=[world.a.pk]), {**FORM, "duty_radio": "Kanal 9"})
    world.a.refresh_from_db()
    assert (world.a.duty_radio, str(world.a.capacity_declared_at)) == ("Kanal 9", "2026-01-01")


@pytest.mark.parametrize("bad", [{"capacity_personnel": "-3"}, {"duty_email": "bukan"}, {"capacity_boats": "banyak"}])
def test_bad_values_are_form_errors(client, world, bad):
    client.force_login(world.carol)
    assert client.post(reverse("agency-contact", args=[world.a.pk]), {**FORM, **bad}).status_code == 400
    world.a.refresh_from_db()
    assert world.a.capacity_personnel is None


@pytest.mark.parametrize(("who", "status"), [("alice", 403), ("bob", 404), ("admin", 200)])
def test_the_contact_page_is_for_the_commander(client, world, who, status):
    client.force_login(getattr(world, who))
    assert client.get(reverse("agency-contact", args=[world.a.pk])).status_code == status


def test_the_api_reads_and_writes_the_capacity(api_as, world):
    response = api_as(world.carol).patch(f"/api/v1/agencies/{world.a.pk}/", {"capacity_boats": 3}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["capacity_boats"] == 3
    assert (
        api_as(world.alice).patch(f"/api/v1/agencies/{world.a.pk}/", {"capacity_boats": 4}, format="json").status_code
        == 403
    )


def test_the_agency_page_offers_management_to_who_holds_it(client, world):
    client.force_login(world.carol)
    page = client.get(reverse("agency-detail", args=[world.a.pk])).content.decode()
    for name in ("agency-members", "agency-subscriptions", "agency-contact"):
        assert reverse(name, args=[world.a.pk]) in page
    client.force_login(world.alice)
    page = client.get(reverse("agency-detail", args=[world.a.pk])).content.decode()
    assert reverse("agency-subscriptions", args=[world.a.pk]) in page
    assert reverse("agency-members", args=[world.a.pk]) not in page
    client.force_login(world.vera)
    page = client.get(reverse("agency-detail", args=[world.a.pk])).content.decode()
    assert 'data-testid="manage-agency"' not in page and 'data-testid="manage-agency-link"' not in page
