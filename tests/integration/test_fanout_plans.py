"""The fan-out's foreign-key checks look alerts up by index, whatever PostgreSQL's statistics say.

On a fresh database autovacuum analyzes `incidents_alert` while it holds a handful of rows; the
planner then checks each delivery's alert with a sequential scan of that "tiny" table, and keeps
that plan while fan-outs grow it: 10,000 deliveries went from 76 to 449 ms over eight fan-outs.
incidents/threats/fanout.py pins the checks to index look-ups (bench/fanout.py --fresh-only shows the time).
"""

from __future__ import annotations

import pytest
from django.db import connection

from agencies.models import Severity
from incidents.models import Delivery
from incidents.threats import services as threat_services
from tests.factories import AgencyFactory, MembershipFactory, SubscriptionFactory, category

pytestmark = pytest.mark.integration

MEMBERS = 20


def _alert_scans() -> tuple[int, int]:
    """Sequential and index scans of incidents_alert so far. The fan-outs ran in this process,
    on this connection: its counts are flushed to the statistics views as it goes idle."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")
        cursor.execute(
            "SELECT seq_scan, coalesce(idx_scan, 0) FROM pg_stat_user_tables WHERE relname = 'incidents_alert'"
        )
        return cursor.fetchone()


def test_the_deliveries_alerts_are_checked_by_index_after_a_tiny_analyze(
    transactional_db, world, settings, django_capture_on_commit_callbacks
):
    """transactional_db: the checks run when the fan-out's transactions commit, as in life."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    agencies = [AgencyFactory(jurisdiction=[world.areas.balikpapan]) for _ in range(3)]
    for agency in agencies:
        SubscriptionFactory(agency=agency, areas=[world.areas.bontang])
        for _ in range(MEMBERS):
            MembershipFactory(agency=agency, role="viewer")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE incidents_alert")  # as autovacuum leaves a fresh database: a tiny table
    deliveries = 0
    seq_before, idx_before = _alert_scans()
    for n in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            threat = threat_services.threat_log(
                actor=world.alice,
                headline=f"Ancaman bom di pelabuhan {n}",
                category=category("terrorism-threat"),
                areas=[world.areas.guntung],
                severity=Severity.MODERATE,
            )
        deliveries += Delivery.objects.filter(alert__threat=threat, channel=Delivery.Channel.IN_APP).count()
    seq_after, idx_after = _alert_scans()

    assert deliveries >= 3 * 3 * MEMBERS
    # A handful of scans of the fan-out's own queries, not one per delivery.
    assert seq_after - seq_before < 3 * 10, (seq_after - seq_before, deliveries)
    assert idx_after - idx_before >= deliveries
