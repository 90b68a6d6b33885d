"""Alice at work in a real browser: the directory, an agency, the areas, the language switch.

Each test saves screenshots to test-results/screenshots/ to be looked at, on a desktop and on
a 390 px wide phone.
"""

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


def _no_horizontal_overflow(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_the_login_page(page: Page, live_server, e2e_world, shot):
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.locator("#login-form")).to_be_visible()
    shot("login-desktop")
    page.fill("#id_username", "alice")
    page.fill("#id_password", "wrong")
    page.click("#login-form button[type=submit]")
    expect(page.locator(".auth-card .alert-danger")).to_be_visible()
    shot("login-error-desktop")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/accounts/login/")
    assert _no_horizontal_overflow(page)
    shot("login-phone")


def test_alice_filters_the_directory_by_kind_without_reloading_the_page(
    page: Page, live_server, e2e_world, login, shot
):
    login("alice")
    expect(page.get_by_test_id("agency-card")).to_contain_text("Polres Bontang")
    shot("dashboard-desktop")

    page.get_by_test_id("nav-directory").click()
    page.click("nav a[href='/agencies/']")
    page.wait_for_url(f"{live_server.url}/agencies/")
    results = page.get_by_test_id("agency-results")
    expect(results).to_contain_text("Damkar Balikpapan")
    expect(results).to_contain_text("Kodim Bontang")
    shot("directory-desktop")

    page.evaluate("window.__sameDocument = true")  # gone if the browser loads a new page
    page.select_option("#id_kind", "fire")
    page.wait_for_url(re.compile(r"/agencies/\?.*kind=fire"))
    expect(results.locator("li")).to_have_count(2)
    expect(results).to_contain_text("Damkar Balikpapan")
    expect(results).to_contain_text("Damkar Bontang")
    expect(results).not_to_contain_text("Polres Bontang")
    assert page.evaluate("window.__sameDocument") is True
    shot("directory-filtered-fire-desktop")

    page.fill("#id_search", "bontang")
    expect(results.locator("li")).to_have_count(1)
    page.wait_for_url(re.compile(r"search=bontang"))
    assert page.evaluate("window.__sameDocument") is True

    page.go_back()  # htmx restores the previous list from its history
    expect(results.locator("li")).to_have_count(2)

    page.select_option("#id_kind", "police")
    page.fill("#id_search", "")
    page.wait_for_url(re.compile(r"kind=police"))
    expect(results.locator("li")).to_have_count(1)
    results.get_by_role("link", name="Polres Bontang").click()
    page.wait_for_url(f"{live_server.url}/agencies/{e2e_world.a.pk}/")
    duty = page.get_by_test_id("duty-contact")
    expect(duty).to_contain_text("+62 548 21110")
    expect(duty).to_contain_text("piket@polres-bontang.example")
    members = page.get_by_test_id("members")
    expect(members).to_contain_text("Alice Wulandari")
    expect(members).to_contain_text("Carol Siregar")
    expect(members).to_contain_text("+6281234567890")  # her own agency: phones shown
    expect(page.get_by_test_id("partnerships")).to_contain_text("BPBD Bontang")
    expect(page.locator("main")).to_contain_text("Kilang LNG Khatulistiwa")
    expect(page.locator("main")).to_contain_text("cctv-btg-01")
    shot("agency-detail-desktop")


def test_another_agencys_member_sees_no_member_phones(page: Page, live_server, e2e_world, login, shot):
    login("bob")
    page.goto(f"{live_server.url}/agencies/{e2e_world.a.pk}/")
    expect(page.get_by_test_id("duty-contact")).to_contain_text("+62 548 21110")
    expect(page.get_by_test_id("members")).to_contain_text("Carol Siregar")
    expect(page.get_by_test_id("members")).not_to_contain_text("+6281234567890")
    shot("agency-detail-as-partner-desktop")


def test_alice_drills_down_the_areas(page: Page, live_server, e2e_world, many_villages, login, shot):
    login("alice")
    page.get_by_test_id("nav-directory").click()
    page.click("nav a[href='/areas/']")
    page.wait_for_url(f"{live_server.url}/areas/")
    shot("areas-desktop")
    for name in ("Kalimantan Timur", "Kota Bontang", "Bontang Utara", "Guntung"):
        page.locator("main").get_by_role("link", name=name, exact=True).first.click()
        expect(page.locator("h1")).to_have_text(name)
    crumbs = page.get_by_test_id("area-breadcrumb")
    expect(crumbs).to_contain_text("Kalimantan Timur")
    expect(crumbs).to_contain_text("Kota Bontang")
    expect(crumbs).to_contain_text("Bontang Utara")
    facts = page.get_by_test_id("area-facts")
    expect(facts).to_contain_text("WITA")
    expect(facts).to_contain_text("75311")
    covering = page.get_by_test_id("covering-agencies")
    expect(covering).to_contain_text("Polres Bontang")
    expect(covering).to_contain_text("Siskamling RT 12 Guntung")
    expect(covering).not_to_contain_text("Damkar Balikpapan")
    shot("area-village-desktop")

    crumbs.get_by_role("link", name="Bontang Utara").click()
    expect(page.locator("h1")).to_have_text("Bontang Utara")
    children = page.get_by_test_id("area-children")
    expect(children.locator("li")).to_have_count(30)
    page.evaluate("window.__sameDocument = true")
    page.locator("#area-children").get_by_role("link", name=re.compile("Berikutnya")).click()  # Next
    page.wait_for_url(re.compile(r"/areas/\d+/\?page=2$"))
    expect(children.locator("li")).to_have_count(5)
    expect(children).to_contain_text("Kelurahan 34")
    # The new page's list is scrolled into view, below the sticky navbar.
    top = page.evaluate("document.getElementById('area-children').getBoundingClientRect().top")
    assert 0 <= top < 200
    assert page.evaluate("window.__sameDocument") is True
    shot("area-district-page-2-desktop")

    page.get_by_test_id("area-breadcrumb").get_by_role("link", name="Kota Bontang").click()
    expect(page.locator("h1")).to_have_text("Kota Bontang")
    shot("area-regency-desktop")

    page.goto(f"{live_server.url}/areas/")
    page.evaluate("window.__sameDocument = true")
    page.fill("#id_q", "bontang")
    page.wait_for_url(re.compile(r"/areas/\?.*q=bontang"))
    results = page.get_by_test_id("area-results")
    expect(results.locator("li")).to_have_count(2)
    expect(results).to_contain_text("Bontang Utara")
    assert page.evaluate("window.__sameDocument") is True
    shot("areas-search-desktop")


def test_switching_to_english_changes_the_navbar(page: Page, live_server, e2e_world, login, shot):
    login("alice")
    page.goto(f"{live_server.url}/agencies/")
    page.select_option("#id_kind", "fire")
    page.wait_for_url(re.compile(r"kind=fire"))
    navbar = page.locator("nav.navbar")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    before = navbar.text_content()
    assert "Log out" not in before
    navbar.locator("button[name=language][value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(navbar.locator("button[name=language][value=en]")).to_have_attribute("aria-pressed", "true")
    after = navbar.text_content()
    assert after != before
    assert "Log out" in after
    assert page.url == f"{live_server.url}/agencies/?kind=fire"  # back where she was, filters kept
    page.click("#user-menu")
    expect(page.get_by_test_id("logout")).to_be_visible()
    shot("directory-english-user-menu-desktop", full_page=False)


def test_the_pages_fit_a_phone(page: Page, live_server, e2e_world, login, shot):
    page.set_viewport_size(PHONE)
    login("alice")
    pages = {
        "dashboard-phone": "/",
        "directory-phone": "/agencies/",
        "agency-detail-phone": f"/agencies/{e2e_world.a.pk}/",
        "areas-phone": "/areas/",
        "area-village-phone": f"/areas/{e2e_world.areas.guntung.pk}/",
        "area-regency-phone": f"/areas/{e2e_world.areas.bontang.pk}/",
        "password-change-phone": "/accounts/password_change/",
    }
    for name, path in pages.items():
        page.goto(f"{live_server.url}{path}")
        assert _no_horizontal_overflow(page), name
        shot(name)
    page.goto(f"{live_server.url}/agencies/")
    page.click(".navbar-toggler")
    expect(page.locator("#main-nav")).to_have_class(re.compile(r"\bshow\b"))  # the collapse has finished
    page.click("#user-menu")
    expect(page.get_by_test_id("logout")).to_be_visible()
    assert _no_horizontal_overflow(page)
    shot("navbar-open-phone", full_page=False)


def test_nobody_sees_an_explained_empty_directory(page: Page, live_server, e2e_world, login, shot):
    login("nobody")
    page.goto(f"{live_server.url}/agencies/")
    expect(page.get_by_test_id("not-member")).to_be_visible()
    shot("directory-nobody-desktop")
