"""`/`: the citizens' public page for an anonymous visitor, the dashboard for a member; the
staff login links to the public page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.models import Classification
from coordination.community.portal.selectors import HOME_ALERT_LIMIT
from incidents.threats import services as threat_services
from tests.factories import category


@pytest.fixture
def log(world, django_capture_on_commit_callbacks):
    def _log(**fields):
        defaults = {"category": category("flood-tidal"), "areas": [world.areas.guntung]}
        defaults.update(fields)
        with django_capture_on_commit_callbacks(execute=True):
            return threat_services.threat_log(actor=world.alice, **defaults)

    return _log


@pytest.fixture
def threats(world, log):
    now = timezone.now()
    current = log(headline="Banjir rob di Bontang Kuala", classification=Classification.PUBLIC, instruction="Hindari")
    restricted = log(headline="Razia gabungan malam ini", classification=Classification.RESTRICTED)
    confidential = log(headline="Target operasi narkoba", classification=Classification.CONFIDENTIAL)
    expired = log(
        headline="Banjir kemarin sore",
        classification=Classification.PUBLIC,
        effective_at=now - datetime.timedelta(days=2),
        expires_at=now - datetime.timedelta(days=1),
    )
    cancelled = log(headline="Peringatan yang dibatalkan", classification=Classification.PUBLIC)
    with_cancel = threat_services.threat_cancel(actor=world.alice, threat=cancelled)
    return current, [restricted, confidential, expired, with_cancel]


def test_an_anonymous_visitor_at_the_root_gets_the_public_page_not_the_login(client, world, threats):
    current, hidden = threats
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "sinergi-navbar" not in body  # the citizens' layout, not the dashboard's
    assert 'data-testid="home-report"' in body and f'href="{reverse("report-create")}"' in body
    assert 'data-testid="home-track"' in body and f'action="{reverse("report-track")}"' in body
    assert 'name="code"' in body
    assert 'data-testid="home-alerts"' in body
    assert body.count('data-testid="public-alert"') == 1
    assert current.headline in body and "Hindari" in body
    for threat in hidden:
        assert threat.headline not in body
    assert '<html lang="id">' in body  # Indonesian first


def test_the_public_page_says_so_when_no_alert_is_in_force(client, world):
    body = client.get("/").content.decode()
    assert 'data-testid="no-public-alert' in body


def test_the_public_page_shows_an_alerts_english_headline_in_english(client, world, log):
    log(headline="Banjir rob", headline_en="Tidal flood", classification=Classification.PUBLIC)
    client.cookies["django_language"] = "en"
    body = client.get("/").content.decode()
    assert "Tidal flood" in body and "Banjir rob" not in body


def test_the_public_page_reads_a_bounded_number_of_queries(client, world, log, django_assert_max_num_queries):
    for n in range(12):
        log(headline=f"Peringatan {n}", classification=Classification.PUBLIC)
    with django_assert_max_num_queries(6):
        body = client.get("/").content.decode()
    # the most severe, newest first; the rest on /peringatan/ (tests/coordination/community/portal)
    assert body.count('data-testid="public-alert"') == HOME_ALERT_LIMIT


def test_a_member_at_the_root_gets_the_dashboard(client, world, threats):
    client.force_login(world.alice)
    body = client.get("/").content.decode()
    assert 'data-testid="agency-card"' in body
    assert "sinergi-navbar" in body
    assert 'data-testid="home-report"' not in body


def test_the_staff_login_links_to_the_public_page(client, world):
    body = client.get(reverse("login")).content.decode()
    assert 'data-testid="public-portal-link"' in body
    assert 'href="/"' in body
