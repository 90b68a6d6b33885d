"""The reporter's contact is personal data: it goes only to those who may moderate THAT report
(`selectors.citizen_report_can_see_contact`, the rule of `citizen_report_get_for_change`), in
the API and on the page alike. A viewer reads the report without it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from incidents.reports import services
from tests.factories import MembershipFactory, category

CONTACT = "wa 0812-7777-3333"


@pytest.fixture
def report(world):
    return services.citizen_report_submit(
        category=category("crime-theft"),
        description="Motor dicuri",
        latitude="0.160000",
        longitude="117.480000",
        area=world.areas.guntung,
        contact=CONTACT,
    )


@pytest.mark.parametrize("persona", ["alice", "carol", "bob", "admin"])
def test_moderators_get_the_contact(api_as, client, world, report, persona):
    user = getattr(world, persona)
    body = api_as(user).get(f"/api/v1/reports/{report.pk}/").json()
    assert body["contact"] == CONTACT

    client.force_login(user)
    assert CONTACT in client.get(reverse("report-detail", args=[report.pk])).content.decode()


def test_a_viewer_reads_the_report_without_the_contact(api_as, client, world, report):
    response = api_as(world.vera).get(f"/api/v1/reports/{report.pk}/")

    assert response.status_code == 200
    assert response.json()["contact"] is None
    assert CONTACT.encode() not in response.content

    client.force_login(world.vera)
    page = client.get(reverse("report-detail", args=[report.pk]))
    assert page.status_code == 200
    assert CONTACT not in page.content.decode()


def test_a_viewer_here_and_moderator_elsewhere_gets_no_contact(api_as, world, report):
    """The rule is per report: acting in Balikpapan does not open a Bontang reporter's contact."""
    MembershipFactory(user=world.vera, agency=world.c, role="liaison")

    response = api_as(world.vera).get(f"/api/v1/reports/{report.pk}/")

    assert response.json()["contact"] is None


def test_the_queue_never_carries_the_contact(api_as, world, report):
    response = api_as(world.alice).get("/api/v1/reports/")

    assert CONTACT.encode() not in response.content
