"""The demo's evaluations: the "done when" walk is ready for the demo logins, and a second seed
changes nothing."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from coordination.models import ActionItem, Evaluation

pytestmark = pytest.mark.django_db


def test_the_seed_publishes_last_quarter_and_drafts_this_one(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
    rows = list(
        Evaluation.objects.filter(owner_agency__code="polres-bontang", scope_key="city").order_by("period_start")
    )
    assert [e.status for e in rows] == ["published", "draft"]
    last = rows[0]
    assert list(last.shared_with.values_list("code", flat=True)) == ["kodim-bontang"]
    assert last.public and last.findings.count() == 2
    assert sorted(last.action_items.values_list("status", flat=True)) == [
        ActionItem.Status.DONE,
        ActionItem.Status.OPEN,
    ]
    assert last.action_items.filter(status="done", closed_at__isnull=False).exists()
    assert rows[1].recurring
    call_command("seed_demo")
    assert Evaluation.objects.count() == 2
