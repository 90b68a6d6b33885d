"""Browser (Indonesian): saving an operation unchanged changes nothing, and the recurring-plan
page shows its times (the browser drops a `22.00.00` value). Areas in WITA, server in WIB.
Screenshots in test-results/screenshots/."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from agencies.models import TimeZoneChoice
from coordination.models import JointOperation
from coordination.operations import services

pytestmark = pytest.mark.django_db(transaction=True)

WITA = ZoneInfo(TimeZoneChoice.WITA)


def test_carol_saves_an_operation_unchanged_and_nothing_moves(e2e_world, page, live_server, login, shot):
    w = e2e_world
    assert w.areas.bontang.timezone == TimeZoneChoice.WITA
    start = (timezone.now().astimezone(WITA) + datetime.timedelta(days=3)).replace(
        hour=21, minute=37, second=0, microsecond=0
    )
    op = services.operation_create(
        actor=w.carol,
        name="Operasi Pekat Mahakam",
        kind=JointOperation.Kind.ENFORCEMENT,
        areas=[w.areas.bontang],
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=6, minutes=8),
        objectives="Razia gabungan.\nDua titik.",
        command_post_lat=Decimal("0.137000"),
        command_post_lon=Decimal("117.494000"),
    )
    login("carol")
    for _save in range(2):
        page.goto(f"{live_server.url}/operations/{op.pk}/edit/")
        assert page.input_value("#id_starts_at") == start.strftime("%Y-%m-%dT%H:%M")
        assert page.input_value("#id_command_post_lat") == "0.137000"
        shot("operation-edit-unchanged")
        page.click("[data-testid=save-operation]")
        page.wait_for_selector("[data-testid=operation-name]")
        op.refresh_from_db()
        assert (op.starts_at, op.ends_at) == (start, start + datetime.timedelta(hours=6, minutes=8))
        assert op.objectives == "Razia gabungan.\nDua titik."
        assert (op.command_post_lat, op.command_post_lon) == (Decimal("0.137000"), Decimal("117.494000"))
    shot("operation-detail-after-unchanged-saves")


def test_the_recurring_plan_page_shows_its_times_in_indonesian(e2e_world, page, live_server, login, shot):
    w = e2e_world
    # The page is offered to who may plan an operation's shifts: carol's agency leads one.
    services.operation_create(
        actor=w.carol,
        name="Patroli Malam Guntung",
        kind=JointOperation.Kind.JOINT_PATROL,
        lead_agency=w.a,
        areas=[w.areas.guntung],
    )
    login("carol")
    page.goto(f"{live_server.url}/patrols/generate/")
    assert page.locator("html").get_attribute("lang") == "id"
    assert (page.input_value("#id_start_time"), page.input_value("#id_end_time")) == ("22:00", "04:00")
    shot("patrol-generate-id")
