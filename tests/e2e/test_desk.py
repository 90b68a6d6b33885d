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
