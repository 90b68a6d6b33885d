"""Schema fuzzing: every operation of /api/v1/schema/, in process (WSGI, no server), as staff.

schemathesis generates requests from the published schema and checks that no answer is a
server error (`not_a_server_error`) and that every answer matches what the schema documents for
its status (`response_schema_conformance`). The seed is fixed (hypothesis `derandomize`) and the
examples per operation bounded, so a run is the same every time and takes about two minutes on
two cores (`pytest tests/api/test_schemathesis.py`). Each operation is one test inside its own
transaction (pytest-django's `db`): whatever its examples write is rolled back after it.

A path's ids are those of a small seeded world, so that the fuzzer reaches the serializers and
services behind a record rather than a 404 for an id that does not exist.
"""

from __future__ import annotations

import datetime

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import response_schema_conformance

from agencies.models import Classification, Severity
from config.wsgi import application
from coordination.community.programmes import services as programme_services
from coordination.exercises import services as exercise_services
from coordination.operations import services as operation_services
from coordination.patrols import services as patrol_services
from incidents.threats import services as threat_services
from tests.factories import (
    CameraFactory,
    CitizenReportFactory,
    IncidentFactory,
    RiskAssessmentFactory,
    SubscriptionFactory,
    VitalObjectFactory,
    category,
)

SEED = 20261205
MAX_EXAMPLES = 6
# Two phases per operation: coverage, the schema's boundary values turned invalid (a body that
# is not JSON or not an object, a wrong type, a value past a bound: what answered a 500 or a
# 400 of another shape), and fuzzing, MAX_EXAMPLES valid requests generated from the schema
# (what answered fields outside their documented format). Methods an operation does not have
# are left out: a 405 says nothing about the schema. About 2 minutes of CPU for 117 operations.
CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": SEED,
        "phases": {"coverage": {"unexpected-methods": [], "generation": {"mode": "negative"}}},
    }
)
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application, config=CONFIG)
CHECKS = [not_a_server_error, response_schema_conformance]


@pytest.fixture
def _keep_the_test_connection():
    """The WSGI handler closes the database connection when a request ends (close_old_connections),
    which on PostgreSQL would end the test's transaction: Django's test client unhooks it the
    same way while it serves a request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def seeded(world, settings, django_capture_on_commit_callbacks):
    """The personas' world with one record of each kind the API reaches by id, and generous rate
    limits (the limits themselves are tested in tests/incidents/test_throttles.py)."""
    settings.SINERGI_REPORT_RATE_MINUTE = settings.SINERGI_REPORT_RATE_DAY = "100000/minute"
    settings.SINERGI_REPORT_TRACK_RATE = settings.SINERGI_PUBLIC_RATE = "100000/minute"
    settings.LANGUAGE_CODE = "en"
    cache.clear()
    now = timezone.now()
    incident = IncidentFactory(reporting_agency=world.a, area=world.areas.guntung)
    with django_capture_on_commit_callbacks(execute=True):
        threat = threat_services.threat_log(
            actor=world.alice,
            headline="Ancaman di pelabuhan",
            category=category("terrorism-threat"),
            areas=[world.areas.guntung],
            severity=Severity.MODERATE,
            classification=Classification.PUBLIC,
        )
    operation = operation_services.operation_create(
        actor=world.alice,
        name="Operasi Pekat",
        kind="enforcement",
        classification=Classification.RESTRICTED,
        areas=[world.areas.bontang],
        starts_at=now + datetime.timedelta(days=1),
        ends_at=now + datetime.timedelta(days=2),
    )
    participation = operation_services.participation_add(
        actor=world.alice, operation=operation, agency=world.b, personnel=5
    )
    shift = patrol_services.shift_create(
        user=world.alice,
        operation=operation,
        starts_at=now + datetime.timedelta(days=1),
        ends_at=now + datetime.timedelta(days=1, hours=4),
        areas=[world.areas.bontang],
    )
    exercise = exercise_services.exercise_create(
        actor=world.alice,
        name="Simulasi banjir",
        kind="tabletop",
        starts_at=now - datetime.timedelta(days=2),
        ends_at=now - datetime.timedelta(days=1),
        areas=[world.areas.bontang],
    )
    item = exercise_services.action_item_create(
        actor=world.alice,
        exercise=exercise,
        description="Perbaiki sirene",
        owner_agency=world.a,
        due_date=now.date() + datetime.timedelta(days=7),
    )
    report = CitizenReportFactory(area=world.areas.guntung)
    begun = now - datetime.timedelta(hours=1)
    programme = programme_services.programme_create(
        actor=world.alice,
        kind="seminar",
        title="Seminar kenakalan remaja",
        area=world.areas.bontang,
        sessions=[(begun, begun + datetime.timedelta(hours=3))],
        target_groups=[{"group": "youth", "age_band": "18-25", "sex": "any", "planned": 50}],
        partners=[world.b],
    )
    programme_services.programme_approve(actor=world.carol, programme=programme)
    ids = {
        "action-items": item.pk,
        "agencies": world.a.pk,
        "alerts": threat.alerts.values_list("pk", flat=True).first() or 0,
        "areas": world.areas.guntung.pk,
        "cameras": CameraFactory(operator=world.a, area=world.areas.guntung).pk,
        "exercises": exercise.pk,
        "incidents": incident.pk,
        "members": world.a.memberships.values_list("pk", flat=True).first(),
        "operations": operation.pk,
        "partnerships": world.a.partnerships.values_list("pk", flat=True).first(),
        "reports": report.pk,
        "risks": RiskAssessmentFactory(area=world.areas.guntung, assessing_agency=world.a).pk,
        "shifts": shift.pk,
        "subscriptions": SubscriptionFactory(agency=world.a, areas=[world.areas.bontang]).pk,
        "threats": threat.pk,
        "vital-objects": VitalObjectFactory(area=world.areas.guntung).pk,
        "participation_id": participation.pk,
        "programmes": programme.pk,
        "tracking_code": report.tracking_code,
        "identifier": threat.identifier,
    }
    return ids


def with_seeded_ids(case, ids) -> None:
    """Point a generated path at the seeded record of its kind (every other value stays fuzzed)."""
    kind = case.operation.path.split("/")[3].removesuffix(".geojson").removesuffix(".ics")
    for name in list(case.path_parameters or {}):
        key = kind if name == "id" else name
        if ids.get(key) is not None:
            case.path_parameters[name] = ids[key]


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.django_db
def test_every_operation_answers_as_documented(case, seeded, world, _keep_the_test_connection):
    with_seeded_ids(case, seeded)
    token, _ = Token.objects.get_or_create(user=world.admin)
    case.call_and_validate(headers={"Authorization": f"Token {token.key}"}, checks=CHECKS)
