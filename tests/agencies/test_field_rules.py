"""Fields shown only to the right role: a camera's stream URL (it may carry credentials) to
the members of its operator agency and staff; secrets (a webhook's signing secret, API tokens,
calendar-feed tokens) write-only: shown once when made, masked in every read after."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from agencies.models import Subscription
from coordination.patrols import services as patrol_services
from tests.factories import CameraFactory, SubscriptionFactory

STREAM = "https://operator:hunter2@cctv.example.test/stream1"
SECRET = "whsec-do-not-leak-9876543210"


@pytest.fixture
def camera(world):
    return CameraFactory(operator=world.a, area=world.areas.guntung, stream_url=STREAM)


@pytest.mark.parametrize("persona", ["alice", "carol", "vera", "admin"])
def test_the_operator_agency_and_staff_read_the_stream_url(api_as, world, camera, persona):
    api = api_as(getattr(world, persona))

    assert api.get(f"/api/v1/cameras/{camera.pk}/").json()["stream_url"] == STREAM
    assert api.get("/api/v1/cameras/").json()["results"][0]["stream_url"] == STREAM


@pytest.mark.parametrize("persona", ["bob", "charlie", "dave"])
def test_partners_and_other_agencies_never_read_the_stream_url(api_as, world, camera, persona):
    """bob's agency is A's information-sharing partner: it reads the camera, not its stream."""
    api = api_as(getattr(world, persona))

    detail = api.get(f"/api/v1/cameras/{camera.pk}/")
    listing = api.get("/api/v1/cameras/")

    assert detail.status_code == listing.status_code == 200
    assert detail.json()["stream_url"] is None
    assert STREAM.encode() not in detail.content + listing.content


def test_a_camera_created_by_its_operator_reads_back_with_its_stream(api_as, world):
    body = {"code": "cam-x", "name": "Gerbang", "area": world.areas.guntung.pk, "operator": world.a.pk}
    response = api_as(world.alice).post("/api/v1/cameras/", {**body, "stream_url": STREAM}, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["stream_url"] == STREAM


def _create(api_as, world, **extra):
    data = {
        "agency": world.a.pk,
        "name": "Banjir",
        "areas": [world.areas.bontang.pk],
        "channel_webhook": True,
        "webhook_url": "https://hooks.example.test/a",
        **extra,
    }
    return api_as(world.alice).post("/api/v1/subscriptions/", data, format="json")


def test_a_generated_webhook_secret_is_shown_once_then_never(api_as, world):
    response = _create(api_as, world)

    assert response.status_code == 201, response.content
    secret = response.json()["webhook_secret"]
    assert secret and secret == Subscription.objects.get(pk=response.json()["id"]).webhook_secret
    api = api_as(world.alice)
    later = [api.get("/api/v1/subscriptions/"), api.get(f"/api/v1/subscriptions/{response.json()['id']}/")]
    for read in later:
        assert read.status_code == 200
        assert secret.encode() not in read.content
        assert b'"webhook_secret"' not in read.content


def test_rotating_the_secret_shows_the_new_one_once(api_as, world):
    sub = SubscriptionFactory(
        agency=world.a, areas=[world.areas.bontang], channel_webhook=True, webhook_url="https://h.example.test/"
    )
    Subscription.objects.filter(pk=sub.pk).update(webhook_secret=SECRET)

    refused = api_as(world.vera).post(f"/api/v1/subscriptions/{sub.pk}/rotate-secret/")
    hidden = api_as(world.bob).post(f"/api/v1/subscriptions/{sub.pk}/rotate-secret/")
    assert (refused.status_code, hidden.status_code) == (403, 404)
    assert Subscription.objects.get(pk=sub.pk).webhook_secret == SECRET

    response = api_as(world.alice).post(f"/api/v1/subscriptions/{sub.pk}/rotate-secret/")

    assert response.status_code == 200
    new = response.json()["webhook_secret"]
    assert new != SECRET and new == Subscription.objects.get(pk=sub.pk).webhook_secret
    assert new.encode() not in api_as(world.alice).get(f"/api/v1/subscriptions/{sub.pk}/").content


def test_the_admin_masks_secrets(client, world):
    sub = SubscriptionFactory(agency=world.a, channel_webhook=True, webhook_url="https://h.example.test/")
    Subscription.objects.filter(pk=sub.pk).update(webhook_secret=SECRET)
    token = Token.objects.create(user=world.alice)
    feed_token = patrol_services.calendar_feed_get_or_create(user=world.alice, agency=world.a).token
    client.force_login(world.admin)

    pages = [
        reverse("admin:agencies_subscription_change", args=[sub.pk]),
        reverse("admin:agencies_subscription_changelist"),
        reverse("admin:authtoken_tokenproxy_changelist"),
        reverse("admin:authtoken_tokenproxy_change", args=[world.alice.pk]),
        reverse("admin:coordination_calendarfeed_changelist"),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert SECRET not in body and token.key not in body and feed_token not in body, url


def test_the_admin_rotates_a_webhook_secret_and_shows_it_once(client, world):
    sub = SubscriptionFactory(agency=world.a, channel_webhook=True, webhook_url="https://h.example.test/")
    Subscription.objects.filter(pk=sub.pk).update(webhook_secret=SECRET)
    client.force_login(world.admin)

    response = client.post(
        reverse("admin:agencies_subscription_changelist"),
        {"action": "rotate_webhook_secret", "_selected_action": [sub.pk]},
        follow=True,
    )

    new = Subscription.objects.get(pk=sub.pk).webhook_secret
    assert new != SECRET
    assert new in response.content.decode()
    assert new not in client.get(reverse("admin:agencies_subscription_change", args=[sub.pk])).content.decode()


@pytest.mark.parametrize(
    ("address", "status"),
    [
        ("rtsp://admin:kunci@10.20.0.5:554/Streaming/Channels/101", 201),  # CCTV on the operator's network
        ("rtmp://stream.example.test/live/gerbang", 201),
        ("ftp://cctv.example.test/x", 400),
        ("javascript:alert(1)", 400),
    ],
)
def test_a_camera_takes_an_rtsp_stream_and_refuses_other_schemes(api_as, world, address, status):
    body = {"code": "cam-r", "name": "Gerbang", "area": world.areas.guntung.pk, "operator": world.a.pk}
    response = api_as(world.alice).post("/api/v1/cameras/", {**body, "stream_url": address}, format="json")
    assert response.status_code == status, response.content
    if status == 400:
        assert "stream_url" in response.json()
    else:
        assert response.json()["stream_url"] == address
