"""The permission matrix's entries for satisfaction surveys (see registry.py for what each kind
of entry means). O owns the world's survey (open, with a Likert and a written question, answered
once); only O's members read it (world.py)."""

from __future__ import annotations

from typing import Any

from .registry import Detail, Exempt, Form, List, Read, Write, cap

SURVEY_API: dict[str, Any] = {
    "GET /api/v1/surveys/": List("survey"),
    "POST /api/v1/surveys/": Write(None, cap("survey.manage"), {"title": "Survei baru"}, create=True, staff=False),
    "GET /api/v1/surveys/index/": Read(),
    "GET /api/v1/surveys/{id}/": Detail("survey"),
    "PATCH /api/v1/surveys/{id}/": Write("survey", cap("survey.manage"), {"title_en": "Changed"}, method="patch"),
    "POST /api/v1/surveys/{id}/open/": Write("survey", cap("survey.manage"), ok=False),  # already open: 400
    "POST /api/v1/surveys/{id}/close/": Write("survey", cap("survey.manage")),
    "GET /api/v1/surveys/{id}/questions/": Detail("survey"),
    # an open survey's questions are fixed: 400 to those who may build
    "POST /api/v1/surveys/{id}/questions/": Write(
        "survey", cap("survey.manage"), {"kind": "likert", "text": "Lagi?"}, ok=False
    ),
    "PATCH /api/v1/surveys/{id}/questions/{question_pk}/": Exempt(
        "needs a question id: tests/coordination/community/surveys/test_api.py"
    ),
    "DELETE /api/v1/surveys/{id}/questions/{question_pk}/": Exempt(
        "needs a question id: tests/coordination/community/surveys/test_api.py"
    ),
    "GET /api/v1/surveys/{id}/results/": Detail("survey"),
    "GET /api/v1/surveys/{id}/export/": Detail("survey"),
    "GET /api/v1/surveys/{id}/answers/": Detail("survey"),
    "POST /api/v1/surveys/{id}/publish/": Write(
        "survey",
        cap("survey.moderate"),
        lambda w: {"answer": w.record("survey_answer").pk, "published": True},
    ),
    "GET /api/v1/public/surveys/{token}/": Exempt(
        "the public survey by its unguessable token: anyone (rate-limited); tests/coordination/community/surveys"
    ),
    "POST /api/v1/public/surveys/{token}/": Exempt(
        "the public answer: anyone may post (rate-limited); tests/coordination/community/surveys"
    ),
}

SURVEY_PAGES: dict[str, Any] = {
    "survey-list": List("survey"),
    "survey-index": Read(),
    "survey-create": Form(None, cap("survey.manage"), create=True),
    "survey-detail": Detail("survey"),
    "survey-edit": Form("survey", cap("survey.manage")),
    "survey-open": Write("survey", cap("survey.manage"), ok=False),  # already open: told so
    "survey-close": Write("survey", cap("survey.manage")),
    "survey-question-add": Write("survey", cap("survey.manage"), {"kind": "likert", "text": "Lagi?"}, ok=False),
    "survey-question-delete": Exempt("needs a question id: tests/coordination/community/surveys/test_pages.py"),
    "survey-question-move": Exempt("needs a question id: tests/coordination/community/surveys/test_pages.py"),
    "survey-answers": Detail("survey"),
    "survey-answer-publish": Exempt("needs an answer id: tests/coordination/community/surveys/test_pages.py"),
    "survey-export-csv": Detail("survey"),
    "survey-export-xlsx": Detail("survey"),
    "survey-poster": Detail("survey"),
    # The public pages, by the survey's unguessable token, for anyone (rate-limited).
    "survey-answer": Exempt("the public answering page: anyone; tests/coordination/community/surveys"),
    "survey-thanks": Exempt("the public thanks page: anyone; tests/coordination/community/surveys"),
    "survey-public-results": Exempt("published results and comments only; tests/coordination/community/surveys"),
    "survey-qr-png": Exempt("the public link as a QR code; tests/coordination/community/surveys"),
    "survey-qr-svg": Exempt("the public link as a QR code; tests/coordination/community/surveys"),
}
