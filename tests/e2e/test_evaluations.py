"""Browser: the "done when" walk of evaluations. Last quarter's evaluation of Polres Bontang
(published, with a follow-up action done on time) and this quarter's draft exist; an analyst
(dina) opens the draft from the list, reads the indicators and the previous quarter's actions,
writes a finding with a follow-up action; the commander (carol) reviews it and publishes it to
BPBD and the public summary; BPBD's liaison (bob) finds it in the inbox and reads it; the PDF
downloads; a citizen reads the public summary. Screenshots in
test-results/screenshots/evaluation-*.png."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from agencies.models import Membership
from coordination.evaluations import services
from coordination.exercises.services import action_item_update
from coordination.models import ActionItem, Evaluation
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 860}


def _series(w):
    today = timezone.localdate()
    last_quarter = (today.replace(day=1) - datetime.timedelta(days=95)).replace(day=15)
    last = services.evaluation_create(
        actor=w.alice,
        period_kind="quarter",
        period_start=last_quarter,
        scope_kind="agency",
        scope_agency=w.a,
        recurring=True,
    )
    finding = services.evaluation_finding_add(actor=w.alice, evaluation=last, text="Patroli malam kurang di Guntung.")
    item = services.evaluation_action_item_create(
        actor=w.alice,
        evaluation=last,
        finding=finding,
        description="Tambah patroli malam di Guntung",
        owner_agency=w.a,
        due_date=today + datetime.timedelta(days=10),
    )
    services.evaluation_review(actor=w.carol, evaluation=last)
    services.evaluation_publish(actor=w.carol, evaluation=last, shared_with=[w.b])
    action_item_update(actor=w.alice, item=item, status=ActionItem.Status.DONE)
    draft = services.evaluation_create(
        actor=w.alice, period_kind="quarter", period_start=today, scope_kind="agency", scope_agency=w.a, recurring=True
    )
    return last, draft


def test_an_analyst_drafts_the_commander_publishes_and_the_partner_reads(e2e_world, page, live_server, login, shot):
    w = e2e_world
    MembershipFactory(
        user=UserFactory(username="dina", first_name="Dina", last_name="Lestari"),
        agency=w.a,
        role=Membership.Role.ANALYST,
    )
    last, draft = _series(w)

    login("dina")
    page.get_by_test_id("nav-coordination").click()
    page.get_by_test_id("nav-evaluations").click()
    expect(page.get_by_test_id("evaluation-row")).to_have_count(2)
    shot("evaluation-list")
    page.get_by_role("link", name=draft.title or "Polres Bontang").first.click()
    expect(page.get_by_test_id("evaluation-status")).to_contain_text("Draf")
    expect(page.get_by_test_id("previous-action")).to_contain_text("Tambah patroli malam di Guntung")
    expect(page.get_by_test_id("previous-action")).to_contain_text("Ya")  # done on time
    expect(page.get_by_test_id("evaluation-review")).to_have_count(0)  # an analyst does not review
    page.fill("#id_text", "Waktu tanggap malam hari masih di atas target di Bontang Utara.")
    page.select_option("#id_kpi", "incidents.respond_median")
    page.get_by_test_id("finding-submit").click()
    expect(page.get_by_test_id("finding")).to_have_count(1)
    page.fill("#id_description", "Tambah satu regu piket malam")
    page.select_option("#id_finding", index=1)
    page.select_option("#id_owner_agency", str(w.a.pk))
    page.fill("#id_due_date", (timezone.localdate() + datetime.timedelta(days=30)).isoformat())
    page.get_by_test_id("action-item-submit").click()
    expect(page.get_by_test_id("finding").get_by_test_id("action-item")).to_contain_text("Tambah satu regu piket malam")
    page.set_viewport_size(PHONE)
    shot("evaluation-draft-phone")
    page.set_viewport_size(LAPTOP)
    shot("evaluation-draft")

    page.context.clear_cookies()
    login("carol")
    page.goto(f"{live_server.url}/evaluations/{draft.pk}/")
    page.get_by_test_id("evaluation-review").click()
    expect(page.get_by_test_id("evaluation-status")).to_contain_text("Dievaluasi")
    expect(page.get_by_test_id("finding-form")).to_have_count(0)  # frozen once reviewed
    page.get_by_test_id("evaluation-publish").click()
    page.get_by_label(w.b.name).check()
    shot("evaluation-publish")
    page.get_by_test_id("publish-submit").click()
    expect(page.get_by_test_id("evaluation-frozen")).to_contain_text(w.b.name)
    page.get_by_test_id("evaluation-public-on").click()
    expect(page.get_by_test_id("evaluation-public-badge")).to_be_visible()
    shot("evaluation-published")
    draft.refresh_from_db()
    assert draft.status == Evaluation.Status.PUBLISHED and list(draft.shared_with.all()) == [w.b]

    page.context.clear_cookies()
    login("bob")
    page.goto(f"{live_server.url}/inbox/")
    page.get_by_role("link", name="Polres Bontang").first.click()
    expect(page.get_by_test_id("evaluation-title")).to_be_visible()
    expect(page.get_by_test_id("finding")).to_contain_text("Waktu tanggap malam hari")
    expect(page.get_by_test_id("evaluation-recompute")).to_have_count(0)
    shot("evaluation-partner")
    with page.expect_download() as download:
        page.get_by_test_id("evaluation-downloads").click()
        page.get_by_test_id("download-pdf").click()
    assert Path(download.value.path()).read_bytes()[:5] == b"%PDF-"

    page.context.clear_cookies()
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/evaluasi/")
    page.get_by_test_id("public-evaluation").first.click()
    expect(page.get_by_test_id("public-evaluation-title")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("Waktu tanggap malam hari")  # findings stay internal
    page.get_by_test_id("load-charts").click()  # Chart.js on demand only
    expect(page.get_by_test_id("load-charts")).to_be_hidden()
    shot("evaluation-public-phone")


def test_the_public_summary_stays_light_on_a_phone(e2e_world, browser, live_server):
    """The public pages' budget (test_portal_weight.py): 300 KB on a cold phone visit; the
    charts' scripts are loaded only when asked for."""
    from tests.e2e.test_portal_weight import BUDGET, _weigh

    w = e2e_world
    last, _draft = _series(w)
    services.evaluation_publish_public(actor=w.carol, evaluation=last)
    for path in ("/evaluasi/", f"/evaluasi/{last.pk}/", "/"):
        page_bytes, _map_bytes, map_files = _weigh(browser, live_server.url + path)
        assert page_bytes <= BUDGET, f"{path}: {page_bytes / 1024:.0f} KB"
        assert map_files == []
