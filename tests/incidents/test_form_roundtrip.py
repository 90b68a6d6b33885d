"""Saving a form unchanged changes nothing; a time typed is the time stored, in the area's zone.

The incident, threat, risk, assignment and citizen-report forms, opened as rendered and posted
back as a browser would (`tests/browser_form.py`), in both languages, for areas in WIB, WITA
and WIT with the server in settings.TIME_ZONE (WIB).
"""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from agencies.models import Classification, Severity
from incidents import services
from incidents.models import CitizenReport, Incident, RiskAssessment, Threat
from incidents.reports import services as report_services
from incidents.risks import services as risk_services
from incidents.threats import services as threat_services

from ..browser_form import post_rendered
from ..factories import category


def _errors(response):
    """The errors of the form a refused post re-rendered (the assertion's message)."""
    form = response.context and response.context.get("form")
    return getattr(form, "errors", response.status_code)


def _minute(value):
    return value.replace(second=0, microsecond=0) if value else value


def _text(value):
    return value or ""


def _at(zone, *args):
    return datetime.datetime(*args, tzinfo=zone)


def _recent(zone):
    """Yesterday 21:37 in the zone: in the past everywhere, with minutes that show a shift."""
    return (timezone.now().astimezone(zone) - datetime.timedelta(days=1)).replace(
        hour=21, minute=37, second=0, microsecond=0
    )


# --- Incidents -----------------------------------------------------------------------------


def _incident_state(incident):
    incident.refresh_from_db()
    return {
        "title": incident.title,
        "category": incident.category_id,
        "severity": incident.severity,
        "urgency": incident.urgency,
        "classification": incident.classification,
        "area": incident.area_id,
        "occurred_at": _minute(incident.occurred_at),
        "latitude": incident.latitude,
        "longitude": incident.longitude,
        "description": _text(incident.description),
        "lead": incident.lead_agency_id,
        "involved": sorted(a.pk for a in incident.involved_agencies.all()),
    }


@pytest.fixture
def incident(world, zone):
    return services.incident_create(
        actor=world.alice,
        title="Pencurian motor di Guntung",
        category=category("crime-theft"),
        area=world.areas.guntung,
        occurred_at=_recent(zone),
        severity=Severity.SEVERE,
        classification=Classification.CONFIDENTIAL,
        latitude=Decimal("0.137000"),
        longitude=Decimal("117.494321"),
        description="Motor hilang di parkiran.\nSaksi: dua orang.",
    )


def test_saving_an_incident_unchanged_changes_nothing(client, world, incident, language):
    before = _incident_state(incident)
    client.force_login(world.alice)
    for _save in range(2):
        response = post_rendered(client, reverse("incident-edit", args=[incident.pk]))
        assert response.status_code == 302, _errors(response)
        assert _incident_state(incident) == before


def test_saving_the_assignment_unchanged_changes_nothing(client, world, incident, language):
    services.incident_assign(actor=world.alice, incident=incident, involved_agencies=[world.b, world.c])
    before = _incident_state(incident)
    client.force_login(world.alice)
    response = post_rendered(
        client, reverse("incident-detail", args=[incident.pk]), action=reverse("incident-assign", args=[incident.pk])
    )
    assert response.status_code == 302, _errors(response)
    assert _incident_state(incident) == before


def test_an_incident_logged_stores_the_time_typed_in_its_area_zone(client, world, zone, language):
    client.force_login(world.alice)
    typed = _recent(zone)
    response = post_rendered(
        client,
        reverse("incident-create"),
        changes={
            "title": "Kebakaran gudang",
            "category": str(category("fire").pk),
            "area": str(world.areas.guntung.pk),
            "occurred_at": typed.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302, _errors(response)
    assert Incident.objects.get(title="Kebakaran gudang").occurred_at == typed


# --- Threats -------------------------------------------------------------------------------


def _threat_state(threat):
    threat.refresh_from_db()
    return {
        **{
            name: _text(getattr(threat, name))
            for name in ("headline", "description", "instruction", "headline_en", "description_en")
        },
        "category": threat.category_id,
        "severity": threat.severity,
        "urgency": threat.urgency,
        "certainty": threat.certainty,
        "classification": threat.classification,
        "effective_at": _minute(threat.effective_at),
        "expires_at": _minute(threat.expires_at),
        "areas": sorted(a.pk for a in threat.areas.all()),
        "named": sorted(a.pk for a in threat.named_agencies.all()),
    }


@pytest.fixture
def threat(world, zone, django_capture_on_commit_callbacks):
    start = timezone.now().astimezone(zone).replace(second=0, microsecond=0) + datetime.timedelta(hours=2, minutes=3)
    with django_capture_on_commit_callbacks(execute=True):
        return threat_services.threat_log(
            actor=world.alice,
            headline="Ancaman bom di pelabuhan Lok Tuan",
            description="Telepon gelap.\nDua kali.",
            category=category("terrorism-threat"),
            areas=[world.areas.bontang, world.areas.guntung],
            named_agencies=[world.c],
            severity=Severity.SEVERE,
            effective_at=start,
            expires_at=start + datetime.timedelta(days=1, minutes=11),
        )


@pytest.mark.parametrize("named_still_active", [True, False])
def test_saving_a_threat_unchanged_changes_nothing(
    client, world, threat, language, named_still_active, django_capture_on_commit_callbacks
):
    """An agency named on the threat stays named, even once it is no longer offered (inactive)."""
    world.c.is_active = named_still_active
    world.c.save(update_fields=["is_active"])
    before = _threat_state(threat)
    client.force_login(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_rendered(client, reverse("threat-edit", args=[threat.pk]))
    assert response.status_code == 302, _errors(response)
    assert _threat_state(threat) == before


def test_a_threat_logged_stores_the_times_typed_in_its_area_zone(
    client, world, zone, language, django_capture_on_commit_callbacks
):
    client.force_login(world.alice)
    year = timezone.now().year + 1
    with django_capture_on_commit_callbacks(execute=True):
        response = post_rendered(
            client,
            reverse("threat-create"),
            changes={
                "headline": "Unjuk rasa besar",
                "category": str(category("terrorism-threat").pk),
                "areas": [str(world.areas.bontang.pk)],
                "effective_at": f"{year}-01-05T07:45",
                "expires_at": f"{year}-01-05T19:05",
            },
        )
    assert response.status_code == 302, _errors(response)
    threat = Threat.objects.get(headline="Unjuk rasa besar")
    assert (threat.effective_at, threat.expires_at) == (_at(zone, year, 1, 5, 7, 45), _at(zone, year, 1, 5, 19, 5))


# --- Risks ---------------------------------------------------------------------------------


def _risk_state(risk):
    risk.refresh_from_db()
    return {
        name: _text(v) if isinstance(v := getattr(risk, name), str) else v
        for name in (
            "area_id",
            "hazard_id",
            "likelihood",
            "impact",
            "vulnerabilities",
            "mitigations",
            "assessed_on",
            "review_due",
            "classification",
        )
    }


def test_saving_a_risk_unchanged_changes_nothing(client, world, zone, language):
    risk = risk_services.risk_create(
        actor=world.alice,
        area=world.areas.bontang_utara,
        hazard=category("flood"),
        likelihood=4,
        impact=3,
        vulnerabilities="Permukiman di bantaran.\nDrainase buruk.",
        mitigations="Tanggul",
        assessed_on=datetime.date(2026, 1, 31),
        review_due=datetime.date(2026, 7, 31),
        classification=Classification.PUBLIC,
    )
    before = _risk_state(risk)
    client.force_login(world.alice)
    response = post_rendered(client, reverse("risk-edit", args=[risk.pk]))
    assert response.status_code == 302, _errors(response)
    assert _risk_state(risk) == before


def test_a_risk_recorded_keeps_the_dates_typed(client, world, language):
    client.force_login(world.alice)
    response = post_rendered(
        client,
        reverse("risk-create"),
        changes={
            "area": str(world.areas.guntung.pk),
            "hazard": str(category("flood").pk),
            "likelihood": "2",
            "impact": "5",
            "assessed_on": "2026-02-28",
            "review_due": "2026-12-31",
        },
    )
    assert response.status_code == 302, _errors(response)
    risk = RiskAssessment.objects.get(area=world.areas.guntung)
    assert (risk.assessed_on, risk.review_due) == (datetime.date(2026, 2, 28), datetime.date(2026, 12, 31))


# --- Citizens' reports ---------------------------------------------------------------------


def test_a_citizen_report_stores_the_time_typed_in_the_citizen_zone(client, world, zone, language):
    """The page's script puts the browser's offset (Date.getTimezoneOffset()) in tz_offset."""
    cache.clear()  # the intake's rate limit lives in the cache
    typed = _recent(zone)
    offset = -int(typed.utcoffset().total_seconds() // 60)
    response = post_rendered(
        client,
        reverse("report-create"),
        changes={
            "category": "suspicious-activity",
            "description": "Orang mencurigakan di dekat pagar sekolah",
            "latitude": "0.137000",
            "longitude": "117.494000",
            "occurred_at": typed.strftime("%Y-%m-%dT%H:%M"),
            "tz_offset": str(offset),
        },
    )
    assert response.status_code == 302, _errors(response)
    assert CitizenReport.objects.get().occurred_at == typed


def test_a_report_verified_as_rendered_becomes_the_incident_the_moderator_saw(client, world, zone, language):
    """The verify form is posted as shown: the incident keeps the report's time and place."""
    typed = _recent(zone)
    report = report_services.citizen_report_submit(
        category=category("crime-theft"),
        description="Motor dicuri di depan masjid",
        latitude="0.160000",
        longitude="117.480000",
        area=world.areas.guntung,
        occurred_at=typed,
    )
    client.force_login(world.alice)
    response = post_rendered(
        client, reverse("report-detail", args=[report.pk]), action=reverse("report-verify", args=[report.pk])
    )
    assert response.status_code == 302, _errors(response)
    incident = Incident.objects.get()
    assert (incident.occurred_at, incident.area, incident.latitude) == (typed, world.areas.guntung, Decimal("0.160000"))
    assert incident.title.startswith("Motor dicuri")
