"""Benchmark: import all of Indonesia's areas (areaid) and compare with the database's floor.

    .venv/bin/python bench/area_import.py              # PostgreSQL (DATABASE_URL's server, or 127.0.0.1:5432)
    .venv/bin/python bench/area_import.py --sqlite     # a throwaway SQLite file

It creates a throwaway database (`sinergi_bench` on the PostgreSQL server, or a temporary
SQLite file), migrates it, and times:

1. parsing the areaid JSON of all 34 provinces into rows (what any import must do);
2. the floor: the same rows written raw into a scratch copy of agencies_area (same columns,
   indexes, unique constraints and deferred self foreign key) with PostgreSQL COPY, or one
   executemany INSERT on SQLite; best of FLOOR_RUNS runs;
3. `manage.py import_areas --all` on the empty database;
4. the same command again, which must find nothing to create or change.

Then it drops the database and prints a table. Exit status 1 when the counts are wrong or the
national import misses its 60 s target. See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_SERVER_URL = "postgres://postgres@127.0.0.1:5432/postgres"
BENCH_DB = "sinergi_bench"
TARGET_SECONDS = 60.0
# Floors are cheap: best of a few runs, so that a noisy neighbour does not flatter the import.
FLOOR_RUNS = 3
COLUMNS = ("id", "level", "source_id", "name", "code", "parent_id", "path", "postal_code", "timezone")


def _with_db_name(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def _psycopg_conninfo(url: str) -> str:
    # psycopg understands postgresql:// URLs; django-environ also accepts postgres:// and friends.
    parts = urlsplit(url)
    return urlunsplit(("postgresql", parts.netloc, parts.path, parts.query, ""))


class PostgresDatabase:
    """A throwaway database on the server of `server_url`, created fresh and dropped at the end."""

    def __init__(self, server_url: str) -> None:
        self.url = _with_db_name(server_url, BENCH_DB)
        self.admin_conninfo = _psycopg_conninfo(_with_db_name(server_url, "postgres"))

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.admin_conninfo, autocommit=True) as conn:
            conn.execute(sql)

    def create(self) -> None:
        self._admin(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        self._admin(f"CREATE DATABASE {BENCH_DB}")

    def drop(self) -> None:
        self._admin(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")

    def describe(self) -> str:
        import psycopg

        with psycopg.connect(self.admin_conninfo) as conn:
            version = conn.execute("SHOW server_version").fetchone()[0]
        parts = urlsplit(self.url)
        return f"PostgreSQL {version} at {parts.hostname}:{parts.port or 5432}, throwaway database {BENCH_DB}"


class SqliteDatabase:
    def __init__(self) -> None:
        self.dir = tempfile.TemporaryDirectory(prefix="sinergi-bench-")
        self.path = Path(self.dir.name) / "bench.sqlite3"
        self.url = f"sqlite:///{self.path}"

    def create(self) -> None:
        pass

    def drop(self) -> None:
        self.dir.cleanup()

    def describe(self) -> str:
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}, throwaway file {self.path}"


def _setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    # The import needs neither the broker nor the Redis cache.
    os.environ.pop("REDIS_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()


def _parse_all() -> tuple[list[tuple], dict[int, int], float]:
    """Rows of all provinces as (id, level, source_id, name, code, parent_id, path, postal, tz), and timing."""
    from agencies.area_import import _rows, load_province, province_names, province_timezone

    started = time.perf_counter()
    rows: list[tuple] = []
    ids: dict[str, int] = {}
    per_level = {1: 0, 2: 0, 3: 0, 4: 0}
    for name in province_names():
        tz = str(province_timezone(name))
        for r in _rows(load_province(name)):
            pk = len(rows) + 1
            ids[r.path] = pk
            parent_id = ids[r.parent_path] if r.parent_path else None
            rows.append((pk, r.level, r.source_id, r.name, r.code, parent_id, r.path, r.postal_code, tz))
            per_level[r.level] += 1
    return rows, per_level, time.perf_counter() - started


def _floor_postgres(rows: list[tuple], *, with_fk: bool = True) -> float:
    from django.db import connection, transaction

    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_area_floor")
        # Same columns, defaults, identity, indexes and unique constraints as agencies_area...
        cur.execute("CREATE TABLE bench_area_floor (LIKE agencies_area INCLUDING ALL)")
        if with_fk:
            # ...and the deferred self foreign key that LIKE does not copy, as Django declares it.
            cur.execute(
                "ALTER TABLE bench_area_floor ADD CONSTRAINT bench_area_floor_parent_fk FOREIGN KEY (parent_id) "
                "REFERENCES bench_area_floor (id) DEFERRABLE INITIALLY DEFERRED"
            )
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        raw = cur.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY bench_area_floor ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    elapsed = time.perf_counter() - started
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM bench_area_floor")
        assert cur.fetchone()[0] == len(rows)
        cur.execute("DROP TABLE bench_area_floor")
    return elapsed


def _floor_sqlite(rows: list[tuple]) -> float:
    from django.db import connection, transaction

    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_area_floor")
        cur.execute("SELECT sql FROM sqlite_master WHERE tbl_name = 'agencies_area' AND sql IS NOT NULL")
        ddl = [r[0] for r in cur.fetchall()]
        # The table, its unique constraints and its indexes, renamed; the self foreign key
        # (DEFERRABLE INITIALLY DEFERRED) comes along in the CREATE TABLE.
        for statement in ddl:
            renamed = statement.replace("agencies_area", "bench_area_floor")
            # Index names are global in SQLite and not all of them contain the table name.
            renamed = re.sub(r'INDEX "([^"]+)"', r'INDEX "bench_\1"', renamed)
            cur.execute(renamed)
    placeholders = ", ".join(["%s"] * len(COLUMNS))
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        cur.executemany(f"INSERT INTO bench_area_floor ({', '.join(COLUMNS)}) VALUES ({placeholders})", rows)
    elapsed = time.perf_counter() - started
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM bench_area_floor")
        assert cur.fetchone()[0] == len(rows)
        cur.execute("DROP TABLE bench_area_floor")
    return elapsed


def _import_all() -> tuple[float, str]:
    from django.core.management import call_command

    out = StringIO()
    started = time.perf_counter()
    call_command("import_areas", all=True, verbosity=0, stdout=out, stderr=StringIO())
    return time.perf_counter() - started, out.getvalue().strip()


def _analyze() -> None:
    """Fresh planner statistics, as autovacuum would have gathered them before a real re-run."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("ANALYZE agencies_area" if connection.vendor == "postgresql" else "ANALYZE")


def _rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds:,.0f}" if seconds > 0 else "-"


def _print_table(results: list[tuple[str, int, float, float | None]]) -> None:
    header = ("step", "rows", "seconds", "rows/s", "x floor")
    lines = [
        (step, f"{rows:,}", f"{seconds:.2f}", _rate(rows, seconds), "" if ratio is None else f"{ratio:.1f}")
        for step, rows, seconds, ratio in results
    ]
    widths = [max(len(header[i]), *(len(line[i]) for line in lines)) for i in range(len(header))]

    def fmt(cells):
        first = cells[0].ljust(widths[0])
        rest = "  ".join(c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True))
        return f"{first}  {rest}"

    print(fmt(header))
    print(fmt(["-" * w for w in widths]))
    for line in lines:
        print(fmt(line))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sqlite", action="store_true", help="Benchmark a throwaway SQLite file instead.")
    parser.add_argument(
        "--server-url",
        default=None,
        help="PostgreSQL server to create the throwaway database on "
        f"(default: DATABASE_URL if it is PostgreSQL, else {DEFAULT_SERVER_URL}).",
    )
    parser.add_argument("--keep", action="store_true", help="Do not drop the database at the end.")
    args = parser.parse_args(argv)

    if args.sqlite:
        db: PostgresDatabase | SqliteDatabase = SqliteDatabase()
    else:
        env_url = os.environ.get("DATABASE_URL", "")
        server = args.server_url or (env_url if env_url.startswith(("postgres", "pgsql", "psql")) else "")
        db = PostgresDatabase(server or DEFAULT_SERVER_URL)

    db.create()
    failures: list[str] = []
    try:
        _setup_django(db.url)
        from importlib.metadata import version

        import django
        from django.core.management import call_command

        from agencies.models import Area

        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        migrate_seconds = time.perf_counter() - started

        rows, per_level, parse_seconds = _parse_all()
        total = len(rows)
        floor_steps: list[tuple[str, int, float, float | None]] = []
        if args.sqlite:
            floor_seconds = min(_floor_sqlite(rows) for _ in range(FLOOR_RUNS))
            floor_steps.append(("floor: executemany INSERT, same DDL", total, floor_seconds, None))
        else:
            no_fk_seconds = min(_floor_postgres(rows, with_fk=False) for _ in range(FLOOR_RUNS))
            floor_seconds = min(_floor_postgres(rows) for _ in range(FLOOR_RUNS))
            floor_steps.append(("COPY, same indexes, no FK (for reference)", total, no_fk_seconds, None))
            floor_steps.append(("floor: COPY, same indexes and FK", total, floor_seconds, None))

        first_seconds, first_out = _import_all()
        counts = {level: Area.objects.filter(level=level).count() for level in (1, 2, 3, 4)}
        if counts != per_level:
            failures.append(f"first run: counts by level {counts}, expected {per_level}")
        ids_before = list(Area.objects.order_by("pk").values_list("pk", "path", "parent_id"))

        _analyze()
        second_seconds, second_out = _import_all()
        if "created 0 provinces, 0 regencies/cities, 0 districts, 0 villages; updated 0" not in second_out:
            failures.append(f"second run was not a no-op: {second_out}")
        if list(Area.objects.order_by("pk").values_list("pk", "path", "parent_id")) != ids_before:
            failures.append("second run changed ids, paths or parents")
        if first_seconds > TARGET_SECONDS:
            failures.append(f"national import took {first_seconds:.1f} s, target {TARGET_SECONDS:.0f} s")

        floor_with_parse = parse_seconds + floor_seconds
        print("Sinergi: area import benchmark")
        print(f"  database  {db.describe()}")
        print(
            f"  data      areaid {version('areaid')}: {per_level[1]} provinces, "
            f"{per_level[2]:,} regencies/cities, {per_level[3]:,} districts, {per_level[4]:,} villages "
            f"= {total:,} areas"
        )
        print(
            f"  machine   {os.cpu_count()} CPU(s), Python {platform.python_version()}, Django {django.get_version()}, "
            f"load average {os.getloadavg()[0]:.1f}"
        )
        print(f"  migrate   {migrate_seconds:.1f} s (not counted)")
        print()
        _print_table(
            [
                ("parse areaid JSON, all provinces", total, parse_seconds, None),
                *floor_steps,
                ("floor incl. parse (= 1.0)", total, floor_with_parse, 1.0),
                ("import_areas --all, empty database", total, first_seconds, first_seconds / floor_with_parse),
                ("import_areas --all, repeat (no change)", total, second_seconds, second_seconds / floor_with_parse),
            ]
        )
        print()
        print(f"  first run:  {first_out}")
        print(f"  second run: {second_out}")
        verdict = "PASS" if first_seconds <= TARGET_SECONDS else "FAIL"
        print(f"  target: national import under {TARGET_SECONDS:.0f} s: {verdict} ({first_seconds:.1f} s)")
    finally:
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001, S110 - Django may not be set up if create() failed early
            pass
        if args.keep:
            print(f"  kept: {db.url}")
        else:
            db.drop()

    for failure in failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
