"""Benchmark: the incident list API, the bbox GeoJSON and a filtered CSV export over 1,000,000
incidents in PostgreSQL, each beside its floor (the bare SQL query) measured in the same run.

    .venv/bin/python bench/incidents.py                 # 1,000,000 incidents
    .venv/bin/python bench/incidents.py --rows 200000   # quicker
    .venv/bin/python bench/incidents.py --keep          # keep the database for inspection

It creates a throwaway database (`sinergi_bench_incidents`), migrates it, imports Kalimantan
Timur's areas, creates 20 agencies, and writes the incidents with one INSERT ... SELECT over
generate_series (random category, village, point inside the province, time in the last two
years, classification 10% public / 75% restricted / 12% confidential / 3% secret). Requests
go through Django's test client in-process, as a liaison of one agency (not staff, so the
classification filter is part of every query), and are timed from request to last byte.

Targets (issue 3): list p95 < 150 ms; bbox GeoJSON of up to 5,000 features < 300 ms.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DB = "sinergi_bench_incidents"
DEFAULT_SERVER_URL = "postgres://postgres@127.0.0.1:5432/postgres"


def _url(server_url: str, name: str) -> str:
    parts = urlsplit(server_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def _conninfo(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(("postgresql", parts.netloc, parts.path, parts.query, ""))


def _admin(server_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(_conninfo(_url(server_url, "postgres")), autocommit=True) as conn:
        conn.execute(sql)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def timed(fn, repeat: int) -> list[float]:
    fn()  # warm caches and plans
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--server-url", default=None)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument(
        "--template", default=None, help="create the database as a copy of this migrated one (the suite's smoke runs)"
    )
    args = parser.parse_args()

    server_url = args.server_url or os.environ.get("DATABASE_URL", "")
    if not server_url.startswith(("postgres", "pgsql")):
        server_url = DEFAULT_SERVER_URL
    _admin(server_url, f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
    _admin(server_url, f"CREATE DATABASE {BENCH_DB}" + (f" TEMPLATE {args.template}" if args.template else ""))
    os.environ["DATABASE_URL"] = _url(server_url, BENCH_DB)
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(BASE_DIR))
    try:
        return run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            _admin(server_url, f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")


def run(args: argparse.Namespace) -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from agencies.area_import import analyze_areas, import_province
    from agencies.models import Agency, Area, Membership

    settings.ALLOWED_HOSTS = ["*"]
    print(f"# incidents benchmark: {args.rows:,} incidents")
    print(
        f"# {platform.platform()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}, "
        f"Python {platform.python_version()}"
    )
    call_command("migrate", verbosity=0)
    import_province("Kalimantan Timur")
    analyze_areas()
    bontang = Area.objects.get(name="Kota Bontang", level=Area.Level.REGENCY)
    agencies = [Agency.objects.create(name=f"Agency {i}", code=f"agency-{i}", kind="police") for i in range(20)]
    agencies[0].jurisdiction.set([bontang])
    user = get_user_model().objects.create_user("liaison", password="x")  # noqa: S106
    Membership.objects.create(user=user, agency=agencies[0], role="liaison")
    ids = [a.pk for a in agencies]

    started = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("SELECT array_agg(id), array_agg(path) FROM agencies_area WHERE level = 4")
        area_ids, area_paths = cur.fetchone()
        cur.execute("SELECT array_agg(id) FROM incidents_category")
        (category_ids,) = cur.fetchone()
        cur.execute(
            """
            INSERT INTO incidents_incident
              (reference, title, description, category_id, severity, urgency, status, source, classification,
               reporting_agency_id, lead_agency_id, area_id, area_path, latitude, longitude, occurred_at,
               reported_at, resolved_at, camera_id, vital_object_id, duplicate_of_id, created_by_id, updated_at)
            SELECT 'BEN-' || (2025 + g %% 2) || '-' || lpad(g::text, 7, '0'),
                   'Incident ' || g, 'Generated for the benchmark',
                   p.cats[1 + g %% cardinality(p.cats)],
                   g %% 5, g %% 5,
                   (ARRAY['reported','verified','responding','contained','resolved','closed'])[1 + g %% 6],
                   'agency',
                   CASE WHEN g %% 100 < 10 THEN 'public' WHEN g %% 100 < 85 THEN 'restricted'
                        WHEN g %% 100 < 97 THEN 'confidential' ELSE 'secret' END,
                   p.agencies[1 + g %% cardinality(p.agencies)], NULL,
                   p.areas[1 + (g::bigint * 7919) %% cardinality(p.areas)],
                   p.paths[1 + (g::bigint * 7919) %% cardinality(p.paths)],
                   round((-2.4 + random() * 4.8)::numeric, 6), round((113.8 + random() * 5.2)::numeric, 6),
                   now() - (random() * interval '730 days'), now(), NULL, NULL, NULL, NULL, NULL, now()
            FROM generate_series(1, %(rows)s) AS g,
                 (SELECT %(cats)s::bigint[] AS cats, %(agencies)s::bigint[] AS agencies,
                         %(areas)s::bigint[] AS areas, %(paths)s::text[] AS paths) AS p
            """,
            {"cats": category_ids, "agencies": ids, "areas": area_ids, "paths": area_paths, "rows": args.rows},
        )
        cur.execute("ANALYZE incidents_incident")
    print(f"# generated {args.rows:,} incidents in {time.perf_counter() - started:.1f} s")

    client = Client()
    client.force_login(user)

    def get(url: str) -> int:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
        if response.streaming:
            return sum(len(chunk) for chunk in response.streaming_content)
        return len(response.content)

    def sql(query: str, params=()) -> None:
        with connection.cursor() as cur:
            cur.execute(query, params)
            cur.fetchall()

    # A city-sized box around Bontang: ~0.30 x 0.30 degrees.
    bbox = "117.35,-0.02,117.65,0.28"
    rows: list[tuple[str, list[float], list[float], str]] = []

    def bench(
        name: str, url: str, floor_sql: str, floor_params=(), repeat: int = args.repeat, target: float | None = None
    ):
        ours = timed(lambda: get(url), repeat)
        floor = timed(lambda: sql(floor_sql, floor_params), repeat)
        verdict = ""
        if target is not None:
            verdict = "PASS" if percentile(ours, 0.95) < target else "MISS"
            verdict += f" (p95 < {target:.0f} ms)"
        rows.append((name, ours, floor, verdict))

    bench(
        "list, first page (50)",
        "/api/v1/incidents/",
        "SELECT * FROM incidents_incident WHERE classification IN ('public','restricted') "
        "ORDER BY occurred_at DESC, id DESC LIMIT 51",
        target=150,
    )
    first = client.get("/api/v1/incidents/?page_size=50").json()
    deep = first["next"]
    for _ in range(20):
        deep = client.get(deep).json()["next"]
    bench(
        "list, page 21 (keyset)",
        deep,
        "SELECT * FROM incidents_incident WHERE classification IN ('public','restricted') "
        "ORDER BY occurred_at DESC, id DESC OFFSET 1000 LIMIT 51",
        target=150,
    )
    bench(
        "list, category+status+area",
        f"/api/v1/incidents/?category=fire&status=verified&area={bontang.pk}",
        "SELECT * FROM incidents_incident i JOIN incidents_category c ON c.id = i.category_id "
        "WHERE (c.code = 'fire' OR c.parent_id = (SELECT id FROM incidents_category WHERE code='fire')) "
        "AND i.status = 'verified' AND i.area_path LIKE %s ORDER BY occurred_at DESC, i.id DESC LIMIT 51",
        (bontang.path + "%",),
        target=150,
    )
    features = client.get(f"/api/v1/incidents.geojson?bbox={bbox}")
    n_features = len(__import__("json").loads(b"".join(features.streaming_content))["features"])
    bench(
        f"GeoJSON bbox ({n_features:,} features)",
        f"/api/v1/incidents.geojson?bbox={bbox}",
        "SELECT id, reference, title, latitude, longitude, occurred_at FROM incidents_incident "
        "WHERE latitude BETWEEN -0.02 AND 0.28 AND longitude BETWEEN 117.35 AND 117.65 LIMIT 5000",
        target=300,
    )
    csv_url = "/api/v1/incidents/export.csv?category=crime&occurred_after=2026-01-01T00:00:00Z"
    started = time.perf_counter()
    size = get(csv_url)
    csv_ms = (time.perf_counter() - started) * 1000
    csv_rows = client.get(csv_url)
    n_csv = sum(chunk.count(b"\n") for chunk in csv_rows.streaming_content) - 1
    bench(
        f"CSV export ({n_csv:,} rows, {size / 1e6:.1f} MB)",
        csv_url,
        "SELECT * FROM incidents_incident i JOIN incidents_category c ON c.id = i.category_id "
        "WHERE (c.code = 'crime' OR c.parent_id = (SELECT id FROM incidents_category WHERE code='crime')) "
        "AND occurred_at >= '2026-01-01'",
        repeat=3,
    )
    del csv_ms

    print()
    print(f"| {'request':<40} | {'p50 ms':>8} | {'p95 ms':>8} | {'floor p50':>9} | {'x floor':>7} | target")
    print(f"|{'-' * 42}|{'-' * 10}|{'-' * 10}|{'-' * 11}|{'-' * 9}|-------")
    missed = False
    for name, ours, floor, verdict in rows:
        p50, p95, f50 = statistics.median(ours), percentile(ours, 0.95), statistics.median(floor)
        print(f"| {name:<40} | {p50:8.1f} | {p95:8.1f} | {f50:9.1f} | {p50 / max(f50, 0.01):7.1f} | {verdict}")
        missed = missed or verdict.startswith("MISS")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
