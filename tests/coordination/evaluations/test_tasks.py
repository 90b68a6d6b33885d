"""The beat: a recurring series' draft once its period has ended, idempotent; drafts recomputed."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from coordination.evaluations.tasks import evaluations_schedule
from coordination.models import Evaluation

from .helpers import make_evaluation

pytestmark = pytest.mark.django_db


def test_it_drafts_the_period_that_ended_once(world):
    make_evaluation(world, period_start=datetime.date(2026, 5, 1), recurring=True)
    make_evaluation(
        world,
        scope_kind="area",
        scope_agency=None,
        scope_area=world.areas.guntung,
        period_start=datetime.date(2026, 5, 1),
    )
    assert evaluations_schedule()["created"] == 1
    made = Evaluation.objects.get(period_start=datetime.date(2026, 7, 1))
    assert (made.origin, made.recurring, made.status, made.scope_key) == (
        "scheduled",
        True,
        "draft",
        f"agency:{world.a.pk}",
    )
    assert made.computed_at is not None
    assert evaluations_schedule()["created"] == 0
    assert Evaluation.objects.count() == 3


def test_the_quarter_is_drafted_the_night_it_ends(world):
    make_evaluation(world, recurring=True)  # Q3 2026
    with time_machine.travel("2026-12-31 23:50 +07:00", tick=False):
        assert evaluations_schedule()["created"] == 0
    with time_machine.travel("2027-01-01 00:15 +07:00", tick=False):
        assert evaluations_schedule()["created"] == 1
    assert Evaluation.objects.filter(period_start=datetime.date(2026, 10, 1), origin="scheduled").exists()


def test_open_drafts_are_recomputed_and_others_left_alone(world):
    draft = make_evaluation(world)
    with time_machine.travel("2026-11-21 00:15 +07:00", tick=False):
        result = evaluations_schedule()
    draft.refresh_from_db()
    assert result["recomputed"] == 1
    assert draft.computed_at == datetime.datetime(2026, 11, 20, 17, 15, tzinfo=datetime.UTC)
