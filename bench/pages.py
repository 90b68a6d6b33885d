"""Benchmark: the dashboard's list, map and calendar pages at a city's real size, each beside the
API's figure for the same rows, measured in the same run.

    .venv/bin/python bench/pages.py                 # 1M incidents, 2,000 agencies, 20,000 threats,
                                                    # 206k alerts, 100k shifts (builds ~10 min)
    .venv/bin/python bench/pages.py --scale 0.05    # a quick run (50k incidents, ...)
    .venv/bin/python bench/pages.py --reuse         # reuse the world built by an earlier run

The world lives in `sinergi_bench_pages` (`--db`) on DATABASE_URL's server (else
`postgres://postgres@127.0.0.1:5432`); it is kept between runs so that `--reuse` skips the build
(a world of another scale is rebuilt), and `--drop` drops it at the end. It holds Kalimantan
Timur's areas, 2,000 agencies, incidents written with one INSERT ... SELECT as
bench/incidents.py does (titles from a list of real-sounding events, so that a word search
matches ~1%), 20,000 threats, each alerting 10 agencies (200,000 alerts) plus 6,000 alerts of
the liaison's agency with an in-app delivery each, 100,000 patrol shifts over a year around
today (one unit and one area each), 5,000 operations, 2,000 exercises, 50,000 citizen reports
and 3,000 risk assessments. All requests go through Django's test client as a liaison of an
agency with Kota Bontang in its jurisdiction (not staff: the visibility filters are part of
every query), timed from request to last byte.

Columns: p50/p95 of the wall-clock time; `cpu p50`, the Django process's CPU time for the request
(Python and template work, without the database's: it moves less with the machine's load than
the wall clock); the queries and the bytes of one response; the API's p95 for the same rows
measured in the same run (the yardstick when the machine is shared).

Targets (issue 9): every page p95 <= 150 ms, a calendar month <= 250 ms, the map's GeoJSON
<= 300 ms. Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DB = "sinergi_bench_pages"
DEFAULT_SERVER_URL = "postgres://postgres@127.0.0.1:5432/postgres"

FULL = {
    "incidents": 1_000_000,
    "agencies": 2_000,
    "threats": 20_000,
    "liaison_alerts": 6_000,
    "shifts": 100_000,
    "operations": 5_000,
    "exercises": 2_000,
    "reports": 50_000,
    "risks": 3_000,
}
TITLES = [
    "Kebakaran gudang",
    "Pencurian kendaraan bermotor",
    "Banjir di permukiman",
    "Tanah longsor",
    "Kecelakaan lalu lintas",
    "Perkelahian antarwarga",
    "Pohon tumbang",
    "Kebakaran lahan",
    "Pencurian rumah kosong",
    "Orang hilang",
    "Gangguan listrik",
    "Jalan rusak berat",
    "Penipuan daring",
    "Kebakaran rumah",
    "Angin puting beliung",
    "Pencemaran sungai",
    "Demonstrasi",
    "Kerusakan jembatan",
    "Tawuran pelajar",
    "Pembalakan liar",
    "Pencurian ternak",
    "Kecelakaan kerja",
    "Gempa bumi",
    "Banjir rob",
    "Penemuan mayat",
    "Pencurian kabel",
    "Kerusuhan",
    "Narkotika",
    "Abrasi pantai",
    "Gangguan air bersih",
    "Kebakaran pasar",
    "Perampokan",
    "Tumpahan minyak",
    "Kebocoran gas",
    "Longsor tambang",
    "Wabah penyakit",
    "Kekerasan dalam rumah tangga",
    "Penganiayaan",
    "Pencurian sepeda motor",
    "Perjudian",
    "Pungutan liar",
    "Penyelundupan",
    "Kebakaran kapal",
    "Kapal tenggelam",
    "Balap liar",
    "Vandalisme",
    "Pemadaman listrik",
    "Pohon tumbang di jalan",
    "Konflik lahan",
    "Kecelakaan tunggal",
    "Kebakaran hutan",
    "Pencurian di toko",
    "Pengeroyokan",
    "Penjambretan",
    "Banjir bandang",
    "Sengketa warga",
    "Kebakaran bengkel",
    "Pencurian besi",
    "Kerusakan fasilitas umum",
    "Pencurian helm",
    "Kemacetan panjang",
    "Kebakaran warung",
    "Pencurian ponsel",
    "Ledakan tabung gas",
    "Penemuan bahan peledak",
    "Longsor tebing",
    "Hewan buas masuk permukiman",
    "Gelombang tinggi",
    "Kebakaran kantor",
    "Pencurian pompa air",
    "Gangguan keamanan malam",
    "Pemalakan",
    "Bentrok suporter",
    "Kecelakaan perahu",
    "Kebakaran sekolah",
    "Pencurian kotak amal",
    "Kebakaran ruko",
    "Pencurian sawit",
    "Penambangan liar",
    "Kebakaran gardu",
    "Pengrusakan kendaraan",
    "Pencurian laptop",
    "Banjir jalan raya",
    "Kebakaran pabrik",
    "Rumah roboh",
    "Pencurian mesin kapal",
    "Penipuan arisan",
    "Bayi ditemukan",
    "Penculikan",
    "Kebakaran gudang logistik",  # two titles of 100 say "gudang": ~2% of the rows
    "Pencurian motor di parkiran",
    "Kecelakaan bus",
    "Kecelakaan truk",
    "Kebakaran tangki",
    "Pencurian pipa",
    "Pencemaran udara",
    "Penyerobotan tanah",
    "Keributan di tempat hiburan",
    "Kebakaran dapur umum",
    "Pencurian di rumah ibadah",
]


def _url(server_url: str, name: str) -> str:
    parts = urlsplit(server_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def _admin(server_url: str, sql: str) -> list:
    import psycopg

    parts = urlsplit(_url(server_url, "postgres"))
    with psycopg.connect(urlunsplit(("postgresql", parts.netloc, parts.path, "", "")), autocommit=True) as conn:
        cur = conn.execute(sql)
        return cur.fetchall() if cur.description else []


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def world_main(
    run: Callable[[argparse.Namespace], int],
    *,
    description: str,
    default_db: str,
    repeat: int,
    scale_help: str = "fraction of the full world",
    extra: Callable[[argparse.ArgumentParser], None] | None = None,
) -> int:
    """The benchmarks' shared launcher (pages, desk, search, surveys): the options, a PostgreSQL
    database of the benchmark's own (built afresh, or reused with --reuse), Django pointed at it
    without Redis, then `run(args)`; the connections closed and, with --drop, the database
    dropped at the end."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--scale", type=float, default=1.0, help=scale_help)
    parser.add_argument("--repeat", type=int, default=repeat)
    parser.add_argument("--reuse", action="store_true", help="reuse the world of an earlier run of the same scale")
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    parser.add_argument("--db", default=default_db)
    parser.add_argument("--server-url", default=None)
    parser.add_argument(
        "--template", default=None, help="create the database as a copy of this migrated one (the suite's smoke runs)"
    )
    if extra is not None:
        extra(parser)
    args = parser.parse_args()

    server_url = args.server_url or os.environ.get("DATABASE_URL", "")
    if not server_url.startswith(("postgres", "pgsql")):
        server_url = DEFAULT_SERVER_URL
    exists = bool(_admin(server_url, f"SELECT 1 FROM pg_database WHERE datname = '{args.db}'"))
    if not (args.reuse and exists):
        _admin(server_url, f"DROP DATABASE IF EXISTS {args.db} WITH (FORCE)")
        _admin(server_url, f"CREATE DATABASE {args.db}" + (f" TEMPLATE {args.template}" if args.template else ""))
    os.environ["DATABASE_URL"] = _url(server_url, args.db)
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if str(BASE_DIR) not in sys.path:
        sys.path.insert(0, str(BASE_DIR))
    try:
        return run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if args.drop:
            _admin(server_url, f"DROP DATABASE IF EXISTS {args.db} WITH (FORCE)")


def main() -> int:
    return world_main(
        run,
        description=__doc__.split("\n\n")[0],
        default_db=DEFAULT_DB,
        repeat=30,
        scale_help="fraction of the full world (1.0: 1M incidents)",
        extra=lambda parser: parser.add_argument(
            "--only", default="", help="comma-separated substrings of page names to run"
        ),
    )


def build(sizes: dict[str, int]) -> None:
    """The world, written with INSERT ... SELECT over generate_series (the ORM for the few rows)."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from agencies.area_import import analyze_areas, import_province
    from agencies.models import Agency, Area, Membership

    import_province("Kalimantan Timur")
    analyze_areas()
    bontang = Area.objects.get(name="Kota Bontang", level=Area.Level.REGENCY)
    with connection.cursor() as cur:
        cur.execute(
            """
            INSERT INTO agencies_agency (created_at, updated_at, name, code, kind, address, duty_phone,
                                         duty_email, duty_radio, is_active, two_factor_required)
            SELECT now(), now(), 'Instansi ' || lpad(g::text, 4, '0'), 'agency-' || g,
                   (ARRAY['police','military','bpbd','fire','health','local_gov'])[1 + g %% 6], '', '', '', '', true,
                   false
            FROM generate_series(0, %s - 1) AS g
            """,
            [sizes["agencies"]],
        )
    own = Agency.objects.get(code="agency-0")
    own.jurisdiction.set([bontang])
    user = get_user_model().objects.create_user("liaison", password="x")  # noqa: S106
    Membership.objects.create(user=user, agency=own, role="liaison")
    planner = get_user_model().objects.create_user("planner", password="x")  # noqa: S106

    with connection.cursor() as cur:
        cur.execute("SELECT array_agg(id ORDER BY id) FROM agencies_agency")
        (agency_ids,) = cur.fetchone()
        cur.execute("SELECT array_agg(id), array_agg(path) FROM agencies_area WHERE level = 4")
        villages, village_paths = cur.fetchone()
        cur.execute(
            "SELECT array_agg(id), array_agg(path) FROM agencies_area WHERE level = 4 AND path LIKE %s",
            [bontang.path + "%"],
        )
        city_villages, city_paths = cur.fetchone()
        cur.execute(
            "SELECT array_agg(id), array_agg(path) FROM agencies_area WHERE level = 3 AND path LIKE %s",
            [bontang.path + "%"],
        )
        city_districts, city_district_paths = cur.fetchone()
        cur.execute("SELECT array_agg(id) FROM incidents_category")
        (categories,) = cur.fetchone()
        params = {
            "agencies": agency_ids,
            "areas": villages,
            "paths": village_paths,
            "city_areas": city_villages,
            "city_paths": city_paths,
            "districts": city_districts,
            "district_paths": city_district_paths,
            "cats": categories,
            "titles": TITLES,
            "user": user.pk,
            **{f"n_{k}": v for k, v in sizes.items()},
        }

        def step(label: str, sql: str) -> None:
            started = time.perf_counter()
            cur.execute(sql, params)
            print(f"#   {label}: {cur.rowcount:,} rows in {time.perf_counter() - started:.1f} s", flush=True)

        step(
            "incidents",
            """
            INSERT INTO incidents_incident
              (reference, title, description, category_id, severity, urgency, status, source, classification,
               reporting_agency_id, lead_agency_id, area_id, area_path, latitude, longitude, occurred_at,
               reported_at, resolved_at, camera_id, vital_object_id, duplicate_of_id, created_by_id, updated_at)
            SELECT 'BEN-' || (2025 + g %% 2) || '-' || lpad(g::text, 7, '0'),
                   p.titles[1 + (g::bigint * 31) %% cardinality(p.titles)] || ' #' || g,
                   'Dilaporkan oleh warga; petugas menuju lokasi.',
                   p.cats[1 + g %% cardinality(p.cats)], g %% 5, g %% 5,
                   (ARRAY['reported','verified','responding','contained','resolved','closed'])[1 + g %% 6],
                   'agency',
                   CASE WHEN g %% 100 < 10 THEN 'public' WHEN g %% 100 < 85 THEN 'restricted'
                        WHEN g %% 100 < 97 THEN 'confidential' ELSE 'secret' END,
                   p.agencies[1 + g %% cardinality(p.agencies)], NULL,
                   p.areas[1 + (g::bigint * 7919) %% cardinality(p.areas)],
                   p.paths[1 + (g::bigint * 7919) %% cardinality(p.paths)],
                   round((-2.4 + random() * 4.8)::numeric, 6), round((113.8 + random() * 5.2)::numeric, 6),
                   now() - (random() * interval '730 days'), now(), NULL, NULL, NULL, NULL, NULL, now()
            FROM generate_series(1, %(n_incidents)s) AS g,
                 (SELECT %(cats)s::bigint[] AS cats, %(agencies)s::bigint[] AS agencies,
                         %(areas)s::bigint[] AS areas, %(paths)s::text[] AS paths,
                         %(titles)s::text[] AS titles) AS p
            """,
        )
        step(
            "threats",
            """
            INSERT INTO incidents_threat
              (identifier, sender, sent_at, msg_type, cap_status, revision, source, headline, description,
               instruction, headline_en, description_en, instruction_en, severity, urgency, certainty,
               classification, cap_areas, area_matches, effective_at, onset_at, expires_at, created_at, updated_at,
               fanned_out_revision, category_id, issuing_agency_id)
            SELECT 'bench-' || g, 'bench@sinergi', t, 'Alert', 'Actual', 1, 'portal',
                   p.titles[1 + g %% cardinality(p.titles)] || ' (peringatan ' || g || ')',
                   'Waspada.', 'Hindari lokasi.',
                   '', '', '', 1 + g %% 4, 1 + g %% 4, 1 + g %% 4,
                   CASE WHEN g %% 10 < 3 THEN 'public' WHEN g %% 10 < 9 THEN 'restricted' ELSE 'confidential' END,
                   '[]'::jsonb, '[]'::jsonb, t, t, t + interval '2 days', t, t, 1,
                   p.cats[1 + g %% cardinality(p.cats)], p.agencies[1 + g %% cardinality(p.agencies)]
            FROM generate_series(1, %(n_threats)s) AS g,
                 LATERAL (SELECT now() - ((%(n_threats)s - g) * interval '30 minutes') AS t) AS w,
                 (SELECT %(cats)s::bigint[] AS cats, %(agencies)s::bigint[] AS agencies,
                         %(titles)s::text[] AS titles) AS p
            """,
        )
        step(
            "threat areas",
            """
            INSERT INTO incidents_threat_areas (threat_id, area_id)
            SELECT t.id, p.districts[1 + t.id %% cardinality(p.districts)]
            FROM incidents_threat t, (SELECT %(districts)s::bigint[] AS districts) AS p
            """,
        )
        step(
            "alerts, 10 agencies a threat",
            """
            INSERT INTO incidents_alert (reason, created_at, revision, response, quick_response, escalation_level,
                                         threat_id, agency_id)
            SELECT 'area', t.sent_at, 1, '', '', 0, t.id,
                   p.agencies[2 + (t.id * 7 + k * 197) %% (cardinality(p.agencies) - 1)]
            FROM incidents_threat t, generate_series(0, 9) AS k, (SELECT %(agencies)s::bigint[] AS agencies) AS p
            """,
        )
        step(
            "alerts of the liaison's agency",
            """
            INSERT INTO incidents_alert (reason, created_at, revision, response, quick_response, escalation_level,
                                         threat_id, agency_id, acknowledged_at, acknowledged_by_id)
            SELECT 'area', t.sent_at, 1, '', '', 0, t.id, p.agencies[1],
                   CASE WHEN t.id %% 3 = 0 THEN NULL ELSE t.sent_at + interval '10 minutes' END,
                   CASE WHEN t.id %% 3 = 0 THEN NULL ELSE %(user)s END
            FROM incidents_threat t, (SELECT %(agencies)s::bigint[] AS agencies) AS p
            ORDER BY t.id DESC LIMIT %(n_liaison_alerts)s
            """,
        )
        step(
            "the liaison's in-app deliveries",
            """
            INSERT INTO incidents_delivery (revision, channel, recipient_key, address, escalation_level, status,
                                            attempts, last_error, claim_token, sent_at, read_at, created_at,
                                            alert_id, user_id)
            SELECT 1, 'in_app', 'user:' || %(user)s, '', 0, 'sent', 1, '', '', a.created_at,
                   CASE WHEN a.id %% 4 = 0 THEN NULL ELSE a.created_at END, a.created_at, a.id, %(user)s
            FROM incidents_alert a WHERE a.agency_id = (%(agencies)s::bigint[])[1]
            """,
        )
        step(
            "operations",
            """
            INSERT INTO coordination_jointoperation
              (name, kind, status, classification, objectives, command_post, starts_at, ends_at, created_at,
               updated_at, lead_agency_id)
            SELECT 'Operasi ' || p.titles[1 + g %% cardinality(p.titles)] || ' ' || g,
                   (ARRAY['patrol','sar','disaster','security','public_event'])[1 + g %% 5],
                   (ARRAY['planned','active','active','completed','reviewed'])[1 + g %% 5],
                   CASE WHEN g %% 10 < 8 THEN 'restricted' ELSE 'confidential' END, '', '',
                   now() + ((g %% 365) - 182) * interval '1 day',
                   now() + ((g %% 365) - 175) * interval '1 day', now(), now(),
                   p.agencies[1 + g %% cardinality(p.agencies)]
            FROM generate_series(1, %(n_operations)s) AS g,
                 (SELECT %(agencies)s::bigint[] AS agencies, %(titles)s::text[] AS titles) AS p
            """,
        )
        step(
            "shifts over a year around today",
            """
            INSERT INTO coordination_patrolshift
              (kind, title, starts_at, ends_at, series, notes, created_at, operation_id)
            SELECT CASE WHEN g %% 4 = 0 THEN 'community_watch' ELSE 'joint_patrol' END,
                   'Patroli ' || g, s, s + ((2 + g %% 7) * interval '1 hour'), '', '', now(),
                   (SELECT min(id) FROM coordination_jointoperation) + g %% %(n_operations)s
            FROM generate_series(1, %(n_shifts)s) AS g,
                 LATERAL (SELECT date_trunc('hour', now()) - interval '182 days'
                                 + (g::bigint * 365 * 24 / %(n_shifts)s) * interval '1 hour'
                                 + (g %% 3) * interval '20 minutes' AS s) AS w
            """,
        )
        step(
            "shift areas (a district of the city)",
            """
            INSERT INTO coordination_patrolshift_areas (patrolshift_id, area_id)
            SELECT s.id, p.districts[1 + s.id %% cardinality(p.districts)]
            FROM coordination_patrolshift s, (SELECT %(districts)s::bigint[] AS districts) AS p
            """,
        )
        step(
            "shift units",
            """
            INSERT INTO coordination_shiftcontribution (unit_name, headcount, vehicles, agency_id, shift_id)
            SELECT 'Regu ' || (1 + s.id %% 15), 2 + s.id %% 6, s.id %% 2,
                   p.agencies[1 + (s.id * 13) %% 40], s.id
            FROM coordination_patrolshift s, (SELECT %(agencies)s::bigint[] AS agencies) AS p
            """,
        )
        step(
            "exercises",
            """
            INSERT INTO coordination_exercise (name, kind, scenario, starts_at, ends_at, classification,
                                               observations, strengths, gaps, created_at, lead_agency_id)
            SELECT 'Latihan ' || p.titles[1 + g %% cardinality(p.titles)] || ' ' || g,
                   (ARRAY['tabletop','functional','full_scale'])[1 + g %% 3], '',
                   now() + ((g %% 730) - 365) * interval '1 day', now() + ((g %% 730) - 364) * interval '1 day',
                   CASE WHEN g %% 10 < 8 THEN 'restricted' ELSE 'confidential' END, '', '', '', now(),
                   p.agencies[1 + g %% cardinality(p.agencies)]
            FROM generate_series(1, %(n_exercises)s) AS g,
                 (SELECT %(agencies)s::bigint[] AS agencies, %(titles)s::text[] AS titles) AS p
            """,
        )
        step(
            "citizen reports in the city",
            """
            INSERT INTO incidents_citizenreport (tracking_code, description, latitude, longitude, occurred_at,
                                                 area_path, contact, status, moderation_reason, created_at,
                                                 area_id, category_id)
            SELECT 'B' || lpad(g::text, 9, '0'), p.titles[1 + g %% cardinality(p.titles)] || ' di dekat rumah saya',
                   0.13, 117.5, now() - g * interval '5 minutes',
                   p.city_paths[1 + g %% cardinality(p.city_paths)], '',
                   (ARRAY['new','new','verified','rejected'])[1 + g %% 4], '',
                   now() - g * interval '5 minutes', p.city_areas[1 + g %% cardinality(p.city_areas)],
                   p.cats[1 + g %% cardinality(p.cats)]
            FROM generate_series(1, %(n_reports)s) AS g,
                 (SELECT %(cats)s::bigint[] AS cats, %(city_areas)s::bigint[] AS city_areas,
                         %(city_paths)s::text[] AS city_paths, %(titles)s::text[] AS titles) AS p
            """,
        )
        step(
            "risk assessments",
            """
            INSERT INTO incidents_riskassessment (area_path, likelihood, impact, vulnerabilities, mitigations,
                                                  assessed_on, review_due, classification, created_at, updated_at,
                                                  area_id, assessing_agency_id, hazard_id)
            SELECT p.paths[1 + (g::bigint * 7919) %% cardinality(p.paths)], 1 + g %% 5, 1 + (g / 5) %% 5,
                   '', '', current_date - 90 - g %% 30,
                   current_date + ((g %% 200) - 50), 'restricted', now(), now(),
                   p.areas[1 + (g::bigint * 7919) %% cardinality(p.areas)],
                   p.agencies[1 + g %% cardinality(p.agencies)], p.cats[1 + g %% cardinality(p.cats)]
            FROM generate_series(1, %(n_risks)s) AS g,
                 (SELECT %(cats)s::bigint[] AS cats, %(agencies)s::bigint[] AS agencies,
                         %(areas)s::bigint[] AS areas, %(paths)s::text[] AS paths) AS p
            """,
        )
        cur.execute("CREATE TABLE IF NOT EXISTS bench_pages_world (scale text)")
        cur.execute("INSERT INTO bench_pages_world VALUES (%s)", [repr(sizes)])
    del planner


def run(args: argparse.Namespace) -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client
    from django.utils import timezone

    settings.ALLOWED_HOSTS = ["*"]
    sizes = {k: max(1, int(v * args.scale)) for k, v in FULL.items()}
    sizes["agencies"] = max(sizes["agencies"], 60)
    print(f"# dashboard pages benchmark, scale {args.scale}: " + ", ".join(f"{v:,} {k}" for k, v in sizes.items()))
    print(
        f"# {platform.platform()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}, "
        f"Python {platform.python_version()}"
    )
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    with connection.cursor() as cur:
        cur.execute("SELECT to_regclass('bench_pages_world') IS NOT NULL")
        (built,) = cur.fetchone()
        if built:
            cur.execute("SELECT scale FROM bench_pages_world")
            built = cur.fetchone() == (repr(sizes),)
    if args.reuse and built:
        print(f"# reusing the world of {args.db} (migrated in {time.perf_counter() - started:.1f} s)")
        # A world built before the build vacuumed it: set its visibility map once (a no-op after).
        with connection.cursor() as cur:
            cur.execute("VACUUM")
    else:
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM agencies_agency")
            if cur.fetchone()[0]:
                raise SystemExit(f"{args.db} holds a world of another scale: run without --reuse to rebuild it")
        print("# building the world")
        build(sizes)
        print(f"# built in {time.perf_counter() - started:.1f} s")
        with connection.cursor() as cur:
            # What autovacuum leaves on a production database: statistics, and the visibility
            # map that lets an index-only scan skip the heap (the risk register's count of
            # recent incidents per area reads a covering index, not a million-row table).
            cur.execute("VACUUM (ANALYZE)")

    user = get_user_model().objects.get(username="liaison")
    client = Client()
    client.force_login(user)
    settings.DEBUG = True  # count queries

    def get(url: str, htmx: bool = False) -> tuple[int, int]:
        reset_queries()
        headers = {"HX-Request": "true"} if htmx else {}
        response = client.get(url, headers=headers)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
        streamed = response.streaming
        size = sum(len(c) for c in response.streaming_content) if streamed else len(response.content)
        return size, len(connection.queries)

    cpu: list[float] = []

    def timed(url: str, repeat: int) -> tuple[list[float], int, int]:
        size, queries = get(url)  # warm caches and plans
        out = []
        cpu.clear()
        for _ in range(repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            get(url)
            out.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
        return out, queries, size

    today = timezone.localdate()
    week_start = today - datetime.timedelta(days=today.weekday())
    week_end = week_start + datetime.timedelta(days=7)
    deep_page = max(2, min(4000, sizes["incidents"] // 250))
    bbox = "117.35,-0.02,117.65,0.28"
    pages = [
        ("incidents", "/incidents/", "/api/v1/incidents/?page_size=25", 150),
        (f"incidents page {deep_page}", f"/incidents/?page={deep_page}", "/api/v1/incidents/?page_size=25", 150),
        ("incidents q=gudang", "/incidents/?q=gudang", "/api/v1/incidents/?q=gudang&page_size=25", 150),
        (
            "incidents fire+verified",
            "/incidents/?category=fire&status=verified",
            "/api/v1/incidents/?category=fire&status=verified&page_size=25",
            150,
        ),
        ("incident map", "/incidents/map/", None, 150),
        ("incident map data (bbox)", f"/api/v1/incidents.geojson?bbox={bbox}", None, 300),
        ("threats", "/threats/", "/api/v1/threats/", 150),
        ("alerts", "/alerts/", "/api/v1/inbox/", 150),
        ("patrols week", "/patrols/", f"/api/v1/shifts/?from={week_start.isoformat()}&to={week_end.isoformat()}", 150),
        ("patrols month", "/patrols/?view=month", None, 250),
        ("risk heat map", "/risks/heatmap/", None, 150),
        ("risks", "/risks/", "/api/v1/risks/", 150),
        ("reports queue", "/reports/", "/api/v1/reports/", 150),
        ("operations", "/operations/", "/api/v1/operations/", 150),
        ("exercises", "/exercises/", "/api/v1/exercises/", 150),
    ]
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    rows = []
    missed = []
    for name, url, api, target in pages:
        if only and not any(s in name for s in only):
            continue
        ours, queries, size = timed(url, args.repeat)
        cpu_p50 = statistics.median(cpu)
        api_p95 = None
        if api:
            try:
                api_times, _q, _s = timed(api, max(5, args.repeat // 3))
                api_p95 = percentile(api_times, 0.95)
            except AssertionError as exc:
                print(f"# API {api}: {exc}", file=sys.stderr)
        p50, p95 = statistics.median(ours), percentile(ours, 0.95)
        ok = p95 <= target
        if not ok:
            missed.append(f"{name}: p95 {p95:.0f} ms > {target} ms")
        rows.append((name, url, p50, p95, cpu_p50, queries, size, api_p95, target, ok))
        print(f"#   {name}: p95 {p95:.1f} ms", flush=True)

    print()
    print(
        f"| {'page':<26} | {'p50 ms':>7} | {'p95 ms':>7} | {'cpu p50':>7} | {'queries':>7} | {'KB':>6} "
        f"| {'API p95':>7} | target"
    )
    print(f"|{'-' * 28}|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 8}|{'-' * 9}|-------")
    for name, _u, p50, p95, cpu_p50, queries, size, api_p95, target, ok in rows:
        api_s = f"{api_p95:7.1f}" if api_p95 is not None else f"{'-':>7}"
        verdict = ("PASS" if ok else "MISS") + f" (p95 <= {target} ms)"
        print(
            f"| {name:<26} | {p50:7.1f} | {p95:7.1f} | {cpu_p50:7.1f} | {queries:7d} | {size / 1024:6.1f} "
            f"| {api_s} | {verdict}"
        )
    for line in missed:
        print(f"MISS {line}", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
