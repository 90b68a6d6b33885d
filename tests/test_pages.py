"""What every page shares: no select offers "---------" (a filter says "All …", a form "Choose …"),
and Django's admin carries the portal's name. The pages come from the URLconf (tests/pages.py),
so a new page is held to this without being listed here."""

import re

import pytest
from django.urls import reverse

from tests.factories import IncidentFactory
from tests.pages import html_pages

DASHES = re.compile(r"<option[^>]*>\s*-{3,}\s*</option>")


@pytest.mark.parametrize("language", ["id", "en"])
def test_no_select_on_any_page_offers_dashes(client, world, language):
    incident = IncidentFactory(reporting_agency=world.a, area=world.areas.guntung)
    client.cookies["django_language"] = language
    offending = []
    visited = 0
    for user in (world.carol, world.admin):  # a commander of an agency; staff
        client.force_login(user)
        pages = html_pages(client)
        assert {"incident-list", "threat-list", "patrol-calendar", "report-queue", "risk-list"} <= set(pages)
        paths = [
            *pages.values(),
            reverse("incident-detail", args=[incident.pk]),
            reverse("agency-detail", args=[world.a.pk]),
            reverse("agency-audit", args=[world.a.pk]),
        ]
        for path in paths:
            body = client.get(path).content.decode()
            visited += 1
            for match in DASHES.finditer(body):
                context = body[max(0, match.start() - 300) : match.start()]
                name = re.findall(r'name="([^"]+)"', context)
                offending.append(f"{user.username} {path} {name[-1] if name else '?'}")
    assert visited >= 40
    assert not offending, "\n".join(offending)


def test_the_admin_carries_the_portals_name_in_the_users_language(client, world):
    client.force_login(world.admin)
    body = client.get(reverse("admin:index")).content.decode()
    assert "Django" not in body
    assert "Administrasi Sinergi" in body
    client.cookies["django_language"] = "en"
    body = client.get(reverse("admin:index")).content.decode()
    assert "Django" not in body
    assert "Sinergi administration" in body
    assert "Portal administration" in body
