"""Browser: a commander plans a joint exercise, writes its after-action review and an action
item for a partner agency; the partner finds the overdue item on its dashboard.
Screenshots in test-results/screenshots/."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from coordination.models import ActionItem, Exercise

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.dates
def test_carol_plans_reviews_and_assigns_an_action_item(e2e_world, page, live_server, login, shot):
    w = e2e_world
    login("carol")
    page.get_by_test_id("nav-coordination").click()
    page.click("nav a[href='/exercises/']")
    page.goto(f"{live_server.url}/exercises/new/")
    page.fill("#id_name", "Latihan Gabungan Kebocoran Gas")
    page.select_option("#id_kind", "field_drill")
    page.fill("#id_starts_at", "2026-11-10T08:00")
    page.fill("#id_ends_at", "2026-11-10T12:00")
    page.select_option("#id_participants", [str(w.b.pk)])
    page.fill("#id_scenario", "Kebocoran gas di kilang; evakuasi warga Guntung.")
    shot("exercise-form")
    page.get_by_test_id("exercise-form").locator("button[type=submit]").click()
    expect(page.get_by_test_id("exercise-name")).to_contain_text("Latihan Gabungan Kebocoran Gas")
    exercise = Exercise.objects.get()
    assert exercise.lead_agency == w.a and list(exercise.participants.all()) == [w.b]

    page.get_by_test_id("review").locator("summary").click()  # the review form folds away
    review = page.get_by_test_id("review-form")
    review.locator("textarea[name=observations]").fill("Sirene tidak terdengar di RT 12.")
    review.locator("textarea[name=gaps]").fill("Jalur evakuasi belum ditandai.")
    review.locator("button[type=submit]").click()
    expect(page.get_by_test_id("review")).to_contain_text("Jalur evakuasi belum ditandai.")

    items = page.get_by_test_id("action-item-form")
    items.locator("input[name=description]").fill("Pasang rambu jalur evakuasi")
    items.locator("select[name=owner_agency]").select_option(str(w.b.pk))
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    items.locator("input[name=due_date]").fill(yesterday.isoformat())
    items.locator("button[type=submit]").click()
    expect(page.get_by_test_id("action-item")).to_contain_text("Pasang rambu jalur evakuasi")
    shot("exercise-detail")
    item = ActionItem.objects.get()
    assert (item.owner_agency, item.due_date, item.status) == (w.b, yesterday, "open")

    page.context.clear_cookies()
    login("bob")
    page.goto(f"{live_server.url}/")
    expect(page.locator("main")).to_contain_text("Pasang rambu jalur evakuasi")
    shot("dashboard-overdue-action-item")
