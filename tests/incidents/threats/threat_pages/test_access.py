"""The threat pages, tried by each persona of tests/conftest.py: who may read and act.

The anonymous visitor is sent to the login page and changes nothing; what a persona may not
read answers 404 and appears nowhere; what it may read but not change answers 403 and changes
nothing.
"""

import pytest
from django.urls import reverse

from agencies.models import Classification
from incidents.models import Alert
from tests.factories import category
from tests.incidents.threats.threat_pages.helpers import HX, _form_data, _snapshot

pytestmark = pytest.mark.django_db


SECRET_HEADLINE = "Rencana sabotase kilang LNG"


@pytest.fixture
def confidential(log):
    """A confidential threat of A that C is not alerted to (C subscribes to terrorism only)."""
    return log(
        headline=SECRET_HEADLINE, category=category("narcotics-trafficking"), classification=Classification.CONFIDENTIAL
    )


def _threat_urls(threat):
    return {
        "detail": reverse("threat-detail", args=[threat.pk]),
        "edit": reverse("threat-edit", args=[threat.pk]),
        "progress": reverse("threat-progress", args=[threat.pk]),
    }


def _posts(world, threat):
    return {
        "create": (reverse("threat-create"), _form_data(world)),
        "edit": (reverse("threat-edit", args=[threat.pk]), _form_data(world, headline="Changed")),
        "cancel": (reverse("threat-cancel", args=[threat.pk]), {"reason": "Salah alarm"}),
    }


# --- Anonymous -----------------------------------------------------------------------------


def test_every_threat_and_alert_page_sends_the_anonymous_visitor_to_the_login_page(client, world, threat):
    alert = Alert.objects.get(threat=threat)
    urls = [
        reverse("threat-list"),
        reverse("threat-create"),
        reverse("alert-inbox"),
        reverse("alert-detail", args=[alert.pk]),
        *_threat_urls(threat).values(),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"{reverse('login')}?next={url}"


def test_an_anonymous_post_changes_nothing(client, world, threat):
    alert = Alert.objects.get(threat=threat)
    before = _snapshot(threat)
    posts = [*_posts(world, threat).values(), (reverse("alert-acknowledge", args=[alert.pk]), {"quick": "dispatched"})]
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert _snapshot(threat) == before
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


# --- Visibility ----------------------------------------------------------------------------


def test_charlie_gets_404_on_a_confidential_threat_he_was_not_alerted_to(client, world, confidential):
    client.force_login(world.charlie)
    before = _snapshot(confidential)
    for name, url in _threat_urls(confidential).items():
        response = client.get(url)
        assert response.status_code == 404, name
        assert SECRET_HEADLINE not in response.content.decode()
    for name, (url, data) in _posts(world, confidential).items():
        if name == "create":
            continue
        response = client.post(url, data)
        assert response.status_code == 404, name
        assert SECRET_HEADLINE not in response.content.decode()
    assert _snapshot(confidential) == before


def test_the_confidential_headline_never_reaches_charlies_list(client, world, threat, confidential):
    client.force_login(world.charlie)
    pages = [
        client.get(reverse("threat-list")),
        client.get(reverse("threat-list"), {"q": "sabotase"}),
        client.get(reverse("threat-list"), {"category": "terrorism"}, **HX),
        client.get(reverse("alert-inbox")),
    ]
    for response in pages:
        assert response.status_code == 200
        assert SECRET_HEADLINE not in response.content.decode()
    assert threat.headline in pages[0].content.decode()  # restricted: every member reads it


def test_bob_reads_his_partners_confidential_threat_but_not_who_was_alerted(client, world, log, subscribed):
    confidential = log(headline=SECRET_HEADLINE, classification=Classification.CONFIDENTIAL)
    client.force_login(world.bob)
    body = client.get(reverse("threat-detail", args=[confidential.pk])).content.decode()
    assert SECRET_HEADLINE in body
    assert "Damkar Balikpapan" not in body  # the alerted agency's progress is the issuer's to see
    assert 'data-testid="edit-threat"' not in body


# --- Roles: vera reads but does not act -----------------------------------------------------


def test_vera_gets_403_on_create_edit_and_cancel_and_nothing_changes(client, world, threat):
    client.force_login(world.vera)
    before = _snapshot(threat)
    assert client.get(reverse("threat-create")).status_code == 403
    assert client.get(reverse("threat-edit", args=[threat.pk])).status_code == 403
    for name, (url, data) in _posts(world, threat).items():
        response = client.post(url, data)
        assert response.status_code == 403, name
        assert 'data-testid="forbidden"' in response.content.decode()
    assert _snapshot(threat) == before


def test_vera_sees_the_threat_and_its_progress_without_the_issuers_buttons(client, world, threat):
    client.force_login(world.vera)
    body = client.get(reverse("threat-detail", args=[threat.pk])).content.decode()
    assert threat.headline in body
    assert "Damkar Balikpapan" in body  # a member of the issuing agency follows the fan-out
    assert 'data-testid="edit-threat"' not in body
    assert 'data-testid="cancel-dialog"' not in body


def test_charlie_cannot_change_a_threat_he_was_alerted_to(client, world, threat):
    client.force_login(world.charlie)
    before = _snapshot(threat)
    for name in ("edit", "cancel"):
        url, data = _posts(world, threat)[name]
        assert client.post(url, data).status_code == 403, name
    assert _snapshot(threat) == before
