"""bench/evaluation.py builds its world with raw SQL (INSERT ... SELECT), which migrations do not
update: run it at a tiny size so that a model change its SQL no longer fits fails the suite, not
the next measurement (as tests/integration/test_benchmarks_build.py does for the others)."""

from __future__ import annotations

import uuid

import pytest

from .test_benchmarks_build import _run


@pytest.mark.django_db
def test_the_evaluation_benchmark_builds_its_world_and_times_a_year_of_the_city():
    db = f"sinergi_bench_smoke_{uuid.uuid4().hex[:8]}"
    done = _run("bench/evaluation.py", "--scale", "0.001", "--repeat", "1", "--db", db, "--drop")
    # Exit 1 means a target was missed (the machine may be busy); a traceback means the SQL broke.
    assert done.returncode in (0, 1), done.stdout[-2000:] + done.stderr[-4000:]
    assert "Traceback" not in done.stderr, done.stderr[-4000:]
    assert "# built in" in done.stdout
    assert "compute_snapshot, city, a year" in done.stdout and "bare SQL, all" in done.stdout
