"""The permission matrix's entries for evaluations (see registry.py for what each kind of entry
means). O owns the world's three evaluations (world.py): a draft of Q3 with a finding (O's
members read it), one published to I (O's and I's members read it), and one whose public
summary is on the public portal (anyone reads that page; the dashboard's pages are O's).
Returning or publishing the draft needs another status (`ok=False`)."""

from __future__ import annotations

from typing import Any

from .registry import Detail, Form, List, Read, Write, _today, cap


def _create(w: Any) -> dict[str, Any]:
    return {
        "period_kind": "month",
        "period_start": _today(),
        "scope_kind": "agency",
        "scope_agency": w.agencies.owner.pk,
    }


def _item(w: Any) -> dict[str, Any]:
    return {"description": "Tindak lanjut", "owner_agency": w.agencies.owner.pk, "due_date": _today(5)}


def _finding(w: Any) -> int:
    return w.record("evaluation_finding").pk


WRITE = cap("evaluation.write")

EVALUATION_API: dict[str, Any] = {
    "GET /api/v1/evaluations/": List("evaluation"),
    "POST /api/v1/evaluations/": Write(None, WRITE, _create, create=True, ok=False),  # staff must name the agency
    "GET /api/v1/evaluations/targets/": Read(),
    "POST /api/v1/evaluations/targets/": Write(
        None,
        cap("evaluation.targets"),
        lambda w: {"kpi": "incidents.within_target", "agency": w.agencies.owner.pk, "value": "85"},
    ),
    "GET /api/v1/evaluations/{id}/": Detail("evaluation"),
    "PATCH /api/v1/evaluations/{id}/": Write("evaluation", WRITE, {"summary": "Ringkasan"}, method="patch"),
    "POST /api/v1/evaluations/{id}/recompute/": Write("evaluation", WRITE),
    "POST /api/v1/evaluations/{id}/review/": Write("evaluation", cap("evaluation.review")),
    "POST /api/v1/evaluations/{id}/return/": Write("evaluation", cap("evaluation.review"), ok=False),
    "POST /api/v1/evaluations/{id}/publish/": Write("evaluation", cap("evaluation.publish"), ok=False),
    "POST /api/v1/evaluations/{id}/public/": Write("evaluation_published", cap("evaluation.publish"), {"public": True}),
    "GET /api/v1/evaluations/{id}/findings/": Detail("evaluation"),
    "POST /api/v1/evaluations/{id}/findings/": Write("evaluation", WRITE, {"text": "Temuan baru"}),
    "PATCH /api/v1/evaluations/{id}/findings/": Write(
        "evaluation", WRITE, lambda w: {"id": _finding(w), "text": "Diubah"}, method="patch"
    ),
    "POST /api/v1/evaluations/{id}/findings/order/": Write("evaluation", WRITE, lambda w: {"order": [_finding(w)]}),
    "GET /api/v1/evaluations/{id}/action-items/": Detail("evaluation"),
    "POST /api/v1/evaluations/{id}/action-items/": Write("evaluation", WRITE, _item),
    "DELETE /api/v1/evaluation-findings/{id}/": Write("evaluation_finding", WRITE, method="delete"),
}

EVALUATION_PAGES: dict[str, Any] = {
    "evaluation-list": List("evaluation"),
    "evaluation-create": Form(None, WRITE, create=True),
    "evaluation-targets": Read(),
    "evaluation-detail": Detail("evaluation"),
    "evaluation-update": Write("evaluation", WRITE, {"title": "Judul", "summary": "Ringkasan"}),
    "evaluation-recompute": Write("evaluation", WRITE),
    "evaluation-review": Write("evaluation", cap("evaluation.review")),
    "evaluation-return": Write("evaluation", cap("evaluation.review"), ok=False),
    "evaluation-publish": Form("evaluation", cap("evaluation.publish")),
    "evaluation-public": Write("evaluation_published", cap("evaluation.publish"), {"public": "1"}),
    "evaluation-finding-add": Write("evaluation", WRITE, {"text": "Temuan baru"}),
    "evaluation-finding-edit": Write("evaluation_finding", WRITE, lambda w: {f"f{_finding(w)}-text": "Diubah"}),
    "evaluation-finding-delete": Write("evaluation_finding", WRITE),
    "evaluation-finding-move": Write("evaluation_finding", WRITE, {"direction": "up"}),
    "evaluation-action-item-add": Write("evaluation", WRITE, _item),
    "evaluation-pdf": Detail("evaluation"),
    "evaluation-xlsx": Detail("evaluation"),
    "evaluation-csv": Detail("evaluation"),
    "public-evaluation-list": Read(public=True),
    "public-evaluation-detail": Detail("evaluation_public", anonymous=200),
}
