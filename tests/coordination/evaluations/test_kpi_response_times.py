"""The incident's response times the KPIs read: verified_at and responding_at are set the first
time the incident reaches each stage and never moved after; the migration backfills them from
the timeline; the percentiles run as percentile_cont on PostgreSQL and kpi_percentile on SQLite."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
import time_machine
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import Membership
from incidents import services
from incidents.models import Incident, IncidentEvent
from tests.factories import AgencyFactory, IncidentFactory, MembershipFactory

from .kpi_world import NOW, build, snapshot

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 7, 1, 1, 0, tzinfo=dt.UTC)


def _move(actor, incident, status, minutes):
    with time_machine.travel(T0 + dt.timedelta(minutes=minutes), tick=False):
        return services.incident_change_status(actor=actor, incident=incident, status=status)


def test_the_first_verification_and_response_are_kept_through_later_moves():
    agency = AgencyFactory()
    actor = MembershipFactory(agency=agency, role=Membership.Role.COMMANDER).user
    incident = IncidentFactory(reporting_agency=agency)
    S = Incident.Status
    _move(actor, incident, S.VERIFIED, 10)
    _move(actor, incident, S.CONTAINED, 25)  # straight on: the response had begun by then
    _move(actor, incident, S.RESPONDING, 40)
    _move(actor, incident, S.RESOLVED, 90)
    incident.refresh_from_db()
    assert incident.verified_at == T0 + dt.timedelta(minutes=10)
    assert incident.responding_at == T0 + dt.timedelta(minutes=25)
    assert incident.resolved_at == T0 + dt.timedelta(minutes=90)


def test_a_rejected_incident_reopened_keeps_no_response_time():
    agency = AgencyFactory()
    actor = MembershipFactory(agency=agency, role=Membership.Role.COMMANDER).user
    incident = IncidentFactory(reporting_agency=agency)
    _move(actor, incident, Incident.Status.REJECTED, 5)
    _move(actor, incident, Incident.Status.REPORTED, 6)
    incident.refresh_from_db()
    assert (incident.verified_at, incident.responding_at) == (None, None)


def test_the_migration_backfills_the_times_from_the_timeline():
    incident = IncidentFactory()
    for minutes, kind, to in ((5, "verified", "verified"), (30, "status", "contained"), (60, "status", "resolved")):
        event = IncidentEvent.objects.create(incident=incident, kind=kind, data={"from": "x", "to": to})
        IncidentEvent.objects.filter(pk=event.pk).update(at=T0 + dt.timedelta(minutes=minutes))
    importlib.import_module("incidents.migrations.0017_incident_response_times").backfill(apps, None)
    incident.refresh_from_db()
    assert incident.verified_at == T0 + dt.timedelta(minutes=5)
    assert incident.responding_at == T0 + dt.timedelta(minutes=30)


def test_the_percentile_is_the_databases_own_where_it_has_one():
    with time_machine.travel(NOW, tick=False):
        w = build()
    with CaptureQueriesContext(connection) as queries:
        snapshot(w)
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    if connection.vendor == "postgresql":
        assert "percentile_cont(0.5) WITHIN GROUP" in sql and "kpi_percentile" not in sql
    else:
        assert "kpi_percentile(" in sql and "percentile_cont" not in sql
