"""The one inbox (issue 12): alerts and operation entries in one list with filters, one unread
figure on the bell, marking read one by one or all, a bounded number of queries, and the
API."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coordination.models import InboxItem
from coordination.notifications import selectors, services
from incidents.models import Delivery
from tests.coordination.desk.test_desk import alert_for, make_threat
from tests.coordination.operations.test_operations import make_operation


def in_app(world, alert, user):
    return Delivery.objects.create(
        alert=alert,
        user=user,
        channel=Delivery.Channel.IN_APP,
        revision=1,
        recipient_key=f"user:{user.pk}",
        status="sent",
    )


@pytest.fixture
def mixed(world):
    """Bob (B): one unread alert waiting for acknowledgement, one operation entry."""
    alert = alert_for(world, make_threat(world, headline="Gelombang tinggi Bontang"), world.b)
    in_app(world, alert, world.bob)
    op = make_operation(world, name="Operasi Pantai Bersih", participants=[world.b])
    return alert, op


def test_alerts_and_operation_entries_share_one_list_and_one_unread_figure(client, world, mixed):
    page = selectors.inbox_page(user=world.bob)
    assert [e.group for e in page.entries] == ["operation", "alert"]
    assert page.count == 2
    counts = selectors.inbox_counts(user=world.bob)
    assert counts == {"unread": 2, "alerts": 1, "items": 1, "unacknowledged": 1}
    client.force_login(world.bob)
    body = client.get(reverse("incident-list")).content.decode()
    assert 'data-testid="nav-alerts" data-unread="2"' in body


def test_the_bell_counts_each_figure_up_to_its_bound_only(client, world, mixed):
    for i in range(3):
        alert = alert_for(world, make_threat(world, i + 10, headline=f"Banjir {i}"), world.b)
        in_app(world, alert, world.bob)
    exact = selectors.inbox_counts(user=world.bob)
    assert exact == {"unread": 5, "alerts": 4, "items": 1, "unacknowledged": 4}
    bounded = selectors.inbox_counts(user=world.bob, bound=2)
    assert bounded == {"unread": 3, "alerts": 2, "items": 1, "unacknowledged": 2}
    with pytest.MonkeyPatch.context() as mp:  # the bell says "99+" past 99: it counts no further
        mp.setattr(selectors, "BELL_BOUND", 2)
        client.force_login(world.bob)
        body = client.get(reverse("inbox-badge")).content.decode()
    assert 'data-unacknowledged="2"' in body


def test_the_filters_kind_unread_and_needs_ack(world, mixed):
    assert [e.group for e in selectors.inbox_page(user=world.bob, group="alert").entries] == ["alert"]
    assert [e.group for e in selectors.inbox_page(user=world.bob, group="operation").entries] == ["operation"]
    assert [e.group for e in selectors.inbox_page(user=world.bob, needs_ack=True).entries] == ["alert"]
    services.inbox_mark_read(user=world.bob, entries=[f"alert-{mixed[0].pk}"])
    assert [e.group for e in selectors.inbox_page(user=world.bob, unread=True).entries] == ["operation"]


def test_mark_read_one_then_all(client, world, mixed):
    client.force_login(world.bob)
    item = InboxItem.objects.get(user=world.bob)
    client.post(reverse("inbox-read"), {"entry": f"item-{item.pk}"})
    assert selectors.inbox_counts(user=world.bob)["unread"] == 1
    client.post(reverse("inbox-read"))
    assert selectors.inbox_counts(user=world.bob)["unread"] == 0


def test_a_user_marks_only_their_own(client, world, mixed):
    item = InboxItem.objects.get(user=world.bob)
    client.force_login(world.charlie)
    client.post(reverse("inbox-read"), {"entry": f"item-{item.pk}"})
    client.post(reverse("api-my-inbox-read"), {"entries": [f"alert-{mixed[0].pk}"]}, content_type="application/json")
    assert selectors.inbox_counts(user=world.bob)["unread"] == 2


def test_another_agencys_alert_is_never_in_my_inbox(client, world, mixed):
    client.force_login(world.charlie)
    body = client.get(reverse("inbox")).content.decode()
    assert "Gelombang tinggi Bontang" not in body and "Operasi Pantai Bersih" not in body


def test_the_api_lists_filters_and_marks(api_as, world, mixed):
    api = api_as(world.bob)
    data = api.get("/api/v1/my-inbox/").json()
    assert data["count"] == 2 and {r["group"] for r in data["results"]} == {"alert", "operation"}
    alert_row = next(r for r in data["results"] if r["group"] == "alert")
    assert alert_row["needs_ack"] and alert_row["alert"] == mixed[0].pk and alert_row["severity"] == 3
    assert api.get("/api/v1/my-inbox/?kind=bogus").status_code == 400
    assert api.get("/api/v1/my-inbox/counts/").json()["unread"] == 2
    assert api.post("/api/v1/my-inbox/read/", {"entries": ["item-x"]}, format="json").status_code == 400
    assert api.post("/api/v1/my-inbox/read/", {}, format="json").json() == {"marked": 2}


def test_anonymous_gets_401_and_the_login(client, api_as):
    from rest_framework.test import APIClient

    assert APIClient().get("/api/v1/my-inbox/").status_code in (401, 403)
    assert client.get(reverse("inbox")).status_code == 302


def test_the_old_notifications_page_opens_the_inbox(client, world, mixed):
    client.force_login(world.bob)
    response = client.get(reverse("notification-list"))
    assert response.status_code == 302 and response["Location"] == reverse("inbox") + "?kind=operation"


def fill(world, n):
    for i in range(n):
        in_app(world, alert_for(world, make_threat(world, i), world.b), world.bob)
        make_operation(world, name=f"Operasi {i}", participants=[world.b])


def test_the_inbox_reads_as_many_queries_with_30_rows_as_with_1(client, world, django_assert_max_num_queries):
    fill(world, 1)
    client.force_login(world.bob)
    client.get(reverse("inbox"))
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("inbox"))
    fill(world, 29)
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        body = client.get(reverse("inbox")).content.decode()
    assert body.count('data-testid="inbox-entry"') == 25
