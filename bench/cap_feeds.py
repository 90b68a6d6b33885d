"""Benchmark: one beat cycle of the CAP feeds (100 sources x 50 entries), beside a bare fetch
of the same documents.

    .venv/bin/python bench/cap_feeds.py                    # PostgreSQL (throwaway sinergi_bench_cap)
    .venv/bin/python bench/cap_feeds.py --sqlite           # a temporary SQLite file
    .venv/bin/python bench/cap_feeds.py --sources 20 --entries 10

A local HTTP server (tests/incidents/threats/feeds/server.py, a thread on 127.0.0.1, reached
through SINERGI_CAP_FEEDS_ALLOW_NETWORKS) serves one Atom index per source and its entries' CAP
alerts, each a real alert (tests/data/cap/at-valid.xml, Austria's ZAMG) given its own identifier.
It times, side by side:

- first cycle: `cap_sources_dispatch` (the beat task) with Celery eager, so each source's poll
  runs in this process one after the other (a worker pool would run them side by side): every
  index, every alert fetched, validated against the OASIS schema, imported as a threat and its
  areas mapped; each threat's fan-out is queued (counted here, not run: a worker runs it as a
  task of its own, which bench/fanout.py measures);
- second cycle: every source due again, the indexes unchanged: the server answers 304 to each
  conditional request, nothing else is fetched or imported;
- bare fetch: a plain urllib3 loop GETting the same indexes and alerts (one pool, keep-alive),
  no parsing: the floor of the network part.

Columns: requests made (counted by the server), seconds, and requests per second. The database
is dropped at the end. See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DB = os.environ.get("SINERGI_BENCH_DB", "sinergi_bench_cap")
DEFAULT_SERVER_URL = "postgres://postgres@127.0.0.1:5432/postgres"
SAMPLE = BASE_DIR / "tests" / "data" / "cap" / "at-valid.xml"
CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"


def _with_db_name(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def _admin(server_url: str, sql: str) -> None:
    import psycopg

    parts = urlsplit(_with_db_name(server_url, "postgres"))
    with psycopg.connect(urlunsplit(("postgresql", parts.netloc, parts.path, "", "")), autocommit=True) as conn:
        conn.execute(sql)


def alerts(count_sources: int, count_entries: int) -> dict[tuple[int, int], bytes]:
    """The real alert, made an Alert (no references) with an identifier per source and entry."""
    from lxml import etree

    template = etree.fromstring(SAMPLE.read_bytes())
    template.find(f"{{{CAP_NS}}}msgType").text = "Alert"
    references = template.find(f"{{{CAP_NS}}}references")
    template.remove(references)
    documents = {}
    for s in range(count_sources):
        for e in range(count_entries):
            template.find(f"{{{CAP_NS}}}identifier").text = f"bench-{s}-{e}"
            template.find(f"{{{CAP_NS}}}sender").text = f"cap{s}@bench.example"
            documents[(s, e)] = etree.tostring(template, xml_declaration=True, encoding="UTF-8")
    return documents


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=int, default=100)
    parser.add_argument("--entries", type=int, default=50)
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--server-url", default=os.environ.get("DATABASE_URL", DEFAULT_SERVER_URL))
    args = parser.parse_args()

    sys.path.insert(0, str(BASE_DIR))
    os.chdir(BASE_DIR)
    os.environ.pop("REDIS_URL", None)  # Celery eager: the polls run in this process
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"
    os.environ["SINERGI_CAP_FEEDS_ALLOW_NETWORKS"] = "127.0.0.0/8"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    temp = None
    if args.sqlite:
        handle, temp = tempfile.mkstemp(suffix=".sqlite3")
        os.close(handle)
        os.environ["DATABASE_URL"] = f"sqlite:///{temp}"
        where = "SQLite (temporary file)"
    else:
        server = args.server_url if args.server_url.startswith("postgres") else DEFAULT_SERVER_URL
        _admin(server, f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        _admin(server, f"CREATE DATABASE {BENCH_DB}")
        os.environ["DATABASE_URL"] = _with_db_name(server, BENCH_DB)
        where = f"PostgreSQL, throwaway database {BENCH_DB}"
    try:
        return run(args, where)
    finally:
        from django.db import connections

        connections.close_all()
        if temp is not None:
            os.unlink(temp)
        else:
            _admin(server, f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")


def run(args: argparse.Namespace, where: str) -> int:
    import logging

    import django

    django.setup()
    logging.disable(logging.INFO)
    import urllib3
    from django.core.management import call_command

    from agencies.models import Agency
    from incidents.models import CapFetch, CapSource, Threat
    from incidents.threats.feeds import tasks
    from tests.incidents.threats.feeds.server import CapServer

    call_command("migrate", verbosity=0)
    # The fan-out of each imported threat is a task of its own on a worker (bench/fanout.py
    # measures it): here it is counted, not run, so that the cycle's figure is the polls'.
    from incidents.threats import tasks as threat_tasks

    fan_outs = []
    threat_tasks.threat_fan_out.apply_async = lambda args=(), **kw: fan_outs.append(args)
    agency = Agency.objects.create(name="BPBD Bench", code="bpbd-bench", kind=Agency.Kind.DISASTER)

    server = CapServer().start()
    documents = alerts(args.sources, args.entries)
    for (s, e), body in documents.items():
        server.put(f"/s{s}/a{e}.xml", body)
    for s in range(args.sources):
        server.put_index(f"/s{s}/feed.atom", [f"/s{s}/a{e}.xml" for e in range(args.entries)])
    CapSource.objects.bulk_create(
        [
            CapSource(name=f"Source {s}", authority="Bench", url=server.url(f"/s{s}/feed.atom"), agency=agency)
            for s in range(args.sources)
        ]
    )

    def cycle() -> tuple[int, float]:
        before = sum(server.requests.values())
        start = time.perf_counter()
        tasks.cap_sources_dispatch.delay()
        return sum(server.requests.values()) - before, time.perf_counter() - start

    first_requests, first_seconds = cycle()
    imported = Threat.objects.count()
    CapSource.objects.update(next_poll_at=None)
    second_requests, second_seconds = cycle()
    not_modified = sum(server.not_modified.values())

    pool = urllib3.PoolManager(maxsize=4, retries=False)
    before = sum(server.requests.values())
    start = time.perf_counter()
    for s in range(args.sources):
        pool.request("GET", server.url(f"/s{s}/feed.atom"))
        for e in range(args.entries):
            pool.request("GET", server.url(f"/s{s}/a{e}.xml"))
    bare_seconds = time.perf_counter() - start
    bare_requests = sum(server.requests.values()) - before
    server.stop()

    failures = CapSource.objects.exclude(failing_since=None).count()
    print(f"# CAP feeds: {args.sources} sources x {args.entries} entries, one beat cycle")
    print(f"# {where}; Python {platform.python_version()}; {os.cpu_count()} CPUs; load {os.getloadavg()[0]:.2f}")
    print(f"{'':44} {'requests':>9} {'seconds':>9} {'req/s':>8}")
    for label, requests, seconds in (
        ("first cycle: fetch, validate, import", first_requests, first_seconds),
        ("second cycle: every index 304", second_requests, second_seconds),
        ("bare fetch of the same documents (urllib3)", bare_requests, bare_seconds),
    ):
        print(f"{label:44} {requests:>9} {seconds:>9.2f} {requests / seconds:>8.0f}")
    print(
        f"imported {imported} threats ({CapFetch.objects.filter(outcome='imported').count()} fetches imported, "
        f"{len(fan_outs)} fan-outs queued); "
        f"304 answers {not_modified}; failing sources {failures}; "
        f"first cycle per alert {1000 * first_seconds / max(1, imported):.1f} ms"
    )
    expected = args.sources * args.entries
    if imported != expected or second_requests != args.sources or failures:
        print(
            f"unexpected: {imported} imported of {expected}; {second_requests} requests in the second cycle",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
