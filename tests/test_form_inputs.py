"""Machine values stay machine values in every language; numbers shown follow the language.

Every page with a form is rendered in Bahasa Indonesia and in English, with data in its
inputs: each `<input type=date|time|datetime-local|number>` must carry the ISO form (the
browser empties anything else, e.g. `22.00.00`), and each `data-lat`/`data-lon` must be a
number a script can read. Coordinates shown as text follow the reader's language.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.models import Classification, Severity
from coordination.exercises import services as exercise_services
from coordination.models import JointOperation
from coordination.operations import services as coordination_services
from incidents import services
from incidents.risks import services as risk_services
from incidents.threats import services as threat_services

from .browser_form import MACHINE_FORMS, is_machine_value, typed_inputs
from .factories import CitizenReportFactory, category

NUMBER = MACHINE_FORMS["number"]


@pytest.fixture
def objects(world, django_capture_on_commit_callbacks):
    Area = type(world.areas.bontang)
    Area.objects.filter(pk=world.areas.bontang.pk).update(
        centroid_lat=Decimal("0.133300"), centroid_lon=Decimal("117.5")
    )
    world.a.latitude, world.a.longitude = Decimal("0.129000"), Decimal("117.480000")
    world.a.save(update_fields=["latitude", "longitude"])
    start = timezone.now() + datetime.timedelta(days=2)
    operation = coordination_services.operation_create(
        actor=world.alice,
        name="Operasi Pekat",
        kind=JointOperation.Kind.ENFORCEMENT,
        areas=[world.areas.bontang],
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=6),
        command_post_lat=Decimal("0.137000"),
        command_post_lon=Decimal("117.494000"),
    )
    coordination_services.participation_add(actor=world.alice, operation=operation, agency=world.b, personnel=1250)
    exercise = exercise_services.exercise_create(
        actor=world.alice,
        name="Latihan",
        kind="training",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        areas=[world.areas.bontang],
    )
    incident = services.incident_create(
        actor=world.alice,
        title="Pencurian",
        category=category("crime-theft"),
        area=world.areas.guntung,
        latitude=Decimal("0.176000"),
        longitude=Decimal("117.471000"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        threat = threat_services.threat_log(
            actor=world.alice,
            headline="Ancaman",
            category=category("terrorism-threat"),
            areas=[world.areas.guntung],
            severity=Severity.MODERATE,
            expires_at=start,
        )
    risk = risk_services.risk_create(
        actor=world.alice,
        area=world.areas.bontang_utara,
        hazard=category("flood"),
        likelihood=3,
        impact=4,
        assessed_on=datetime.date(2026, 1, 31),
        review_due=datetime.date(2026, 7, 31),
        classification=Classification.RESTRICTED,
    )
    report = CitizenReportFactory(area=world.areas.guntung, latitude="0.137000", longitude="117.494000")
    return {
        "operation": operation,
        "exercise": exercise,
        "incident": incident,
        "threat": threat,
        "risk": risk,
        "report": report,
    }


def _pages(world, o):
    """(url, user) of every page that shows a form, with values in its inputs where it can."""
    day = "date=2026-12-31"
    return [
        (reverse("operation-create"), world.alice),
        (reverse("operation-edit", args=[o["operation"].pk]), world.alice),
        (reverse("operation-detail", args=[o["operation"].pk]), world.alice),
        (reverse("operation-list") + "?starts_after=2026-01-01&starts_before=2026-12-31", world.alice),
        (reverse("exercise-create"), world.alice),
        (reverse("exercise-detail", args=[o["exercise"].pk]), world.alice),
        (reverse("exercise-list") + "?starts_after=2026-01-01", world.alice),
        (reverse("incident-create"), world.alice),
        (reverse("incident-edit", args=[o["incident"].pk]), world.alice),
        (reverse("incident-detail", args=[o["incident"].pk]), world.alice),
        (reverse("incident-list") + "?occurred_after=2026-01-01&occurred_before=2026-12-31", world.alice),
        (reverse("threat-create"), world.alice),
        (reverse("threat-edit", args=[o["threat"].pk]), world.alice),
        (reverse("threat-list"), world.alice),
        (reverse("alert-inbox"), world.charlie),
        (reverse("risk-create"), world.alice),
        (reverse("risk-edit", args=[o["risk"].pk]), world.alice),
        (reverse("risk-list"), world.alice),
        (reverse("patrol-calendar") + "?" + day, world.alice),
        (reverse("patrol-shift-create"), world.alice),
        (reverse("patrol-generate"), world.alice),
        (reverse("patrol-coverage"), world.alice),
        (reverse("report-create"), None),
        (reverse("report-track"), None),
        (reverse("report-queue"), world.alice),
        (reverse("report-detail", args=[o["report"].pk]), world.alice),
        (reverse("agency-list"), world.alice),
        (reverse("agency-detail", args=[world.a.pk]), world.alice),
        (reverse("area-browser"), world.alice),
        (reverse("area-detail", args=[world.areas.bontang.pk]), world.alice),
    ]


@pytest.mark.parametrize("language", ["id", "en"])
def test_every_typed_input_and_data_coordinate_is_machine_readable(client, world, objects, settings, language):
    settings.LANGUAGE_CODE = language
    bad, checked = [], 0
    for url, user in _pages(world, objects):
        if user is None:
            client.logout()
        else:
            client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        html = response.content.decode()
        for control in typed_inputs(html):
            value = control.attrs.get("value", "")
            checked += bool(value)
            if not is_machine_value(control.type, value):
                bad.append((url, control.name, control.type, value))
        for name, value in re.findall(r'data-(lat|lon|lng|latitude|longitude)="([^"]*)"', html):
            checked += 1
            if value and not NUMBER.match(value):
                bad.append((url, f"data-{name}", "number", value))
    assert not bad
    assert checked > 25  # the pages did render values: dates, times, coordinates, counts


def _text_of(html: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}"[^>]*>([^<]*)<', html)
    assert match, testid
    return match.group(1).strip()


@pytest.mark.parametrize(
    ("language", "shown"),
    [
        ("id", ["0,137000; 117,494000", "0,129000; 117,480000", "0,133300; 117,500000", "0,176000; 117,471000"]),
        ("en", ["0.137000, 117.494000", "0.129000, 117.480000", "0.133300, 117.500000", "0.176000, 117.471000"]),
    ],
)
def test_coordinates_shown_follow_the_language_everywhere(client, world, objects, settings, language, shown):
    settings.LANGUAGE_CODE = language
    client.force_login(world.alice)
    pages = {
        "operation": reverse("operation-detail", args=[objects["operation"].pk]),
        "report": reverse("report-detail", args=[objects["report"].pk]),
        "agency": reverse("agency-detail", args=[world.a.pk]),
        "area": reverse("area-detail", args=[world.areas.bontang.pk]),
        "incident": reverse("incident-detail", args=[objects["incident"].pk]),
    }
    html = {key: client.get(url).content.decode() for key, url in pages.items()}
    operation_point, agency_point, area_point, incident_point = shown
    assert operation_point in html["operation"]
    assert _text_of(html["report"], "report-coordinates") == operation_point
    assert agency_point in html["agency"]
    assert area_point in html["area"]
    assert incident_point in html["incident"]
    assert ("0.137000" if language == "id" else "0,137000") not in html["operation"]
    for page in html.values():  # the scripts still read ISO numbers
        for _name, value in re.findall(r'data-(lat|lon)="([^"]*)"', page):
            assert NUMBER.match(value)
