"""Benchmark: roll the centroids of Indonesia's 83k villages up to districts, regencies and
provinces (agencies.area_import.rollup_centroids) on PostgreSQL, beside the database's floor.

    .venv/bin/python bench/area_centroids.py [--db NAME] [--server-url URL]

It creates a throwaway database (NAME, default sinergi_bench_centroids, on the server of
DATABASE_URL or 127.0.0.1:5432), migrates it, imports all 34 provinces, gives every village a
centroid in one UPDATE (areaid has none: a deterministic spread), then times:

1. the floor: one GROUP BY of the villages by parent (the aggregate any roll-up must read);
2. the first roll-up (7k districts, 514 regencies, 34 provinces written);
3. a second roll-up, which must write nothing (idempotent).

Then it drops the database and prints a table. Exit status 1 when a district, regency or
province is left without a centroid or the roll-up takes more than TARGET_SECONDS.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
sys.path.insert(0, str(BASE_DIR / "bench"))

from area_import import DEFAULT_SERVER_URL, PostgresDatabase, _setup_django  # noqa: E402

TARGET_SECONDS = 5.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="sinergi_bench_centroids", help="throwaway database name")
    parser.add_argument("--server-url", default="", help=f"PostgreSQL server URL (default {DEFAULT_SERVER_URL})")
    args = parser.parse_args(argv)
    env_url = os.environ.get("DATABASE_URL", "")
    server = args.server_url or (env_url if env_url.startswith("postgres") else DEFAULT_SERVER_URL)

    import area_import

    area_import.BENCH_DB = args.db  # PostgresDatabase reads the module's name
    db = PostgresDatabase(server)
    db.create()
    try:
        _setup_django(db.url)
        from django.core.management import call_command
        from django.db import connection

        from agencies.area_import import rollup_centroids
        from agencies.models import Area

        call_command("migrate", verbosity=0, interactive=False)
        started = time.perf_counter()
        call_command("import_areas", all=True, verbosity=0, no_progress=True)
        imported = time.perf_counter() - started
        table = Area._meta.db_table
        with connection.cursor() as cursor:
            # areaid has no coordinates: spread the villages deterministically over Indonesia.
            cursor.execute(
                f"UPDATE {table} SET centroid_lat = -10 + (id % 1500) / 100.0, "
                f"centroid_lon = 95 + (id % 4600) / 100.0, centroid_derived = false WHERE level = 4"
            )
            villages = cursor.rowcount
            cursor.execute(
                f"UPDATE {table} SET centroid_lat = NULL, centroid_lon = NULL, centroid_derived = false WHERE level < 4"
            )
            cursor.execute(f"ANALYZE {table}")

        floor = float("inf")
        for _ in range(3):
            with connection.cursor() as cursor:
                t = time.perf_counter()
                cursor.execute(
                    f"SELECT parent_id, AVG(centroid_lat), AVG(centroid_lon) FROM {table} "
                    "WHERE level = 4 AND centroid_lat IS NOT NULL GROUP BY parent_id"
                )
                cursor.fetchall()
                floor = min(floor, time.perf_counter() - t)

        t = time.perf_counter()
        first = rollup_centroids()
        first_s = time.perf_counter() - t
        before = list(Area.objects.filter(level__lt=4).order_by("pk").values_list("centroid_lat", "centroid_lon"))
        t = time.perf_counter()
        second = rollup_centroids()
        second_s = time.perf_counter() - t
        after = list(Area.objects.filter(level__lt=4).order_by("pk").values_list("centroid_lat", "centroid_lon"))
        missing = Area.objects.filter(level__lt=4, centroid_lat__isnull=True).count()
    finally:
        from django.db import connections

        connections.close_all()
        db.drop()

    print(f"PostgreSQL, throwaway database {args.db}; import of all provinces {imported:.1f} s")
    print(f"{'step':<44}{'rows':>8}{'seconds':>10}")
    print(f"{'floor: GROUP BY of the villages (best of 3)':<44}{villages:>8}{floor:>10.3f}")
    print(f"{'rollup_centroids, first run':<44}{first:>8}{first_s:>10.3f}")
    print(f"{'rollup_centroids, second run (writes nothing)':<44}{second:>8}{second_s:>10.3f}")
    print(f"areas above the villages without a centroid: {missing}; second run changed nothing: {before == after}")
    ok = missing == 0 and before == after and first_s <= TARGET_SECONDS
    print(f"target: <= {TARGET_SECONDS:.0f} s -> {'ok' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
