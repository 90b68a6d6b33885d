"""Demo activity on top of agencies.demo's world: incidents, citizen reports, risks, a threat, a
joint operation with its patrols, an exercise, a bulletin, two coordination meetings and four
community programmes.
Everything goes through the services, as a user would, so the demo shows real reference
numbers, timelines, alerts and conflicts.

Idempotent: each item is looked up by its title first and left alone when it exists.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from agencies.models import Agency, Area, Classification, Severity
from incidents import services as incident_services
from incidents.models import Category, CitizenReport, Incident, RiskAssessment, Threat, Urgency
from incidents.reports import services as report_services
from incidents.risks import services as risk_services
from incidents.threats import services as threat_services

from .bulletins import selectors as bulletin_selectors
from .bulletins import services as bulletin_services
from .community.programmes.demo import seed_programmes
from .community.surveys.demo import seed_surveys
from .evaluations.demo import seed_evaluations
from .exercises import services as exercise_services
from .meetings import services as meeting_services
from .models import Bulletin, Exercise, JointOperation, Meeting
from .operations import services as operation_services
from .patrols import services as patrol_services

# title, category, regency/district/village, status moves, severity, classification, reporter,
# lat, lon, hours ago
INCIDENTS: list[tuple[str, str, str, list[str], int, str, str, str, str, int]] = [
    (
        "Pencurian sepeda motor di Bontang Baru",
        "crime-theft",
        "Bontang Baru",
        ["verified", "responding"],
        Severity.MODERATE,
        Classification.RESTRICTED,
        "liaison.bontang",
        "0.1380",
        "117.4980",
        5,
    ),
    (
        "Kebakaran rumah warga di Guntung",
        "fire-building",
        "Guntung",
        ["verified", "responding", "contained"],
        Severity.SEVERE,
        Classification.PUBLIC,
        "liaison.bontang",
        "0.1760",
        "117.4710",
        30,
    ),
    (
        "Transaksi sabu di pelabuhan Lok Tuan",
        "narcotics-trafficking",
        "Loktuan (Lok Tuan)",
        ["verified"],
        Severity.SEVERE,
        Classification.CONFIDENTIAL,
        "liaison.bnn",
        "0.1520",
        "117.4890",
        50,
    ),
    (
        "Banjir rob di Bontang Kuala",
        "flood-tidal",
        "Bontang Kuala",
        ["verified", "responding", "resolved"],
        Severity.MODERATE,
        Classification.PUBLIC,
        "liaison.bpbd",
        "0.1290",
        "117.5060",
        100,
    ),
    (
        "Orang mencurigakan memotret pagar kilang",
        "suspicious-activity",
        "Bontang Lestari",
        [],
        Severity.MINOR,
        Classification.RESTRICTED,
        "security.gas",
        "0.0990",
        "117.4770",
        3,
    ),
    (
        "Kecelakaan truk di jalan poros Bontang-Samarinda",
        "traffic",
        "Bontang Lestari",
        ["verified", "resolved"],
        Severity.MODERATE,
        Classification.PUBLIC,
        "liaison.satpolpp",
        "0.0850",
        "117.4520",
        200,
    ),
    (
        "Tawuran pelajar di Balikpapan Kota",
        "social-conflict-clash",
        "Klandasan Ilir",
        ["verified"],
        Severity.MODERATE,
        Classification.RESTRICTED,
        "liaison.balikpapan",
        "-1.2740",
        "116.8270",
        20,
    ),
    (
        "Tumpahan minyak di Teluk Balikpapan",
        "pollution-oil-spill",
        "Baru Ulu",
        ["verified", "responding"],
        Severity.SEVERE,
        Classification.PUBLIC,
        "liaison.balikpapan",
        "-1.2500",
        "116.8000",
        70,
    ),
    (
        "Penyelundupan barang di Tanjung Priok",
        "smuggling",
        "Tanjung Priok",
        ["verified"],
        Severity.MODERATE,
        Classification.CONFIDENTIAL,
        "liaison.jakut",
        "-6.1060",
        "106.8830",
        40,
    ),
    (
        "Kebakaran lahan gambut di Banyuasin",
        "fire-forest",
        "Muara Padang",
        ["verified", "responding"],
        Severity.SEVERE,
        Classification.PUBLIC,
        "liaison.banyuasin",
        "-2.5400",
        "104.8900",
        10,
    ),
]

# area (regency or district), hazard, likelihood, impact, agency user, days since assessed, review in days
RISKS: list[tuple[str, str, int, int, str, int, int]] = [
    ("Bontang Selatan", "industrial-gas-leak", 3, 5, "komandan.bontang", 200, -20),
    ("Bontang Utara", "flood-tidal", 4, 3, "liaison.bpbd", 60, 120),
    ("Bontang Utara", "narcotics", 4, 4, "liaison.bnn", 90, 90),
    ("Bontang Barat", "landslide", 2, 3, "liaison.bpbd", 300, -60),
    ("Balikpapan Barat", "pollution-oil-spill", 3, 4, "liaison.balikpapan", 30, 150),
    ("Tanjung Priok", "smuggling", 4, 3, "liaison.jakut", 45, 100),
    ("Muara Padang", "fire-forest", 5, 4, "liaison.banyuasin", 20, 160),
]


def _user(username: str) -> Any:
    return get_user_model().objects.get(username=username)


def _area(name: str) -> Area:
    return Area.objects.filter(name=name).order_by("-level").first() or Area.objects.get(name=name)


def seed_activity() -> dict[str, int]:
    """Create the demo activity that is missing; returns how many items of each kind were made."""
    made = {
        "incidents": 0,
        "reports": 0,
        "risks": 0,
        "threats": 0,
        "operations": 0,
        "exercises": 0,
        "bulletins": 0,
        "meetings": 0,
        "programmes": 0,
        "surveys": 0,
        "evaluations": 0,
    }
    now = timezone.now()
    for title, code, area, moves, severity, classification, who, lat, lon, hours in INCIDENTS:
        if Incident.objects.filter(title=title).exists():
            continue
        actor = _user(who)
        incident = incident_services.incident_create(
            actor=actor,
            title=title,
            category=Category.objects.get(code=code),
            area=_area(area),
            severity=severity,
            urgency=Urgency.EXPECTED,
            classification=classification,
            latitude=Decimal(lat),
            longitude=Decimal(lon),
            occurred_at=now - datetime.timedelta(hours=hours),
            description=title + ".",
        )
        for status in moves:
            incident_services.incident_change_status(actor=actor, incident=incident, status=status)
        made["incidents"] += 1

    for description, lat, lon, question, answer in (
        (
            "Ada mobil parkir berhari-hari dekat pagar sekolah, kaca gelap.",
            "0.1405",
            "117.4925",
            "Apa merek dan warna mobilnya? Nomor polisinya terlihat?",
            "Minibus hitam, plat KT, angkanya tertutup lumpur.",
        ),
        ("Lampu jalan mati di Jl. Ahmad Yani, rawan jambret malam hari.", "0.1350", "117.4960", "", ""),
    ):
        if CitizenReport.objects.filter(description=description).exists():
            continue
        report = report_services.citizen_report_submit(
            category=Category.objects.get(code="suspicious-activity"),
            description=description,
            latitude=Decimal(lat),
            longitude=Decimal(lon),
            area=_area("Bontang Utara"),
        )
        if question:  # the two-way thread: a moderator's question, the reporter's answer
            asked = report_services.report_question_ask(actor=_user("liaison.bontang"), report=report, text=question)
            report_services.report_question_answer(report=report, question_id=asked.pk, text=answer)
        made["reports"] += 1

    today = timezone.localdate()
    for area, hazard, likelihood, impact, who, since, review in RISKS:
        place = _area(area)
        category = Category.objects.get(code=hazard)
        if RiskAssessment.objects.filter(area=place, hazard=category).exists():
            continue
        assessed = today - datetime.timedelta(days=since)
        risk_services.risk_create(
            actor=_user(who),
            area=place,
            hazard=category,
            likelihood=likelihood,
            impact=impact,
            assessed_on=assessed,
            review_due=max(assessed, today + datetime.timedelta(days=review)),
            vulnerabilities="Permukiman padat dekat lokasi.",
            mitigations="Patroli gabungan dan sosialisasi warga.",
        )
        made["risks"] += 1

    headline = "Potensi kebocoran gas di sekitar kilang Bontang Selatan"
    if not Threat.objects.filter(headline=headline).exists():
        threat_services.threat_log(
            actor=_user("liaison.bontang"),
            headline=headline,
            description="Sensor gas di pagar utara kilang melaporkan kadar tinggi sejak pukul 21.00.",
            instruction="Tutup akses jalan ke kilang; siapkan evakuasi RT 12-15.",
            headline_en="Possible gas leak around the Bontang Selatan plant",
            category=Category.objects.get(code="industrial-gas-leak"),
            areas=[_area("Bontang Selatan")],
            severity=Severity.SEVERE,
            classification=Classification.RESTRICTED,
            named_agencies=[Agency.objects.get(code="pt-gas-khatulistiwa")],
        )
        made["threats"] += 1

    name = "Operasi Pekat Mahakam 2026"
    if not JointOperation.objects.filter(name=name).exists():
        commander = _user("komandan.bontang")
        operation = operation_services.operation_create(
            actor=commander,
            name=name,
            kind=JointOperation.Kind.JOINT_PATROL,
            areas=[_area("Bontang Utara"), _area("Bontang Selatan")],
            objectives="Patroli malam gabungan di pelabuhan Lok Tuan dan jalur logistik kilang.",
            command_post="Mako Polres Bontang",
            starts_at=now - datetime.timedelta(days=1),
            ends_at=now + datetime.timedelta(days=30),
        )
        for code in ("kodim-bontang", "satpolpp-bontang", "bnn-bontang"):
            operation_services.participation_add(
                actor=commander, operation=operation, agency=Agency.objects.get(code=code), personnel=10, vehicles=2
            )
        operation_services.operation_change_status(actor=commander, operation=operation, status="approved")
        patrol_services.patrol_plan_generate(
            user=commander,
            operation=operation,
            first_date=today,
            days=14,
            start_time=datetime.time(22),
            end_time=datetime.time(4),
            areas=[_area("Bontang Utara")],
            title="Patroli malam Lok Tuan",
            contributions=[
                {"agency": Agency.objects.get(code="polres-bontang"), "unit_name": "Sabhara 1", "headcount": 8},
                {"agency": Agency.objects.get(code="kodim-bontang"), "unit_name": "Unit Reaksi Cepat", "headcount": 6},
            ],
        )
        made["operations"] += 1

    exercise_name = "Latihan Gabungan Tanggap Kebocoran Gas"
    if not Exercise.objects.filter(name=exercise_name).exists():
        commander = _user("komandan.bpbd")
        start = now - datetime.timedelta(days=20)
        exercise = exercise_services.exercise_create(
            actor=commander,
            name=exercise_name,
            kind=Exercise.Kind.FIELD_DRILL,
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=4),
            participants=[Agency.objects.get(code=c) for c in ("polres-bontang", "damkar-bontang")],
            areas=[_area("Bontang Selatan")],
            scenario="Kebocoran gas di kilang; evakuasi warga RT 12-15.",
        )
        exercise_services.exercise_review(
            actor=commander,
            exercise=exercise,
            observations="Sirene tidak terdengar di RT 14.",
            strengths="Koordinasi radio berjalan baik.",
            gaps="Jalur evakuasi belum ditandai.",
        )
        exercise_services.action_item_create(
            actor=commander,
            exercise=exercise,
            description="Pasang rambu jalur evakuasi RT 12-15",
            owner_agency=Agency.objects.get(code="polres-bontang"),
            due_date=today - datetime.timedelta(days=3),
        )
        made["exercises"] += 1
    made["bulletins"] += _seed_bulletin(now)
    made["meetings"] += _seed_meetings(now)
    made["programmes"] += seed_programmes(now, user=_user, area=_area)
    made["surveys"] += seed_surveys(now, user=_user, area=_area)
    made["evaluations"] += seed_evaluations(user=_user)
    return made


def _seed_bulletin(now: datetime.datetime) -> int:
    """A bulletin from Polres Bontang asking its partners to acknowledge, with a releasable
    version for the fire brigades, read, acknowledged, amended and replied to."""
    title = "Waspada penyelundupan sabu lewat pelabuhan Lok Tuan"
    if Bulletin.objects.filter(title=title).exists():
        return 0
    liaison = _user("liaison.bontang")
    bulletin = bulletin_services.bulletin_create(
        actor=liaison,
        title=title,
        body=(
            "Informasi dari BNN: kapal kayu tanpa AIS bersandar **pukul 01.00-03.00**.\n\n"
            "- periksa muatan\n- laporkan ke piket Polres"
        ),
        classification=Classification.CONFIDENTIAL,
        category=Category.objects.get(code="narcotics-trafficking"),
        areas=[_area("Bontang Utara")],
        distribution={
            "agencies": [Agency.objects.get(code=c).pk for c in ("bnn-bontang", "kodim-bontang", "bpbd-bontang")]
        },
        releasable_title="Imbauan kewaspadaan di pelabuhan Lok Tuan",
        releasable_body="Tingkatkan kewaspadaan di sekitar pelabuhan Lok Tuan pada malam hari.",
        releasable_classification=Classification.RESTRICTED,
        releasable_distribution={"kinds": [Agency.Kind.FIRE, Agency.Kind.CIVIL_POLICE]},
        ack_required=True,
        ack_deadline=now + datetime.timedelta(days=1),
    )
    reader = _user("liaison.bnn")
    as_reader = bulletin_selectors.bulletin_get(user=reader, pk=bulletin.pk, audit=False)
    bulletin_services.bulletin_acknowledge(actor=reader, bulletin=as_reader)
    bulletin_services.bulletin_reply(actor=reader, bulletin=as_reader, body="Diterima, tim BNN siaga di dermaga 2.")
    bulletin_services.bulletin_mark_read(user=_user("liaison.kodim"), bulletin=bulletin)
    bulletin_services.bulletin_amend(
        actor=liaison, bulletin=bulletin, body=bulletin.body + "\n- foto kapal dilampirkan bila ada", note="Tambahan"
    )
    return 1


def _seed_meetings(now: datetime.datetime) -> int:
    """Two coordination meetings organised by Polres Bontang: one next week (BNN, Kodim and
    BPBD invited, BNN's liaison by name, Kodim has accepted) and one held last week with its
    attendance, minutes, decisions and an overdue action item of BPBD's."""
    made = 0
    liaison = _user("liaison.bontang")
    agencies = [Agency.objects.get(code=c) for c in ("bnn-bontang", "kodim-bontang", "bpbd-bontang")]
    title = "Rapat koordinasi pengamanan Natal dan Tahun Baru"
    if not Meeting.objects.filter(title=title).exists():
        start = (now + datetime.timedelta(days=7)).replace(minute=0, second=0, microsecond=0)
        meeting = meeting_services.meeting_create(
            actor=liaison,
            title=title,
            area=_area("Kota Bontang"),
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=2),
            place="Aula Mako Polres Bontang",
            online_url="https://meet.example.org/rakor-nataru",
            invited_agencies=agencies,
            invited_persons=[_user("liaison.bnn")],
            agenda="1. Pembukaan\n2. Titik rawan malam Natal\n3. Pembagian pos pengamanan\n4. Lain-lain",
        )
        meeting_services.meeting_rsvp(actor=_user("liaison.kodim"), meeting=meeting, response="accepted")
        made += 1
    title = "Rapat evaluasi kesiapsiagaan banjir Bontang Barat"
    if not Meeting.objects.filter(title=title).exists():
        start = (now - datetime.timedelta(days=7)).replace(minute=0, second=0, microsecond=0)
        meeting = meeting_services.meeting_create(
            actor=liaison,
            title=title,
            area=_area("Kota Bontang"),
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=2),
            place="Kantor BPBD Bontang",
            invited_agencies=agencies,
            agenda="1. Laporan curah hujan\n2. Jalur evakuasi",
        )
        rows = list(meeting.invitees.all())
        meeting_services.meeting_attendance(
            actor=liaison, meeting=meeting, present={r.pk: r.agency.code != "kodim-bontang" for r in rows}
        )
        meeting_services.meeting_minutes(
            actor=liaison,
            meeting=meeting,
            minutes=(
                "Rapat dibuka pukul 09.00 oleh Kapolres.\n\n"
                "- BPBD melaporkan curah hujan tinggi\n- Dua jalur evakuasi tergenang"
            ),
        )
        meeting_services.meeting_decision_add(
            actor=liaison, meeting=meeting, text="Posko siaga banjir dibuka di Kelurahan Gunung Elai."
        )
        meeting_services.meeting_action_item_create(
            actor=liaison,
            meeting=meeting,
            description="Petakan ulang jalur evakuasi Bontang Barat",
            owner_agency=Agency.objects.get(code="bpbd-bontang"),
            owner_person=_user("liaison.bpbd"),
            due_date=timezone.localdate() - datetime.timedelta(days=2),
        )
        made += 1
    return made
