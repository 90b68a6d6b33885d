"""The demo world of `manage.py seed_demo`: real places, fictitious agencies and people.

Places are the real areas of Kota Bontang and Kota Balikpapan (Kalimantan Timur), Kota Adm.
Jakarta Utara and Kabupaten Banyuasin (Sumatra Selatan) as areaid names them. Every company,
school, NGO, community group and person below is invented.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from .accounts.services import demo_authenticators_seed, demo_totp_key_text
from .area_import import analyze_areas, import_province, rollup_centroids
from .models import (
    Agency,
    Area,
    Camera,
    Membership,
    Partnership,
    PartnershipAnswer,
    Subscription,
    SubscriptionCategory,
    VitalObject,
)

DEMO_PASSWORD = "sinergi-demo-2026"  # noqa: S105 - printed by make run on purpose

PROVINCES = ("Kalimantan Timur", "Daerah Khusus Ibukota Jakarta", "Sumatra Selatan")

# regency name -> (centroid lat, lon)
CITIES = {
    "Kota Bontang": ("0.133300", "117.500000"),
    "Kota Balikpapan": ("-1.265000", "116.831000"),
    "Kota Adm. Jakarta Utara": ("-6.121000", "106.900000"),
    "Kabupaten Banyuasin": ("-2.884000", "104.774000"),
}

# (regency, district) -> (centroid lat, lon), approximate centres of the demo cities' districts.
# areaid has no coordinates: these let picking a district place the map, and roll up to the
# provinces (rollup_centroids).
DISTRICTS = {
    ("Kota Bontang", "Bontang Utara"): ("0.160000", "117.480000"),
    ("Kota Bontang", "Bontang Selatan"): ("0.095000", "117.470000"),
    ("Kota Bontang", "Bontang Barat"): ("0.130000", "117.440000"),
    ("Kota Balikpapan", "Balikpapan Kota"): ("-1.270000", "116.830000"),
    ("Kota Balikpapan", "Balikpapan Selatan"): ("-1.255000", "116.870000"),
    ("Kota Balikpapan", "Balikpapan Tengah"): ("-1.240000", "116.840000"),
    ("Kota Balikpapan", "Balikpapan Barat"): ("-1.220000", "116.800000"),
    ("Kota Balikpapan", "Balikpapan Utara"): ("-1.200000", "116.870000"),
    ("Kota Balikpapan", "Balikpapan Timur"): ("-1.200000", "116.960000"),
    ("Kota Adm. Jakarta Utara", "Penjaringan"): ("-6.120000", "106.780000"),
    ("Kota Adm. Jakarta Utara", "Pademangan"): ("-6.130000", "106.840000"),
    ("Kota Adm. Jakarta Utara", "Tanjung Priok"): ("-6.125000", "106.880000"),
    ("Kota Adm. Jakarta Utara", "Koja"): ("-6.115000", "106.910000"),
    ("Kota Adm. Jakarta Utara", "Kelapa Gading"): ("-6.160000", "106.905000"),
    ("Kota Adm. Jakarta Utara", "Cilincing"): ("-6.120000", "106.950000"),
}

# (district, village) -> (lat, lon): villages placed by hand where demo risks lie; Muara Padang's
# district gets its centre from the roll-up.
VILLAGES = {
    ("Muara Padang", "Muara Padang"): ("-2.450000", "104.880000"),
    ("Tanjung Priok", "Tanjung Priok"): ("-6.108000", "106.882000"),
}

K = Agency.Kind
R = Membership.Role

# code, name, kind, parent code, jurisdiction (regency or "province:<name>" or "district:<name>"), lat, lon, phone
AGENCIES: list[tuple[str, str, str, str | None, str, str, str, str]] = [
    ("polda-kaltim", "Polda Kalimantan Timur", K.POLICE, None, "province:Kalimantan Timur", "-1.240", "116.860", "110"),
    ("polres-bontang", "Polres Bontang", K.POLICE, "polda-kaltim", "Kota Bontang", "0.137", "117.497", "+62548 21110"),
    ("kodim-bontang", "Kodim Bontang", K.MILITARY, None, "Kota Bontang", "0.131", "117.489", "+62548 21445"),
    ("bnn-bontang", "BNN Kota Bontang", K.NARCOTICS, None, "Kota Bontang", "0.128", "117.483", "+62548 26184"),
    ("bpbd-bontang", "BPBD Kota Bontang", K.DISASTER, None, "Kota Bontang", "0.140", "117.479", "+62548 41112"),
    ("damkar-bontang", "Damkar Kota Bontang", K.FIRE, None, "Kota Bontang", "0.134", "117.493", "113"),
    (
        "satpolpp-bontang",
        "Satpol PP Kota Bontang",
        K.CIVIL_POLICE,
        None,
        "Kota Bontang",
        "0.139",
        "117.500",
        "+62548 22012",
    ),
    ("dishub-bontang", "Dinas Perhubungan Kota Bontang", K.CITY_OFFICE, None, "Kota Bontang", "0.135", "117.488", ""),
    ("pt-gas-khatulistiwa", "PT Gas Alam Khatulistiwa", K.COMPANY, None, "Kota Bontang", "0.098", "117.476", ""),
    ("pt-pupuk-borneo", "PT Pupuk Borneo Raya", K.COMPANY, None, "Kota Bontang", "0.172", "117.481", ""),
    (
        "sma-harapan-bontang",
        "SMA Harapan Bangsa Bontang",
        K.SCHOOL,
        None,
        "district:Bontang Utara",
        "0.142",
        "117.492",
        "",
    ),
    ("lsm-bontang-peduli", "LSM Bontang Peduli", K.NGO, None, "Kota Bontang", "0.136", "117.490", ""),
    (
        "siskamling-guntung",
        "Siskamling RT 12 Guntung",
        K.COMMUNITY,
        "polres-bontang",
        "district:Bontang Utara",
        "0.176",
        "117.471",
        "",
    ),
    (
        "polresta-balikpapan",
        "Polresta Balikpapan",
        K.POLICE,
        "polda-kaltim",
        "Kota Balikpapan",
        "-1.267",
        "116.829",
        "+62542 421110",
    ),
    ("lanal-balikpapan", "Lanal Balikpapan", K.MILITARY, None, "Kota Balikpapan", "-1.275", "116.812", "+62542 733345"),
    (
        "basarnas-balikpapan",
        "Kantor SAR Balikpapan",
        K.SEARCH_RESCUE,
        None,
        "province:Kalimantan Timur",
        "-1.262",
        "116.894",
        "115",
    ),
    (
        "bpbd-balikpapan",
        "BPBD Kota Balikpapan",
        K.DISASTER,
        None,
        "Kota Balikpapan",
        "-1.241",
        "116.852",
        "+62542 7207112",
    ),
    ("pt-kilang-semayang", "PT Kilang Teluk Semayang", K.COMPANY, None, "Kota Balikpapan", "-1.252", "116.803", ""),
    (
        "polres-jakut",
        "Polres Metro Jakarta Utara",
        K.POLICE,
        None,
        "Kota Adm. Jakarta Utara",
        "-6.110",
        "106.883",
        "110",
    ),
    (
        "satpolpp-jakut",
        "Satpol PP Jakarta Utara",
        K.CIVIL_POLICE,
        None,
        "Kota Adm. Jakarta Utara",
        "-6.125",
        "106.910",
        "",
    ),
    (
        "damkar-jakut",
        "Sudin Gulkarmat Jakarta Utara",
        K.FIRE,
        None,
        "Kota Adm. Jakarta Utara",
        "-6.131",
        "106.897",
        "112",
    ),
    (
        "pt-pelabuhan-samudra",
        "PT Pelabuhan Samudra Utara",
        K.COMPANY,
        None,
        "Kota Adm. Jakarta Utara",
        "-6.104",
        "106.881",
        "",
    ),
    ("siskamling-koja", "Siskamling RW 05 Koja", K.COMMUNITY, "polres-jakut", "district:Koja", "-6.117", "106.906", ""),
    ("polres-banyuasin", "Polres Banyuasin", K.POLICE, None, "Kabupaten Banyuasin", "-2.880", "104.771", "110"),
    ("bpbd-banyuasin", "BPBD Kabupaten Banyuasin", K.DISASTER, None, "Kabupaten Banyuasin", "-2.886", "104.776", ""),
    ("bnn-banyuasin", "BNN Kabupaten Banyuasin", K.NARCOTICS, None, "Kabupaten Banyuasin", "-2.878", "104.768", ""),
    ("lsm-hutan-lestari", "LSM Hutan Lestari Banyuasin", K.NGO, None, "Kabupaten Banyuasin", "-2.901", "104.790", ""),
]

# username, first, last, agency code, role
PEOPLE: list[tuple[str, str, str, str, str]] = [
    ("komandan.bontang", "Rudi", "Hartanto", "polres-bontang", R.COMMANDER),
    ("liaison.bontang", "Sari", "Wulandari", "polres-bontang", R.LIAISON),
    ("planner.bontang", "Agus", "Prasetyo", "polres-bontang", R.PLANNER),
    ("analyst.bontang", "Dewi", "Lestari", "polres-bontang", R.ANALYST),
    ("viewer.bontang", "Yusuf", "Ramadhan", "polres-bontang", R.VIEWER),
    ("komandan.kodim", "Bambang", "Suryadi", "kodim-bontang", R.COMMANDER),
    ("liaison.kodim", "Eko", "Saputra", "kodim-bontang", R.LIAISON),
    ("komandan.bpbd", "Siti", "Rahmawati", "bpbd-bontang", R.COMMANDER),
    ("liaison.bpbd", "Fajar", "Nugroho", "bpbd-bontang", R.LIAISON),
    ("liaison.bnn", "Rina", "Marlina", "bnn-bontang", R.LIAISON),
    ("komandan.bnn", "Hendra", "Gunawan", "bnn-bontang", R.COMMANDER),
    ("komandan.damkar", "Joko", "Susilo", "damkar-bontang", R.COMMANDER),
    ("liaison.satpolpp", "Indah", "Permata", "satpolpp-bontang", R.LIAISON),
    ("komandan.satpolpp", "Wahyu", "Hidayat", "satpolpp-bontang", R.COMMANDER),
    ("security.gas", "Andi", "Kurniawan", "pt-gas-khatulistiwa", R.LIAISON),
    ("komandan.gas", "Teguh", "Santoso", "pt-gas-khatulistiwa", R.COMMANDER),
    ("ketua.siskamling", "Pak", "Darmo", "siskamling-guntung", R.COMMANDER),
    ("komandan.balikpapan", "Arif", "Setiawan", "polresta-balikpapan", R.COMMANDER),
    ("liaison.balikpapan", "Maya", "Anggraini", "polresta-balikpapan", R.LIAISON),
    ("komandan.basarnas", "Dimas", "Pratama", "basarnas-balikpapan", R.COMMANDER),
    ("liaison.basarnas", "Lina", "Kartika", "basarnas-balikpapan", R.LIAISON),
    ("komandan.jakut", "Budi", "Santika", "polres-jakut", R.COMMANDER),
    ("liaison.jakut", "Nur", "Aini", "polres-jakut", R.LIAISON),
    ("komandan.banyuasin", "Irfan", "Maulana", "polres-banyuasin", R.COMMANDER),
    ("liaison.banyuasin", "Putri", "Ayu", "polres-banyuasin", R.LIAISON),
    ("komandan.polda", "Surya", "Wijaya", "polda-kaltim", R.COMMANDER),
]

# title, parties, scopes, valid from (days ago), valid for (days, None = open-ended)
PARTNERSHIPS: list[tuple[str, list[str], list[str], int, int | None]] = [
    (
        "MoU Keamanan Terpadu Kota Bontang",
        ["polres-bontang", "kodim-bontang", "bpbd-bontang", "satpolpp-bontang", "damkar-bontang"],
        ["information_sharing", "joint_patrol", "disaster_response"],
        400,
        1095,
    ),
    (
        "MoU Pengamanan Obyek Vital Gas",
        ["polres-bontang", "pt-gas-khatulistiwa"],
        ["information_sharing", "joint_patrol"],
        200,
        730,
    ),
    ("MoU Pencegahan Narkoba di Sekolah", ["bnn-bontang", "sma-harapan-bontang"], ["training"], 90, 365),
    (
        "MoU Siskamling Guntung",
        ["polres-bontang", "siskamling-guntung"],
        ["joint_patrol", "information_sharing"],
        60,
        None,
    ),
    (
        "MoU SAR Teluk Balikpapan",
        ["basarnas-balikpapan", "lanal-balikpapan", "bpbd-balikpapan"],
        ["disaster_response", "training"],
        500,
        1095,
    ),
    (
        "MoU Keamanan Pelabuhan Jakarta Utara",
        ["polres-jakut", "pt-pelabuhan-samudra"],
        ["information_sharing"],
        300,
        730,
    ),
    (
        "MoU Karhutla Banyuasin",
        ["bpbd-banyuasin", "lsm-hutan-lestari", "polres-banyuasin"],
        ["disaster_response", "information_sharing"],
        150,
        365,
    ),
]

# agency, name, regency/district, categories, min severity, channels
SUBSCRIPTIONS: list[tuple[str, str, str, list[str], int, list[str]]] = [
    ("polres-bontang", "Semua ancaman di Bontang", "Kota Bontang", [], 1, ["in_app", "email"]),
    (
        "bpbd-bontang",
        "Bencana alam Bontang",
        "Kota Bontang",
        ["flood", "landslide", "earthquake", "fire"],
        2,
        ["in_app", "sms"],
    ),
    ("bnn-bontang", "Narkotika Bontang", "Kota Bontang", ["narcotics"], 1, ["in_app"]),
    (
        "pt-gas-khatulistiwa",
        "Ancaman sekitar kilang",
        "Bontang Selatan",
        ["terrorism", "industrial-accident", "fire"],
        2,
        ["in_app", "webhook"],
    ),
    (
        "basarnas-balikpapan",
        "SAR Kalimantan Timur",
        "Kalimantan Timur",
        ["missing-person", "flood", "earthquake"],
        3,
        ["in_app", "sms"],
    ),
    (
        "polres-jakut",
        "Pelabuhan dan pesisir",
        "Kota Adm. Jakarta Utara",
        ["smuggling", "terrorism", "crime"],
        2,
        ["in_app", "email"],
    ),
    ("bpbd-banyuasin", "Karhutla Banyuasin", "Kabupaten Banyuasin", ["fire", "illegal-logging"], 2, ["in_app"]),
]

# name, kind, operator, guards, district, lat, lon, national
VITAL_OBJECTS: list[tuple[str, str, str, list[str], str, str, str, bool]] = [
    (
        "Kilang LNG Khatulistiwa",
        VitalObject.Kind.LNG_PLANT,
        "pt-gas-khatulistiwa",
        ["polres-bontang", "kodim-bontang"],
        "Bontang Selatan",
        "0.098",
        "117.476",
        True,
    ),
    (
        "Pabrik Pupuk Borneo Raya",
        VitalObject.Kind.FERTILISER_PLANT,
        "pt-pupuk-borneo",
        ["polres-bontang"],
        "Bontang Utara",
        "0.172",
        "117.481",
        True,
    ),
    (
        "Kilang Minyak Teluk Semayang",
        VitalObject.Kind.REFINERY,
        "pt-kilang-semayang",
        ["polresta-balikpapan", "lanal-balikpapan"],
        "Balikpapan Barat",
        "-1.252",
        "116.803",
        True,
    ),
    (
        "Terminal Peti Kemas Samudra Utara",
        VitalObject.Kind.PORT,
        "pt-pelabuhan-samudra",
        ["polres-jakut"],
        "Tanjung Priok",
        "-6.104",
        "106.881",
        True,
    ),
]

# code, name, operator, district, lat, lon, status, vital object
CAMERAS: list[tuple[str, str, str, str, str, str, str, str | None]] = [
    ("btg-cctv-001", "Simpang Tugu Equator", "dishub-bontang", "Bontang Utara", "0.137", "117.494", "online", None),
    ("btg-cctv-002", "Pelabuhan Lok Tuan", "dishub-bontang", "Bontang Utara", "0.152", "117.489", "online", None),
    (
        "btg-cctv-003",
        "Gerbang Kilang LNG",
        "pt-gas-khatulistiwa",
        "Bontang Selatan",
        "0.101",
        "117.478",
        "online",
        "Kilang LNG Khatulistiwa",
    ),
    (
        "btg-cctv-004",
        "Jalan Poros Bontang-Samarinda",
        "dishub-bontang",
        "Bontang Selatan",
        "0.085",
        "117.452",
        "offline",
        None,
    ),
    (
        "bpn-cctv-001",
        "Gerbang Kilang Teluk Semayang",
        "pt-kilang-semayang",
        "Balikpapan Barat",
        "-1.254",
        "116.806",
        "online",
        "Kilang Minyak Teluk Semayang",
    ),
    (
        "jku-cctv-001",
        "Gerbang Terminal Samudra Utara",
        "pt-pelabuhan-samudra",
        "Tanjung Priok",
        "-6.106",
        "106.884",
        "maintenance",
        "Terminal Peti Kemas Samudra Utara",
    ),
]


@dataclass
class DemoResult:
    agencies: int
    users: int
    created_users: int
    logins: list[tuple[str, str, str]]
    # The authenticator key of the demo users who must use a second factor (admin, commanders).
    totp_key: str = ""


def _area(name: str, level: int | None = None) -> Area:
    qs = Area.objects.filter(name=name)
    if level:
        qs = qs.filter(level=level)
    return qs.order_by("level").first() or Area.objects.get(name=name)


def _jurisdiction(spec: str) -> Area:
    if spec.startswith("province:"):
        return _area(spec.split(":", 1)[1], Area.Level.PROVINCE)
    if spec.startswith("district:"):
        return _area(spec.split(":", 1)[1], Area.Level.DISTRICT)
    return _area(spec, Area.Level.REGENCY)


@transaction.atomic
def seed_demo() -> DemoResult:
    """Create the demo world, or bring it back to its demo state. Safe to run again."""
    for province in PROVINCES:
        import_province(province)
    analyze_areas()
    for name, (lat, lon) in CITIES.items():
        Area.objects.filter(name=name, level=Area.Level.REGENCY).update(
            centroid_lat=Decimal(lat), centroid_lon=Decimal(lon), centroid_derived=False
        )
    for (regency, district), (lat, lon) in DISTRICTS.items():
        Area.objects.filter(name=district, level=Area.Level.DISTRICT, parent__name=regency).update(
            centroid_lat=Decimal(lat), centroid_lon=Decimal(lon), centroid_derived=False
        )
    for (district, village), (lat, lon) in VILLAGES.items():
        Area.objects.filter(name=village, level=Area.Level.VILLAGE, parent__name=district).update(
            centroid_lat=Decimal(lat), centroid_lon=Decimal(lon), centroid_derived=False
        )
    rollup_centroids()

    agencies: dict[str, Agency] = {}
    for code, name, kind, parent, juris, lat, lon, phone in AGENCIES:
        area = _jurisdiction(juris)
        agency, _ = Agency.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "parent": agencies.get(parent) if parent else None,
                "headquarters_area": area,
                "latitude": Decimal(lat),
                "longitude": Decimal(lon),
                "duty_phone": phone,
                "duty_email": f"piket@{code}.example.id",
                "is_active": True,
            },
        )
        agency.jurisdiction.set([area])
        agencies[code] = agency

    User = get_user_model()
    # One hash for every demo user: hashing is deliberately slow (~0.4 s), 27 of them add up.
    password_hash = make_password(DEMO_PASSWORD)
    created_users = 0
    logins: list[tuple[str, str, str]] = []
    admin, created = User.objects.get_or_create(
        username="admin", defaults={"is_staff": True, "is_superuser": True, "email": "admin@sinergi.example.id"}
    )
    if created:
        admin.password = password_hash
        admin.save(update_fields=["password"])
        created_users += 1
    logins.append(("admin", DEMO_PASSWORD, "platform admin, two-factor code"))
    for i, (username, first, last, agency_code, role) in enumerate(PEOPLE):
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@sinergi.example.id"},
        )
        if created:
            user.password = password_hash
            user.save(update_fields=["password"])
            created_users += 1
        Membership.objects.update_or_create(
            user=user,
            agency=agencies[agency_code],
            defaults={"role": role, "is_active": True, "phone": f"+62812{5550000 + i:07d}", "title": ""},
        )
        second = ", two-factor code" if role == Membership.Role.COMMANDER else ""
        logins.append((username, DEMO_PASSWORD, f"{role} @ {agencies[agency_code].name}{second}"))

    today = timezone.localdate()
    for title, parties, scopes, since, length in PARTNERSHIPS:
        valid_from = today - datetime.timedelta(days=since)
        # In force, as if every party's commander had accepted it (the demo logins read their
        # partners' confidential records through these); a re-seed puts them back in force.
        partnership, _ = Partnership.objects.update_or_create(
            title=title,
            defaults={
                "valid_from": valid_from,
                "valid_until": valid_from + datetime.timedelta(days=length) if length else None,
                "status": Partnership.Status.IN_FORCE,
                "proposed_by_agency": agencies[parties[0]],
                "ended_at": None,
                "ended_by": None,
                "ended_by_agency": None,
                **{s: (s in scopes) for s in Partnership.Scope.values},
            },
        )
        partnership.agencies.set([agencies[c] for c in parties])
        for code in parties:
            PartnershipAnswer.objects.update_or_create(
                partnership=partnership, agency=agencies[code], defaults={"answer": PartnershipAnswer.Answer.ACCEPTED}
            )

    for agency_code, name, area_name, categories, severity, channels in SUBSCRIPTIONS:
        area = _area(area_name)
        sub, _ = Subscription.objects.update_or_create(
            agency=agencies[agency_code],
            name=name,
            defaults={
                "min_severity": severity,
                **{f"channel_{c}": (c in channels) for c in ("in_app", "email", "sms", "webhook")},
                "webhook_url": "https://hooks.example.id/sinergi" if "webhook" in channels else "",
                "webhook_secret": "demo-webhook-secret" if "webhook" in channels else "",  # noqa: S106
            },
        )
        sub.areas.set([area])
        SubscriptionCategory.objects.filter(subscription=sub).exclude(code__in=categories).delete()
        SubscriptionCategory.objects.bulk_create(
            [SubscriptionCategory(subscription=sub, code=c) for c in categories], ignore_conflicts=True
        )

    vital: dict[str, VitalObject] = {}
    for name, kind, operator, guards, district, lat, lon, national in VITAL_OBJECTS:
        obj, _ = VitalObject.objects.update_or_create(
            name=name,
            defaults={
                "kind": kind,
                "operator": agencies[operator],
                "area": _area(district, Area.Level.DISTRICT),
                "latitude": Decimal(lat),
                "longitude": Decimal(lon),
                "is_national": national,
            },
        )
        obj.guarding_agencies.set([agencies[c] for c in guards])
        vital[name] = obj

    now = timezone.now()
    for code, name, operator, district, lat, lon, status, vital_name in CAMERAS:
        Camera.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "operator": agencies[operator],
                "area": _area(district, Area.Level.DISTRICT),
                "latitude": Decimal(lat),
                "longitude": Decimal(lon),
                "status": status,
                "last_seen_at": now if status == "online" else now - datetime.timedelta(hours=6),
                "vital_object": vital.get(vital_name) if vital_name else None,
            },
        )

    # Admin and the commanders must sign in with a second factor: they share the demo's
    # authenticator key, printed with the logins (a real portal never shares one).
    second_factor = [
        admin,
        *User.objects.filter(username__in=[p[0] for p in PEOPLE if p[4] == Membership.Role.COMMANDER]),
    ]
    demo_authenticators_seed(users=second_factor)
    return DemoResult(
        agencies=len(agencies),
        users=len(PEOPLE) + 1,
        created_users=created_users,
        logins=logins,
        totp_key=demo_totp_key_text(),
    )
