"""Benchmark: public report intake under gunicorn, beside a bare DRF endpoint doing one INSERT.

    .venv/bin/python bench/report_intake.py [--seconds 15] [--connections 8] [--workers 2] [--rounds 3]
                                            [--cache redis|locmem] [--instructions N]

It creates a throwaway PostgreSQL database (`sinergi_bench_intake`), migrates it, loads the
demo areas, starts a redis-server of its own on a free port (`--cache redis`, the default: the
rate limits count in Redis, as in production, where every worker shares the count; `--cache
locmem` counts in each process's memory instead), starts gunicorn (sync workers) with
REDIS_URL pointing at it, and loads both endpoints in turn with wrk from another process on
loopback (`apt-get install wrk`):

- `POST /api/v1/public/reports/`: the real intake (JSON: category, description, point) —
  validation, the rate limits (real ones, with clients spread over random addresses), the
  nearest-area guess, the report;
- `POST /bench/bare/`: the floor — a DRF APIView that inserts the same row into the same
  table with one raw INSERT, without validation, and answers 201.

Target (issue 3): the intake serves at least 70% of the bare endpoint's requests per second,
in the median of the alternating rounds.

On a shared machine requests per second move with the neighbours. `--instructions` counts
instead, under valgrind's callgrind, the CPU instructions one request costs in the Django
process (bench/intake/drive.py, the same body through the WSGI handler): a figure that is the
same from one run to the next, for both endpoints.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
# SINERGI_BENCH_DB names another throwaway database (two people benchmarking on one server).
BENCH_DB = os.environ.get("SINERGI_BENCH_DB", "sinergi_bench_intake")
DEFAULT_SERVER_URL = "postgres://postgres@127.0.0.1:5432/postgres"
TARGET = 0.70

WRK_SCRIPT = """
math.randomseed(os.time())
local body = '{"category": "suspicious-activity", "description": "Orang mencurigakan mengintai gudang", '
  .. '"latitude": "0.1372", "longitude": "117.4941"}'
request = function()
  -- Citizens come from many addresses (see bench/intake/settings.py).
  local ip = "10." .. math.random(0, 255) .. "." .. math.random(0, 255) .. "." .. math.random(1, 254)
  return wrk.format("POST", nil, {["Content-Type"] = "application/json", ["X-Forwarded-For"] = ip}, body)
end
"""


def _url(server_url: str, name: str) -> str:
    parts = urlsplit(server_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def _admin(server_url: str, sql: str) -> None:
    import psycopg

    parts = urlsplit(_url(server_url, "postgres"))
    with psycopg.connect(urlunsplit(("postgresql", parts.netloc, parts.path, "", "")), autocommit=True) as conn:
        conn.execute(sql)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(port: int, timeout: float = 30, what: str = "gunicorn") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not start")


def wrk(url: str, *, seconds: int, connections: int, script: str) -> tuple[float, float, int]:
    """Requests/s, p99 latency in ms and the count of non-2xx answers."""
    out = subprocess.run(
        ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency", "-s", script, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99_match = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    p99 = float(p99_match.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[p99_match.group(2)]
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return rps, p99, int(non2xx.group(1)) if non2xx else 0


def _instructions(py: str, env: dict[str, str], path: str, n: int) -> int:
    out = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", py, "bench/intake/drive.py", path, str(n)],
        cwd=BASE_DIR,
        env={**env, "PYTHONHASHSEED": "0"},
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    return int(re.search(r"Collected : (\d+)", out).group(1))


def count_instructions(py: str, env: dict[str, str], n: int, cache: str) -> int:
    """Instructions per request of each endpoint: (a run of 100 + n requests - a run of 100) / n."""
    print(f"# report intake, CPU instructions per request in the Django process (callgrind, {n} requests, {cache})")
    per_request = {}
    for path in ("/bench/bare/", "/api/v1/public/reports/"):
        per_request[path] = (_instructions(py, env, path, n) - _instructions(py, env, path, 0)) / n
        print(f"{path:<26} {per_request[path]:>12,.0f}", flush=True)
    ratio = per_request["/bench/bare/"] / per_request["/api/v1/public/reports/"]
    print(f"\nbare / intake = {ratio:.0%} of the instructions (gunicorn and PostgreSQL come on top of both)")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds; the best of each endpoint counts")
    parser.add_argument("--server-url", default=None)
    parser.add_argument("--instructions", type=int, metavar="N", default=0, help="count instructions over N requests")
    parser.add_argument(
        "--cache",
        choices=("redis", "locmem"),
        default="redis",
        help="where the rate limits count: a redis-server of the benchmark's own (production) or locmem",
    )
    args = parser.parse_args()
    if args.instructions and not shutil.which("valgrind"):
        print("valgrind is missing: apt-get install valgrind", file=sys.stderr)
        return 2
    if not args.instructions and not shutil.which("wrk"):
        print("wrk is missing: apt-get install wrk", file=sys.stderr)
        return 2
    if args.cache == "redis" and not shutil.which("redis-server"):
        print("redis-server is missing: apt-get install redis-server", file=sys.stderr)
        return 2

    server_url = args.server_url or os.environ.get("DATABASE_URL", "")
    if not server_url.startswith(("postgres", "pgsql")):
        server_url = DEFAULT_SERVER_URL
    _admin(server_url, f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
    _admin(server_url, f"CREATE DATABASE {BENCH_DB}")
    env = {
        **os.environ,
        "DATABASE_URL": _url(server_url, BENCH_DB),
        "DJANGO_SETTINGS_MODULE": "bench.intake.settings",
        "PYTHONPATH": str(BASE_DIR),
    }
    env.pop("REDIS_URL", None)
    py = sys.executable
    gunicorn = None
    redis_server = None
    try:
        if args.cache == "redis":
            redis_port = _free_port()
            redis_server = subprocess.Popen(
                ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                stdout=subprocess.DEVNULL,
            )
            _wait(redis_port, what="redis-server")
            # The cache and Celery's broker, as config/settings.py makes of REDIS_URL in production.
            env["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
        subprocess.run([py, "manage.py", "migrate", "-v", "0"], cwd=BASE_DIR, env=env, check=True)
        subprocess.run([py, "manage.py", "seed_demo"], cwd=BASE_DIR, env=env, check=True, capture_output=True)
        if args.instructions:
            return count_instructions(py, env, args.instructions, args.cache)
        port = _free_port()
        gunicorn = subprocess.Popen(
            [
                str(Path(py).with_name("gunicorn")),
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.workers),
                "--log-level",
                "warning",
            ],
            cwd=BASE_DIR,
            env=env,
        )
        _wait(port)
        print(f"# report intake benchmark (gunicorn sync workers, wrk on loopback, PostgreSQL, {args.cache} cache)")
        print(
            f"# {platform.platform()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}, "
            f"{args.workers} workers, {args.connections} connections, {args.seconds} s each"
        )
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
            fh.write(WRK_SCRIPT)
            script = fh.name
        base = f"http://127.0.0.1:{port}"
        # Warm both (imports, connections, plans), then measure alternately: a neighbour on a
        # shared machine slows whichever endpoint is running, so each round shows its own
        # ratio, and the best of each endpoint over the rounds is compared.
        wrk(f"{base}/bench/bare/", seconds=2, connections=args.connections, script=script)
        wrk(f"{base}/api/v1/public/reports/", seconds=2, connections=args.connections, script=script)
        bare, intake = [], []
        for round_no in range(1, args.rounds + 1):
            bare.append(wrk(f"{base}/bench/bare/", seconds=args.seconds, connections=args.connections, script=script))
            intake.append(
                wrk(f"{base}/api/v1/public/reports/", seconds=args.seconds, connections=args.connections, script=script)
            )
            print(
                f"round {round_no}: bare {bare[-1][0]:.0f} req/s, intake {intake[-1][0]:.0f} req/s,"
                f" {intake[-1][0] / bare[-1][0]:.0%}",
                flush=True,
            )
        b = max(bare, key=lambda r: r[0])
        i = max(intake, key=lambda r: r[0])
        # The verdict takes the median round: one round slowed by a neighbour moves it less
        # than it moves a best-of comparison.
        ratio = statistics.median(ir[0] / br[0] for br, ir in zip(bare, intake, strict=True))
        print()
        print(f"| {'endpoint':<34} | {'best req/s':>10} | {'p99 ms':>7} | non-2xx")
        print(f"|{'-' * 36}|{'-' * 12}|{'-' * 9}|--------")
        print(f"| {'bare DRF, one INSERT (floor)':<34} | {b[0]:10.0f} | {b[1]:7.1f} | {b[2]}")
        print(f"| {'POST /api/v1/public/reports/':<34} | {i[0]:10.0f} | {i[1]:7.1f} | {i[2]}")
        non2xx = sum(r[2] for r in intake)
        verdict = "PASS" if ratio >= TARGET and non2xx == 0 else "MISS"
        print(f"\nintake / bare: best {i[0] / b[0]:.0%}, median round {ratio:.0%}", end=" ")
        print(f"(target at least {TARGET:.0%}): {verdict}")
        return 0 if verdict == "PASS" else 1
    finally:
        if gunicorn is not None:
            gunicorn.terminate()
            gunicorn.wait(timeout=20)
        if redis_server is not None:
            redis_server.terminate()
            redis_server.wait(timeout=20)
        _admin(server_url, f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")


if __name__ == "__main__":
    sys.exit(main())
