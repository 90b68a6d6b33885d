"""Benchmark: an evaluation's PDF report (`coordination.evaluations.reports.pdf.evaluation_pdf`)
of a year with every KPI and 30-row breakdowns (areas, agencies, categories), in Indonesian and
English, and its XLSX. No database: the evaluation, findings and actions are unsaved model
instances around a full sample snapshot (tests/coordination/evaluations/report_snapshot.py), so
what is timed is the layout alone (ReportLab's multiBuild runs it until the contents' page
numbers settle). Target (issue 14): the PDF <= 5 s. Exit status 1 when missed.

    .venv/bin/python bench/evaluation_pdf.py            # 5 runs per language
    .venv/bin/python bench/evaluation_pdf.py --runs 1 --rows 60
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
TARGET_S = 5.0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rows", type=int, default=30)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from coordination.evaluations.periods import Period
    from coordination.evaluations.reports.exports import evaluation_xlsx
    from coordination.evaluations.reports.pdf import evaluation_pdf
    from tests.coordination.evaluations.report_snapshot import sample_report

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"evaluation PDF: {platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, load {load:.2f}, a year, {args.rows}-row breakdowns"
    )
    year = Period("year", dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    report = sample_report(period=year, rows=args.rows)
    worst = 0.0
    for language in ("id", "en"):
        times, pages, size = [], 0, 0
        for _ in range(args.runs):
            start = time.perf_counter()
            data = evaluation_pdf(language=language, **report)
            times.append(time.perf_counter() - start)
            size = len(data)
            pages = data.count(b"/Type /Page\n") or data.count(b"/Type /Page")
        worst = max(worst, max(times))
        print(
            f"  PDF {language}: median {statistics.median(times):.2f} s, max {max(times):.2f} s, "
            f"{size / 1024:.0f} KiB, ~{pages} pages"
        )
    start = time.perf_counter()
    evaluation_xlsx(evaluation=report["evaluation"], language="id")
    print(f"  XLSX id: {time.perf_counter() - start:.2f} s")
    verdict = "ok" if worst <= TARGET_S else "MISSED"
    print(f"  target PDF <= {TARGET_S:.0f} s: {verdict}")
    return 0 if worst <= TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
