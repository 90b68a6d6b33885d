"""The demo's evaluations (coordination/demo.py `seed_activity` calls it): the city's evaluation
of last quarter, kept by Polres Bontang, written, reviewed and published to Kodim Bontang with
findings and follow-up actions (one done on time, one still open), and the current quarter's
draft of the same series, which analyst.bontang writes, komandan.bontang reviews and publishes
and liaison.kodim reads (the "done when" walk). Through the services, as a user would;
idempotent (an evaluation of the series and period that exists is left alone)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from agencies.models import Agency
from coordination.models import ActionItem, Evaluation, KpiTarget

from . import services
from .periods import Period

OWNER = "polres-bontang"
PARTNER = "kodim-bontang"


def seed_evaluations(*, user: Callable[[str], Any]) -> int:
    """The two evaluations of the demo's series (see the module's docstring); returns how many were made."""
    from django.contrib.auth import get_user_model

    from coordination.exercises.services import action_item_update

    admin = get_user_model().objects.filter(is_staff=True, username="admin").first()
    owner = Agency.objects.filter(code=OWNER).first()
    partner = Agency.objects.filter(code=PARTNER).first()
    if admin is None or owner is None or partner is None:
        return 0
    # The city's target of response within the severity's time, and Polres Bontang's own, stricter.
    if not KpiTarget.objects.filter(kpi="incidents.within_target").exists():
        services.kpi_target_set(actor=admin, kpi="incidents.within_target", value="80")
        services.kpi_target_set(actor=user("komandan.bontang"), kpi="incidents.within_target", value="85", agency=owner)
    today = timezone.localdate()
    last, current = Period.last_ended("quarter", today), Period.containing("quarter", today)
    made = 0
    existing = Evaluation.objects.filter(owner_agency=owner, scope_key="city", period_kind="quarter")
    if not existing.filter(period_start=last.start).exists():
        analyst, commander = user("analyst.bontang"), user("komandan.bontang")
        evaluation = services.evaluation_create(
            actor=admin,
            owner_agency=owner,
            period_kind="quarter",
            period_start=last.start,
            scope_kind="city",
            recurring=True,
        )
        services.evaluation_update(
            actor=analyst,
            evaluation=evaluation,
            summary="Triwulan ini insiden menurun, tetapi waktu tanggap di Bontang Utara masih di atas target.",
        )
        slow = services.evaluation_finding_add(
            actor=analyst,
            evaluation=evaluation,
            text="Waktu tanggap insiden di Bontang Utara melewati target 60 menit pada malam hari.",
            kpi="incidents.respond_median",
        )
        voice = services.evaluation_finding_add(
            actor=analyst,
            evaluation=evaluation,
            text="Indeks kepuasan masyarakat naik setelah penyuluhan di sekolah; responden masih sedikit.",
            kpi="voice.skm_index",
        )
        done = services.evaluation_action_item_create(
            actor=analyst,
            evaluation=evaluation,
            finding=slow,
            description="Tambah satu regu piket malam di Polsek Bontang Utara",
            owner_agency=owner,
            due_date=last.end + datetime.timedelta(days=30),
        )
        services.evaluation_action_item_create(
            actor=analyst,
            evaluation=evaluation,
            finding=voice,
            description="Sebarkan survei SKM lewat kelurahan dan sekolah",
            owner_agency=partner,
            due_date=last.end + datetime.timedelta(days=45),
        )
        services.evaluation_review(actor=commander, evaluation=evaluation)
        services.evaluation_publish(actor=commander, evaluation=evaluation, shared_with=[partner])
        services.evaluation_publish_public(actor=commander, evaluation=evaluation)
        if done.status != ActionItem.Status.DONE:
            action_item_update(actor=analyst, item=done, status=ActionItem.Status.DONE)
        made += 1
    if not existing.filter(period_start=current.start).exists():
        services.evaluation_create(
            actor=admin,
            owner_agency=owner,
            period_kind="quarter",
            period_start=current.start,
            scope_kind="city",
            recurring=True,
        )
        made += 1
    return made
