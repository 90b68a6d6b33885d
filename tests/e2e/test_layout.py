"""Every page fits the window from 992 px up, in both languages, with the longest names.

The pages are not listed by hand: every named URL pattern without arguments is asked for, as a
member with the longest realistic agency and person names and as staff, and each one that answers
a whole HTML page is measured (plus the detail pages of a few seeded objects). A new page cannot
be forgotten. Each page is loaded once per person and language, then the window is resized to
every width: the layout reflows without a reload, which keeps the run short.

Asserted at each width: no horizontal overflow (the page does not scroll sideways), and the
alert bell and the user menu lie inside the window. Screenshots: test-results/screenshots/layout-*.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from agencies.models import Agency, Membership
from tests.e2e.conftest import SCREENSHOTS, session_cookie
from tests.factories import AgencyFactory, CitizenReportFactory, IncidentFactory, MembershipFactory
from tests.pages import html_pages

pytestmark = pytest.mark.django_db(transaction=True)

# 1199: just below Bootstrap's xl, where the container is narrowest for its breakpoint.
WIDTHS = (992, 1199, 1280, 1366, 1920)
LANGUAGES = ("id", "en")
PHONE_WIDTHS = (360, 390)
SHOWN = {("member", "en"), ("staff", "id")}
LONG_AGENCY = "Kepolisian Resor Kota Besar Balikpapan Seksi Pengamanan Objek Vital"
LONG_FIRST_NAME = "Raden Ayu Siti Kusumawardhani"
LONG_LAST_NAME = "Prawirodirdjo Sastroamidjojo Hadiningrat"
FUTURE_MENUS = """() => {
  const menus = document.querySelector(".sinergi-menus");
  const model = menus.querySelector(".nav-item.dropdown");
  for (const label of ["Meja kerja saya", "Kotak masuk", "Buletin harian", "Rapat koordinasi",
                       "Pencarian", "Komunitas", "Evaluasi pasca-kejadian"]) {
    const item = model.cloneNode(true);
    item.querySelector(".nav-link").lastChild.textContent = label;
    menus.appendChild(item);
  }
}"""

FULL_BELL = """() => {
  const bell = document.querySelector("[data-testid=nav-alerts]");
  bell.querySelectorAll(".badge").forEach((badge) => badge.remove());
  bell.insertAdjacentHTML("beforeend",
    '<span class="badge rounded-pill text-bg-danger">99+</span>' +
    '<span class="badge rounded-pill text-bg-warning"><i class="bi bi-hourglass-split"></i> 99+</span>');
}"""

MEASURE = """() => {
  const box = (selector) => {
    const el = document.querySelector(selector);
    if (!el) return null;
    const r = el.getBoundingClientRect();
    return {left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width};
  };
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    innerHeight: window.innerHeight,
    navbar: !!document.querySelector("nav.sinergi-navbar"),
    bell: box("[data-testid=nav-alerts]"),
    user: box("#user-menu"),
  };
}"""


@pytest.fixture
def long_names(e2e_world):
    """A member of the agency with the longest name, herself with a long name; staff too."""
    w = e2e_world
    agency = AgencyFactory(
        name=LONG_AGENCY, code="polrestabes-bpp-pam-obvit", kind=Agency.Kind.POLICE, jurisdiction=[w.areas.balikpapan]
    )
    member = MembershipFactory(agency=agency, role=Membership.Role.COMMANDER).user
    MembershipFactory(user=member, agency=w.a, role=Membership.Role.LIAISON)
    member.first_name, member.last_name = LONG_FIRST_NAME, LONG_LAST_NAME
    member.save()
    w.admin.first_name, w.admin.last_name = "Administrator Platform Sinergi", "Kota Balikpapan dan Bontang"
    w.admin.save()
    incident = IncidentFactory(
        title="Kebakaran gudang bahan bakar di kawasan pelabuhan Semayang dekat terminal penumpang",
        area=w.areas.balikpapan_kota,
        reporting_agency=agency,
    )
    report = CitizenReportFactory(area=w.areas.bontang_utara)
    details = {
        "agency-detail": reverse("agency-detail", args=[agency.pk]),
        "area-detail": reverse("area-detail", args=[w.areas.guntung.pk]),
        "incident-detail": reverse("incident-detail", args=[incident.pk]),
        "report-detail": reverse("report-detail", args=[report.pk]),
    }
    return member, w.admin, details


def _signed_in(browser: Browser, browser_context_args, live_server, user, language: str):
    client = Client()
    client.force_login(user)
    context = browser.new_context(**{**browser_context_args, "viewport": {"width": WIDTHS[0], "height": 860}})
    context.add_cookies(
        [
            session_cookie(live_server, client),
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url},
        ]
    )
    return client, context


def _misfits(page: Page, where: str) -> list[str]:
    m = page.evaluate(MEASURE)
    found = []
    if m["scrollWidth"] > m["innerWidth"]:
        found.append(f"{where}: the page is {m['scrollWidth']} px wide in a {m['innerWidth']} px window")
    if m["navbar"]:
        for label in ("bell", "user"):
            box = m[label]
            if box is None:
                found.append(f"{where}: no {label} in the navbar")
            elif box["width"] <= 0 or box["left"] < 0 or box["right"] > m["innerWidth"] or box["top"] < 0:
                found.append(f"{where}: the {label} is outside the window ({box})")
    return found


def _shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"layout-{name}.png"))


def test_every_page_fits_from_992_px_up_in_both_languages_with_the_longest_names(
    browser: Browser, browser_context_args, live_server, long_names
):
    member, staff, details = long_names
    misfits: list[str] = []
    measured: dict[str, int] = {}
    for who, user in (("member", member), ("staff", staff)):
        for language in LANGUAGES:
            client, context = _signed_in(browser, browser_context_args, live_server, user, language)
            pages = html_pages(client)
            # The derivation must find the dashboard's pages, else the test would pass on nothing.
            assert {"dashboard", "incident-list", "threat-list", "patrol-calendar", "agency-list"} <= set(pages)
            pages.update(details)
            measured[f"{who}-{language}"] = len(pages)
            page = context.new_page()
            for name, path in pages.items():
                page.set_viewport_size({"width": WIDTHS[0], "height": 860})
                page.goto(f"{live_server.url}{path}")
                assert page.locator("html").get_attribute("lang") == language
                for width in WIDTHS:
                    page.set_viewport_size({"width": width, "height": 860})
                    found = _misfits(page, f"{who} {language} {width} px {path}")
                    if found:
                        _shot(page, f"misfit-{who}-{language}-{width}-{name}")
                    misfits += found
                    # Every page at the narrowest width, once per person (in the language the
                    # other person does not show); the dashboard at every width.
                    if (width == WIDTHS[0] and (who, language) in SHOWN) or name == "dashboard":
                        _shot(page, f"{who}-{language}-{width}-{name}")
            # The open user menu, with the longest names in it, stays inside the window too.
            page.goto(f"{live_server.url}/")
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 860})
                page.click("#user-menu")
                menu = page.locator(".navbar-user-menu")
                menu.wait_for(state="visible")
                box = menu.bounding_box()
                if box["x"] < 0 or box["x"] + box["width"] > width:
                    misfits.append(f"{who} {language} {width} px: the open user menu leaves the window ({box})")
                if menu.evaluate("m => [...m.querySelectorAll('li')].some(li => li.scrollWidth > li.clientWidth)"):
                    misfits.append(f"{who} {language} {width} px: a name runs out of the open user menu")
                _shot(page, f"{who}-{language}-{width}-user-menu")
                page.keyboard.press("Escape")
            # The menus to come (desk, inbox, bulletins, meetings, search, community, evaluations):
            # seven more groups with long labels still fit, bell and user menu included.
            page.evaluate(FUTURE_MENUS)
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 860})
                misfits += _misfits(page, f"{who} {language} {width} px, seven more menus")
            page.set_viewport_size({"width": WIDTHS[0], "height": 860})
            _shot(page, f"{who}-{language}-{WIDTHS[0]}-seven-more-menus")
            # A phone's bar holds the bell with both counts at 99+, the language, the user and the toggler.
            page.goto(f"{live_server.url}/")
            page.evaluate(FULL_BELL)
            for width in PHONE_WIDTHS:
                page.set_viewport_size({"width": width, "height": 760})
                misfits += _misfits(page, f"{who} {language} {width} px, the bell at 99+")
                _shot(page, f"{who}-{language}-{width}-full-bell")
            context.close()
    assert not misfits, "\n".join(misfits)
    assert min(measured.values()) >= 20, measured


def test_a_citizen_at_the_root_finds_where_to_report_follow_and_read_the_alerts_on_a_phone(
    page: Page, live_server, e2e_world, shot
):
    from django.utils import timezone

    from incidents.threats import services as threat_services
    from tests.factories import category

    threat_services.threat_log(
        actor=e2e_world.alice,
        headline="Banjir rob di Bontang Kuala: air laut naik hingga 50 cm",
        instruction="Pindahkan kendaraan ke tempat tinggi, hindari Jl. Kapal Layar.",
        category=category("flood-tidal"),
        areas=[e2e_world.areas.guntung],
        classification="public",
        expires_at=timezone.now() + timezone.timedelta(hours=12),
    )
    threat_services.threat_log(
        actor=e2e_world.alice,
        headline="Razia gabungan malam ini",
        category=category("terrorism-threat"),
        areas=[e2e_world.areas.guntung],
        classification="restricted",
    )
    page.set_viewport_size({"width": 360, "height": 780})
    page.goto(f"{live_server.url}/")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.get_by_test_id("home-report")).to_be_visible()
    expect(page.get_by_test_id("public-alert")).to_have_count(1)
    expect(page.get_by_test_id("home-alerts")).to_contain_text("Banjir rob")
    expect(page.get_by_test_id("home-alerts")).not_to_contain_text("Razia")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot("home-public-phone")

    page.fill("#home-track-code", "nosuchcode")
    page.get_by_test_id("home-track").locator("button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/lapor/lacak/?code=nosuchcode")
    expect(page.get_by_test_id("error-code")).to_be_visible()  # the tracking page answers

    page.goto(f"{live_server.url}/accounts/login/")
    shot("login-with-public-link-phone")
    page.get_by_test_id("public-portal-link").get_by_role("link").click()
    page.wait_for_url(f"{live_server.url}/")
    page.get_by_test_id("home-report").get_by_role("link").first.click()
    page.wait_for_url(f"{live_server.url}/lapor/")
