"""Saving a form unchanged changes nothing; a time typed is the time stored, in the area's zone.

Every form of the operation, exercise and patrol pages is opened as rendered, posted back as a
browser would (`tests/browser_form.py`), in both languages, for areas in WIB, WITA and WIT with
the server in settings.TIME_ZONE (WIB).
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.models import Classification
from coordination.exercises import services as exercise_services
from coordination.models import ActionItem, Exercise, JointOperation, PatrolShift, SitRep
from coordination.operations import services

from ..browser_form import as_post_data, post_rendered, rendered_form


def _errors(response):
    """The errors of the forms a refused post re-rendered (the assertion's message)."""
    keys = ("form", "formset", "sitrep_form", "review_form", "item_form", "conflicts")
    return {
        key: getattr(response.context[key], "errors", response.context[key])
        for key in keys
        if response.context and key in response.context
    }


def _minute(value):
    return value.replace(second=0, microsecond=0) if value else value


def _at(zone, *args):
    return datetime.datetime(*args, tzinfo=zone)


# --- Operations ----------------------------------------------------------------------------


def _operation(world, zone, **fields):
    now = timezone.now().astimezone(zone)
    start = now.replace(hour=21, minute=37, second=0, microsecond=0) + datetime.timedelta(days=3)
    return services.operation_create(
        actor=world.alice,
        name="Operasi Pekat Mahakam",
        kind=JointOperation.Kind.ENFORCEMENT,
        classification=Classification.CONFIDENTIAL,
        areas=[world.areas.bontang, world.areas.bontang_utara],
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=7, minutes=8),
        objectives="Razia gabungan.\nDua titik:\n- Simpang Tugu\n- Lok Tuan",
        command_post="Mako Polres Bontang",
        command_post_lat=Decimal("0.137000"),
        command_post_lon=Decimal("117.500123"),
        **fields,
    )


def _operation_state(op):
    op.refresh_from_db()
    return {
        "name": op.name,
        "kind": op.kind,
        "classification": op.classification,
        "starts_at": _minute(op.starts_at),
        "ends_at": _minute(op.ends_at),
        "objectives": op.objectives,
        "command_post": op.command_post,
        "lat": op.command_post_lat,
        "lon": op.command_post_lon,
        "areas": sorted(a.pk for a in op.areas.all()),
    }


@pytest.mark.parametrize("editor", ["alice", "admin"])
def test_saving_an_operation_unchanged_changes_nothing(client, world, zone, language, editor):
    """Staff pick among provinces and regencies: the operation's district stays offered."""
    op = _operation(world, zone)
    before = _operation_state(op)
    client.force_login(getattr(world, editor))

    for _save in range(2):  # the defect moved the times again at each save
        response = post_rendered(client, reverse("operation-edit", args=[op.pk]))
        assert response.status_code == 302, _errors(response)
        assert _operation_state(op) == before


def test_the_edit_page_shows_the_operation_in_its_area_zone(client, world, zone):
    op = _operation(world, zone)
    client.force_login(world.alice)
    pairs = dict(rendered_form(client.get(reverse("operation-edit", args=[op.pk])).content.decode(), action=""))
    assert pairs["starts_at"] == op.starts_at.astimezone(zone).strftime("%Y-%m-%dT%H:%M")
    assert pairs["command_post_lat"] == "0.137000"


def test_an_operation_created_stores_the_time_typed_in_its_area_zone(client, world, zone, language):
    client.force_login(world.alice)
    year = timezone.now().year + 1
    response = post_rendered(
        client,
        reverse("operation-create"),
        changes={
            "name": "Operasi Lilin",
            "areas": [str(world.areas.bontang.pk)],
            "starts_at": f"{year}-12-24T18:05",
            "ends_at": f"{year}-12-26T06:45",
        },
    )
    assert response.status_code == 302, _errors(response)
    op = JointOperation.objects.get(name="Operasi Lilin")
    assert op.starts_at == _at(zone, year, 12, 24, 18, 5)
    assert op.ends_at == _at(zone, year, 12, 26, 6, 45)
    assert _operation_state(op) == _operation_state(op)  # sanity: reading twice is stable
    before = _operation_state(op)
    assert post_rendered(client, reverse("operation-edit", args=[op.pk])).status_code == 302
    assert _operation_state(op) == before


def test_a_sitrep_period_is_read_in_the_operation_zone(client, world, zone, language):
    op = _operation(world, zone)
    client.force_login(world.alice)
    response = post_rendered(
        client,
        reverse("operation-detail", args=[op.pk]),
        action=reverse("operation-sitrep", args=[op.pk]),
        changes={"period_start": "2026-06-01T06:00", "period_end": "2026-06-01T18:30", "summary": "Aman."},
    )
    assert response.status_code == 302, _errors(response)
    sitrep = SitRep.objects.get(operation=op)
    assert (sitrep.period_start, sitrep.period_end) == (_at(zone, 2026, 6, 1, 6, 0), _at(zone, 2026, 6, 1, 18, 30))


# --- Exercises -----------------------------------------------------------------------------


def test_an_exercise_created_stores_the_time_typed_in_its_area_zone(client, world, zone, language):
    client.force_login(world.alice)
    response = post_rendered(
        client,
        reverse("exercise-create"),
        changes={
            "name": "Latihan Evakuasi Tsunami",
            "areas": [str(world.areas.bontang_utara.pk)],
            "starts_at": "2026-09-14T07:30",
            "ends_at": "2026-09-14T12:15",
        },
    )
    assert response.status_code == 302, _errors(response)
    exercise = Exercise.objects.get(name="Latihan Evakuasi Tsunami")
    assert (exercise.starts_at, exercise.ends_at) == (_at(zone, 2026, 9, 14, 7, 30), _at(zone, 2026, 9, 14, 12, 15))


@pytest.fixture
def exercise(world, zone):
    start = timezone.now() - datetime.timedelta(days=2)
    exercise = exercise_services.exercise_create(
        actor=world.alice,
        name="Latihan Kebakaran",
        kind=Exercise.Kind.FULL_SCALE if hasattr(Exercise.Kind, "FULL_SCALE") else Exercise.Kind.choices[0][0],
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=4),
        areas=[world.areas.bontang],
    )
    return exercise_services.exercise_review(
        actor=world.alice, exercise=exercise, observations="Respon 12 menit.\nAlat lengkap.", strengths="Koordinasi"
    )


def test_saving_an_exercise_review_unchanged_changes_nothing(client, world, exercise, language):
    client.force_login(world.alice)
    url = reverse("exercise-detail", args=[exercise.pk])
    response = post_rendered(client, url, action=reverse("exercise-review", args=[exercise.pk]))
    assert response.status_code == 302, _errors(response)
    exercise.refresh_from_db()
    assert (exercise.observations, exercise.strengths, exercise.gaps) == (
        "Respon 12 menit.\nAlat lengkap.",
        "Koordinasi",
        "",
    )


def test_an_action_item_due_date_is_the_date_typed(client, world, exercise, language):
    client.force_login(world.alice)
    response = post_rendered(
        client,
        reverse("exercise-detail", args=[exercise.pk]),
        action=reverse("exercise-action-item-add", args=[exercise.pk]),
        changes={"description": "Ganti selang", "owner_agency": str(world.a.pk), "due_date": "2026-12-31"},
    )
    assert response.status_code == 302, _errors(response)
    assert ActionItem.objects.get(exercise=exercise).due_date == datetime.date(2026, 12, 31)


# --- Patrols -------------------------------------------------------------------------------


@pytest.fixture
def active_operation(world, zone):
    op = _operation(world, zone)
    op.status = JointOperation.Status.ACTIVE
    op.save(update_fields=["status"])
    return op


def test_a_shift_created_stores_the_time_typed_in_its_area_zone(client, world, active_operation, zone, language):
    client.force_login(world.alice)
    response = post_rendered(
        client,
        reverse("patrol-shift-create"),
        changes={
            "operation": str(active_operation.pk),
            "area": str(world.areas.guntung.pk),
            "starts_at": "2026-08-17T20:10",
            "ends_at": "2026-08-18T02:40",
        },
    )
    assert response.status_code == 302, _errors(response)
    shift = PatrolShift.objects.get(operation=active_operation)
    assert (shift.starts_at, shift.ends_at) == (_at(zone, 2026, 8, 17, 20, 10), _at(zone, 2026, 8, 18, 2, 40))


def test_a_recurring_plan_keeps_its_rendered_times_in_both_languages(client, world, active_operation, zone, language):
    """The page renders 22:00 and 04:00: a browser must be able to send them back (the defect
    rendered `22.00.00` in Indonesian, which the browser drops)."""
    client.force_login(world.alice)
    html = client.get(reverse("patrol-generate")).content.decode()
    pairs = as_post_data(rendered_form(html, action=""))
    assert (pairs["start_time"], pairs["end_time"]) == (["22:00"], ["04:00"])
    response = post_rendered(
        client,
        reverse("patrol-generate"),
        changes={
            "operation": str(active_operation.pk),
            "area": str(world.areas.guntung.pk),
            "first_date": "2026-10-01",
            "days": "2",
        },
    )
    assert response.status_code == 302, _errors(response)
    shifts = list(PatrolShift.objects.filter(operation=active_operation).order_by("starts_at"))
    assert [(s.starts_at, s.ends_at) for s in shifts] == [
        (_at(zone, 2026, 10, 1, 22, 0), _at(zone, 2026, 10, 2, 4, 0)),
        (_at(zone, 2026, 10, 2, 22, 0), _at(zone, 2026, 10, 3, 4, 0)),
    ]
