"""The permission matrix's entries for community programmes (see registry.py for what each kind
of entry means). O organises both of the world's programmes (world.py): the internal one, I its
partner, approved and begun an hour ago (attendance may be taken; approving again, reporting
and follow-ups need another status: `ok=False`), and the public one, tomorrow, which the public
pages show to anyone."""

from __future__ import annotations

from typing import Any

from .registry import Detail, Form, List, Read, Write, _soon, _today, cap


def _create(w: Any) -> dict[str, Any]:
    return {
        "kind": "seminar",
        "title": "Program baru",
        "area": w.agencies.areas.bontang.pk,
        "sessions": [{"starts_at": _soon(24), "ends_at": _soon(26)}],
        "target_groups": [{"group": "residents", "planned": 30}],
    }


def _attendance(w: Any) -> dict[str, Any]:
    group = w.record("programme").target_groups.get()
    return {"attendance": [{"target_group": group.pk, "actual": 20}]}


def _item(w: Any) -> dict[str, Any]:
    return {"description": "Tindak lanjut", "owner_agency": w.agencies.owner.pk, "due_date": _today(5)}


PROGRAMME_API: dict[str, Any] = {
    "GET /api/v1/programmes/": List("programme"),
    "POST /api/v1/programmes/": Write(None, cap("programme.plan"), _create, create=True, staff=False),
    "GET /api/v1/programmes/{id}/": Detail("programme"),
    "PATCH /api/v1/programmes/{id}/": Write(
        "programme", cap("programme.plan"), {"title": "Program diubah"}, method="patch"
    ),
    "POST /api/v1/programmes/{id}/approve/": Write("programme", cap("programme.approve"), ok=False),
    "POST /api/v1/programmes/{id}/hold/": Write("programme", cap("programme.report"), _attendance),
    "POST /api/v1/programmes/{id}/report/": Write(
        "programme", cap("programme.report"), {"activities": "Ceramah"}, ok=False
    ),
    "POST /api/v1/programmes/{id}/cancel/": Write("programme", cap("programme.plan"), {"reason": "Hujan"}),
    "GET /api/v1/programmes/{id}/action-items/": Detail("programme"),
    "POST /api/v1/programmes/{id}/action-items/": Write("programme", cap("programme.report"), _item, ok=False),
}

PROGRAMME_PAGES: dict[str, Any] = {
    "programme-list": List("programme"),
    "programme-calendar": List("programme", query=lambda w: {"month": w.local_start("programme").strftime("%Y-%m")}),
    "programme-map": List("programme"),
    "programme-create": Form(None, cap("programme.plan"), create=True, staff=False),
    "programme-detail": Detail("programme"),
    "programme-edit": Form("programme", cap("programme.plan")),
    "programme-approve": Write("programme", cap("programme.approve"), ok=False),
    "programme-cancel": Write("programme", cap("programme.plan"), {"reason": "Hujan"}),
    "programme-attendance": Form("programme", cap("programme.report")),
    "programme-report": Form("programme", cap("programme.report")),
    "programme-material-add": Write("programme", cap("programme.plan"), ok=False),  # no file: a 400
    "programme-action-item-add": Write("programme", cap("programme.report"), _item, ok=False),
    "programme-material": Detail("programme_material", audited=False, anonymous=404),
    "programme-photo": Detail("programme_photo", audited=False, anonymous=404),
    "public-programme-list": Read(public=True),
    "public-programme-detail": Detail("programme_public", anonymous=200),
}
