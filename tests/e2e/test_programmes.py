"""Browser: an organiser (alice, liaison of Polres) plans a law-literacy programme with BPBD as
partner through the form; the commander (carol) approves it; alice records the attendance per
target group with a photo and writes the report with a follow-up for the partner; the calendar
and the map show it. A citizen on a phone finds a public programme on /program/ and registers.
Screenshots (laptop 1280 px and phone 390 px) in test-results/screenshots/programme-*.png."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Browser, expect

from agencies.models import Area
from coordination.community.programmes import services
from coordination.models import Programme, ProgrammeRegistration
from tests.e2e.conftest import SCREENSHOTS

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 860}


def both(page, shot, name):
    page.set_viewport_size(PHONE)
    shot(f"{name}-phone")
    page.set_viewport_size(LAPTOP)
    shot(name)


def _photo(tmp_path) -> str:
    image = Image.new("RGB", (640, 480), (236, 240, 244))
    for x in range(0, 640, 40):
        for y in range(480):
            image.putpixel((x, y), (11, 46, 79))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (0.0, 8.0, 0.0), 3: "E", 4: (117.0, 30.0, 0.0)}  # a GPS position
    path = tmp_path / "penyuluhan.jpg"
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    path.write_bytes(buffer.getvalue())
    return str(path)


@pytest.mark.dates
def test_an_organiser_plans_gets_approval_holds_and_reports(e2e_world, page, live_server, login, shot, tmp_path):
    w = e2e_world
    Area.objects.filter(pk=w.areas.bontang.pk).update(centroid_lat=Decimal("0.1333"), centroid_lon=Decimal("117.5"))
    zone = ZoneInfo(w.areas.bontang.timezone)
    start = (timezone.now() - datetime.timedelta(minutes=30)).astimezone(zone).replace(second=0, microsecond=0)

    login("alice")
    page.get_by_test_id("nav-coordination").click()
    page.get_by_test_id("nav-programmes").click()
    page.get_by_test_id("programme-create").click()
    page.select_option("#id_kind", "law_literacy")
    page.fill("#id_title", "Penyuluhan hukum narkoba SMA 1")
    page.select_option("#id_partners", [str(w.b.pk)])
    page.fill("#id_description", "Narkoba, kekerasan dan kejahatan seksual: jerat hukumnya.")
    page.select_option("#id_area", str(w.areas.bontang.pk))
    page.fill("#id_venue", "SMA Negeri 1 Bontang")
    page.fill("#id_session-0-starts_at", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_session-0-ends_at", (start + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.select_option("#id_group-0-group", "students")
    page.select_option("#id_group-0-age_band", "13-17")
    page.select_option("#id_group-0-sex", "female")
    page.fill("#id_group-0-planned", "60")
    page.select_option("#id_group-1-group", "students")
    page.select_option("#id_group-1-age_band", "13-17")
    page.select_option("#id_group-1-sex", "male")
    page.fill("#id_group-1-planned", "40")
    page.fill("#id_goods-0-item", "Brosur bahaya narkoba")
    page.fill("#id_goods-0-quantity", "100")
    both(page, shot, "programme-form")
    page.get_by_test_id("programme-save").click()
    expect(page.get_by_test_id("programme-title")).to_contain_text("Penyuluhan hukum narkoba SMA 1")
    programme = Programme.objects.get()
    assert programme.organiser == w.a and programme.starts_at == start and programme.status == "planned"
    expect(page.get_by_test_id("programme-approve")).to_have_count(0)  # a liaison does not approve
    both(page, shot, "programme-planned")

    page.context.clear_cookies()
    login("carol")
    page.goto(f"{live_server.url}/programmes/{programme.pk}/")
    page.get_by_test_id("programme-approve").click()
    expect(page.get_by_test_id("programme-status")).to_contain_text("Disetujui")
    expect(page.get_by_test_id("programme-approve")).to_have_count(0)

    page.context.clear_cookies()
    login("alice")
    page.goto(f"{live_server.url}/programmes/{programme.pk}/")
    page.get_by_test_id("programme-attendance").click()
    girls, boys = programme.target_groups.order_by("id")
    page.fill(f"#id_actual-{girls.pk}", "58")
    page.fill(f"#id_actual-{boys.pk}", "35")
    page.set_input_files("input[name=photos]", _photo(tmp_path))
    both(page, shot, "programme-attendance")
    page.get_by_test_id("attendance-save").click()
    expect(page.get_by_test_id("programme-status")).to_contain_text("Terlaksana")
    expect(page.get_by_test_id("attendance-total")).to_contain_text("93")
    expect(page.get_by_test_id("programme-photos").locator("img")).to_have_count(1)
    photo = programme.photos.get()
    with photo.image.open("rb") as handle:
        assert b"Exif" not in handle.read()

    page.get_by_test_id("programme-report").click()
    page.fill("#id_objectives", "Siswa paham jerat hukum narkoba.")
    page.fill("#id_activities", "Ceramah, film pendek dan tanya jawab.")
    page.fill("#id_results", "93 siswa hadir; 10 siswa menjadi duta anti narkoba.")
    page.fill("#id_lessons", "Libatkan orang tua pada sesi berikutnya.")
    both(page, shot, "programme-report")
    page.get_by_test_id("report-save").click()
    expect(page.get_by_test_id("programme-status")).to_contain_text("Dilaporkan")
    items = page.get_by_test_id("action-item-form")
    items.locator("input[name=description]").fill("Bentuk duta anti narkoba sekolah")
    items.locator("select[name=owner_agency]").select_option(str(w.b.pk))
    due = timezone.localdate() + datetime.timedelta(days=14)
    items.locator("input[name=due_date]").fill(due.isoformat())
    items.locator("button[type=submit]").click()
    expect(page.get_by_test_id("action-item")).to_contain_text("Bentuk duta anti narkoba sekolah")
    both(page, shot, "programme-reported")
    programme.refresh_from_db()
    assert programme.status == "reported" and programme.action_items.get().owner_agency == w.b

    page.get_by_test_id("nav-coordination").click()
    page.get_by_test_id("nav-programmes").click()
    expect(page.get_by_test_id("programme-row")).to_contain_text("Penyuluhan hukum narkoba SMA 1")
    both(page, shot, "programme-list")
    page.get_by_test_id("view-calendar").click()
    expect(page.get_by_test_id("calendar-entry")).to_contain_text("Penyuluhan hukum narkoba SMA 1")
    both(page, shot, "programme-calendar")
    page.get_by_test_id("view-map").click()
    expect(page.get_by_test_id("programme-map")).to_have_attribute("data-points", "1")
    both(page, shot, "programme-map")


def test_a_citizen_on_a_phone_finds_a_public_programme_and_registers(e2e_world, browser: Browser, live_server):
    w = e2e_world
    cache.clear()
    start = (timezone.now() + datetime.timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    programme = services.programme_create(
        actor=w.alice,
        kind="traffic_safety",
        title="Kampanye helm SNI untuk pelajar",
        area=w.areas.bontang,
        venue="Simpang Tugu Bontang Baru",
        is_public=True,
        description="Helm gratis bagi 100 pelajar pertama.",
        sessions=[(start, start + datetime.timedelta(hours=3))],
        target_groups=[{"group": "students", "age_band": "13-17", "sex": "any", "planned": 100}],
        goods=[{"item": "Helm SNI", "quantity": 100}],
        partners=[w.b],
    )
    services.programme_approve(actor=w.carol, programme=programme)
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2, locale="id-ID")
    citizen = phone.new_page()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        citizen.goto(f"{live_server.url}/program/")
        expect(citizen.locator("html")).to_have_attribute("lang", "id")
        card = citizen.get_by_test_id("public-programme")
        expect(card).to_contain_text("Kampanye helm SNI untuk pelajar")
        assert citizen.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        citizen.screenshot(path=str(SCREENSHOTS / "programme-public-list-phone.png"), full_page=True)
        card.tap()
        expect(citizen.get_by_test_id("public-programme-title")).to_contain_text("Kampanye helm SNI untuk pelajar")
        expect(citizen.locator("input[name=website]")).not_to_be_in_viewport()  # the honeypot
        citizen.fill("input[name=name]", "Budi Santoso")
        citizen.fill("input[name=contact]", "0812 3456 7890")
        citizen.screenshot(path=str(SCREENSHOTS / "programme-public-detail-phone.png"), full_page=True)
        citizen.get_by_test_id("register-submit").tap()
        expect(citizen.get_by_test_id("registered")).to_be_visible()
        assert citizen.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        citizen.screenshot(path=str(SCREENSHOTS / "programme-public-registered-phone.png"), full_page=True)
    finally:
        phone.close()
    assert list(ProgrammeRegistration.objects.values_list("name", "contact")) == [("Budi Santoso", "0812 3456 7890")]
