"""A small world whose every KPI of the third quarter of 2026 is computed by hand in the tests
(tests/coordination/evaluations/test_kpi_*.py).

Areas: a province, the city, districts D1 and D2, village V1 in D1. Agencies A (jurisdiction
D1), B (jurisdiction D2) and X (an outsider); partnership AB between A and B. The period is Q3
2026 (July-September, portal zone Asia/Jakarta, UTC+7), the previous one Q2 2026, the year before
Q3 2025; the clock stands at 2026-10-05. Times are UTC. Each section adds a secret record that
would change every figure if it counted.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from agencies.models import Classification, Severity
from coordination.evaluations.periods import Period
from coordination.models import (
    ActionItem,
    Bulletin,
    BulletinRecipient,
    CheckIn,
    Checkpoint,
    ConflictOverride,
    Exercise,
    JointOperation,
    Participation,
    PatrolShift,
    Programme,
    ShiftContribution,
    SitRep,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    TargetGroup,
)
from incidents.models import Alert, CitizenReport, Delivery, Incident, ReportQuestion, Threat
from tests.factories import (
    AgencyFactory,
    AreaFactory,
    CitizenReportFactory,
    IncidentFactory,
    PartnershipFactory,
    RiskAssessmentFactory,
    category,
)

NOW = "2026-10-05 09:00 +07:00"
Q3 = Period.containing("quarter", dt.date(2026, 7, 1))
UTC = dt.UTC
SECRET = Classification.SECRET


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def minutes(t: dt.datetime, m: float) -> dt.datetime:
    return t + dt.timedelta(minutes=m)


def build() -> SimpleNamespace:
    w = SimpleNamespace()
    w.province = AreaFactory(name="Kalimantan Timur")
    w.city = AreaFactory(parent=w.province, name="Kota Bontang")
    w.d1 = AreaFactory(parent=w.city, name="Bontang Utara")
    w.d2 = AreaFactory(parent=w.city, name="Bontang Selatan")
    w.v1 = AreaFactory(parent=w.d1, name="Guntung")
    w.a = AgencyFactory(name="Polres Bontang", jurisdiction=[w.d1])
    w.b = AgencyFactory(name="BPBD Bontang", jurisdiction=[w.d2])
    w.x = AgencyFactory(name="Lanal Bontang")
    w.ab = PartnershipFactory(title="MoU A-B", agencies=[w.a, w.b])
    _incidents(w)
    _reports(w)
    _alerts(w)
    _operations(w)
    _risks(w)
    _programmes(w)
    _voice(w)
    _together(w)
    return w


def incident(w: SimpleNamespace, when: str, *, verify=None, respond=None, resolve_h=None, **fields) -> Incident:
    t = at(when)
    obj = IncidentFactory(occurred_at=t, **fields)
    Incident.objects.filter(pk=obj.pk).update(
        reported_at=t,
        verified_at=minutes(t, verify) if verify is not None else None,
        responding_at=minutes(t, respond) if respond is not None else None,
        resolved_at=t + dt.timedelta(hours=resolve_h) if resolve_h is not None else None,
    )
    return obj


def _incidents(w: SimpleNamespace) -> None:
    theft, fire = category("crime-theft"), category("fire-building")
    w.theft, w.fire = theft, fire
    w.i1 = incident(
        w, "2026-07-10 00:00", verify=10, respond=20, resolve_h=2, area=w.v1, reporting_agency=w.a,
        involved_agencies=[w.b], severity=Severity.EXTREME, status=Incident.Status.RESOLVED, category=theft,
    )  # fmt: skip
    w.i2 = incident(
        w, "2026-07-20 00:00", verify=30, respond=50, area=w.d2, reporting_agency=w.b, lead_agency=w.b,
        severity=Severity.MODERATE, status=Incident.Status.RESPONDING, category=fire,
    )  # fmt: skip
    w.i3 = incident(
        w, "2026-08-01 00:00", verify=60, area=w.d1, reporting_agency=w.a, severity=Severity.MODERATE,
        status=Incident.Status.VERIFIED, category=theft,
    )  # fmt: skip
    # Never counted: secret; rejected.
    incident(w, "2026-07-11 00:00", verify=1, respond=1, area=w.d1, reporting_agency=w.a, classification=SECRET)
    incident(w, "2026-07-12 00:00", area=w.d1, reporting_agency=w.a, status=Incident.Status.REJECTED)
    # The previous quarter and the year before.
    w.i6 = incident(w, "2026-05-05 00:00", verify=20, area=w.d1, reporting_agency=w.a, category=theft)
    incident(w, "2025-07-15 00:00", area=w.d2, reporting_agency=w.b, category=fire)
    incident(w, "2025-09-02 00:00", area=w.d2, reporting_agency=w.b, category=fire)


def _reports(w: SimpleNamespace) -> None:
    def report(when: str, area, status, moderated_after=None, incident=None) -> CitizenReport:
        t = at(when)
        return CitizenReportFactory(
            area=area,
            status=status,
            created_at=t,
            moderated_at=minutes(t, moderated_after) if moderated_after is not None else None,
            incident=incident,
        )

    S = CitizenReport.Status
    w.r1 = report("2026-07-05 00:00", w.v1, S.VERIFIED, 30, incident=w.i1)
    w.r2 = report("2026-07-06 00:00", w.d2, S.SPAM, 300)
    w.r3 = report("2026-07-07 00:00", w.d1, S.NEW)
    report("2026-05-01 00:00", w.d1, S.VERIFIED, 10)
    ReportQuestion.objects.create(
        report=w.r1, text="Where?", asked_at=at("2026-07-05 01:00"), answer="Here", answered_at=at("2026-07-05 02:00")
    )
    ReportQuestion.objects.create(report=w.r2, text="When?", asked_at=at("2026-07-06 01:00"))


def _alert(threat: Threat, agency, when: str, ack=None, escalated=False) -> Alert:
    t = at(when)
    alert = Alert.objects.create(threat=threat, agency=agency, reason=Alert.Reason.SUBSCRIPTION)
    Alert.objects.filter(pk=alert.pk).update(
        created_at=t,
        acknowledged_at=minutes(t, ack) if ack is not None else None,
        escalation_level=1 if escalated else 0,
    )
    return alert


def threat(issuer, n: int, **fields) -> Threat:
    return Threat.objects.create(
        identifier=f"t{n}", sender="s", sent_at=at("2026-07-01 00:00"), headline=f"T{n}",
        category=category("flood-flash"), issuing_agency=issuer, **fields,
    )  # fmt: skip


def _alerts(w: SimpleNamespace) -> None:
    t1 = threat(w.a, 1)
    t1.areas.set([w.d1])
    t2 = threat(w.b, 2)
    t3 = threat(w.a, 3, classification=SECRET)
    t4 = threat(w.a, 4)
    w.a1 = _alert(t1, w.b, "2026-07-10 00:00", ack=5)
    w.a2 = _alert(t1, w.x, "2026-07-10 00:00", ack=25, escalated=True)
    w.a3 = _alert(t2, w.a, "2026-08-01 00:00", escalated=True)
    _alert(t3, w.b, "2026-07-10 00:00", ack=1)
    _alert(t4, w.b, "2026-05-01 00:00", ack=10)
    D = Delivery
    for alert, channel, status, key in (
        (w.a1, D.Channel.EMAIL, D.Status.SENT, "u1"),
        (w.a1, D.Channel.SMS, D.Status.FAILED, "u1"),
        (w.a2, D.Channel.EMAIL, D.Status.SENT, "u2"),
        (w.a2, D.Channel.WEBHOOK, D.Status.QUEUED, "u2"),
        (w.a3, D.Channel.IN_APP, D.Status.SENT, "u3"),
    ):
        D.objects.create(alert=alert, channel=channel, status=status, recipient_key=key)


def operation(lead, when: str, status, parts=(), **fields) -> JointOperation:
    op = JointOperation.objects.create(
        name="Op", kind=JointOperation.Kind.JOINT_PATROL, lead_agency=lead, status=status, starts_at=at(when), **fields
    )
    for agency in parts:
        Participation.objects.create(operation=op, agency=agency)
    return op


def _operations(w: SimpleNamespace) -> None:
    St = JointOperation.Status
    w.op1 = operation(w.a, "2026-07-15 00:00", St.COMPLETED, parts=[w.a, w.b])
    w.op2 = operation(w.x, "2026-07-20 00:00", St.PLANNED)
    w.op3 = operation(w.b, "2026-07-21 00:00", St.COMPLETED, parts=[w.a], classification=SECRET)
    operation(w.a, "2026-05-10 00:00", St.ACTIVE)
    for end, filed in (("2026-07-15 12:00", "2026-07-15 13:00"), ("2026-07-16 12:00", "2026-07-16 15:00")):
        rep = SitRep.objects.create(
            operation=w.op1,
            agency=w.a,
            period_start=at(end) - dt.timedelta(hours=12),
            period_end=at(end),
            summary="-",
        )
        SitRep.objects.filter(pk=rep.pk).update(created_at=at(filed))
    # Patrols: sh1 over D1 (the night of 15-16 July, 16 July in WIB), sh2 over D2, one of a secret operation.
    w.sh1 = shift(w.op1, "2026-07-15 20:00", "2026-07-16 02:00", w.d1, w.a)
    w.sh2 = shift(w.op2, "2026-08-01 00:00", "2026-08-01 04:00", w.d2, w.b)
    shift(w.op3, "2026-07-22 00:00", "2026-07-22 04:00", w.v1, w.b)
    for order, planned, checked in (
        (1, "2026-07-15 21:00", "2026-07-15 21:10"),  # on time (tolerance 15 min)
        (2, "2026-07-15 22:00", "2026-07-15 22:30"),  # late
        (3, "2026-07-15 23:00", None),  # missed
        (4, None, "2026-07-16 01:00"),  # no planned time: any check-in is on time
    ):
        cp = Checkpoint.objects.create(
            shift=w.sh1, order=order, name=f"CP{order}", latitude=0, longitude=117, planned_at=planned and at(planned)
        )
        if checked:
            CheckIn.objects.create(shift=w.sh1, checkpoint=cp, agency=w.a, at=at(checked))
    override = ConflictOverride.objects.create(shift=w.sh1, reason="-", conflicts=[])
    ConflictOverride.objects.filter(pk=override.pk).update(at=at("2026-07-14 00:00"))


def shift(op, start: str, end: str, area, agency) -> PatrolShift:
    s = PatrolShift.objects.create(operation=op, starts_at=at(start), ends_at=at(end))
    s.areas.set([area])
    ShiftContribution.objects.create(shift=s, agency=agency, unit_name="Unit", headcount=4)
    return s


def _risks(w: SimpleNamespace) -> None:
    flood = category("flood-flash")
    d = dt.date
    # rk1: high (16) on V1; re-assessed lower (9) in August; rk2 on D2, its review due in September.
    w.rk1 = RiskAssessmentFactory(
        area=w.v1, hazard=flood, likelihood=4, impact=4, assessing_agency=w.a,
        assessed_on=d(2026, 1, 10), review_due=d(2026, 6, 30),
    )  # fmt: skip
    w.rk3 = RiskAssessmentFactory(
        area=w.v1, hazard=flood, likelihood=3, impact=3, assessing_agency=w.a,
        assessed_on=d(2026, 8, 1), review_due=d(2027, 1, 1),
    )  # fmt: skip
    w.rk2 = RiskAssessmentFactory(
        area=w.d2, hazard=flood, likelihood=2, impact=2, assessing_agency=w.b,
        assessed_on=d(2026, 3, 1), review_due=d(2026, 9, 1),
    )  # fmt: skip
    RiskAssessmentFactory(
        area=w.d2, hazard=category("fire-building"), likelihood=5, impact=5, assessing_agency=w.b,
        assessed_on=d(2026, 3, 1), review_due=d(2026, 4, 1), classification=SECRET,
    )  # fmt: skip


def programme(organiser, when: str, status, area, partners=(), groups=()) -> Programme:
    p = Programme.objects.create(
        kind=Programme.Kind.SEMINAR, title="P", organiser=organiser, area=area, status=status,
        starts_at=at(when), ends_at=at(when) + dt.timedelta(hours=2),
    )  # fmt: skip
    p.partners.set(partners)
    for group, planned, actual in groups:
        TargetGroup.objects.create(programme=p, group=group, planned=planned, actual=actual)
    return p


def _programmes(w: SimpleNamespace) -> None:
    St, G = Programme.Status, TargetGroup.Group
    w.pg1 = programme(
        w.a, "2026-07-20 02:00", St.HELD, w.d1, partners=[w.b], groups=[(G.STUDENTS, 100, 80), (G.RESIDENTS, 50, 60)]
    )
    w.pg2 = programme(w.b, "2026-08-10 02:00", St.CANCELLED, w.d2)
    w.pg3 = programme(w.a, "2026-09-01 02:00", St.APPROVED, w.d1)
    programme(w.a, "2026-05-01 02:00", St.HELD, w.d1, groups=[(G.YOUTH, 40, 20)])
    secret_exercise = Exercise.objects.create(
        name="E", kind=Exercise.Kind.TABLETOP, lead_agency=w.a, classification=SECRET,
        starts_at=at("2026-08-05 00:00"), ends_at=at("2026-08-05 04:00"),
    )  # fmt: skip
    secret_exercise.participants.set([w.b])
    d = dt.date
    done = ActionItem.Status.DONE
    for owner, due, closed, parent in (
        (w.a, d(2026, 8, 1), "2026-07-31 10:00", {"programme": w.pg1}),  # on time
        (w.b, d(2026, 8, 15), "2026-08-20 10:00", {"programme": w.pg1}),  # late
        (w.a, d(2026, 9, 10), None, {"programme": w.pg3}),  # overdue
        (w.a, d(2026, 8, 1), None, {"exercise": secret_exercise}),  # secret: never counted
    ):
        ActionItem.objects.create(
            description="-", owner_agency=owner, due_date=due, status=done if closed else ActionItem.Status.OPEN,
            closed_at=closed and at(closed), **parent,
        )  # fmt: skip


def skm_survey(agency, n: int, service, **fields) -> tuple[Survey, dict[str, SurveyQuestion]]:
    survey = Survey.objects.create(
        kind=Survey.Kind.SKM, title=f"SKM {n}", agency=agency, service=service, token=f"tok{n}", **fields
    )
    questions = {
        code: SurveyQuestion.objects.create(
            survey=survey, position=i, kind=SurveyQuestion.Kind.SKM, text=code, element=code
        )
        for i, code in enumerate(("U1", "U2"))
    }
    return survey, questions


def respond(survey, questions, when: str, area, **values) -> None:
    t = at(when)
    response = SurveyResponse.objects.create(survey=survey, submitted_at=t, area=area)
    for code, value in values.items():
        SurveyAnswer.objects.create(
            survey=survey,
            response=response,
            question=questions[code],
            value=value,
            period=t.date().replace(day=1),
            area=area,
        )


def _voice(w: SimpleNamespace) -> None:
    sv1, q1 = skm_survey(w.a, 1, Survey.Service.REPORT_HANDLING, area=w.d1)
    respond(sv1, q1, "2026-07-03 00:00", w.d1, U1=4, U2=3)
    respond(sv1, q1, "2026-08-03 00:00", w.d1, U1=3, U2=3)
    respond(sv1, q1, "2026-05-03 00:00", w.d1, U1=1, U2=1)  # the previous quarter
    sv2, q2 = skm_survey(w.b, 2, Survey.Service.PROGRAMME, area=w.d2, programme=w.pg1)
    respond(sv2, q2, "2026-07-21 00:00", w.d2, U1=2, U2=2)


def _together(w: SimpleNamespace) -> None:
    def bulletin(issuer, recipients, when: str, **fields) -> None:
        b = Bulletin.objects.create(title="B", body="-", issuing_agency=issuer, **fields)
        Bulletin.objects.filter(pk=b.pk).update(created_at=at(when))
        for agency in recipients:
            BulletinRecipient.objects.create(bulletin=b, agency=agency, reason=BulletinRecipient.Reason.NAMED)

    bulletin(w.a, [w.b], "2026-07-12 00:00")
    bulletin(w.a, [w.x], "2026-07-12 00:00")
    bulletin(w.a, [w.b], "2026-07-13 00:00", classification=SECRET)
    bulletin(w.b, [w.a], "2026-05-13 00:00")
    ex = Exercise.objects.create(
        name="E1", kind=Exercise.Kind.FIELD_DRILL, lead_agency=w.a,
        starts_at=at("2026-08-05 00:00"), ends_at=at("2026-08-05 04:00"),
    )  # fmt: skip
    ex.participants.set([w.b])


def scope_of(w: SimpleNamespace, kind: str):
    from coordination.evaluations.kpis.compute import Scope

    return {
        "city": Scope("city"),
        "agency_a": Scope("agency", agency_id=w.a.pk),
        "agency_b": Scope("agency", agency_id=w.b.pk),
        "area_d1": Scope("area", area_id=w.d1.pk),
        "partnership": Scope("partnership", partnership_id=w.ab.pk),
    }[kind]


def snapshot(w: SimpleNamespace, kind: str = "city", period: Period = Q3, targets=None) -> dict:
    from coordination.evaluations.kpis.compute import compute_snapshot
    from coordination.evaluations.kpis.targets import targets_for

    return compute_snapshot(
        scope=scope_of(w, kind), period=period, targets=targets if targets is not None else targets_for(agency_id=None)
    )


def tri(snap: dict, key: str) -> tuple:
    k = snap["kpis"][key]
    return (k["value"], k["previous"], k["year_before"])
