"""Carol, commander of Polres Bontang, runs her agency in a real browser: she invites a new
member (who joins through the link without an account), changes a role, deactivates a member;
Alice, liaison, makes a webhook subscription and sends a test alert to a local webhook server;
Carol declares the duty contact and capacity. Screenshots at laptop and phone width."""

from __future__ import annotations

import re
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


def _fits(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


class _Partner(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(202)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"received": true}')

    def log_message(self, *args: object) -> None:
        pass


def test_carol_invites_a_member_who_joins_through_the_link(page: Page, live_server, e2e_world, login, shot, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    login("carol")
    page.locator("#user-menu").click()
    page.get_by_test_id("manage-agency-link").first.click()
    page.wait_for_url(re.compile(r"/agencies/\d+/members/$"))
    expect(page.get_by_test_id("member-list")).to_contain_text("Alice Wulandari")
    page.fill("#id_email", "budi@polres-bontang.example")
    page.select_option("#id_role", "analyst")
    page.get_by_test_id("invite-form").locator("button[type=submit]").click()
    expect(page.get_by_test_id("invitation-list")).to_contain_text("budi@polres-bontang.example")
    # Vera (viewer) becomes planner, then is deactivated.
    row = page.get_by_test_id("member-row").filter(has_text="vera")
    row.locator("select").select_option("planner")
    row.get_by_role("button", name=re.compile("Ubah peran|Change role")).click()
    expect(page.get_by_test_id("member-row").filter(has_text="vera")).to_contain_text(re.compile("Perencana|Planner"))
    page.get_by_test_id("member-row").filter(has_text="vera").get_by_role(
        "button", name=re.compile("Nonaktifkan|Deactivate")
    ).click()
    expect(page.get_by_test_id("member-row").filter(has_text="vera")).to_contain_text(re.compile("Nonaktif|Inactive"))
    shot("manage-members-desktop")
    page.set_viewport_size(PHONE)
    page.reload()
    assert _fits(page)
    shot("manage-members-phone")

    link = re.search(r"https?://\S+/invitations/accept/\S+/", mail.outbox[-1].body).group(0)
    path = link.split("/invitations/", 1)[1]
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/invitations/{path}")
    expect(page.get_by_test_id("invitation-accept")).to_contain_text("Polres Bontang")
    shot("invitation-accept-phone")
    page.fill("#id_username", "budi")
    page.fill("#id_first_name", "Budi")
    page.fill("#id_password1", "Sandi-Kuat-2026!")
    page.fill("#id_password2", "Sandi-Kuat-2026!")
    page.get_by_test_id("account-form").locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    page.goto(f"{live_server.url}/invitations/{path}")
    expect(page.get_by_test_id("invitation-invalid")).to_be_visible()
    page.set_viewport_size({"width": 1280, "height": 860})
    shot("invitation-used-desktop")


def test_alice_sends_a_test_alert_to_her_webhook(page: Page, live_server, e2e_world, login, shot, settings):
    settings.SINERGI_WEBHOOK_ALLOW_PRIVATE = True
    server = HTTPServer(("127.0.0.1", 0), _Partner)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        login("alice")
        page.goto(f"{live_server.url}/agencies/{e2e_world.a.pk}/")
        page.get_by_test_id("manage-agency").get_by_role("link").first.click()
        page.wait_for_url(re.compile(r"/subscriptions/$"))
        page.get_by_role("link", name=re.compile("Langganan baru|New subscription")).click()
        page.fill("#id_name", "Banjir dan longsor Bontang")
        page.fill("#id_categories", "flood, landslide")
        page.select_option("#id_areas", [str(e2e_world.areas.bontang.pk)])
        page.select_option("#id_min_severity", "3")
        page.check("input[name=channels][value=webhook]")
        page.fill("#id_webhook_url", f"http://127.0.0.1:{server.server_address[1]}/sinergi")
        shot("subscription-form-desktop")
        page.get_by_test_id("subscription-form").locator("button[type=submit]").click()
        expect(page.get_by_test_id("secret-value")).to_be_visible()
        shot("subscription-secret-desktop")
        page.get_by_role("link", name=re.compile("Selesai|Done")).click()
        page.get_by_test_id("test-alert").first.click()
        result = page.get_by_test_id("test-result-webhook")
        expect(result).to_contain_text("HTTP 202")
        expect(result).to_contain_text('{"received": true}')
        shot("subscription-test-alert-desktop")
        page.set_viewport_size(PHONE)
        assert _fits(page)
        shot("subscription-test-alert-phone")
        page.goto(f"{live_server.url}/agencies/{e2e_world.a.pk}/subscriptions/")
        assert _fits(page)
        shot("subscriptions-phone")
    finally:
        server.shutdown()
        server.server_close()


def test_carol_declares_the_duty_contact_and_capacity(page: Page, live_server, e2e_world, login, shot):
    login("carol")
    page.goto(f"{live_server.url}/agencies/{e2e_world.a.pk}/contact/")
    page.fill("#id_duty_phone", "+62 548 110")
    page.fill("#id_capacity_personnel", "120")
    page.fill("#id_capacity_vehicles", "14")
    page.fill("#id_capacity_boats", "2")
    page.fill("#id_capacity_medical_teams", "3")
    shot("agency-contact-desktop")
    page.get_by_test_id("contact-form").locator("button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/agencies/{e2e_world.a.pk}/$"))
    expect(page.get_by_test_id("capacity")).to_contain_text("120")
    shot("agency-detail-managed-desktop")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/agencies/{e2e_world.a.pk}/contact/")
    assert _fits(page)
    shot("agency-contact-phone")


def test_alice_registers_a_vital_object_and_sees_it_on_the_map(page: Page, live_server, e2e_world, login, shot):
    login("alice")
    page.goto(f"{live_server.url}/agencies/{e2e_world.a.pk}/")
    page.get_by_test_id("manage-agency").get_by_role("link", name=re.compile("Obyek vital|Vital objects")).click()
    page.wait_for_url(re.compile(r"/assets/$"))
    page.get_by_role("link", name=re.compile("Obyek vital baru|New vital object")).click()
    page.fill("#id_name", "Pelabuhan Lok Tuan")
    page.select_option("#id_kind", "port")
    page.select_option("#id_area", str(e2e_world.areas.bontang.pk))
    page.fill("#id_latitude", "0.1412")
    page.fill("#id_longitude", "117.4960")
    page.get_by_test_id("vital_object-form").locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/vital-objects/\d+/$"))
    expect(page.get_by_test_id("vital-object")).to_contain_text("Polres Bontang")
    expect(page.get_by_test_id("assets-map")).to_have_attribute("data-points", "1")
    shot("vital-object-detail-desktop")
    page.goto(f"{live_server.url}/agencies/{e2e_world.a.pk}/assets/")
    expect(page.get_by_test_id("vital-object-list")).to_contain_text("Pelabuhan Lok Tuan")
    expect(page.get_by_test_id("assets-map")).to_have_attribute("data-points", "1")
    expect(page.get_by_test_id("assets-map")).to_have_attribute("data-base-map", "ready")
    shot("agency-assets-desktop")
    page.set_viewport_size(PHONE)
    page.reload()
    assert _fits(page)
    shot("agency-assets-phone")


def test_carol_uploads_the_mou_of_a_partnership(page: Page, live_server, e2e_world, login, shot, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    login("carol")
    page.goto(f"{live_server.url}/agencies/{e2e_world.a.pk}/")
    form = page.get_by_test_id("mou-upload").first
    form.locator("input[type=file]").set_input_files(
        files=[{"name": "mou.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}]
    )
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("mou-link").first).to_be_visible()
    shot("partnership-mou-desktop")
    with page.expect_download() as download:
        page.get_by_test_id("mou-link").first.click()
    assert download.value.suggested_filename.endswith(".pdf")
    page.set_viewport_size(PHONE)
    page.reload()
    assert _fits(page)
    shot("partnership-mou-phone")
