"""Browser: a commander plans an operation, adds a partner agency and approves it; the
partner's liaison finds the notification. Screenshots in test-results/screenshots/."""

import re

import pytest

from coordination.models import InboxItem, JointOperation

pytestmark = pytest.mark.django_db(transaction=True)


def test_carol_plans_adds_bob_s_agency_and_approves(e2e_world, page, live_server, login, shot):
    w = e2e_world
    login("carol")
    page.goto(f"{live_server.url}/operations/")
    shot("operations-list-empty")
    page.click("[data-testid=new-operation]")
    page.fill("#id_name", "Operasi Pekat Mahakam 2026")
    page.select_option("#id_kind", "enforcement")
    page.select_option("#id_areas", [str(w.areas.bontang.pk), str(w.areas.bontang_utara.pk)])
    page.fill("#id_starts_at", "2026-12-20T20:00")
    page.fill("#id_ends_at", "2026-12-21T04:00")
    page.fill("#id_objectives", "Razia peredaran narkoba di pelabuhan Lok Tuan dan jalur logistik kilang.")
    page.fill("#id_command_post", "Mako Polres Bontang")
    page.fill("#id_command_post_lat", "0.1333")
    page.fill("#id_command_post_lon", "117.5")
    shot("operation-form")
    page.click("[data-testid=save-operation]")
    page.wait_for_selector("[data-testid=operation-name]")
    op = JointOperation.objects.get()
    assert op.lead_agency == w.a

    page.select_option("#id_agency", str(w.b.pk))
    page.fill("#id_role", "Evakuasi")
    page.fill("#id_personnel", "25")
    page.fill("#id_vehicles", "3")
    page.click("[data-testid=add-participant]")
    page.wait_for_selector("[data-testid=participation-row]")
    page.click("[data-testid=move-approved]")
    page.wait_for_selector("[data-testid=approved]")
    shot("operation-detail-approved")
    op.refresh_from_db()
    assert op.status == JointOperation.Status.APPROVED and op.approved_by == w.carol
    assert InboxItem.objects.filter(user=w.bob, operation=op).count() == 1

    page.context.clear_cookies()
    login("bob")
    page.goto(f"{live_server.url}/notifications/")  # the old page opens the one inbox
    page.wait_for_url(re.compile(r"/inbox/\?kind=operation$"))
    notes = page.locator("[data-testid=inbox-entry]")
    assert notes.count() == 1
    assert "Operasi Pekat Mahakam 2026" in notes.first.inner_text()
    # When it came, in the operation's zone with its label (it showed WIB, unlabelled).
    assert re.search(r"\d{2}:\d{2} WITA", notes.first.inner_text()), notes.first.inner_text()
    shot("notifications-bob")
    notes.first.locator("[data-testid=entry-open]").click()
    page.wait_for_selector("[data-testid=operation-name]")
    assert page.locator("[data-testid=move-approved]").count() == 0
    shot("operation-detail-bob")
