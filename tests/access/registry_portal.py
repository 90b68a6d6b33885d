"""The permission matrix's entries for the public portal (coordination/community/portal) and
the two-way thread of a citizen's report (incidents/reports: the moderators ask, the reporter
answers by tracking code). See registry.py for what each kind of entry means. The public pages
answer 200 to everyone, anonymous included, and show public records only (the matrix checks
that nothing leaks to each persona)."""

from __future__ import annotations

from typing import Any

from .registry import Detail, Exempt, Read, Write, cap

PORTAL_API: dict[str, Any] = {
    # A report's thread is read by who reads the report (its moderation queue) ...
    "GET /api/v1/reports/{id}/questions/": Detail("report"),
    # ... and a question asked by who may moderate it where it lies.
    "POST /api/v1/reports/{id}/questions/": Write("report", cap("report.moderate"), {"text": "Ada saksi?"}),
    "POST /api/v1/public/reports/{tracking_code}/answers/": Exempt(
        "the reporter's answer, by the tracking code (the citizen's secret), rate-limited with a honeypot: "
        "tests/incidents/reports/test_questions_pages.py"
    ),
}

PORTAL_PAGES: dict[str, Any] = {
    "public-alerts": Read(anonymous=200),
    "public-alert-map": Read(anonymous=200),
    "report-ask": Write("report", cap("report.moderate"), {"text": "Ada saksi?"}),
    "report-answer": Exempt(
        "the reporter's answer, by the tracking code (the citizen's secret), rate-limited with a honeypot: "
        "tests/incidents/reports/test_questions_pages.py"
    ),
}
