"""/api/v1/subscriptions/: an agency's own alert subscriptions.

Only its members see them (another agency's id answers 404); its commanders and liaisons
change them (a viewer gets 403). `min_severity` speaks CAP names. `webhook_secret` is
write-only: only a secret the portal generated is shown, once, in the answer to the creation.
"""

import pytest
from django.urls import reverse
from django.utils import translation

from agencies.models import Severity, Subscription, SubscriptionCategory
from tests.factories import AgencyFactory, AreaFactory, SubscriptionFactory

LIST = reverse("api-subscription-list")
SECRET = "s3cr3t-do-not-leak-0123456789"


def detail(pk):
    return reverse("api-subscription-detail", args=[pk])


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def sub_a(world):
    subscription = SubscriptionFactory(
        agency=world.a,
        name="Banjir Bontang",
        areas=[world.areas.bontang],
        channel_webhook=True,
        webhook_url="https://hooks.example.test/a",
        webhook_secret=SECRET,
    )
    SubscriptionCategory.objects.create(subscription=subscription, code="flood")
    return subscription


@pytest.fixture
def sub_c(world):
    return SubscriptionFactory(agency=world.c, name="Kebakaran", areas=[world.areas.balikpapan])


def payload(world, **extra):
    return {
        "agency": world.a.pk,
        "name": "Narkoba Bontang",
        "areas": [world.areas.bontang.pk, world.areas.guntung.pk],
        "categories": ["narcotics", "smuggling"],
        "min_severity": "Severe",
        "channel_email": True,
        **extra,
    }


# --- Reading ---------------------------------------------------------------------------------


def test_a_member_lists_only_their_agencys_subscriptions(api_as, world, sub_a, sub_c):
    assert ids(api_as(world.vera).get(LIST)) == {sub_a.pk}


def test_a_partner_agency_does_not_see_them(api_as, world, sub_a):
    client = api_as(world.bob)

    assert ids(client.get(LIST)) == set()
    assert client.get(detail(sub_a.pk)).status_code == 404


def test_another_agencys_subscription_answers_404(api_as, world, sub_a):
    assert api_as(world.charlie).get(detail(sub_a.pk)).status_code == 404


def test_staff_lists_every_subscription(api_as, world, sub_a, sub_c):
    assert ids(api_as(world.admin).get(LIST)) == {sub_a.pk, sub_c.pk}


def test_a_subscription_reads_with_cap_severity_area_ids_and_category_codes(api_as, world, sub_a):
    body = api_as(world.alice).get(detail(sub_a.pk)).json()

    assert body["min_severity"] == "Moderate"
    assert body["areas"] == [world.areas.bontang.pk]
    assert body["categories"] == ["flood"]
    assert body["channel_webhook"] is True
    assert body["has_webhook_secret"] is True


def test_agency_filter(api_as, world, sub_a, sub_c):
    client = api_as(world.admin)

    assert ids(client.get(LIST, {"agency": world.c.pk})) == {sub_c.pk}


def test_is_active_filter(api_as, world, sub_a):
    inactive = SubscriptionFactory(agency=world.a, areas=[world.areas.bontang], is_active=False)

    assert ids(api_as(world.alice).get(LIST, {"is_active": "false"})) == {inactive.pk}


def test_listing_many_subscriptions_takes_a_bounded_number_of_queries(api_as, world, django_assert_max_num_queries):
    for i in range(40):
        subscription = SubscriptionFactory(agency=world.a, areas=[world.areas.bontang, AreaFactory()])
        SubscriptionCategory.objects.create(subscription=subscription, code=f"cat-{i}")
        SubscriptionFactory(agency=AgencyFactory(), areas=[world.areas.bontang])
    client = api_as(world.alice)

    with django_assert_max_num_queries(5):
        response = client.get(LIST, {"page_size": 100})

    assert response.json()["count"] == 40


# --- Creating ----------------------------------------------------------------------------------


def test_a_liaison_subscribes_their_agency(api_as, world):
    response = api_as(world.alice).post(LIST, payload(world), format="json")

    assert response.status_code == 201, response.content
    subscription = Subscription.objects.get(name="Narkoba Bontang")
    assert subscription.agency == world.a
    assert subscription.min_severity == Severity.SEVERE
    assert set(subscription.areas.all()) == {world.areas.bontang, world.areas.guntung}
    assert sorted(subscription.category_codes.values_list("code", flat=True)) == ["narcotics", "smuggling"]
    assert subscription.channels == ["in_app", "email"]
    assert response.json()["categories"] == ["narcotics", "smuggling"]
    assert response.json()["min_severity"] == "Severe"


def test_a_cap_severity_name_is_accepted_in_any_case(api_as, world):
    response = api_as(world.alice).post(LIST, payload(world, min_severity="extreme"), format="json")

    assert response.status_code == 201
    assert Subscription.objects.get(name="Narkoba Bontang").min_severity == Severity.EXTREME


def test_an_integer_severity_answers_400(api_as, world):
    response = api_as(world.alice).post(LIST, payload(world, min_severity=3), format="json")

    assert response.status_code == 400
    assert "min_severity" in response.json()
    assert not Subscription.objects.exists()


def test_a_viewer_cannot_subscribe_their_agency(api_as, world):
    response = api_as(world.vera).post(LIST, payload(world), format="json")

    assert response.status_code == 403
    assert not Subscription.objects.exists()


@pytest.mark.parametrize("persona", ["charlie", "dave", "bob", "nobody"])
def test_subscribing_an_agency_one_is_not_a_member_of_answers_404(api_as, world, persona):
    response = api_as(getattr(world, persona)).post(LIST, payload(world), format="json")

    assert response.status_code == 404
    assert not Subscription.objects.exists()


def test_staff_subscribes_any_agency(api_as, world):
    response = api_as(world.admin).post(LIST, payload(world, agency=world.c.pk), format="json")

    assert response.status_code == 201
    assert Subscription.objects.get().agency == world.c


def test_a_webhook_channel_without_url_answers_400(api_as, world):
    response = api_as(world.alice).post(LIST, payload(world, channel_webhook=True), format="json")

    assert response.status_code == 400
    assert "webhook_url" in response.json()
    assert not Subscription.objects.exists()


def test_a_malformed_webhook_url_answers_400(api_as, world):
    response = api_as(world.alice).post(LIST, payload(world, webhook_url="not a url"), format="json")

    assert response.status_code == 400
    assert "webhook_url" in response.json()


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://169.254.169.254/latest/meta-data/", "not a public address"),  # cloud metadata
        ("http://127.0.0.1:8000/admin/", "not a public address"),
        ("http://10.20.30.40/hook", "not a public address"),
        ("http://[::1]/hook", "not a public address"),
        ("http://[::ffff:192.168.1.1]/hook", "not a public address"),
        ("http://localhost:6379/", "local name"),
        ("http://redis/", "local name"),
        ("https://db.internal/hook", "local name"),
        ("ftp://files.example.id/hook", "https://"),
        ("https://user:secret@hooks.example.id/hook", "no user name or password"),
    ],
)
def test_a_webhook_to_the_portals_own_network_answers_400(api_as, world, url, says):
    with translation.override("en"):
        response = api_as(world.alice).post(
            LIST, payload(world, channel_webhook=True, webhook_url=url), format="json", HTTP_ACCEPT_LANGUAGE="en"
        )

    assert response.status_code == 400
    assert says in " ".join(response.json()["webhook_url"])
    assert not Subscription.objects.exists()


def test_a_webhook_to_a_public_server_is_accepted(api_as, world):
    for url in ("https://hooks.example.id/sinergi", "https://203.0.113.0.example.com/x", "http://8.8.8.8/hook"):
        response = api_as(world.alice).post(
            LIST, payload(world, name=url, channel_webhook=True, webhook_url=url), format="json"
        )
        assert response.status_code == 201, (url, response.content)


def test_a_closed_network_may_allow_private_webhooks(api_as, world, settings):
    settings.SINERGI_WEBHOOK_ALLOW_PRIVATE = True
    response = api_as(world.alice).post(
        LIST, payload(world, channel_webhook=True, webhook_url="http://10.20.30.40/hook"), format="json"
    )

    assert response.status_code == 201


def test_an_unknown_area_answers_400(api_as, world):
    response = api_as(world.alice).post(LIST, payload(world, areas=[987654]), format="json")

    assert response.status_code == 400
    assert "areas" in response.json()


def test_no_area_answers_400(api_as, world):
    response = api_as(world.alice).post(LIST, payload(world, areas=[]), format="json")

    assert response.status_code == 400
    assert "areas" in response.json()
    assert not Subscription.objects.exists()


def test_no_channel_answers_400(api_as, world):
    response = api_as(world.alice).post(LIST, payload(world, channel_in_app=False, channel_email=False), format="json")

    assert response.status_code == 400
    assert "channel_in_app" in response.json()


def test_a_malformed_category_code_answers_400(api_as, world):
    response = api_as(world.alice).post(LIST, payload(world, categories=["not a slug!"]), format="json")

    assert response.status_code == 400
    assert "categories" in response.json()


# --- Changing and deleting ---------------------------------------------------------------------


def test_a_liaison_changes_name_areas_and_categories(api_as, world, sub_a):
    response = api_as(world.alice).patch(
        detail(sub_a.pk),
        {"name": "Banjir & longsor", "areas": [world.areas.guntung.pk], "categories": ["landslide", "flood"]},
        format="json",
    )

    assert response.status_code == 200, response.content
    sub_a.refresh_from_db()
    assert sub_a.name == "Banjir & longsor"
    assert list(sub_a.areas.all()) == [world.areas.guntung]
    assert sorted(sub_a.category_codes.values_list("code", flat=True)) == ["flood", "landslide"]
    assert response.json()["categories"] == ["flood", "landslide"]
    assert response.json()["areas"] == [world.areas.guntung.pk]


def test_a_patch_leaves_unmentioned_fields_alone(api_as, world, sub_a):
    api_as(world.alice).patch(detail(sub_a.pk), {"min_severity": "Minor"}, format="json")

    sub_a.refresh_from_db()
    assert sub_a.min_severity == Severity.MINOR
    assert sub_a.webhook_secret == SECRET
    assert list(sub_a.category_codes.values_list("code", flat=True)) == ["flood"]
    assert list(sub_a.areas.all()) == [world.areas.bontang]


def test_a_viewer_gets_403_changing_a_subscription(api_as, world, sub_a):
    response = api_as(world.vera).patch(detail(sub_a.pk), {"name": "x"}, format="json")

    assert response.status_code == 403
    sub_a.refresh_from_db()
    assert sub_a.name == "Banjir Bontang"


@pytest.mark.parametrize("persona", ["charlie", "dave", "bob", "nobody"])
def test_another_agency_gets_404_changing_a_subscription(api_as, world, sub_a, persona):
    response = api_as(getattr(world, persona)).patch(
        detail(sub_a.pk), {"webhook_url": "https://evil.example.test/"}, format="json"
    )

    assert response.status_code == 404
    sub_a.refresh_from_db()
    assert sub_a.webhook_url == "https://hooks.example.test/a"


def test_staff_changes_any_subscription(api_as, world, sub_c):
    response = api_as(world.admin).patch(detail(sub_c.pk), {"is_active": False}, format="json")

    assert response.status_code == 200
    sub_c.refresh_from_db()
    assert sub_c.is_active is False


def test_clearing_the_webhook_url_of_a_webhook_subscription_answers_400(api_as, world, sub_a):
    response = api_as(world.alice).patch(detail(sub_a.pk), {"webhook_url": ""}, format="json")

    assert response.status_code == 400
    assert "webhook_url" in response.json()
    sub_a.refresh_from_db()
    assert sub_a.webhook_url == "https://hooks.example.test/a"


def test_the_agency_of_a_subscription_cannot_be_moved(api_as, world, sub_a):
    api_as(world.admin).patch(detail(sub_a.pk), {"agency": world.c.pk}, format="json")

    sub_a.refresh_from_db()
    assert sub_a.agency == world.a


def test_a_liaison_deletes_a_subscription(api_as, world, sub_a):
    response = api_as(world.alice).delete(detail(sub_a.pk))

    assert response.status_code == 204
    assert not Subscription.objects.filter(pk=sub_a.pk).exists()


def test_a_viewer_gets_403_deleting_a_subscription(api_as, world, sub_a):
    response = api_as(world.vera).delete(detail(sub_a.pk))

    assert response.status_code == 403
    assert Subscription.objects.filter(pk=sub_a.pk).exists()


@pytest.mark.parametrize("persona", ["charlie", "bob", "nobody"])
def test_another_agency_gets_404_deleting_a_subscription(api_as, world, sub_a, persona):
    response = api_as(getattr(world, persona)).delete(detail(sub_a.pk))

    assert response.status_code == 404
    assert Subscription.objects.filter(pk=sub_a.pk).exists()


# --- The webhook secret never leaves ------------------------------------------------------------


def test_the_secret_given_on_create_is_stored_but_not_returned(api_as, world):
    data = payload(world, channel_webhook=True, webhook_url="https://hooks.example.test/n", webhook_secret=SECRET)

    response = api_as(world.alice).post(LIST, data, format="json")

    assert response.status_code == 201
    assert Subscription.objects.get(name="Narkoba Bontang").webhook_secret == SECRET
    assert response.json()["webhook_secret"] is None  # a secret the client chose is never echoed
    assert SECRET.encode() not in response.content
    assert response.json()["has_webhook_secret"] is True


def test_a_generated_secret_is_returned_once_in_the_answer_to_the_creation(api_as, world):
    data = payload(world, channel_webhook=True, webhook_url="https://hooks.example.test/n")

    response = api_as(world.alice).post(LIST, data, format="json")

    generated = Subscription.objects.get(name="Narkoba Bontang").webhook_secret
    assert len(generated) >= 32
    assert response.json()["webhook_secret"] == generated
    assert response.json()["has_webhook_secret"] is True
    assert generated.encode() not in api_as(world.alice).get(detail(response.json()["id"])).content


@pytest.mark.parametrize("persona", ["alice", "admin"])
def test_the_secret_is_in_no_list_or_detail_response(api_as, world, sub_a, persona):
    client = api_as(getattr(world, persona))

    responses = [client.get(LIST), client.get(detail(sub_a.pk))]

    for response in responses:
        assert response.status_code == 200
        assert SECRET.encode() not in response.content
        assert b'"webhook_secret"' not in response.content


def test_the_secret_is_not_returned_after_a_change(api_as, world, sub_a):
    response = api_as(world.alice).patch(detail(sub_a.pk), {"webhook_secret": "another-" + SECRET}, format="json")

    assert response.status_code == 200
    assert SECRET.encode() not in response.content
    sub_a.refresh_from_db()
    assert sub_a.webhook_secret == "another-" + SECRET
