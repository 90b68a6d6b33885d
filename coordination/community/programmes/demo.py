"""The demo's community programmes (coordination/demo.py `seed_activity` calls it with its look-ups of a
demo user by username and an area by name): through the services, as a user would, and
idempotent."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from agencies.models import Agency, Area
from coordination.models import Programme

from . import services as programme_services

# title, kind, organiser's planner, partners, venue, area, days from now (each session), public,
# target groups (group, age band, sex, planned), goods, how far it has gone
PROGRAMMES: list[tuple[str, str, str, list[str], str, str, list[int], bool, list[tuple], list[tuple], str]] = [
    (
        "Penyuluhan bahaya narkoba di SMA Harapan Bontang",
        "law_literacy",
        "liaison.bontang",
        ["bnn-bontang", "sma-harapan-bontang"],
        "SMA Harapan Bontang",
        "Kota Bontang",
        [-10],
        False,
        [("students", "13-17", "female", 80), ("students", "13-17", "male", 70)],
        [("Brosur bahaya narkoba", 150)],
        "reported",
    ),
    (
        "Kampanye keselamatan lalu lintas: helm untuk pelajar",
        "traffic_safety",
        "liaison.bontang",
        ["dishub-bontang"],
        "Simpang Tugu Bontang Baru",
        "Bontang Baru",
        [5],
        True,
        [("students", "13-17", "any", 100), ("workers", "26-59", "any", 50)],
        [("Helm SNI", 100), ("Brosur tertib lalu lintas", 300)],
        "approved",
    ),
    (
        "Pelatihan siskamling warga Guntung",
        "siskamling_training",
        "liaison.bontang",
        ["siskamling-guntung"],
        "Balai Kelurahan Guntung",
        "Guntung",
        [-2, 5, 12],
        True,
        [("residents", "26-59", "male", 30), ("youth", "18-25", "any", 15)],
        [],
        "held",
    ),
    (
        "Bakti sosial TNI-Polri di Kelurahan Guntung",
        "social_service",
        "liaison.kodim",
        ["polres-bontang"],
        "Lapangan Kelurahan Guntung",
        "Guntung",
        [14],
        True,
        [("residents", "any", "any", 200)],
        [("Paket sembako", 200)],
        "planned",
    ),
]


def seed_programmes(now: datetime.datetime, *, user: Callable[[str], Any], area: Callable[[str], Area]) -> int:
    """Four community programmes through the services, in every state a user meets: a law
    literacy session reported with its follow-up, a public traffic-safety campaign approved and
    upcoming, a siskamling training series being held, a social service still planned."""
    made = 0
    commanders = {"polres-bontang": "komandan.bontang", "kodim-bontang": "komandan.kodim"}
    for title, kind, who, partners, venue, area_name, days, public, groups, goods, state in PROGRAMMES:
        if Programme.objects.filter(title=title).exists():
            continue
        actor = user(who)
        base = now.replace(minute=0, second=0, microsecond=0) + datetime.timedelta(hours=1)
        sessions = [(base + datetime.timedelta(days=d), base + datetime.timedelta(days=d, hours=3)) for d in days]
        programme = programme_services.programme_create(
            actor=actor,
            kind=kind,
            title=title,
            area=area(area_name),
            venue=venue,
            is_public=public,
            sessions=sessions,
            target_groups=[{"group": g, "age_band": a, "sex": x, "planned": n} for g, a, x, n in groups],
            goods=[{"item": i, "quantity": q} for i, q in goods],
            partners=list(Agency.objects.filter(code__in=partners)),
            description=f"{title}: bersama mitra, terbuka bagi warga." if public else title,
        )
        made += 1
        if state == "planned":
            continue
        commander = user(commanders[programme.organiser.code])
        programme_services.programme_approve(actor=commander, programme=programme)
        if state == "approved":
            continue
        rows = list(programme.target_groups.all())
        programme_services.programme_hold(
            actor=actor, programme=programme, attendance={g.pk: g.planned - 7 * (i + 1) for i, g in enumerate(rows)}
        )
        if state == "held":
            continue
        programme_services.programme_report(
            actor=actor,
            programme=programme,
            objectives="Siswa memahami bahaya narkoba dan jerat hukumnya.",
            activities="Ceramah BNN, pemutaran film, tanya jawab dan ikrar anti narkoba.",
            results="136 siswa hadir; 12 siswa mendaftar sebagai duta anti narkoba.",
            lessons="Sesi tanya jawab perlu waktu lebih panjang; libatkan orang tua.",
        )
        programme_services.programme_action_item_create(
            actor=actor,
            programme=programme,
            description="Bentuk kelompok duta anti narkoba sekolah",
            owner_agency=Agency.objects.get(code="bnn-bontang"),
            due_date=timezone.localdate() + datetime.timedelta(days=20),
        )
    return made
