"""Browser: a planner reads the patrol calendar (week and month), sees a double-booked unit,
opens the shift, and looks at the coverage of the city. Screenshots in test-results/screenshots/."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from agencies.models import Classification
from coordination.models import AgencyCapacity, JointOperation, Participation
from coordination.patrols import services as patrol_services

# The plan starts "tomorrow": run again at the awkward instants (a Saturday night, a month's end).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.dates]


@pytest.fixture
def plan(e2e_world):
    w = e2e_world
    op = JointOperation.objects.create(
        name="Patroli Gabungan Bontang Utara",
        kind=JointOperation.Kind.JOINT_PATROL,
        lead_agency=w.a,
        classification=Classification.RESTRICTED,
    )
    Participation.objects.create(operation=op, agency=w.b)
    AgencyCapacity.objects.create(agency=w.a, personnel=100)
    # Tomorrow and 23:00 in the area's zone (WITA), the zone the calendar shows Bontang in: in the
    # server's zone (WIB) 23:00 is already the next day there, in the next week on a Sunday.
    zone = ZoneInfo(w.areas.bontang_utara.timezone)
    first = timezone.localdate(timezone=zone) + datetime.timedelta(days=1)
    patrol_services.patrol_plan_generate(
        user=w.admin,
        operation=op,
        first_date=first,
        days=5,
        start_time=datetime.time(22),
        end_time=datetime.time(4),
        areas=[w.areas.bontang_utara],
        contributions=[{"agency": w.a, "unit_name": "Sabhara 1", "headcount": 8, "vehicles": 2}],
    )
    # The same unit on a second, overlapping shift: a conflict saved with a recorded override.
    start = datetime.datetime.combine(first, datetime.time(23), tzinfo=zone)
    patrol_services.shift_create(
        user=w.carol,
        operation=op,
        title="Pengamanan pelabuhan",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=3),
        areas=[w.areas.bontang_utara],
        contributions=[{"agency": w.a, "unit_name": "Sabhara 1", "headcount": 8, "vehicles": 1}],
        override_reason="Unit dibagi dua regu",
    )
    return op, first


def test_a_planner_reads_the_calendar_and_finds_the_conflict(plan, page, live_server, login, shot):
    op, first = plan
    login("carol")
    page.get_by_test_id("nav-coordination").click()
    page.click("nav a[href='/patrols/']")
    page.goto(f"{live_server.url}/patrols/?view=week&date={first.isoformat()}")
    grid = page.get_by_test_id("calendar-grid")
    expect(grid).to_be_visible()
    expect(grid.get_by_test_id("conflict-badge").first).to_be_visible()
    shot("patrol-calendar-week")
    page.select_option("#id_view", "month")
    expect(page.get_by_test_id("calendar-grid")).to_have_class(re.compile("patrol-month"))
    assert "/patrols/?" in page.url and "view=month" in page.url
    shot("patrol-calendar-month")
    page.goto(f"{live_server.url}/patrols/?view=week&date={first.isoformat()}")
    page.locator("a.patrol-block.has-conflict", has_text="Pengamanan pelabuhan").first.click()
    expect(page.get_by_test_id("contributions")).to_contain_text("Sabhara 1")
    expect(page.get_by_test_id("overrides")).to_contain_text("Unit dibagi dua regu")
    shot("patrol-shift-detail")
    page.goto(f"{live_server.url}/patrols/coverage/")
    expect(page.get_by_test_id("coverage-table")).to_be_visible()
    shot("patrol-coverage")


def test_the_calendar_fits_a_phone(plan, page, live_server, login, shot):
    _op, first = plan
    page.set_viewport_size({"width": 390, "height": 844})
    login("alice")
    page.goto(f"{live_server.url}/patrols/?view=week&date={first.isoformat()}")
    expect(page.get_by_test_id("calendar-grid")).to_be_visible()
    shot("patrol-calendar-phone")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1
