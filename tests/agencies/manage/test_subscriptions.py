"""The subscription pages and the test alert: it goes through the real senders (a local HTTP
server stands in for the partner's webhook, Django's locmem backend for the mail server) and
the page shows each outcome, failures included, never a 500."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail
from django.urls import reverse

from agencies.models import Membership, Subscription
from incidents.threats import transports
from incidents.threats.transports import webhook_verify
from tests.factories import SubscriptionFactory, UserFactory

pytestmark = pytest.mark.django_db


class _Partner(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length)
        self.server.seen.append((dict(self.headers), body))  # type: ignore[attr-defined]
        if self.server.delay:  # type: ignore[attr-defined]
            time.sleep(self.server.delay)  # type: ignore[attr-defined]
        status, answer = self.server.answer  # type: ignore[attr-defined]
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def partner(settings) -> Iterator[HTTPServer]:
    settings.SINERGI_WEBHOOK_ALLOW_PRIVATE = True  # the partner is on this machine
    server = HTTPServer(("127.0.0.1", 0), _Partner)
    server.seen, server.answer, server.delay = [], (200, b"diterima: 1 pesan"), 0  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    transports._RESOLVED.clear()


def _url(server: HTTPServer) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}/hook"


def _subscription(world, **fields) -> Subscription:
    sub = SubscriptionFactory(agency=world.a, areas=[world.areas.bontang], **fields)
    return sub


def test_a_liaison_creates_a_webhook_subscription_and_sees_its_secret_once(client, world, partner):
    client.force_login(world.alice)
    response = client.post(
        reverse("subscription-create", args=[world.a.pk]),
        {
            "name": "Banjir Bontang",
            "categories": "flood, landslide",
            "areas": [world.areas.bontang.pk],
            "min_severity": "3",
            "channels": ["in_app", "webhook"],
            "webhook_url": _url(partner),
        },
    )
    assert response.status_code == 200
    sub = Subscription.objects.get(name="Banjir Bontang")
    assert sub.webhook_secret and sub.webhook_secret in response.content.decode()
    assert sorted(c.code for c in sub.category_codes.all()) == ["flood", "landslide"]
    assert (sub.min_severity, sub.channels) == (3, ["in_app", "webhook"])
    listing = client.get(reverse("agency-subscriptions", args=[world.a.pk])).content.decode()
    assert "Banjir Bontang" in listing and sub.webhook_secret not in listing


def test_a_webhook_to_a_private_address_is_a_form_error(client, world):
    client.force_login(world.alice)
    response = client.post(
        reverse("subscription-create", args=[world.a.pk]),
        {
            "name": "X",
            "areas": [world.areas.bontang.pk],
            "min_severity": "2",
            "channels": ["webhook"],
            "webhook_url": "http://127.0.0.1:9/x",
        },
    )
    assert response.status_code == 400
    assert not Subscription.objects.exists()


def test_no_area_and_no_channel_are_form_errors(client, world):
    client.force_login(world.alice)
    response = client.post(reverse("subscription-create", args=[world.a.pk]), {"name": "X", "min_severity": "2"})
    assert response.status_code == 400


def test_the_subscriptions_page_is_for_commanders_and_liaisons(client, world, django_assert_max_num_queries):
    for i in range(12):
        _subscription(world, name=f"S{i}")
    for who, status in (("vera", 403), ("bob", 404), ("carol", 200)):
        client.force_login(getattr(world, who))
        assert client.get(reverse("agency-subscriptions", args=[world.a.pk])).status_code == status
    client.force_login(world.alice)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("agency-subscriptions", args=[world.a.pk]))
    assert response.content.decode().count('data-testid="subscription-row"') == 12


def test_edit_pause_and_resume(client, world):
    sub = _subscription(world, name="Lama")
    client.force_login(world.alice)
    response = client.post(
        reverse("subscription-edit", args=[sub.pk]),
        {"name": "Baru", "areas": [world.areas.bontang.pk], "min_severity": "4", "channels": ["in_app", "email"]},
    )
    assert response.status_code == 302
    sub.refresh_from_db()
    assert (sub.name, sub.min_severity, sub.channels) == ("Baru", 4, ["in_app", "email"])
    client.post(reverse("subscription-active", args=[sub.pk]), {"is_active": "0"})
    sub.refresh_from_db()
    assert not sub.is_active
    client.post(reverse("subscription-active", args=[sub.pk]), {"is_active": "1"})
    sub.refresh_from_db()
    assert sub.is_active


def test_rotating_the_secret_shows_the_new_one_once(client, world, partner):
    sub = _subscription(world, channel_webhook=True, webhook_url=_url(partner), webhook_secret="lama")
    client.force_login(world.alice)
    response = client.post(reverse("subscription-rotate-secret", args=[sub.pk]))
    sub.refresh_from_db()
    assert sub.webhook_secret != "lama" and sub.webhook_secret in response.content.decode()


# --- The test alert --------------------------------------------------------------------------


def test_the_test_alert_reaches_the_webhook_signed_and_shows_its_answer(client, world, partner):
    sub = _subscription(world, channel_webhook=True, webhook_url=_url(partner), webhook_secret="rahasia")
    client.force_login(world.alice)
    response = client.post(reverse("subscription-test-alert", args=[sub.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "HTTP 200" in body and "diterima: 1 pesan" in body
    headers, payload = partner.seen[0]  # type: ignore[attr-defined]
    assert webhook_verify(
        secret="rahasia",
        timestamp=headers["X-Sinergi-Timestamp"],
        body=payload,
        signature=headers["X-Sinergi-Signature"],
    )
    assert headers["X-Sinergi-Event"] == "alert.test"


def test_a_failing_webhook_is_shown_failed_with_its_answer(client, world, partner):
    partner.answer = (503, b"sedang perawatan")  # type: ignore[attr-defined]
    sub = _subscription(world, channel_webhook=True, webhook_url=_url(partner), webhook_secret="s")
    client.force_login(world.alice)
    response = client.post(reverse("subscription-test-alert", args=[sub.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="test-result-webhook" data-ok="0"' in body
    assert "HTTP 503" in body and "sedang perawatan" in body


def test_a_slow_webhook_is_cut_at_the_timeout(client, world, partner, settings):
    settings.SINERGI_WEBHOOK_TIMEOUT = 0.3
    partner.delay = 2  # type: ignore[attr-defined]
    sub = _subscription(world, channel_webhook=True, webhook_url=_url(partner), webhook_secret="s")
    client.force_login(world.alice)
    started = time.monotonic()
    response = client.post(reverse("subscription-test-alert", args=[sub.pk]))
    assert time.monotonic() - started < 1.5
    assert "timed out" in response.content.decode()


def test_a_webhook_whose_address_became_private_is_refused_at_send_time(client, world, partner, settings):
    sub = _subscription(world, channel_webhook=True, webhook_url=_url(partner), webhook_secret="s")
    settings.SINERGI_WEBHOOK_ALLOW_PRIVATE = False
    client.force_login(world.alice)
    response = client.post(reverse("subscription-test-alert", args=[sub.pk]))
    assert response.status_code == 200
    assert "non-public" in response.content.decode()
    assert partner.seen == []  # type: ignore[attr-defined]


def test_the_test_email_goes_through_the_mail_backend_to_who_gets_email_alerts(client, world):
    world.alice.email, world.carol.email, world.vera.email = "alice@polres.id", "carol@polres.id", "vera@polres.id"
    for user in (world.alice, world.carol, world.vera):
        user.save()
    sub = _subscription(world, channel_email=True)
    client.force_login(world.alice)
    response = client.post(reverse("subscription-test-alert", args=[sub.pk]))
    body = response.content.decode()
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@polres.id", "carol@polres.id"]  # not the viewer
    assert body.count('data-ok="1"') == 3  # in-app, two e-mails


def test_the_test_sms_shows_the_gateway_answer(client, world):
    Membership.objects.filter(user=world.alice).update(phone="+6281100")
    Membership.objects.filter(user=world.carol).update(phone="")
    sub = _subscription(world, channel_sms=True, channel_in_app=False)
    client.force_login(world.alice)
    response = client.post(reverse("subscription-test-alert", args=[sub.pk]))
    assert "+6281100" in response.content.decode()
    assert "console" in response.content.decode()


def test_no_recipient_is_a_failure_on_the_page(client, world):
    type(world.alice).objects.filter(pk__in=[world.alice.pk, world.carol.pk]).update(email="")
    sub = _subscription(world, channel_email=True, channel_in_app=False)
    client.force_login(world.alice)
    response = client.post(reverse("subscription-test-alert", args=[sub.pk]))
    assert 'data-ok="0"' in response.content.decode()


@pytest.mark.parametrize(("who", "status"), [("vera", 403), ("bob", 404), ("nobody", 404)])
def test_who_may_not_manage_may_not_send_a_test(client, world, who, status):
    sub = _subscription(world, channel_email=True)
    client.force_login(getattr(world, who))
    assert client.post(reverse("subscription-test-alert", args=[sub.pk])).status_code == status
    assert mail.outbox == []


def test_the_api_sends_a_test_and_answers_each_outcome(api_as, world, partner):
    sub = _subscription(world, channel_webhook=True, webhook_url=_url(partner), webhook_secret="s")
    response = api_as(world.alice).post(f"/api/v1/subscriptions/{sub.pk}/test-alert/")
    assert response.status_code == 200
    results = {r["channel"]: r for r in response.json()["results"]}
    assert results["webhook"]["ok"] and results["webhook"]["detail"] == "HTTP 200"
    assert results["webhook"]["answer"] == "diterima: 1 pesan"
    assert api_as(world.bob).post(f"/api/v1/subscriptions/{sub.pk}/test-alert/").status_code == 404
    assert api_as(world.vera).post(f"/api/v1/subscriptions/{sub.pk}/test-alert/").status_code == 403
    assert api_as(None).post(f"/api/v1/subscriptions/{sub.pk}/test-alert/").status_code == 401


def test_a_new_member_without_email_does_not_break_the_test(client, world):
    Membership.objects.create(user=UserFactory(username="tanpa", email=""), agency=world.a, role="liaison")
    sub = _subscription(world, channel_email=True)
    client.force_login(world.alice)
    assert client.post(reverse("subscription-test-alert", args=[sub.pk])).status_code == 200
