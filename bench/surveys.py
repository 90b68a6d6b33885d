"""Benchmark: a survey's results (`survey_results`) at 100,000 responses on PostgreSQL, beside
the bare SQL aggregate of the same answers measured in the same run.

    .venv/bin/python bench/surveys.py                  # 100k responses of an SKM survey
    .venv/bin/python bench/surveys.py --scale 0.1      # a quick run (10k)
    .venv/bin/python bench/surveys.py --reuse          # reuse the survey of an earlier run

The world (in `sinergi_bench_surveys` by default, kept between runs unless --drop): an agency,
12 districts, and an SKM survey (nine questions 1-4) with 100,000 responses spread over a year
and the districts, i.e. 900,000 answer rows, written by set-based INSERTs (generate_series), then
VACUUM ANALYZE. What is timed is everything the results page and the API compute: counts and
distributions per question, the index per element and overall, the months and the areas
(`coordination.community.surveys.selectors.survey_results`, a constant number of aggregate
queries, one of which scans the answers). The bare SQL, run through a cursor: the one GROUP BY
(question, value) over the survey's answers (the floor of the distributions), and the selector's
own scan (question, value, month, area). Target (issue 13): results p95 <= 500 ms. Exit status 1 when missed. The
machine may be shared: compare the selector with the bare SQL of the same run.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench.pages import percentile, world_main  # noqa: E402

DEFAULT_DB = "sinergi_bench_surveys"
RESPONSES = 100_000
TARGET_MS = 500
TITLE = "Bench SKM"


def main() -> int:
    return world_main(
        run,
        description=__doc__.split("\n\n")[0],
        default_db=DEFAULT_DB,
        repeat=20,
        scale_help="fraction of 100k responses",
    )


def build(n: int) -> int:
    """The survey with `n` responses (nine answers each); returns its id."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from agencies.models import Agency, Area
    from coordination.community.surveys import services
    from coordination.models import Survey

    zone = "Asia/Makassar"
    province = Area.objects.create(
        level=Area.Level.PROVINCE, source_id=1, name="Kalimantan Timur", timezone=zone, path="/1/"
    )
    city = Area.objects.create(
        level=Area.Level.REGENCY, source_id=2, name="Kota Bontang", parent=province, timezone=zone, path="/1/2/"
    )
    for i in range(12):
        Area.objects.create(
            level=Area.Level.DISTRICT,
            source_id=100 + i,
            name=f"Kecamatan {i}",
            parent=city,
            timezone=zone,
            path=f"/1/2/{100 + i}/",
        )
    agency = Agency.objects.create(name="Polres Bontang", code="polres-bontang", kind=Agency.Kind.POLICE)
    admin = get_user_model().objects.create_user("bench-admin", is_staff=True, is_superuser=True)
    survey = services.survey_create(
        actor=admin, agency=agency, title=TITLE, kind=Survey.Kind.SKM, service=Survey.Service.REPORT_HANDLING, area=city
    )
    services.survey_open(actor=admin, survey=survey)
    params = {"n": n, "survey": survey.pk, "city": city.pk}
    with connection.cursor() as cur:
        cur.execute(
            """
            INSERT INTO coordination_surveyresponse (survey_id, submitted_at, area_id, via, respondent_key)
            SELECT %(survey)s, now() - (g %% 365) * interval '1 day' - (g %% 1440) * interval '1 minute',
                   (SELECT array_agg(id ORDER BY id) FROM agencies_area WHERE parent_id = %(city)s)[1 + g %% 12],
                   'link', md5(g::text) || md5((-g)::text)
            FROM generate_series(1, %(n)s) g
            """,
            params,
        )
        # Answers leaning to 3 and 4, each element a little differently (an index around 75-80).
        cur.execute(
            """
            INSERT INTO coordination_surveyanswer (survey_id, response_id, question_id, value, text, period, area_id,
                published)
            SELECT r.survey_id, r.id, q.id,
                   CASE WHEN h < 1 THEN 1 WHEN h < 2 + q.position %% 2 THEN 2 WHEN h < 6 THEN 3 ELSE 4 END,
                   '', date_trunc('month', r.submitted_at AT TIME ZONE 'Asia/Makassar')::date, r.area_id, false
            FROM coordination_surveyresponse r
            CROSS JOIN coordination_surveyquestion q
            CROSS JOIN LATERAL (SELECT (r.id * 7 + q.position * 13) %% 10 AS h) x
            WHERE r.survey_id = %(survey)s AND q.survey_id = %(survey)s
            """,
            params,
        )
        cur.execute("VACUUM (ANALYZE) coordination_surveyresponse")
        cur.execute("VACUUM (ANALYZE) coordination_surveyanswer")
    return survey.pk


def run(args: argparse.Namespace) -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, reset_queries

    from coordination.community.surveys.selectors import survey_results
    from coordination.models import Survey, SurveyResponse

    n = max(1, int(RESPONSES * args.scale))
    print(f"# surveys benchmark, scale {args.scale}: {n:,} responses, {9 * n:,} answers")
    print(f"# {platform.platform()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}")
    call_command("migrate", verbosity=0)
    survey = Survey.objects.filter(title=TITLE).first()
    if survey is None or SurveyResponse.objects.filter(survey=survey).count() != n:
        started = time.perf_counter()
        print("# building the survey", flush=True)
        Survey.objects.filter(title=TITLE).delete()
        from agencies.models import Agency, Area

        Agency.objects.all().delete()
        Area.objects.all().delete()
        from django.contrib.auth import get_user_model

        get_user_model().objects.filter(username="bench-admin").delete()
        build(n)
        survey = Survey.objects.get(title=TITLE)
        print(f"# built in {time.perf_counter() - started:.1f} s", flush=True)
    settings.DEBUG = True

    def results() -> int:
        reset_queries()
        r = survey_results(survey=survey)
        assert r.respondents == n and r.index is not None
        return len(connection.queries)

    queries = results()  # warm
    r = survey_results(survey=survey)
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        results()
        times.append((time.perf_counter() - t0) * 1000)
    bare_sqls = {
        "bare SQL: GROUP BY question, value": (
            "SELECT question_id, value, count(*) FROM coordination_surveyanswer "
            "WHERE survey_id = %s AND value IS NOT NULL GROUP BY question_id, value"
        ),
        # what the selector's one scan asks, without the ORM and the Python sums
        "bare SQL: ... , month, area": (
            "SELECT question_id, value, period, area_id, count(*) FROM coordination_surveyanswer "
            "WHERE survey_id = %s AND value IS NOT NULL GROUP BY question_id, value, period, area_id"
        ),
    }
    bare: dict[str, list[float]] = {}
    for label, sql in bare_sqls.items():
        bare[label] = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            with connection.cursor() as cur:
                cur.execute(sql, [survey.pk])
                cur.fetchall()
            bare[label].append((time.perf_counter() - t0) * 1000)
    p50, p95 = statistics.median(times), percentile(times, 0.95)
    print(f"# IKM {r.index.ikm} grade {r.index.grade}; {len(r.trend)} months, {len(r.by_area)} areas")  # type: ignore[union-attr]
    print()
    print(f"| {'what':<40} | {'p50 ms':>7} | {'p95 ms':>7} | {'queries':>7} |")
    print(f"|{'-' * 42}|{'-' * 9}|{'-' * 9}|{'-' * 9}|")
    print(f"| {'survey_results (selector)':<40} | {p50:7.1f} | {p95:7.1f} | {queries:7d} |")
    for label, samples in bare.items():
        b50, b95 = statistics.median(samples), percentile(samples, 0.95)
        print(f"| {label:<40} | {b50:7.1f} | {b95:7.1f} | {1:7d} |")
    ok = p95 <= TARGET_MS
    load = os.getloadavg()[0]
    print(f"\n{'PASS' if ok else 'MISS'}: results p95 {p95:.1f} ms (target <= {TARGET_MS} ms); load {load:.2f}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
