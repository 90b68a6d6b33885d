"""Benchmark: patrol coverage and conflict computation for a city of 50 areas with 1,000 shifts a
week, each beside its floor (the bare SQL fetching the same rows) measured in the same run.

    .venv/bin/python bench/patrols.py                  # PostgreSQL (throwaway database)
    .venv/bin/python bench/patrols.py --sqlite         # a temporary SQLite file
    .venv/bin/python bench/patrols.py --shifts 5000    # a busier week

It creates a city (one regency) with 50 districts, 20 agencies with declared capacities, one
risk assessment per district and 500 incidents of the last 30 days, then `--shifts` shifts
spread over the next 7 days (2 to 8 hours, 1 to 3 units each from a pool of 15 units per
agency, 1 to 2 districts each). Everything is timed in-process as a liaison of one agency (not
staff: the visibility filter is part of every query).

Target (issue 5): coverage + conflicts under 200 ms; the calendar and the shift list run a
bounded number of queries whatever the number of shifts (printed).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DB = "sinergi_bench_patrols"
DEFAULT_SERVER_URL = "postgres://postgres@127.0.0.1:5432/postgres"


def _url(server_url: str, name: str) -> str:
    parts = urlsplit(server_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def _admin(server_url: str, sql: str) -> None:
    import psycopg

    parts = urlsplit(_url(server_url, "postgres"))
    with psycopg.connect(urlunsplit(("postgresql", parts.netloc, parts.path, "", "")), autocommit=True) as conn:
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
    parser.add_argument("--shifts", type=int, default=1_000)
    parser.add_argument("--areas", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--server-url", default=None)
    args = parser.parse_args()
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(BASE_DIR))
    if args.sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
            try:
                return run(args, "SQLite")
            finally:
                from django.db import connections

                connections.close_all()
    server_url = args.server_url or os.environ.get("DATABASE_URL", "")
    if not server_url.startswith(("postgres", "pgsql")):
        server_url = DEFAULT_SERVER_URL
    _admin(server_url, f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
    _admin(server_url, f"CREATE DATABASE {BENCH_DB}")
    os.environ["DATABASE_URL"] = _url(server_url, BENCH_DB)
    try:
        return run(args, "PostgreSQL")
    finally:
        from django.db import connections

        connections.close_all()
        _admin(server_url, f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")


def run(args: argparse.Namespace, engine: str) -> int:
    import datetime

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client
    from django.utils import timezone

    from agencies.models import Agency, Area, Membership
    from coordination.models import AgencyCapacity, JointOperation, PatrolShift, ShiftContribution
    from coordination.patrols import conflicts as patrol_conflicts
    from coordination.patrols import coverage as patrol_coverage
    from incidents.models import Category, Incident, RiskAssessment

    settings.ALLOWED_HOSTS = ["*"]
    rng = random.Random(5)
    print(f"# patrol benchmark ({engine}): {args.areas} areas, {args.shifts:,} shifts in the next 7 days")
    print(
        f"# {platform.platform()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}, "
        f"Python {platform.python_version()}"
    )
    call_command("migrate", verbosity=0)
    province = Area.objects.create(level=1, source_id=1, name="Kalimantan Timur", path="/1/", timezone="Asia/Makassar")
    city = Area.objects.create(
        level=2, source_id=2, name="Kota Bontang", parent=province, path="/1/2/", timezone="Asia/Makassar"
    )
    districts = Area.objects.bulk_create(
        [
            Area(
                level=3,
                source_id=100 + i,
                name=f"Distrik {i:02d}",
                parent=city,
                path=f"/1/2/{100 + i}/",
                timezone="Asia/Makassar",
            )
            for i in range(args.areas)
        ]
    )
    agencies = Agency.objects.bulk_create(
        [Agency(name=f"Agency {i:02d}", code=f"agency-{i}", kind="police") for i in range(20)]
    )
    AgencyCapacity.objects.bulk_create([AgencyCapacity(agency=a, personnel=rng.randint(60, 200)) for a in agencies])
    agencies[0].jurisdiction.set([city])
    user = get_user_model().objects.create_user("liaison", password="x")  # noqa: S106
    Membership.objects.create(user=user, agency=agencies[0], role="liaison")
    op = JointOperation.objects.create(name="Patroli gabungan", kind="joint_patrol", lead_agency=agencies[0])
    hazard = Category.objects.order_by("id").first()
    today = datetime.date.today()
    RiskAssessment.objects.bulk_create(
        [
            RiskAssessment(
                area=d,
                area_path=d.path,
                hazard=hazard,
                likelihood=rng.randint(1, 5),
                impact=rng.randint(1, 5),
                assessing_agency=agencies[0],
                assessed_on=today,
                review_due=today + datetime.timedelta(days=90),
            )
            for d in districts
        ]
    )
    now = timezone.now()
    Incident.objects.bulk_create(
        [
            Incident(
                reference=f"BEN-2026-{i:06d}",
                title=f"Incident {i}",
                category=hazard,
                area=(d := rng.choice(districts)),
                area_path=d.path,
                occurred_at=now - datetime.timedelta(hours=rng.randint(1, 700)),
                reporting_agency=agencies[0],
                latitude="0.130000",
                longitude="117.490000",
            )
            for i in range(500)
        ]
    )
    started = time.perf_counter()
    shifts = PatrolShift.objects.bulk_create(
        [
            PatrolShift(
                operation=op,
                title=f"Shift {i}",
                starts_at=(s := now + datetime.timedelta(minutes=rng.randint(0, 7 * 24 * 60 - 120))),
                ends_at=s + datetime.timedelta(hours=rng.randint(2, 8)),
            )
            for i in range(args.shifts)
        ]
    )
    through = PatrolShift.areas.through
    links, units = [], []
    for s in shifts:
        for d in rng.sample(districts, rng.randint(1, 2)):
            links.append(through(patrolshift_id=s.pk, area_id=d.pk))
        for agency in rng.sample(agencies, rng.randint(1, 3)):
            units.append(
                ShiftContribution(
                    shift=s, agency=agency, unit_name=f"Unit {rng.randint(1, 15)}", headcount=rng.randint(4, 20)
                )
            )
    through.objects.bulk_create(links)
    ShiftContribution.objects.bulk_create(units)
    if engine == "PostgreSQL":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    took = time.perf_counter() - started
    print(f"# generated {len(shifts):,} shifts, {len(units):,} units, {len(links):,} area links in {took:.1f} s")

    user = get_user_model().objects.get(pk=user.pk)
    end = now + datetime.timedelta(days=7)

    def coverage() -> int:
        return len(patrol_coverage.coverage_list(user=user, city=city, now=now))

    def conflicts() -> int:
        return len(patrol_conflicts.conflicts_compute(start=now, end=end))

    def both() -> None:
        coverage()
        conflicts()

    def sql(query: str, params: list) -> None:
        with connection.cursor() as cur:
            cur.execute(query, params)
            cur.fetchall()

    # The floors: the same rows as the computations read, by bare SQL, no ORM, no Python work.
    floor_conflicts_sql = (
        "SELECT c.shift_id, s.title, s.starts_at, s.ends_at, c.agency_id, a.name, c.unit_name, c.headcount "
        "FROM coordination_shiftcontribution c JOIN coordination_patrolshift s ON s.id = c.shift_id "
        "JOIN agencies_agency a ON a.id = c.agency_id WHERE s.starts_at < %s AND s.ends_at > %s"
    )
    floor_coverage_sql = (
        "SELECT t.patrolshift_id, s.starts_at, s.ends_at, ar.path FROM coordination_patrolshift_areas t "
        "JOIN coordination_patrolshift s ON s.id = t.patrolshift_id JOIN agencies_area ar ON ar.id = t.area_id "
        "WHERE s.starts_at < %s AND s.ends_at > %s AND ar.path LIKE %s"
    )
    window = [end + datetime.timedelta(days=1), now - datetime.timedelta(days=1)]

    def floor_conflicts() -> None:
        sql(floor_conflicts_sql, window)
        sql("SELECT agency_id, personnel FROM coordination_agencycapacity", [])

    def floor_coverage() -> None:
        sql(floor_coverage_sql, [end, now, city.path + "%"])
        sql("SELECT area_path, score FROM incidents_riskassessment WHERE area_path LIKE %s", [city.path + "%"])
        sql(
            "SELECT area_path FROM incidents_incident WHERE area_path LIKE %s AND occurred_at >= %s",
            [city.path + "%", now - datetime.timedelta(days=30)],
        )

    def floor_both() -> None:
        floor_coverage()
        floor_conflicts()

    rows = [
        ("coverage (50 areas ranked)", timed(coverage, args.repeat), timed(floor_coverage, args.repeat), None),
        (
            "conflicts (the week, all agencies)",
            timed(conflicts, args.repeat),
            timed(floor_conflicts, args.repeat),
            None,
        ),
        ("coverage + conflicts", timed(both, args.repeat), timed(floor_both, args.repeat), 200.0),
    ]
    print(f"# {coverage()} areas ranked, {conflicts()} conflicts found in the week")
    print()
    print(f"| {'measure':<36} | {'ours p50':>9} | {'ours p95':>9} | {'floor p50':>9} | {'x floor':>7} | verdict |")
    print(f"| {'-' * 36} | {'-' * 9}: | {'-' * 9}: | {'-' * 9}: | {'-' * 7}: | ------- |")
    for name, ours, floor, target in rows:
        p50, p95, f50 = statistics.median(ours), percentile(ours, 0.95), statistics.median(floor)
        verdict = "" if target is None else ("PASS" if p95 < target else "MISS") + f" (p95 < {target:.0f} ms)"
        print(f"| {name:<36} | {p50:8.1f}ms | {p95:8.1f}ms | {f50:8.1f}ms | {p50 / f50:6.1f}x | {verdict} |")

    # Bounded queries: the calendar (week) and the shift list (first page), counted.
    settings.DEBUG = True
    client = Client()
    client.force_login(user)
    print()
    for label, url in [
        ("calendar page, week (this one)", f"/patrols/?view=week&date={now.date().isoformat()}"),
        (
            "calendar page, week (the next)",
            f"/patrols/?view=week&date={(now + datetime.timedelta(days=7)).date().isoformat()}",
        ),
        ("calendar page, month", f"/patrols/?view=month&date={now.date().isoformat()}"),
        ("shift list API, 200 a page", "/api/v1/shifts/?page_size=200"),
    ]:
        reset_queries()
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(connection.queries)
        ms = statistics.median(timed(lambda u=url: client.get(u), 5))
        print(f"# {label}: {queries} queries, p50 {ms:.0f} ms, {len(response.content):,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
