"""Browser: the liaison's desk and the one inbox, at phone and laptop width. Bob (BPBD) finds
an alert waiting on his desk and acknowledges it in one click; the bell counts it with the
operation entry; he reads the inbox, filters it and marks it read. Charlie (another city)
never sees Bob's alert. Screenshots in test-results/screenshots/."""

import pytest
from playwright.sync_api import expect

from incidents.models import Alert
from tests.coordination.desk.test_desk import alert_for, make_threat
from tests.coordination.notifications.test_inbox import in_app
from tests.coordination.operations.test_operations import make_operation
from tests.factories import CitizenReportFactory, IncidentFactory

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 860}


@pytest.fixture
def desk_world(e2e_world):
    w = e2e_world
    type(w.areas.guntung).objects.filter(pk=w.areas.guntung.pk).update(
        centroid_lat="0.120000", centroid_lon="117.490000"
    )
    alert = alert_for(w, make_threat(w, headline="Gelombang pasang di Bontang Kuala"), w.b)
    in_app(w, alert, w.bob)
    make_operation(w, name="Operasi Tanggap Banjir Guntung", participants=[w.b])
    IncidentFactory(
        title="Banjir rob merendam jalan",
        area=w.areas.guntung,
        reporting_agency=w.a,
        lead_agency=w.b,
        latitude="0.170000",
        longitude="117.480000",
    )
    CitizenReportFactory(area=w.areas.guntung, description="Air laut naik sampai teras rumah warga")
    return w, alert


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_bob_acknowledges_from_his_desk_and_reads_his_inbox(desk_world, page, live_server, login, shot, viewport):
    w, alert = desk_world
    page.set_viewport_size(viewport)
    size = "phone" if viewport is PHONE else "laptop"
    login("bob")
    alerts = page.get_by_test_id("block-alerts")
    expect(alerts).to_contain_text("Gelombang pasang di Bontang Kuala")
    expect(alerts.get_by_test_id("block-count")).to_have_text("1")
    expect(page.get_by_test_id("block-reports")).to_contain_text("Air laut naik")
    expect(page.get_by_test_id("block-incidents")).to_contain_text("Banjir rob merendam jalan")
    expect(page.get_by_test_id("nav-alerts")).to_have_attribute("data-unread", "2")
    expect(page.get_by_test_id("desk-map")).to_have_attribute("data-points", "2")
    shot(f"desk-{size}")

    alerts.get_by_test_id("desk-ack").locator("button").click()
    expect(alerts.get_by_test_id("ack-done")).to_be_visible()
    alert.refresh_from_db()
    assert alert.acknowledged_by == w.bob
    expect(page.get_by_test_id("nav-alerts")).to_have_attribute("data-unread", "1")  # acknowledging reads it
    shot(f"desk-acknowledged-{size}")

    page.get_by_test_id("nav-alerts").click()
    page.wait_for_url(f"{live_server.url}/inbox/")
    entries = page.get_by_test_id("inbox-entry")
    expect(entries).to_have_count(2)
    shot(f"inbox-{size}")
    page.select_option("#id_kind", "operation")
    expect(entries).to_have_count(1)
    expect(entries.first).to_contain_text("Operasi Tanggap Banjir Guntung")
    entries.first.get_by_test_id("entry-read").click()
    expect(entries.first).to_have_attribute("data-unread", "false")
    shot(f"inbox-operations-read-{size}")
    page.reload()
    expect(page.get_by_test_id("nav-alerts")).to_have_attribute("data-unread", "0")


def test_charlie_never_sees_bobs_alert(desk_world, page, live_server, login, shot):
    login("charlie")
    expect(page.get_by_test_id("block-alerts")).not_to_contain_text("Gelombang pasang")
    expect(page.get_by_test_id("block-incidents")).not_to_contain_text("Banjir rob merendam jalan")
    page.goto(f"{live_server.url}/inbox/")
    expect(page.get_by_test_id("inbox-entry")).to_have_count(0)
    assert Alert.objects.filter(acknowledged_at__isnull=True).count() == 1
    shot("desk-charlie-inbox-empty")


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_bob_finds_a_bulletin_on_his_desk_and_in_his_inbox(e2e_world, page, live_server, login, shot, viewport):
    """Alice (Polres) sends BPBD a bulletin asking for an acknowledgement: it waits on Bob's desk
    and in his inbox; he acknowledges from the desk, opens it from the inbox, and the entry is
    read there too (one read state)."""
    import datetime

    from django.utils import timezone

    from coordination.models import BulletinRecipient, InboxItem
    from tests.coordination.bulletins.helpers import issue

    w = e2e_world
    page.set_viewport_size(viewport)
    size = "phone" if viewport is PHONE else "laptop"
    bulletin = issue(
        w,
        title="Waspada banjir rob di pesisir Bontang",
        distribution={"agencies": [w.b.pk]},
        ack_required=True,
        ack_deadline=timezone.now() + datetime.timedelta(hours=6),
    )
    login("bob")
    block = page.get_by_test_id("block-bulletins")
    expect(block).to_contain_text("Waspada banjir rob di pesisir Bontang")
    expect(block.get_by_test_id("block-count")).to_have_text("1")
    expect(block.get_by_test_id("bulletin-waiting")).to_be_visible()
    expect(page.get_by_test_id("nav-alerts")).to_have_attribute("data-unread", "1")
    block.scroll_into_view_if_needed()
    shot(f"desk-bulletin-{size}")

    block.get_by_test_id("desk-bulletin-ack").locator("button").click()
    page.wait_for_url(f"{live_server.url}/")
    assert BulletinRecipient.objects.get(bulletin=bulletin, agency=w.b).acknowledged_by == w.bob
    expect(page.get_by_test_id("block-bulletins").get_by_test_id("bulletin-waiting")).to_have_count(0)

    page.goto(f"{live_server.url}/inbox/?kind=bulletin")
    entries = page.get_by_test_id("inbox-entry")
    expect(entries).to_have_count(1)
    expect(entries.first).to_contain_text("Waspada banjir rob di pesisir Bontang")
    expect(entries.first).to_have_attribute("data-kind", "bulletin")
    shot(f"inbox-bulletin-{size}")
    entries.first.get_by_test_id("entry-open").click()
    page.wait_for_url(f"{live_server.url}/bulletins/{bulletin.pk}/")
    page.goto(f"{live_server.url}/inbox/?kind=bulletin")
    expect(page.get_by_test_id("inbox-entry").first).to_have_attribute("data-unread", "false")
    assert InboxItem.objects.get(bulletin=bulletin, user=w.bob).read_at is not None
    expect(page.get_by_test_id("nav-alerts")).to_have_attribute("data-unread", "0")
    page.goto(f"{live_server.url}/")
    expect(page.get_by_test_id("block-bulletins").get_by_test_id("block-count")).to_have_text("0")
