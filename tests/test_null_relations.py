"""Every page, API endpoint, export and admin page that shows a record renders it when each of
its nullable relations is NULL: 200, and no Python "None" where a name should be.

A nullable foreign key is NULL in life: SET_NULL leaves it when the user or agency it named is
deleted (an alert acknowledged by a member who has since left), and the optional ones are
simply empty. Following such a relation in a template (`alert.acknowledged_by.get_username` as
a filter argument raises, a bare `{{ obj.fk }}` prints "None") or in a serializer
(`source="fk.name"`) breaks the page for everyone who may see the record.

The models and their nullable relations come from the models' _meta, so a new nullable
relation is NULLed here without anyone touching this file, and a new model with one fails
`test_every_model_with_a_nullable_relation_has_its_pages_listed` until its pages are listed in
PAGES. The world is the demo's (seed_demo), plus the few records the demo does not create.

The pages are read in Bahasa Indonesia, the default language: there a stray Python None shows
as "None", while the deliberate English word "None" ("Tidak ada") does not.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import models, transaction
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from tests.null_relations_cap import follow_a_cap_source, register_a_cap_sender

PROJECT_APPS = ("agencies", "incidents", "coordination")
NONE_TEXT = re.compile(r"\bNone\b")

pytestmark = pytest.mark.django_db


# Nullable only as one of several: an action item has exactly one parent (a check constraint),
# so its parent is never NULL in life.
ONE_OF = {
    ("coordination.ActionItem", "exercise"),
    ("coordination.ActionItem", "meeting"),
    ("coordination.ActionItem", "programme"),
}


def nullable_relations() -> dict[str, list[models.Field]]:
    """label -> the model's concrete many-to-one and one-to-one fields with null=True."""
    found: dict[str, list[models.Field]] = {}
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        fields = [
            f
            for f in model._meta.concrete_fields
            if f.is_relation
            and (f.many_to_one or f.one_to_one)
            and f.null
            and (model._meta.label, f.name) not in ONE_OF
        ]
        if fields:
            found[model._meta.label] = fields
    return found


def _admin_urls(obj: models.Model) -> list[str]:
    if type(obj) not in admin.site._registry:
        return []
    meta = obj._meta
    return [
        reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"),
        reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk]),
    ]


# label -> (which record to take, the URLs that show it). Each URL is read as platform staff
# (the admin of the demo); see _readers for the members who read some of them too.
Pages = Callable[[models.Model], list[str]]


def _incident_pages(i) -> list[str]:
    return [
        reverse("incident-list"),
        reverse("incident-detail", args=[i.pk]),
        reverse("incident-map"),
        reverse("api-incident-list"),
        reverse("api-incident-detail", args=[i.pk]),
        reverse("api-incident-timeline", args=[i.pk]),
        reverse("api-incident-export-csv"),
        reverse("api-incident-geojson"),
    ]


def _threat_pages(t) -> list[str]:
    urls = [
        reverse("threat-list"),
        reverse("threat-detail", args=[t.pk]),
        reverse("threat-progress", args=[t.pk]),
        reverse("api-threat-list"),
        reverse("api-threat-detail", args=[t.pk]),
        reverse("api-threat-progress", args=[t.pk]),
        reverse("api-threat-cap", args=[t.pk]),
        reverse("api-public-cap-feed"),
        reverse("alert-inbox"),
        reverse("api-alert-list"),
        reverse("api-inbox-list"),
    ]
    urls += [reverse("alert-detail", args=[pk]) for pk in t.alerts.values_list("pk", flat=True)[:3]]
    return urls


def _cap_source_pages(c) -> list[str]:
    return [
        reverse("cap-source-list"),
        reverse("cap-source-detail", args=[c.pk]),
        reverse("cap-source-edit", args=[c.pk]),
        reverse("api-cap-source-list"),
        reverse("api-cap-source-detail", args=[c.pk]),
        reverse("api-cap-source-fetches", args=[c.pk]),
    ]


def _operation_pages(o) -> list[str]:
    return [
        reverse("operation-list"),
        reverse("operation-detail", args=[o.pk]),
        reverse("api-operation-list"),
        reverse("api-operation-detail", args=[o.pk]),
        reverse("api-operation-timeline", args=[o.pk]),
        reverse("api-operation-sitreps", args=[o.pk]),
        reverse("inbox"),
        reverse("api-notification-list"),
    ]


def _shift_pages(s) -> list[str]:
    day = timezone.localtime(s.starts_at).date().isoformat()
    return [
        reverse("patrol-calendar") + f"?date={day}",
        reverse("patrol-calendar") + f"?date={day}&view=month",
        reverse("patrol-shift-detail", args=[s.pk]),
        reverse("api-shift-list"),
        reverse("api-shift-detail", args=[s.pk]),
        reverse("api-shift-check-ins", args=[s.pk]),
    ]


def _report_pages(r) -> list[str]:
    return [
        reverse("report-queue"),
        reverse("report-detail", args=[r.pk]),
        reverse("report-track-detail", args=[r.tracking_code]),
        reverse("api-report-list"),
        reverse("api-report-detail", args=[r.pk]),
        reverse("api-public-report-detail", args=[r.tracking_code]),
    ]


def _area_pages(a) -> list[str]:
    return [
        reverse("area-detail", args=[a.pk]),
        reverse("area-browser") + f"?q={a.name}",
        reverse("incident-area-search") + f"?q={a.name}",
        reverse("api-area-list") + f"?search={a.name}",
        reverse("api-area-detail", args=[a.pk]),
    ]


PAGES: dict[str, tuple[Callable[[], models.Model], Pages]] = {
    "agencies.Area": (
        lambda: apps.get_model("agencies.Area").objects.filter(name="Kota Bontang").get(),
        _area_pages,
    ),
    "agencies.Agency": (
        lambda: apps.get_model("agencies.Agency").objects.filter(cameras__isnull=False).distinct().first(),
        lambda a: [
            reverse("agency-list"),
            reverse("agency-detail", args=[a.pk]),
            reverse("api-agency-list"),
            reverse("api-agency-detail", args=[a.pk]),
        ],
    ),
    "agencies.Camera": (
        lambda: (
            apps.get_model("agencies.Camera").objects.filter(vital_object__isnull=False).first()
            or apps.get_model("agencies.Camera").objects.first()
        ),
        lambda c: [
            reverse("agency-detail", args=[c.operator_id]),
            reverse("api-camera-list"),
            reverse("api-camera-detail", args=[c.pk]),
        ],
    ),
    "agencies.AuditLog": (lambda: apps.get_model("agencies.AuditLog").objects.first(), lambda _: []),
    "agencies.Invitation": (
        lambda: apps.get_model("agencies.Invitation").objects.order_by("pk").first(),
        lambda i: [
            reverse("agency-members", args=[i.agency_id]),
            reverse("api-invitation-list"),
            reverse("api-invitation-detail", args=[i.pk]),
        ],
    ),
    "agencies.Partnership": (
        lambda: apps.get_model("agencies.Partnership").objects.order_by("pk").first(),
        lambda p: [
            *(reverse("agency-detail", args=[a.pk]) for a in p.agencies.all()),
            reverse("api-partnership-list"),
            reverse("api-partnership-detail", args=[p.pk]),
        ],
    ),
    "agencies.PartnershipAnswer": (
        lambda: apps.get_model("agencies.PartnershipAnswer").objects.order_by("pk").first(),
        lambda a: [
            reverse("agency-detail", args=[a.agency_id]),
            reverse("api-partnership-list"),
            reverse("api-partnership-detail", args=[a.partnership_id]),
        ],
    ),
    "incidents.Category": (
        lambda: apps.get_model("incidents.Incident").objects.filter(category__parent__isnull=False)[0].category,
        lambda c: _incident_pages(apps.get_model("incidents.Incident").objects.filter(category=c)[0]),
    ),
    "incidents.Incident": (
        lambda: apps.get_model("incidents.Incident").objects.order_by("pk").first(),
        _incident_pages,
    ),
    "incidents.IncidentEvent": (
        lambda: apps.get_model("incidents.IncidentEvent").objects.order_by("pk").first(),
        lambda e: _incident_pages(e.incident),
    ),
    "incidents.CitizenReport": (
        lambda: apps.get_model("incidents.CitizenReport").objects.order_by("pk").first(),
        _report_pages,
    ),
    "incidents.ReportQuestion": (
        lambda: apps.get_model("incidents.ReportQuestion").objects.first(),
        lambda q: [*_report_pages(q.report), reverse("api-report-questions", args=[q.report_id])],
    ),
    "incidents.Threat": (lambda: apps.get_model("incidents.Threat").objects.first(), _threat_pages),
    "incidents.CapSender": (
        lambda: apps.get_model("incidents.CapSender").objects.first(),
        lambda c: [reverse("api-cap-sender-list"), reverse("api-cap-sender-detail", args=[c.pk])],
    ),
    "incidents.CapSource": (  # staff's pages and API; its fetch names the threat it imported
        lambda: apps.get_model("incidents.CapSource").objects.first(),
        lambda c: _cap_source_pages(c),
    ),
    "incidents.CapFetch": (
        lambda: apps.get_model("incidents.CapFetch").objects.first(),
        lambda f: _cap_source_pages(f.source) + _threat_pages(f.threat) if f.threat else _cap_source_pages(f.source),
    ),
    "incidents.ThreatEvent": (
        lambda: apps.get_model("incidents.ThreatEvent").objects.first(),
        lambda e: _threat_pages(e.threat),
    ),
    "incidents.Alert": (
        lambda: apps.get_model("incidents.Alert").objects.order_by("pk").first(),
        lambda a: _threat_pages(a.threat),
    ),
    "incidents.Delivery": (
        lambda: (
            apps.get_model("incidents.Delivery").objects.filter(subscription__isnull=False).first()
            or apps.get_model("incidents.Delivery").objects.first()
        ),
        lambda d: _threat_pages(d.alert.threat),
    ),
    "coordination.JointOperation": (
        lambda: apps.get_model("coordination.JointOperation").objects.first(),
        _operation_pages,
    ),
    "coordination.Participation": (
        lambda: apps.get_model("coordination.Participation").objects.filter(liaison__isnull=False).first(),
        lambda p: _operation_pages(p.operation),
    ),
    "coordination.OperationEvent": (
        lambda: apps.get_model("coordination.OperationEvent").objects.first(),
        lambda e: _operation_pages(e.operation),
    ),
    "coordination.InboxItem": (
        lambda: apps.get_model("coordination.InboxItem").objects.filter(operation__isnull=False).first(),
        lambda n: _operation_pages(n.operation),
    ),
    "coordination.SitRep": (
        lambda: apps.get_model("coordination.SitRep").objects.first(),
        lambda s: _operation_pages(s.operation),
    ),
    "coordination.PatrolShift": (
        lambda: apps.get_model("coordination.PatrolShift").objects.order_by("starts_at").first(),
        _shift_pages,
    ),
    "coordination.ConflictOverride": (
        lambda: apps.get_model("coordination.ConflictOverride").objects.first(),
        lambda o: _shift_pages(o.shift),
    ),
    "coordination.CheckIn": (
        lambda: apps.get_model("coordination.CheckIn").objects.first(),
        lambda c: _shift_pages(c.shift),
    ),
    "coordination.Exercise": (
        lambda: apps.get_model("coordination.Exercise").objects.first(),
        lambda x: [
            reverse("exercise-list"),
            reverse("exercise-detail", args=[x.pk]),
            reverse("api-exercise-list"),
            reverse("api-exercise-detail", args=[x.pk]),
        ],
    ),
    "coordination.Meeting": (
        lambda: apps.get_model("coordination.Meeting").objects.order_by("pk").first(),
        lambda m: _meeting_pages(m),
    ),
    "coordination.MeetingInvitee": (
        lambda: apps.get_model("coordination.MeetingInvitee").objects.filter(rsvp_by__isnull=False).first(),
        lambda i: _meeting_pages(i.meeting),
    ),
    "coordination.MeetingDecision": (
        lambda: apps.get_model("coordination.MeetingDecision").objects.first(),
        lambda d: _meeting_pages(d.meeting),
    ),
    "coordination.ActionItem": (
        lambda: apps.get_model("coordination.ActionItem").objects.filter(meeting__isnull=False).first(),
        lambda a: [
            *_meeting_pages(a.meeting),
            reverse("action-item-list"),
            reverse("api-action-item-list"),
            reverse("api-action-item-detail", args=[a.pk]),
        ],
    ),
    "coordination.Programme": (  # the demo's approved public one: every page, the public ones too
        lambda: apps.get_model("coordination.Programme").objects.filter(status="approved", is_public=True).first(),
        lambda p: [
            reverse("programme-list"),
            reverse("programme-map"),
            reverse("programme-detail", args=[p.pk]),
            reverse("api-programme-list"),
            reverse("api-programme-detail", args=[p.pk]),
            reverse("public-programme-list"),
            reverse("public-programme-detail", args=[p.pk]),
        ],
    ),
    "coordination.Survey": (  # the demo's custom survey of a seminar: its pages, the public ones too
        lambda: apps.get_model("coordination.Survey").objects.filter(kind="custom").first(),
        lambda v: _survey_pages(v),
    ),
    "coordination.SurveyResponse": (
        lambda: apps.get_model("coordination.SurveyResponse").objects.first(),
        lambda r: _survey_pages(r.survey),
    ),
    "coordination.SurveyAnswer": (
        lambda: apps.get_model("coordination.SurveyAnswer").objects.filter(text__gt="").first(),
        lambda a: [*_survey_pages(a.question.survey), reverse("survey-answers", args=[a.question.survey_id])],
    ),
    "coordination.Evaluation": (  # the demo's published city evaluation, its public summary on
        lambda: apps.get_model("coordination.Evaluation").objects.filter(status="published", public=True).first(),
        lambda e: _evaluation_pages(e),
    ),
    "coordination.EvaluationFinding": (
        lambda: apps.get_model("coordination.EvaluationFinding").objects.first(),
        lambda f: _evaluation_pages(f.evaluation),
    ),
    "coordination.KpiTarget": (  # the demo's city target
        lambda: apps.get_model("coordination.KpiTarget").objects.filter(agency__isnull=True).first(),
        lambda t: [reverse("evaluation-targets"), reverse("api-evaluation-targets")],
    ),
    "coordination.Bulletin": (
        lambda: apps.get_model("coordination.Bulletin").objects.first(),
        lambda b: _bulletin_pages(b),
    ),
    "coordination.BulletinRecipient": (
        lambda: apps.get_model("coordination.BulletinRecipient").objects.filter(acknowledged_at__isnull=False).first(),
        lambda r: _bulletin_pages(r.bulletin),
    ),
    "coordination.BulletinReceipt": (
        lambda: apps.get_model("coordination.BulletinReceipt").objects.first(),
        lambda r: _bulletin_pages(r.bulletin),
    ),
    "coordination.BulletinVersion": (
        lambda: apps.get_model("coordination.BulletinVersion").objects.filter(number=2).first(),
        lambda v: _bulletin_pages(v.bulletin),
    ),
    "coordination.BulletinReply": (
        lambda: apps.get_model("coordination.BulletinReply").objects.first(),
        lambda r: _bulletin_pages(r.bulletin),
    ),
}

# A NULL that only means something beside another field: an acknowledgement without its
# acknowledger (the member was deleted), a moderation without its moderator.
COMPANIONS: dict[str, Callable[[], dict]] = {
    "incidents.Alert": lambda: {"acknowledged_at": timezone.now(), "response": "Siap"},
    "incidents.CitizenReport": lambda: {"moderated_at": timezone.now()},
    "coordination.JointOperation": lambda: {"approved_at": timezone.now()},
    "coordination.BulletinRecipient": lambda: {"acknowledged_at": timezone.now()},
}


def _evaluation_pages(e) -> list[str]:
    return [
        reverse("evaluation-list"),
        reverse("evaluation-detail", args=[e.pk]),
        reverse("evaluation-xlsx", args=[e.pk]),
        reverse("evaluation-csv", args=[e.pk, "kpis"]),
        reverse("api-evaluation-list"),
        reverse("api-evaluation-detail", args=[e.pk]),
        reverse("public-evaluation-list"),
        reverse("public-evaluation-detail", args=[e.pk]),
    ]


def _meeting_pages(m) -> list[str]:
    return [
        reverse("meeting-list"),
        reverse("meeting-detail", args=[m.pk]),
        reverse("meeting-ics", args=[m.pk]),
        reverse("api-meeting-list"),
        reverse("api-meeting-detail", args=[m.pk]),
        reverse("api-meeting-action-items", args=[m.pk]),
        reverse("api-meeting-decisions", args=[m.pk]),
    ]


def _survey_pages(v) -> list[str]:
    return [
        reverse("survey-list"),
        reverse("survey-index"),
        reverse("survey-detail", args=[v.pk]),
        reverse("survey-poster", args=[v.pk]),
        reverse("api-survey-list"),
        reverse("api-survey-detail", args=[v.pk]),
        reverse("survey-answer", args=[v.token]),
        reverse("survey-public-results", args=[v.token]),
    ]


def _bulletin_pages(b) -> list[str]:
    return [
        reverse("bulletin-list"),
        reverse("bulletin-detail", args=[b.pk]),
        reverse("bulletin-progress", args=[b.pk]),
        reverse("api-bulletin-list"),
        reverse("api-bulletin-detail", args=[b.pk]),
        reverse("api-bulletin-progress", args=[b.pk]),
        reverse("api-bulletin-replies", args=[b.pk]),
    ]


def _complete_the_demo() -> None:
    """What seed_demo does not create: a sitrep, a checkpoint and a check-in, an invitation, a
    conflict override, an audit log entry, a participation's liaison, a registered CAP sender and a
    CAP source with a fetch that imported the demo's threat, each with its nullable relations filled."""
    from agencies.models import AuditLog, Classification, Invitation
    from coordination.models import (
        CheckIn,
        Checkpoint,
        ConflictOverride,
        JointOperation,
        Participation,
        PatrolShift,
        SitRep,
    )

    user = get_user_model().objects.get(username="admin")
    operation = JointOperation.objects.first()
    now = timezone.now()
    Participation.objects.filter(pk=operation.participations.order_by("pk").first().pk).update(liaison=user)
    SitRep.objects.create(
        operation=operation,
        agency=operation.lead_agency,
        author=user,
        period_start=now - timedelta(hours=6),
        period_end=now,
        summary="Situasi kondusif",
    )
    shift = PatrolShift.objects.order_by("starts_at").first()
    checkpoint = Checkpoint.objects.create(shift=shift, order=1, name="Pos Guntung", latitude=0.13, longitude=117.49)
    CheckIn.objects.create(shift=shift, checkpoint=checkpoint, user=user, agency=operation.lead_agency, at=now)
    Invitation.objects.create(  # used: its inviter and the user who accepted it filled
        agency=operation.lead_agency,
        email="undangan@example.id",
        role="viewer",
        token_hash="0" * 64,
        invited_by=user,
        accepted_by=user,
        accepted_at=now,
        expires_at=now + timedelta(days=7),
    )
    ConflictOverride.objects.create(shift=shift, user=user, reason="Pengganti", conflicts=[])
    follow_a_cap_source(operation.lead_agency, user, now)
    AuditLog.objects.create(
        user=user, action="read", object_type="incident", object_id="1", classification=Classification.RESTRICTED
    )
    register_a_cap_sender(operation.lead_agency, user)


@pytest.fixture
def demo(django_capture_on_commit_callbacks, settings):
    settings.LANGUAGE_CODE = "id"
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
        _complete_the_demo()


def test_every_model_with_a_nullable_relation_has_its_pages_listed():
    assert set(nullable_relations()) == set(PAGES), (
        "a model gained (or lost) a nullable relation: list the pages that show it in PAGES"
    )


def _alert_of(label: str, obj: models.Model):
    """The alert a member of the alerted agency reads, for the records its pages show."""
    if label == "incidents.Alert":
        return obj
    if label == "incidents.Delivery":
        return obj.alert
    threat = obj if label == "incidents.Threat" else getattr(obj, "threat", None)
    return threat.alerts.order_by("pk").first() if threat else None


def _readers(label: str, obj: models.Model, urls: list[str]) -> list[tuple[models.Model, list[str]]]:
    """Platform staff reads every URL; a member of the alerted agency its own alert's pages (the
    inbox is per agency), and the recipient of a notification their notifications."""
    from agencies.models import Membership

    readers = [(get_user_model().objects.get(username="admin"), urls)]
    alert = _alert_of(label, obj) if label.startswith("incidents.") else None
    if alert is not None:
        member = Membership.objects.filter(agency_id=alert.agency_id, is_active=True).select_related("user").first()
        own = [
            reverse("alert-inbox"),
            reverse("alert-detail", args=[alert.pk]),
            reverse("threat-detail", args=[alert.threat_id]),
            reverse("api-alert-list"),
            reverse("api-alert-detail", args=[alert.pk]),
            reverse("api-inbox-list"),
        ]
        readers.append((member.user, own))
    if label == "coordination.InboxItem":
        readers.append((obj.user, [reverse("inbox"), reverse("api-notification-list")]))
    return readers


def test_every_page_renders_a_record_whose_nullable_relations_are_null(demo):
    failures: list[str] = []
    covered = 0
    for label, fields in sorted(nullable_relations().items()):
        pick, pages = PAGES[label]
        obj = pick()
        assert obj is not None, f"{label}: the demo has no record to try"
        model = type(obj)
        try:  # where the record shows while its relations are still set (the alert's threat...)
            urls = pages(obj) + _admin_urls(obj)
        except NoReverseMatch as exc:  # a page was renamed: the table must follow
            failures.append(f"{label}: {exc}")
            urls = []
        with transaction.atomic():
            model.objects.filter(pk=obj.pk).update(**{f.attname: None for f in fields}, **COMPANIONS.get(label, dict)())
            obj.refresh_from_db()
            for user, readable in _readers(label, obj, urls):
                client = Client(raise_request_exception=False)
                client.force_login(user)
                for url in readable:
                    response = client.get(url)
                    covered += 1
                    where = f"{label} ({', '.join(f.name for f in fields)} NULL) as {user.username}: GET {url}"
                    if response.status_code != 200:
                        failures.append(f"{where} -> {response.status_code}")
                        continue
                    body = b"".join(response) if response.streaming else response.content
                    text = body.decode(errors="replace")
                    match = NONE_TEXT.search(text)
                    if match:
                        failures.append(
                            f"{where} shows 'None': ...{text[max(0, match.start() - 120) : match.end() + 40]!r}"
                        )
            transaction.set_rollback(True)
    assert not failures, f"{len(failures)} of {covered} reads failed:\n" + "\n".join(failures)
