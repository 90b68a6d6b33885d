"""Benchmark: a year's evaluation of the city (`compute_snapshot`, every KPI and breakdown with
the previous year) on PostgreSQL, beside the bare SQL aggregates of the same KPIs in the same run.

    .venv/bin/python bench/evaluation.py               # 1M incidents, 200k alerts, 50k shifts, ...
    .venv/bin/python bench/evaluation.py --scale 0.05  # a quick run
    .venv/bin/python bench/evaluation.py --reuse       # reuse the world of an earlier run

The world (in `sinergi_bench_eval`, kept between runs unless --drop; a world of another scale is
rebuilt): Kalimantan Timur's areas, 200 agencies, 1,000,000 incidents over the last two years
(with their verified, responding and resolved times), 20,000 threats alerting 10 agencies each
(200,000 alerts, two thirds acknowledged, with an in-app and an e-mail delivery each), 50,000
citizen reports with questions, 2,000 operations (two participations, two sitreps each), 50,000
patrol shifts (an area, a unit, two checkpoints and their check-ins each), 2,000 risk
assessments, 5,000 programmes (two target groups and a partner each), 10,000 action items,
5,000 bulletins, 500 exercises, and ten SKM surveys with 100,000 answers; all written by
INSERT ... SELECT over generate_series, then VACUUM ANALYZE.

What is timed: `compute_snapshot` of the city for the current year (with the previous year),
p50 and p95 over --repeat runs, as a service calls it (outside a transaction: its lanes read
side by side on their own connections, `kpis.compute.lanes`); its query count is that of one
run in turn. Beside it the floor: the same KPIs' aggregates as hand-written SQL (one statement
per section, conditional aggregation over both years, percentile_cont), run once each, one after
the other on one connection, in the same run. Targets (issue 14): p95 <= 2 s and within 3x the
floor; exit status 1 when either is missed. `time_page()` and `time_pdf()` time the evaluation
page and its PDF.
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

DEFAULT_DB = "sinergi_bench_eval"
SIZES = {
    "agencies": 200,
    "incidents": 1_000_000,
    "threats": 20_000,  # x 10 agencies = 200k alerts
    "reports": 50_000,
    "operations": 2_000,
    "shifts": 50_000,
    "risks": 2_000,
    "programmes": 5_000,
    "actions": 10_000,
    "bulletins": 5_000,
    "exercises": 500,
    "skm_responses": 11_112,  # x 9 answers = 100k
}
TARGET_S = 2.0
TARGET_RATIO = 3.0
PAGE_TARGET_MS = 300
PDF_TARGET_S = 5.0


def main() -> int:
    return world_main(
        run,
        description=__doc__.split("\n\n")[0],
        default_db=DEFAULT_DB,
        repeat=7,
        scale_help="fraction of the full world (1.0: 1M incidents)",
    )


# Statements of the world, each run with the same parameters (see build()).
WORLD: list[tuple[str, str]] = [
    (
        "incidents",
        """
        INSERT INTO incidents_incident
          (reference, title, description, category_id, severity, urgency, status, source, classification,
           reporting_agency_id, lead_agency_id, area_id, area_path, latitude, longitude, occurred_at,
           reported_at, verified_at, responding_at, resolved_at, updated_at)
        SELECT 'EVB-' || g, 'Kejadian ' || g, '', p.cats[1 + g %% cardinality(p.cats)], g %% 5, 0, x.status,
               'agency',
               CASE WHEN g %% 100 < 10 THEN 'public' WHEN g %% 100 < 85 THEN 'restricted'
                    WHEN g %% 100 < 97 THEN 'confidential' ELSE 'secret' END,
               p.agencies[1 + g %% cardinality(p.agencies)], p.agencies[1 + (g / 7) %% cardinality(p.agencies)],
               p.areas[1 + (g::bigint * 7919) %% cardinality(p.areas)],
               p.paths[1 + (g::bigint * 7919) %% cardinality(p.paths)], NULL, NULL, t, t,
               CASE WHEN x.status <> 'reported' THEN t + (5 + g %% 55) * interval '1 minute' END,
               CASE WHEN x.status IN ('responding', 'contained', 'resolved', 'closed')
                    THEN t + (20 + g %% 100) * interval '1 minute' END,
               CASE WHEN x.status IN ('resolved', 'closed') THEN t + (1 + g %% 47) * interval '1 hour' END, now()
        FROM generate_series(1, %(n_incidents)s) AS g,
             LATERAL (SELECT now() - (g::bigint * 730 * 1440 / %(n_incidents)s) * interval '1 minute' AS t,
                             (ARRAY['reported','verified','responding','contained','resolved','closed','rejected',
                                    'resolved'])[1 + g %% 8] AS status) AS x,
             (SELECT %(cats)s::bigint[] AS cats, %(agencies)s::bigint[] AS agencies,
                     %(areas)s::bigint[] AS areas, %(paths)s::text[] AS paths) AS p
        """,
    ),
    (
        "incidents' involved agencies (one in five)",
        """
        INSERT INTO incidents_incident_involved_agencies (incident_id, agency_id)
        SELECT i.id, p.agencies[1 + (i.id * 13) %% cardinality(p.agencies)]
        FROM incidents_incident i, (SELECT %(agencies)s::bigint[] AS agencies) AS p WHERE i.id %% 5 = 0
        """,
    ),
    (
        "threats",
        """
        INSERT INTO incidents_threat
          (identifier, sender, sent_at, msg_type, cap_status, revision, source, headline, description, instruction,
           headline_en, description_en, instruction_en, severity, urgency, certainty, classification, cap_areas,
           area_matches, created_at, updated_at, fanned_out_revision, category_id, issuing_agency_id)
        SELECT 'evb-' || g, 'bench@sinergi', t, 'Alert', 'Actual', 1, 'portal', 'Peringatan ' || g, '', '', '', '',
               '', 1 + g %% 4, 1 + g %% 4, 1 + g %% 4,
               CASE WHEN g %% 20 = 0 THEN 'secret' ELSE 'restricted' END, '[]'::jsonb, '[]'::jsonb, t, t, 1,
               p.cats[1 + g %% cardinality(p.cats)], p.agencies[1 + g %% cardinality(p.agencies)]
        FROM generate_series(1, %(n_threats)s) AS g,
             LATERAL (SELECT now() - (g::bigint * 730 * 1440 / %(n_threats)s) * interval '1 minute' AS t) AS w,
             (SELECT %(cats)s::bigint[] AS cats, %(agencies)s::bigint[] AS agencies) AS p
        """,
    ),
    (
        "threat areas",
        """
        INSERT INTO incidents_threat_areas (threat_id, area_id)
        SELECT t.id, p.districts[1 + t.id %% cardinality(p.districts)]
        FROM incidents_threat t, (SELECT %(districts)s::bigint[] AS districts) AS p
        """,
    ),
    (
        "alerts, 10 agencies a threat",
        """
        INSERT INTO incidents_alert (reason, created_at, revision, response, quick_response, escalation_level,
                                     escalated_at, threat_id, agency_id, acknowledged_at)
        SELECT 'subscription', t.sent_at, 1, '', '', CASE WHEN (t.id + k) %% 7 = 0 THEN 1 ELSE 0 END,
               CASE WHEN (t.id + k) %% 7 = 0 THEN t.sent_at + interval '30 minutes' END, t.id,
               p.agencies[1 + (t.id * 7 + k * 19) %% cardinality(p.agencies)],
               CASE WHEN (t.id + k) %% 3 = 0 THEN NULL ELSE t.sent_at + (1 + (t.id * k) %% 90) * interval '1 minute' END
        FROM incidents_threat t, generate_series(0, 9) AS k, (SELECT %(agencies)s::bigint[] AS agencies) AS p
        ON CONFLICT DO NOTHING
        """,
    ),
    (
        "deliveries, in-app and e-mail",
        """
        INSERT INTO incidents_delivery (revision, channel, recipient_key, address, escalation_level, status, attempts,
                                        last_error, claim_token, created_at, alert_id)
        SELECT 1, c.channel, 'duty:' || a.agency_id, '', 0,
               CASE WHEN (a.id + c.n) %% 25 = 0 THEN 'failed' ELSE 'sent' END, 1, '', '', a.created_at, a.id
        FROM incidents_alert a, (VALUES ('in_app', 0), ('email', 1)) AS c(channel, n)
        """,
    ),
    (
        "citizen reports",
        """
        INSERT INTO incidents_citizenreport (tracking_code, description, latitude, longitude, area_path, contact,
                                             status, moderation_reason, created_at, moderated_at, area_id,
                                             category_id)
        SELECT 'E' || lpad(g::text, 9, '0'), 'Laporan', 0.13, 117.5, p.paths[1 + g %% cardinality(p.paths)], '',
               (ARRAY['new','verified','verified','rejected','spam'])[1 + g %% 5], '', t,
               CASE WHEN g %% 5 <> 0 THEN t + (5 + g %% 400) * interval '1 minute' END,
               p.areas[1 + g %% cardinality(p.areas)], p.cats[1 + g %% cardinality(p.cats)]
        FROM generate_series(1, %(n_reports)s) AS g,
             LATERAL (SELECT now() - (g::bigint * 730 * 1440 / %(n_reports)s) * interval '1 minute' AS t) AS w,
             (SELECT %(cats)s::bigint[] AS cats, %(areas)s::bigint[] AS areas, %(paths)s::text[] AS paths) AS p
        """,
    ),
    (
        "questions to reporters (one report in ten)",
        """
        INSERT INTO incidents_reportquestion (report_id, text, asked_at, answer, answered_at)
        SELECT r.id, 'Di mana?', r.created_at + interval '1 hour',
               CASE WHEN r.id %% 2 = 0 THEN 'Di sini' ELSE '' END,
               CASE WHEN r.id %% 2 = 0 THEN r.created_at + interval '3 hours' END
        FROM incidents_citizenreport r WHERE r.id %% 10 = 0
        """,
    ),
    (
        "operations",
        """
        INSERT INTO coordination_jointoperation (name, kind, status, classification, objectives, command_post,
                                                 starts_at, ends_at, created_at, updated_at, lead_agency_id)
        SELECT 'Operasi ' || g, 'joint_patrol',
               (ARRAY['planned','active','completed','reviewed','cancelled'])[1 + g %% 5],
               CASE WHEN g %% 20 = 0 THEN 'secret' ELSE 'restricted' END, '', '', t, t + interval '3 days', t, t,
               p.agencies[1 + g %% cardinality(p.agencies)]
        FROM generate_series(1, %(n_operations)s) AS g,
             LATERAL (SELECT now() - (g::bigint * 730 * 1440 / %(n_operations)s) * interval '1 minute' AS t) AS w,
             (SELECT %(agencies)s::bigint[] AS agencies) AS p
        """,
    ),
    (
        "participations (the lead and another)",
        """
        INSERT INTO coordination_participation (operation_id, agency_id, role, personnel, vehicles)
        SELECT o.id, a.agency, '', 10, 1
        FROM coordination_jointoperation o, (SELECT %(agencies)s::bigint[] AS agencies) AS p,
             LATERAL (VALUES (o.lead_agency_id), (p.agencies[1 + (o.id * 11) %% cardinality(p.agencies)])) AS a(agency)
        ON CONFLICT DO NOTHING
        """,
    ),
    (
        "sitreps (two an operation)",
        """
        INSERT INTO coordination_sitrep (operation_id, agency_id, period_start, period_end, summary,
                                         resources_committed, casualties_dead, casualties_injured, casualties_missing,
                                         needs, created_at)
        SELECT o.id, o.lead_agency_id, o.starts_at + k * interval '12 hours',
               o.starts_at + (k + 1) * interval '12 hours', '-', '', 0, 0, 0, '',
               o.starts_at + (k + 1) * interval '12 hours' + ((o.id + k) %% 5) * interval '1 hour'
        FROM coordination_jointoperation o, generate_series(0, 1) AS k
        """,
    ),
    (
        "patrol shifts",
        """
        INSERT INTO coordination_patrolshift (kind, title, starts_at, ends_at, series, notes, created_at, operation_id)
        SELECT 'joint_patrol', 'Patroli ' || g, s, s + (2 + g %% 7) * interval '1 hour', '', '', s,
               p.operations[1 + g %% cardinality(p.operations)]
        FROM generate_series(1, %(n_shifts)s) AS g,
             LATERAL (SELECT date_trunc('hour', now()) - (g::bigint * 730 * 24 / %(n_shifts)s) * interval '1 hour'
                      AS s) AS w,
             (SELECT array_agg(id) AS operations FROM coordination_jointoperation) AS p
        """,
    ),
    (
        "shift areas (a district)",
        """
        INSERT INTO coordination_patrolshift_areas (patrolshift_id, area_id)
        SELECT s.id, p.districts[1 + s.id %% cardinality(p.districts)]
        FROM coordination_patrolshift s, (SELECT %(districts)s::bigint[] AS districts) AS p
        """,
    ),
    (
        "shift units",
        """
        INSERT INTO coordination_shiftcontribution (shift_id, agency_id, unit_name, headcount, vehicles)
        SELECT s.id, p.agencies[1 + (s.id * 13) %% cardinality(p.agencies)], 'Regu', 4, 1
        FROM coordination_patrolshift s, (SELECT %(agencies)s::bigint[] AS agencies) AS p
        """,
    ),
    (
        "checkpoints (two a shift)",
        """
        INSERT INTO coordination_checkpoint (shift_id, "order", name, latitude, longitude, planned_at)
        SELECT s.id, k, 'Pos ' || k, 0.13, 117.5, s.starts_at + k * interval '1 hour'
        FROM coordination_patrolshift s, generate_series(1, 2) AS k
        """,
    ),
    (
        "check-ins (three checkpoints in four)",
        """
        INSERT INTO coordination_checkin (shift_id, checkpoint_id, agency_id, at, created_at)
        SELECT c.shift_id, c.id, p.agencies[1], c.planned_at + (c.id %% 30) * interval '1 minute', c.planned_at
        FROM coordination_checkpoint c, (SELECT %(agencies)s::bigint[] AS agencies) AS p WHERE c.id %% 4 <> 0
        """,
    ),
    (
        "conflict overrides (one shift in fifty)",
        """
        INSERT INTO coordination_conflictoverride (shift_id, at, reason, conflicts)
        SELECT s.id, s.created_at, '-', '[]'::jsonb FROM coordination_patrolshift s WHERE s.id %% 50 = 0
        """,
    ),
    (
        "risk assessments",
        """
        INSERT INTO incidents_riskassessment (area_path, likelihood, impact, vulnerabilities, mitigations,
                                              assessed_on, review_due, classification, created_at, updated_at,
                                              area_id, assessing_agency_id, hazard_id)
        SELECT p.paths[1 + (g %% 400)], 1 + g %% 5, 1 + (g / 5) %% 5, '', '', d, d + 90 + g %% 200, 'restricted',
               now(), now(), p.areas[1 + (g %% 400)], p.agencies[1 + g %% cardinality(p.agencies)],
               p.cats[1 + (g / 400) %% cardinality(p.cats)]
        FROM generate_series(1, %(n_risks)s) AS g,
             LATERAL (SELECT current_date - (g::bigint * 730 / %(n_risks)s)::int AS d) AS w,
             (SELECT %(cats)s::bigint[] AS cats, %(agencies)s::bigint[] AS agencies,
                     %(areas)s::bigint[] AS areas, %(paths)s::text[] AS paths) AS p
        """,
    ),
    (
        "programmes",
        """
        INSERT INTO coordination_programme (kind, title, description, organiser_id, area_id, venue, is_public, status,
                                            starts_at, ends_at, cancel_reason, objectives, activities, results,
                                            lessons, created_at, updated_at)
        SELECT 'seminar', 'Program ' || g, '', p.agencies[1 + g %% cardinality(p.agencies)],
               p.districts[1 + g %% cardinality(p.districts)], '', g %% 2 = 0,
               (ARRAY['planned','approved','held','reported','cancelled'])[1 + g %% 5], t, t + interval '3 hours',
               '', '', '', '', '', t, t
        FROM generate_series(1, %(n_programmes)s) AS g,
             LATERAL (SELECT now() - (g::bigint * 730 * 1440 / %(n_programmes)s) * interval '1 minute' AS t) AS w,
             (SELECT %(agencies)s::bigint[] AS agencies, %(districts)s::bigint[] AS districts) AS p
        """,
    ),
    (
        "programme partners and target groups",
        """
        WITH partners AS (
          INSERT INTO coordination_programme_partners (programme_id, agency_id)
          SELECT g.id, p.agencies[1 + (g.id * 17) %% cardinality(p.agencies)]
          FROM coordination_programme g, (SELECT %(agencies)s::bigint[] AS agencies) AS p
          WHERE p.agencies[1 + (g.id * 17) %% cardinality(p.agencies)] <> g.organiser_id
          RETURNING 1
        )
        INSERT INTO coordination_targetgroup (programme_id, "group", age_band, sex, planned, actual)
        SELECT g.id, k.grp, 'any', 'any', 50 + g.id %% 50,
               CASE WHEN g.status IN ('held', 'reported') THEN 30 + (g.id * 7) %% 60 END
        FROM coordination_programme g, (VALUES ('students'), ('residents')) AS k(grp)
        """,
    ),
    (
        "action items",
        """
        INSERT INTO coordination_actionitem (programme_id, description, owner_agency_id, due_date, status, closed_at,
                                             updated_at)
        SELECT p.programmes[1 + g %% cardinality(p.programmes)], '-', p.agencies[1 + g %% cardinality(p.agencies)], d,
               CASE WHEN g %% 3 = 0 THEN 'open' ELSE 'done' END,
               CASE WHEN g %% 3 <> 0 THEN d + ((g %% 9) - 5) * interval '1 day' END, now()
        FROM generate_series(1, %(n_actions)s) AS g,
             LATERAL (SELECT current_date - (g::bigint * 730 / %(n_actions)s)::int AS d) AS w,
             (SELECT %(agencies)s::bigint[] AS agencies,
                     (SELECT array_agg(id) FROM coordination_programme) AS programmes) AS p
        """,
    ),
    (
        "bulletins and their recipients",
        """
        WITH b AS (
          INSERT INTO coordination_bulletin (title, body, classification, issuing_agency_id, releasable_title,
                                             releasable_body, releasable_classification, ack_required, distribution,
                                             status, version, withdraw_reason, created_at, updated_at)
          SELECT 'Buletin ' || g, '-', 'restricted', p.agencies[1 + g %% cardinality(p.agencies)], '', '', '', false,
                 '{}'::jsonb, 'sent', 1, '', t, t
          FROM generate_series(1, %(n_bulletins)s) AS g,
               LATERAL (SELECT now() - (g::bigint * 730 * 1440 / %(n_bulletins)s) * interval '1 minute' AS t) AS w,
               (SELECT %(agencies)s::bigint[] AS agencies) AS p
          RETURNING id, issuing_agency_id
        )
        INSERT INTO coordination_bulletinrecipient (bulletin_id, agency_id, tier, reason, named, notified_version)
        SELECT b.id, p.agencies[1 + (b.id * 3 + k) %% cardinality(p.agencies)], 'full', 'named', true, 1
        FROM b, generate_series(0, 2) AS k, (SELECT %(agencies)s::bigint[] AS agencies) AS p
        ON CONFLICT DO NOTHING
        """,
    ),
    (
        "exercises and participants",
        """
        WITH e AS (
          INSERT INTO coordination_exercise (name, kind, lead_agency_id, scenario, starts_at, ends_at, classification,
                                             observations, strengths, gaps, created_at)
          SELECT 'Latihan ' || g, 'tabletop', p.agencies[1 + g %% cardinality(p.agencies)], '', t,
                 t + interval '4 hours', 'restricted', '', '', '', t
          FROM generate_series(1, %(n_exercises)s) AS g,
               LATERAL (SELECT now() - (g::bigint * 730 * 1440 / %(n_exercises)s) * interval '1 minute' AS t) AS w,
               (SELECT %(agencies)s::bigint[] AS agencies) AS p
          RETURNING id
        )
        INSERT INTO coordination_exercise_participants (exercise_id, agency_id)
        SELECT e.id, p.agencies[1 + (e.id * 5) %% cardinality(p.agencies)]
        FROM e, (SELECT %(agencies)s::bigint[] AS agencies) AS p
        """,
    ),
]


def build(sizes: dict[str, int]) -> None:
    """The world: areas by the import, the agencies and SKM surveys by the ORM and services, the
    rest by the set-based statements of WORLD."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from agencies.area_import import analyze_areas, import_province
    from agencies.models import Agency, Area
    from coordination.community.surveys import services
    from coordination.models import Survey

    import_province("Kalimantan Timur")
    analyze_areas()
    bontang = Area.objects.get(name="Kota Bontang", level=Area.Level.REGENCY)
    Agency.objects.bulk_create(
        [
            Agency(name=f"Instansi {i:04d}", code=f"agency-{i}", kind=Agency.Kind.POLICE)
            for i in range(sizes["agencies"])
        ]
    )
    Agency.objects.get(code="agency-0").jurisdiction.set([bontang])
    admin = get_user_model().objects.create_user("bench-admin", is_staff=True, is_superuser=True)
    with connection.cursor() as cur:
        cur.execute("SELECT array_agg(id ORDER BY id) FROM agencies_agency")
        (agency_ids,) = cur.fetchone()
        cur.execute("SELECT array_agg(id ORDER BY id), array_agg(path ORDER BY id) FROM agencies_area WHERE level = 4")
        villages, village_paths = cur.fetchone()
        cur.execute("SELECT array_agg(id ORDER BY id) FROM agencies_area WHERE level = 3")
        (districts,) = cur.fetchone()
        cur.execute("SELECT array_agg(id ORDER BY id) FROM incidents_category")
        (categories,) = cur.fetchone()
        params = {
            "agencies": agency_ids,
            "areas": villages,
            "paths": village_paths,
            "districts": districts,
            "cats": categories,
            **{f"n_{k}": v for k, v in sizes.items()},
        }
        for label, sql in WORLD:
            started = time.perf_counter()
            cur.execute(sql, params)
            print(f"#   {label}: {cur.rowcount:,} rows in {time.perf_counter() - started:.1f} s", flush=True)
    # Ten SKM surveys (nine questions each, by the service), their responses and answers.
    agencies = list(Agency.objects.order_by("pk")[:10])
    survey_ids = []
    for i, agency in enumerate(agencies):
        service = [Survey.Service.REPORT_HANDLING, Survey.Service.PROGRAMME, Survey.Service.OTHER][i % 3]
        survey = services.survey_create(
            actor=admin, agency=agency, title=f"SKM {i}", kind=Survey.Kind.SKM, service=service, area=bontang
        )
        survey_ids.append(survey.pk)
    with connection.cursor() as cur:
        started = time.perf_counter()
        cur.execute(
            """
            INSERT INTO coordination_surveyresponse (survey_id, submitted_at, area_id, via, respondent_key)
            SELECT (%(surveys)s::bigint[])[1 + g %% 10], now() - (g::bigint * 730 * 1440 / %(n)s) * interval '1 minute',
                   %(city)s, 'link', md5(g::text)
            FROM generate_series(1, %(n)s) g
            """,
            {"surveys": survey_ids, "n": sizes["skm_responses"], "city": bontang.pk},
        )
        cur.execute(
            """
            INSERT INTO coordination_surveyanswer (survey_id, response_id, question_id, value, text, period, area_id,
                                                   published)
            SELECT r.survey_id, r.id, q.id, 1 + (r.id * 7 + q.position * 13) %% 4 / 3 + (r.id + q.position) %% 3, '',
                   date_trunc('month', r.submitted_at AT TIME ZONE %(zone)s)::date, r.area_id, false
            FROM coordination_surveyresponse r JOIN coordination_surveyquestion q ON q.survey_id = r.survey_id
            WHERE q.kind = 'skm'
            """,
            {"zone": os.environ.get("SINERGI_TIME_ZONE", "Asia/Jakarta")},
        )
        print(f"#   SKM answers: {cur.rowcount:,} rows in {time.perf_counter() - started:.1f} s", flush=True)
        cur.execute("VACUUM ANALYZE")
        cur.execute("CREATE TABLE IF NOT EXISTS bench_eval_world (scale text)")
        cur.execute("INSERT INTO bench_eval_world VALUES (%s)", [repr(sizes)])


def _world_matches(sizes: dict[str, int]) -> bool:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT to_regclass('bench_eval_world')")
        if cur.fetchone()[0] is None:
            return False
        cur.execute("SELECT scale FROM bench_eval_world")
        row = cur.fetchone()
    return bool(row) and row[0] == repr(sizes)


# The floor: the same KPIs of the city, hand-written, both years in one statement per section.
# %(s0)s/%(e0)s: this year, %(s1)s/%(e1)s: the year before.
FLOOR: list[tuple[str, str]] = [
    (
        "incidents: counts, times, severity",
        """
        SELECT count(*) FILTER (WHERE y = 0), count(*) FILTER (WHERE y = 1),
               count(*) FILTER (WHERE y = 0 AND status IN ('resolved', 'closed')),
               count(*) FILTER (WHERE y = 1 AND status IN ('resolved', 'closed')),
               count(*) FILTER (WHERE y = 0 AND within), count(*) FILTER (WHERE y = 1 AND within),
               percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY verify) FILTER (WHERE y = 0),
               percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY verify) FILTER (WHERE y = 1),
               percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY respond) FILTER (WHERE y = 0),
               percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY respond) FILTER (WHERE y = 1),
               percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY resolve) FILTER (WHERE y = 0),
               percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY resolve) FILTER (WHERE y = 1),
               percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY respond) FILTER (WHERE y = 0 AND severity = 0),
               percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY respond) FILTER (WHERE y = 0 AND severity = 1),
               percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY respond) FILTER (WHERE y = 0 AND severity = 2),
               percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY respond) FILTER (WHERE y = 0 AND severity = 3),
               percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY respond) FILTER (WHERE y = 0 AND severity = 4),
               count(*) FILTER (WHERE y = 0 AND severity = 4)
        FROM (SELECT status, severity, CASE WHEN occurred_at >= %(s0)s THEN 0 ELSE 1 END AS y,
                     date_part('epoch', verified_at - reported_at) / 60 AS verify,
                     date_part('epoch', responding_at - reported_at) / 60 AS respond,
                     date_part('epoch', resolved_at - reported_at) / 3600 AS resolve,
                     responding_at <= reported_at + (ARRAY[120, 120, 60, 30, 15])[severity + 1] * interval '1 minute'
                       AS within
              FROM incidents_incident
              WHERE occurred_at >= %(s1)s AND occurred_at < %(e0)s AND classification <> 'secret'
                AND status NOT IN ('rejected', 'duplicate')) i
        """,
    ),
    (
        "incidents: by month (both years)",
        """
        SELECT date_trunc('month', occurred_at AT TIME ZONE %(zone)s), count(*) FROM incidents_incident
        WHERE occurred_at >= %(s1)s AND occurred_at < %(e0)s AND classification <> 'secret'
          AND status NOT IN ('rejected', 'duplicate') GROUP BY 1
        """,
    ),
    (
        "incidents: by area, category",
        """
        SELECT occurred_at >= %(s0)s, area_path, category_id, count(*) FROM incidents_incident
        WHERE occurred_at >= %(s1)s AND occurred_at < %(e0)s AND classification <> 'secret'
          AND status NOT IN ('rejected', 'duplicate') GROUP BY 1, 2, 3
        """,
    ),
    (
        "reports and questions",
        """
        SELECT created_at >= %(s0)s, count(*), count(moderated_at),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY date_part('epoch', moderated_at - created_at)),
               count(*) FILTER (WHERE moderated_at <= created_at + interval '4 hours'),
               count(*) FILTER (WHERE status = 'verified'), count(*) FILTER (WHERE status = 'spam'),
               (SELECT count(answered_at) FROM incidents_reportquestion WHERE asked_at >= %(s1)s AND asked_at < %(e0)s)
        FROM incidents_citizenreport WHERE created_at >= %(s1)s AND created_at < %(e0)s GROUP BY 1
        """,
    ),
    (
        "alerts by agency",
        """
        SELECT a.created_at >= %(s0)s, a.agency_id, count(*), count(a.acknowledged_at),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY date_part('epoch', a.acknowledged_at - a.created_at)),
               percentile_cont(0.9) WITHIN GROUP (ORDER BY date_part('epoch', a.acknowledged_at - a.created_at)),
               count(*) FILTER (WHERE a.escalation_level > 0), count(*) FILTER (WHERE a.acknowledged_at IS NULL)
        FROM incidents_alert a JOIN incidents_threat t ON t.id = a.threat_id
        WHERE a.created_at >= %(s1)s AND a.created_at < %(e0)s AND t.classification <> 'secret' GROUP BY 1, 2
        """,
    ),
    (
        "deliveries by channel",
        """
        SELECT a.created_at >= %(s0)s, d.channel, count(*) FILTER (WHERE d.status = 'sent'),
               count(*) FILTER (WHERE d.status = 'failed')
        FROM incidents_delivery d JOIN incidents_alert a ON a.id = d.alert_id
        JOIN incidents_threat t ON t.id = a.threat_id
        WHERE a.created_at >= %(s1)s AND a.created_at < %(e0)s AND t.classification <> 'secret' GROUP BY 1, 2
        """,
    ),
    (
        "operations, sitreps",
        """
        SELECT o.starts_at >= %(s0)s, count(DISTINCT o.id), count(DISTINCT p.agency_id),
               (SELECT count(*) FILTER (WHERE s.created_at <= s.period_end + interval '2 hours')
                FROM coordination_sitrep s WHERE s.period_end >= %(s1)s AND s.period_end < %(e0)s)
        FROM coordination_jointoperation o LEFT JOIN coordination_participation p ON p.operation_id = o.id
        WHERE o.starts_at >= %(s1)s AND o.starts_at < %(e0)s AND o.classification <> 'secret'
          AND o.status IN ('active', 'completed', 'reviewed') GROUP BY 1
        """,
    ),
    (
        "patrols: shifts, check-ins",
        """
        SELECT s.starts_at >= %(s0)s, count(DISTINCT s.id),
               count(*) FILTER (WHERE f.first <= c.planned_at + interval '15 minutes'),
               count(*) FILTER (WHERE f.first > c.planned_at + interval '15 minutes'),
               count(*) FILTER (WHERE f.first IS NULL)
        FROM coordination_patrolshift s JOIN coordination_jointoperation o ON o.id = s.operation_id
        JOIN coordination_checkpoint c ON c.shift_id = s.id
        LEFT JOIN LATERAL (SELECT min(ci.at) AS first FROM coordination_checkin ci WHERE ci.checkpoint_id = c.id) f
          ON true
        WHERE s.starts_at >= %(s1)s AND s.starts_at < %(e0)s AND o.classification <> 'secret'
          AND o.status <> 'cancelled' GROUP BY 1
        """,
    ),
    (
        "patrols: high-risk area-days",
        """
        SELECT s.starts_at >= %(s0)s, a.path, (s.starts_at AT TIME ZONE %(zone)s)::date, count(*)
        FROM coordination_patrolshift s JOIN coordination_patrolshift_areas sa ON sa.patrolshift_id = s.id
        JOIN agencies_area a ON a.id = sa.area_id
        WHERE s.starts_at >= %(s1)s AND s.starts_at < %(e0)s
          AND EXISTS (SELECT 1 FROM incidents_riskassessment r WHERE r.score >= 10 AND r.area_path LIKE a.path || '%%')
        GROUP BY 1, 2, 3
        """,
    ),
    (
        "risks, programmes, actions",
        """
        SELECT (SELECT count(*) FROM incidents_riskassessment WHERE review_due < %(e0)s::date),
               (SELECT count(*) FILTER (WHERE status IN ('held', 'reported')) FROM coordination_programme
                WHERE starts_at >= %(s1)s AND starts_at < %(e0)s),
               (SELECT sum(actual) FROM coordination_targetgroup g JOIN coordination_programme p
                  ON p.id = g.programme_id WHERE p.starts_at >= %(s1)s AND p.starts_at < %(e0)s),
               (SELECT count(*) FILTER (WHERE closed_at::date <= due_date) FROM coordination_actionitem
                WHERE due_date >= %(s1)s::date AND due_date < %(e0)s::date)
        """,
    ),
    (
        "SKM",
        """
        SELECT a.period >= %(s0)s::date, s.agency_id, s.service, q.element, sum(a.value), count(*),
               count(DISTINCT a.response_id)
        FROM coordination_surveyanswer a JOIN coordination_survey s ON s.id = a.survey_id
        JOIN coordination_surveyquestion q ON q.id = a.question_id
        WHERE a.period >= %(s1)s::date AND a.period < %(e0)s::date AND s.kind = 'skm' AND q.kind = 'skm'
        GROUP BY 1, 2, 3, 4
        """,
    ),
]


def run(args: argparse.Namespace) -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, reset_queries, transaction
    from django.utils import timezone

    from coordination.evaluations.kpis.compute import Scope, compute_snapshot
    from coordination.evaluations.kpis.targets import targets_for
    from coordination.evaluations.periods import Period

    sizes = {k: max(1, int(v * args.scale)) for k, v in SIZES.items()}
    sizes["agencies"] = max(20, sizes["agencies"])
    print(f"# evaluation benchmark, scale {args.scale}: {sizes}")
    print(f"# {platform.platform()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}")
    call_command("migrate", verbosity=0)
    if not _world_matches(sizes):
        started = time.perf_counter()
        print("# building the world", flush=True)
        build(sizes)
        print(f"# built in {time.perf_counter() - started:.1f} s", flush=True)
    period = Period.containing("year", timezone.localdate())
    targets = targets_for(agency_id=None)
    settings.DEBUG = True

    def snapshot() -> tuple[dict, int]:
        # In a transaction the lanes run in turn on this connection, whose queries are counted.
        reset_queries()
        with transaction.atomic():
            snap = compute_snapshot(scope=Scope("city"), period=period, targets=targets)
        return snap, len(connection.queries)

    snap, queries = snapshot()  # warm; the timed runs below read side by side
    settings.DEBUG = False
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        compute_snapshot(scope=Scope("city"), period=period, targets=targets)
        times.append(time.perf_counter() - t0)
    # The baseline of the lanes: the same computation in turn on one connection (in a
    # transaction, as a caller's would be).
    in_turn = []
    for _ in range(max(3, args.repeat // 3)):
        t0 = time.perf_counter()
        with transaction.atomic():
            compute_snapshot(scope=Scope("city"), period=period, targets=targets)
        in_turn.append(time.perf_counter() - t0)
    (s0, e0), (s1, _e1) = period.bounds(), period.previous().bounds()
    params = {"s0": s0, "e0": e0, "s1": s1, "zone": settings.TIME_ZONE}
    floor: dict[str, float] = {}
    with connection.cursor() as cur:
        for label, sql in FLOOR:
            t0 = time.perf_counter()
            cur.execute(sql, params)
            cur.fetchall()
            floor[label] = time.perf_counter() - t0
    k = snap["kpis"]
    print(
        f"# {period.label('en')}: {k['incidents.total']['value']:,} incidents ({k['incidents.total']['previous']:,} "
        f"the year before), {k['alerts.total']['value']:,} alerts, {k['patrols.shifts_held']['value']:,} shifts, "
        f"SKM {k['voice.skm_index']['value']}"
    )
    p50, p95 = statistics.median(times), percentile(times, 0.95)
    total_floor = sum(floor.values())
    print()
    print(f"| {'what':<44} | {'p50 s':>7} | {'p95 s':>7} | {'queries':>7} |")
    print(f"|{'-' * 46}|{'-' * 9}|{'-' * 9}|{'-' * 9}|")
    print(f"| {'compute_snapshot, city, a year':<44} | {p50:7.3f} | {p95:7.3f} | {queries:7d} |")
    print(
        f"| {'  the same in turn, one connection':<44} | {statistics.median(in_turn):7.3f} | "
        f"{percentile(in_turn, 0.95):7.3f} | {queries:7d} |"
    )
    for label, seconds in floor.items():
        print(f"| {'  bare SQL: ' + label:<44} | {seconds:7.3f} | {'':>7} | {1:7d} |")
    print(f"| {'bare SQL, all (the floor, one run)':<44} | {total_floor:7.3f} | {'':>7} | {len(floor):7d} |")
    ratio = p50 / total_floor if total_floor else float("inf")
    load = os.getloadavg()[0]
    ok = p95 <= TARGET_S and ratio <= TARGET_RATIO
    print(
        f"\n{'PASS' if ok else 'MISS'}: p95 {p95:.3f} s (target <= {TARGET_S} s), p50 {ratio:.2f}x the floor "
        f"(target <= {TARGET_RATIO}x); load {load:.2f}"
    )
    page_ok = time_page(args)
    pdf_ok = time_pdf(args)
    return 0 if ok and page_ok and pdf_ok else 1


def _client_and_evaluation() -> tuple[object, object]:
    """A client of the owner agency's analyst and the city's evaluation of this year, drafted by
    staff through the evaluations' service (which computes its figures) the first time."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    from agencies.models import Agency, Membership
    from coordination.evaluations.services import evaluation_create
    from coordination.models import Evaluation

    admin = get_user_model().objects.get(username="bench-admin")
    year = timezone.localdate().replace(month=1, day=1)
    evaluation = Evaluation.objects.filter(scope_kind="city", period_kind="year", period_start=year).first()
    if evaluation is None:
        owner = Agency.objects.filter(is_active=True).order_by("pk").first()
        evaluation = evaluation_create(
            actor=admin, owner_agency=owner, period_kind="year", period_start=year, scope_kind="city"
        )
    # Staff must sign in with a second factor; the owner agency's analyst reads the page as a
    # user of the portal would.
    analyst, _created = get_user_model().objects.get_or_create(username="bench-analyst")
    Membership.objects.get_or_create(
        user=analyst, agency=evaluation.owner_agency, defaults={"role": Membership.Role.ANALYST}
    )
    client = Client()
    client.force_login(analyst)
    return client, evaluation


def time_page(args: argparse.Namespace) -> bool:
    """The evaluation page of a computed evaluation: p50/p95 of --repeat requests (<= 300 ms)."""
    from django.urls import reverse

    client, evaluation = _client_and_evaluation()
    url = reverse("evaluation-detail", args=[evaluation.pk])  # type: ignore[attr-defined]
    client.get(url)  # type: ignore[attr-defined]
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        response = client.get(url)  # type: ignore[attr-defined]
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, response.status_code
    p95 = percentile(times, 0.95)
    print(f"evaluation page: p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms (target <= {PAGE_TARGET_MS} ms)")
    return p95 <= PAGE_TARGET_MS


def time_pdf(args: argparse.Namespace) -> bool:
    """The evaluation's PDF: one request (<= 5 s)."""
    from django.urls import reverse

    client, evaluation = _client_and_evaluation()
    url = reverse("evaluation-pdf", args=[evaluation.pk])  # type: ignore[attr-defined]
    t0 = time.perf_counter()
    response = client.get(url)  # type: ignore[attr-defined]
    seconds = time.perf_counter() - t0
    assert response.status_code == 200, response.status_code
    print(f"evaluation PDF: {seconds:.2f} s, {len(response.content):,} bytes (target <= {PDF_TARGET_S} s)")
    return seconds <= PDF_TARGET_S


if __name__ == "__main__":
    sys.exit(main())
