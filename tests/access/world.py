"""The permission matrix's one world, built once per module, and the oracle that says, from the
written rules alone (docs/security.md, "Access"), who may read and change what.

The oracle never calls the code under test: it is the rule restated, so that a change to a
selector or to the capability table that lets a record leak (or hides it) fails the matrix.

Agencies: O (the owner of every record; the organiser of the meeting, to which I and P are
invited, and of the programmes, the internal one with I as partner), I (O's partner with an accepted information-sharing
partnership), P (O's partner with an accepted joint-patrol-only partnership), X (an outsider in
another city). Every record carries a unique token (`MTX<kind><classification>`) in its title or
text, so a response that shows a record the persona may not read is caught wherever it shows it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from agencies.models import Agency, Classification, Invitation, Membership, Partnership
from coordination.models import (
    ActionItem,
    Exercise,
    JointOperation,
    Meeting,
    MeetingInvitee,
    Participation,
    SitRep,
)
from coordination.models.notifications import InboxItem
from coordination.models.patrols import PatrolShift, ShiftContribution
from incidents.models import Alert, Threat
from tests.factories import (
    AgencyFactory,
    AreaFactory,
    CameraFactory,
    CitizenReportFactory,
    IncidentFactory,
    MembershipFactory,
    PartnershipFactory,
    RiskAssessmentFactory,
    SubscriptionFactory,
    UserFactory,
    VitalObjectFactory,
    category,
)

R = Membership.Role
LEVELS = [c.value for c in Classification]  # public, restricted, confidential, secret
PUBLIC, RESTRICTED, CONFIDENTIAL, SECRET = (
    Classification.PUBLIC,
    Classification.RESTRICTED,
    Classification.CONFIDENTIAL,
    Classification.SECRET,
)


@dataclass(frozen=True)
class Persona:
    """Who makes a request: `relation` to the owner agency O and `role` in their agency."""

    name: str
    relation: str  # owner, isp (information-sharing partner), partner, outsider, staff, none, anonymous
    role: str = ""

    @property
    def member(self) -> bool:
        return self.relation in {"owner", "isp", "partner", "outsider"}


PERSONAS: list[Persona] = [
    *[Persona(f"owner-{role}", "owner", role) for role in R.values],
    Persona("isp-commander", "isp", R.COMMANDER),
    Persona("isp-viewer", "isp", R.VIEWER),
    Persona("partner-commander", "partner", R.COMMANDER),
    Persona("partner-viewer", "partner", R.VIEWER),
    Persona("outsider-commander", "outsider", R.COMMANDER),
    Persona("outsider-viewer", "outsider", R.VIEWER),
    Persona("staff", "staff"),
    Persona("noagency", "none"),
    Persona("anonymous", "anonymous"),
]
BY_NAME = {p.name: p for p in PERSONAS}

# Kinds whose records carry a classification: one record of each at every level.
CLASSIFIED = (
    "incident",
    "risk",
    "threat",
    "alert",
    "operation",
    "shift",
    "sitrep",
    "exercise",
    "action_item",
    "bulletin",
    "bulletin_full",
    "bulletin_body",
    "bulletin_attachment",
    "bulletin_reply",
)
# Bulletins: O issues one at every classification to its partners by partnership scope (I by
# information sharing, P by joint patrol), each confidential and secret one with a releasable
# version (restricted) for the same partners; X is on no list.
BULLETIN_SCOPES = ["information_sharing", "joint_patrol"]


def token(kind: str, level: str = "") -> str:
    return f"MTX{kind.replace('_', '')}{level}"


# --- The oracle --------------------------------------------------------------------------


def may_read_level(persona: Persona, level: str) -> bool:
    """classification_q restated: public anyone signed in, restricted every member, confidential
    the owner and its information-sharing partner, secret the owner only; staff everything."""
    relation = persona.relation
    if relation == "anonymous":
        return False
    if relation in {"staff", "owner"}:
        return True
    if level == PUBLIC:
        return True
    if relation == "none":
        return False
    if level == RESTRICTED:
        return True
    return level == CONFIDENTIAL and relation == "isp"


def may_read_bulletin(persona: Persona, level: str, *, full: bool) -> bool:
    """docs/security.md on bulletins restated for the world's: the issuer (and staff) read all;
    a recipient reached by partnership scope reads the full text when it is public or restricted,
    confidential too when it is an information-sharing partner, never secret (named one by one
    only); else the releasable version (restricted), which every recipient reads. Non-recipients
    (X, a user of no agency) nothing, whatever the classification."""
    relation = persona.relation
    if relation in {"owner", "staff"}:
        return True
    if relation not in {"isp", "partner"}:
        return False
    if level in {PUBLIC, RESTRICTED} or (level == CONFIDENTIAL and relation == "isp"):
        return True
    return not full  # the releasable version


def may_read(persona: Persona, kind: str, level: str = "") -> bool:
    """May `persona` read the world's record of `kind` (at `level`)?"""
    relation = persona.relation
    if relation == "anonymous":
        return False
    if kind == "bulletin":  # either text
        return may_read_bulletin(persona, level, full=False)
    if kind in {"bulletin_full", "bulletin_attachment", "bulletin_reply"}:  # the full text, its files, its thread
        return may_read_bulletin(persona, level, full=True)
    if kind in {"action_item", "meeting_action_item"}:  # the owner agency's own (action_item_list)
        return relation in {"owner", "staff"}
    if kind in {"survey", "survey_answer"}:  # its agency's members (O); no classification
        return relation in {"owner", "staff"}
    if kind == "meeting":  # its organiser (O) and invited agencies (I, P); no classification
        return relation in {"owner", "isp", "partner", "staff"}
    if kind in {"programme", "programme_material", "programme_photo"}:  # internal: O, partner I
        return relation in {"owner", "isp", "staff"}
    if kind == "programme_public":  # a public programme: anyone signed in
        return True
    if kind in {"evaluation", "evaluation_finding"}:  # a draft: its owner agency's members
        return relation in {"owner", "staff"}
    if kind == "evaluation_published":  # published to I: O's and I's members
        return relation in {"owner", "isp", "staff"}
    if kind == "evaluation_public":  # its public summary: anyone (the dashboard's pages: O's)
        return True
    if kind == "programme_registration":  # who registered: the organiser's (and partners') members
        return relation in {"owner", "staff"}
    if kind in CLASSIFIED and kind != "alert":
        return may_read_level(persona, level)
    if kind == "alert":  # alerts to O: its members (while O reads the threat: O issued it) and staff
        return relation in {"owner", "staff"}
    if kind in {"agency", "membership", "partnership", "vital_object", "camera"}:
        return relation != "none"  # directory data: restricted
    if kind == "invitation":  # the commanders' (invitation_list: agency.members)
        return may_do(persona, ("commander",))
    if kind == "cap_source":  # staff only (incidents.threats.feeds.selectors)
        return relation == "staff"
    if kind == "cap_sender":  # read and changed by the same capability (cap_sender_list)
        return may_do(persona, ("commander", "liaison"))
    if kind in {"subscription", "report"}:  # the agency's own business / its queue
        return relation in {"owner", "staff"}
    if kind == "notification":  # the user's own
        return persona.name == "owner-commander"
    if kind == "notification_isp":  # another user's own: the information-sharing partner's viewer
        return persona.name == "isp-viewer"
    if kind == "area":
        return True
    raise KeyError(kind)


def may_do(persona: Persona, roles: tuple[str, ...], *, anywhere: bool = False) -> bool:
    """A capability held by `roles` in O (the record's agency; in any agency when `anywhere`),
    or staff."""
    if persona.relation == "staff":
        return True
    return (persona.relation == "owner" or (anywhere and persona.member)) and persona.role in roles


# --- The world ---------------------------------------------------------------------------


@dataclass
class World:
    agencies: SimpleNamespace
    users: dict[str, object]
    records: dict[tuple[str, str], object] = field(default_factory=dict)  # (kind, level or "") -> row

    def record(self, kind: str, level: str = "") -> object:
        return self.records[(kind, level)]

    def ids(self, kind: str) -> dict[str, int]:
        return {level: row.pk for (k, level), row in self.records.items() if k == kind}

    def local_start(self, kind: str, level: str = "") -> datetime.datetime:
        """When the record of `kind` (a shift, a programme) starts, in its area's zone: a calendar
        is asked for that day's week or month, not today's, which it may lie outside of (a shift
        two hours after a Sunday's late evening is in the next week)."""
        record: Any = self.record(kind, level)
        area = record.areas.first() if hasattr(record, "areas") else record.area
        return timezone.localtime(record.starts_at, ZoneInfo(area.timezone))


def build_world() -> World:
    now = timezone.now()
    province = AreaFactory(name="Kalimantan Timur MTX", code="ID-KI")
    bontang = AreaFactory(name="Kota Bontang MTX", parent=province, code="BON")
    north = AreaFactory(name="Bontang Utara MTX", parent=bontang)
    guntung = AreaFactory(name="Guntung MTX", parent=north, postal_code="75311")
    south = AreaFactory(name="Bontang Selatan MTX", parent=bontang)
    balikpapan = AreaFactory(name="Kota Balikpapan MTX", parent=province, code="BPP")

    owner = AgencyFactory(name="Polres Owner", code="mtx-owner", kind=Agency.Kind.POLICE, jurisdiction=[north])
    isp = AgencyFactory(name="BPBD Sharing", code="mtx-isp", kind=Agency.Kind.DISASTER, jurisdiction=[south])
    partner = AgencyFactory(name="Kodim Patrol", code="mtx-partner", kind=Agency.Kind.MILITARY, jurisdiction=[south])
    outsider = AgencyFactory(name="Damkar Away", code="mtx-outsider", kind=Agency.Kind.FIRE, jurisdiction=[balikpapan])
    by_relation = {"owner": owner, "isp": isp, "partner": partner, "outsider": outsider}

    users: dict[str, object] = {}
    for persona in PERSONAS:
        if persona.member:
            user = UserFactory(username=f"mtx-{persona.name}")
            MembershipFactory(user=user, agency=by_relation[persona.relation], role=persona.role)
            users[persona.name] = user
    users["staff"] = UserFactory(username="mtx-staff", is_staff=True, is_superuser=True)
    users["noagency"] = UserFactory(username="mtx-noagency")
    users["anonymous"] = None

    world = World(
        agencies=SimpleNamespace(
            owner=owner,
            isp=isp,
            partner=partner,
            outsider=outsider,
            areas=SimpleNamespace(
                province=province, bontang=bontang, north=north, guntung=guntung, south=south, balikpapan=balikpapan
            ),
        ),
        users=users,
    )
    rec = world.records
    rec[("partnership", "")] = PartnershipFactory(
        title="MoU sharing MTXpartnership", agencies=[owner, isp], information_sharing=True
    )
    rec[("partnership_patrol", "")] = PartnershipFactory(
        title="MoU patrol", agencies=[owner, partner], information_sharing=False, joint_patrol=True
    )
    rec[("agency", "")] = owner
    rec[("membership", "")] = Membership.objects.get(user=users["owner-viewer"])
    rec[("area", "")] = guntung
    rec[("vital_object", "")] = VitalObjectFactory(name="Kilang MTXvitalobject", area=guntung, operator=owner)
    rec[("camera", "")] = CameraFactory(
        name="Kamera MTXcamera", area=guntung, operator=owner, stream_url="rtsp://user:MTXstreamsecret@cam.test/1"
    )
    rec[("invitation", "")] = Invitation.objects.create(
        agency=owner,
        email="MTXinvitation@mtx.test",
        role="viewer",
        token_hash="0" * 64,
        expires_at=now + datetime.timedelta(days=7),
    )
    rec[("subscription", "")] = SubscriptionFactory(agency=owner, name="Langganan MTXsubscription", areas=[bontang])
    rec[("report", "")] = CitizenReportFactory(
        area=guntung, description="Laporan warga MTXreport", contact="+62811MTXcontact"
    )
    crime = category("crime-theft")
    for level in LEVELS:
        rec[("incident", level)] = IncidentFactory(
            title=f"Kejadian {token('incident', level)}", classification=level, reporting_agency=owner, area=guntung
        )
        rec[("risk", level)] = RiskAssessmentFactory(
            vulnerabilities=f"Kerentanan {token('risk', level)}",
            classification=level,
            assessing_agency=owner,
            area=guntung,
        )
        threat = Threat.objects.create(
            identifier=f"mtx-{level}",
            sender="owner@mtx.test",
            sent_at=now,
            headline=f"Ancaman {token('threat', level)}",
            description=f"Uraian {token('threat', level)}",
            category=crime,
            classification=level,
            issuing_agency=owner,
            expires_at=now + datetime.timedelta(days=2),
        )
        threat.areas.set([guntung])
        rec[("threat", level)] = threat
        rec[("alert", level)] = Alert.objects.create(threat=threat, agency=owner, reason=Alert.Reason.JURISDICTION)
        operation = JointOperation.objects.create(
            name=f"Operasi {token('operation', level)}",
            kind=JointOperation.Kind.JOINT_PATROL,
            classification=level,
            lead_agency=owner,
            objectives=f"Sasaran {token('operation', level)}",
        )
        operation.areas.set([guntung])
        Participation.objects.create(operation=operation, agency=owner, personnel=5)
        rec[("operation", level)] = operation
        shift = PatrolShift.objects.create(
            operation=operation,
            title=f"Regu {token('shift', level)}",
            starts_at=now + datetime.timedelta(hours=2),
            ends_at=now + datetime.timedelta(hours=6),
        )
        shift.areas.set([guntung])
        ShiftContribution.objects.create(shift=shift, agency=owner, unit_name=f"Unit {level}", headcount=4)
        rec[("shift", level)] = shift
        rec[("sitrep", level)] = SitRep.objects.create(
            operation=operation,
            agency=owner,
            period_start=now - datetime.timedelta(hours=6),
            period_end=now - datetime.timedelta(hours=1),
            summary=f"Situasi {token('sitrep', level)}",
        )
        exercise = Exercise.objects.create(
            name=f"Latihan {token('exercise', level)}",
            kind=Exercise.Kind.TABLETOP,
            lead_agency=owner,
            classification=level,
            starts_at=now + datetime.timedelta(days=3),
            ends_at=now + datetime.timedelta(days=3, hours=4),
        )
        exercise.participants.set([owner])
        rec[("exercise", level)] = exercise
        rec[("action_item", level)] = ActionItem.objects.create(
            exercise=exercise,
            description=f"Tindak lanjut {token('actionitem', level)}",
            owner_agency=owner,
            due_date=timezone.localdate() + datetime.timedelta(days=10),
        )
    # A meeting O organises (begun an hour ago, so attendance and minutes may be taken), I and P
    # invited; an action item of it owned by O.
    meeting = Meeting.objects.create(
        title=f"Rapat {token('meeting')}",
        agenda=f"Agenda {token('meeting')}",
        area=bontang,
        place="Aula",
        organiser=owner,
        starts_at=now - datetime.timedelta(hours=1),
        ends_at=now + datetime.timedelta(days=3),
    )
    MeetingInvitee.objects.bulk_create([MeetingInvitee(meeting=meeting, agency=a) for a in (isp, partner)])
    rec[("meeting", "")] = meeting
    rec[("meeting_action_item", "")] = ActionItem.objects.create(
        meeting=meeting,
        description=f"Tindak lanjut {token('meetingitem')}",
        owner_agency=owner,
        due_date=timezone.localdate() + datetime.timedelta(days=10),
    )
    _programmes(world)
    rec[("notification", "")] = InboxItem.objects.create(
        user=users["owner-commander"],
        agency=owner,
        operation=rec[("operation", RESTRICTED)],
        kind="operation.added",
        message="Pesan MTXinbox",
    )
    rec[("notification_isp", "")] = InboxItem.objects.create(
        user=users["isp-viewer"],
        agency=isp,
        operation=rec[("operation", RESTRICTED)],
        kind="operation.added",
        message="Pesan MTXinboxisp",
    )
    _bulletins(world, users["owner-commander"])
    from incidents.models import CapSender

    rec[("cap_sender", "")] = CapSender.objects.create(
        agency=owner, sender="cap@mtx.test MTXcapsender", certificate="-"
    )
    from incidents.models import CapSource

    rec[("cap_source", "")] = CapSource.objects.create(
        name="Sumber MTXcapsource", authority="BMKG", url="https://example.org/cap.atom", agency=owner
    )
    _survey(world, users["owner-commander"])
    _evaluations(world)
    assert Partnership.objects.count() == 2
    return world


def _evaluations(world: World) -> None:
    """O's draft evaluation of last quarter with a finding; O's evaluation of its area published to
    I; O's evaluation of the quarter before, published to nobody, its public summary public."""
    from coordination.models import Evaluation, EvaluationFinding

    owner, rec = world.agencies.owner, world.records
    from coordination.evaluations.periods import Period

    last = Period.last_ended("quarter", timezone.localdate())
    start, end = last.start, last.end
    now = timezone.now()
    common = {"owner_agency": owner, "period_kind": "quarter", "period_start": start, "period_end": end}
    rec[("evaluation", "")] = Evaluation.objects.create(
        **common,
        title=f"Evaluasi {token('evaluation')}",
        scope_kind="agency",
        scope_agency=owner,
        scope_key=f"agency:{owner.pk}",
        summary=f"Ringkasan {token('evaluation')}",
        computed_at=now,
    )
    rec[("evaluation_finding", "")] = EvaluationFinding.objects.create(
        evaluation=rec[("evaluation", "")], text=f"Temuan {token('evaluationfinding')}", position=1
    )
    area = world.agencies.areas.bontang
    published = Evaluation.objects.create(
        **common,
        title=f"Evaluasi {token('evaluationpublished')}",
        scope_kind="area",
        scope_area=area,
        scope_key=f"area:{area.pk}",
        status="published",
        published_at=now,
        computed_at=now,
    )
    published.shared_with.set([world.agencies.isp])
    rec[("evaluation_published", "")] = published
    rec[("evaluation_public", "")] = Evaluation.objects.create(
        **common,
        title=f"Evaluasi {token('evaluationpublic')}",
        scope_kind="city",
        scope_key="city",
        status="published",
        published_at=now,
        computed_at=now,
        public=True,
        public_at=now,
    )


def _survey(world: World, manager) -> None:
    """An open custom survey of O (read by O's members), answered once with a written answer."""
    from coordination.community.surveys import services as surveys
    from coordination.models import SurveyAnswer, SurveyQuestion

    survey = surveys.survey_create(actor=manager, title=f"Survei {token('survey')}", agency=world.agencies.owner)
    scale = surveys.survey_question_add(actor=manager, survey=survey, kind=SurveyQuestion.Kind.LIKERT, text="Puas?")
    text = surveys.survey_question_add(
        actor=manager, survey=survey, kind=SurveyQuestion.Kind.LONG_TEXT, text="Saran", required=False
    )
    surveys.survey_open(actor=manager, survey=survey)
    surveys.survey_answer_submit(
        survey=survey, answers={scale.pk: ["4"], text.pk: [f"Saran {token('surveyanswer')}"]}, device_token="matrix"
    )
    world.records[("survey", "")] = survey
    world.records[("survey_answer", "")] = SurveyAnswer.objects.get(question=text)


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _bulletins(world: World, issuer) -> None:
    """One bulletin at every classification through the service (its recipient rows are what
    sending resolves; the oracle above says who may read them, independently), each with an
    attachment and a reply; the releasable version (restricted) where the level is above it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from coordination.bulletins.services import bulletin_create, bulletin_reply
    from coordination.models import BulletinReply

    for level in LEVELS:
        wider = level in {CONFIDENTIAL, SECRET}
        bulletin = bulletin_create(
            actor=issuer,
            title=f"Buletin {token('bulletin', level)}",
            body=f"Isi {token('bulletinfull', level)}",
            classification=level,
            distribution={"scopes": BULLETIN_SCOPES},
            releasable_title=f"Rilis {token('bulletinrel', level)}" if wider else "",
            releasable_body=f"Isi rilis {token('bulletinrel', level)}" if wider else "",
            releasable_classification=RESTRICTED if wider else "",
            releasable_distribution={"scopes": BULLETIN_SCOPES} if wider else None,
            ack_required=True,
            ack_deadline=timezone.now() + datetime.timedelta(days=2),
            attachments=[SimpleUploadedFile(f"Lampiran {token('bulletinfile', level)}.pdf", PDF)],
        )
        world.records[("bulletin", level)] = bulletin
        world.records[("bulletin_full", level)] = bulletin
        world.records[("bulletin_attachment", level)] = bulletin.attachments.get()
        bulletin.reads_full = True  # type: ignore[attr-defined]  # the issuer's (bulletin_reply checks it)
        reply = bulletin_reply(actor=issuer, bulletin=bulletin, body=f"Balasan {token('bulletinreply', level)}")
        world.records[("bulletin_reply", level)] = BulletinReply.objects.get(pk=reply.pk)


def _programmes(world: World) -> None:
    """O's internal programme (I its partner), approved and begun an hour ago (attendance may be
    taken), with a material and a photo; O's public programme, approved, tomorrow, with a
    citizen's registration."""
    from django.core.files.base import ContentFile

    from coordination.models import (
        Programme,
        ProgrammeMaterial,
        ProgrammePhoto,
        ProgrammeRegistration,
        ProgrammeSession,
        TargetGroup,
    )

    now = timezone.now()
    owner, rec = world.agencies.owner, world.records
    rows = {}
    for kind, start, public in (
        ("programme", now - datetime.timedelta(hours=1), False),
        ("programme_public", now + datetime.timedelta(days=1), True),
    ):
        programme = Programme.objects.create(
            kind=Programme.Kind.LAW_LITERACY,
            title=f"Program {token(kind)}",
            description=f"Uraian {token(kind)}",
            organiser=owner,
            area=world.agencies.areas.bontang,
            latitude="0.130000",
            longitude="117.500000",
            is_public=public,
            status=Programme.Status.APPROVED,
            starts_at=start,
            ends_at=start + datetime.timedelta(days=3),
        )
        ProgrammeSession.objects.create(programme=programme, starts_at=start, ends_at=programme.ends_at)
        TargetGroup.objects.create(programme=programme, group="students", planned=50)
        rows[kind] = rec[(kind, "")] = programme
    rows["programme"].partners.set([world.agencies.isp])
    material = ProgrammeMaterial(
        programme=rows["programme"], name="Materi MTXprogrammefile.pdf", content_type="application/pdf", size=len(PDF)
    )
    material.file.save(material.token, ContentFile(PDF), save=False)
    material.save()
    rec[("programme_material", "")] = material
    photo = ProgrammePhoto(
        programme=rows["programme"], content_type="image/png", extension="png", size=len(PNG), width=1, height=1
    )
    photo.image.save(f"{photo.token}.png", ContentFile(PNG), save=False)
    photo.save()
    rec[("programme_photo", "")] = photo
    rec[("programme_registration", "")] = ProgrammeRegistration.objects.create(
        programme=rows["programme_public"], name="Warga MTXprogrammereg", contact="0812 MTXprogrammereg"
    )


# A 1x1 PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
