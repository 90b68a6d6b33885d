"""Browser: a busy day of the patrol calendar folds into "+N more", and the link opens that day.
Screenshots in test-results/screenshots/."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from agencies.models import Classification
from coordination.models import JointOperation, PatrolShift, ShiftContribution

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_busy_day_folds_into_more_and_opens_as_a_day(e2e_world, page, live_server, login, shot):
    w = e2e_world
    op = JointOperation.objects.create(
        name="Operasi Ketupat",
        kind=JointOperation.Kind.JOINT_PATROL,
        lead_agency=w.a,
        classification=Classification.RESTRICTED,
    )
    day = timezone.localdate() + datetime.timedelta(days=2)
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(6)))
    shifts = PatrolShift.objects.bulk_create(
        PatrolShift(
            operation=op,
            title=f"Pos {i + 1}",
            starts_at=start + datetime.timedelta(minutes=20 * i),
            ends_at=start + datetime.timedelta(minutes=20 * i, hours=2),
        )
        for i in range(30)
    )
    ShiftContribution.objects.bulk_create(
        ShiftContribution(shift=s, agency=w.a, unit_name=f"Regu {i + 1}", headcount=4) for i, s in enumerate(shifts)
    )
    login("carol")
    page.goto(f"{live_server.url}/patrols/?date={day.isoformat()}")
    cell = page.locator(f"td[data-date='{day.isoformat()}']")
    expect(cell.get_by_test_id("shift-block")).to_have_count(8)
    more = cell.get_by_test_id("calendar-more")
    expect(more).to_contain_text("+22")
    shot("patrol-calendar-busy-day-week")

    more.click()
    expect(page).to_have_url(re.compile(rf"view=day.*date={day.isoformat()}|date={day.isoformat()}.*view=day"))
    expect(page.get_by_test_id("shift-block")).to_have_count(30)
    expect(page.get_by_test_id("calendar-more")).to_have_count(0)
    expect(page.get_by_test_id("shift-block").last).to_contain_text("Pos 30")
    expect(page.get_by_test_id("shift-block").last).to_contain_text("Regu 30")
    expect(page.locator("select[name=view]")).to_have_value("day")
    shot("patrol-calendar-busy-day")
