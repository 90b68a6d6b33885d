"""The permission matrix's entries for the CAP sources (incidents/threats/feeds/): staff only.
Nobody else reads one (404 on a source, an empty API list, 403 on the list and create pages,
which name no record) or changes one. The world's source (world.py) is of O, relayed by O."""

from __future__ import annotations

from typing import Any

from .registry import Detail, Form, List, Write

STAFF_ONLY: tuple[str, ...] = ()


def _create(w: Any) -> dict[str, Any]:
    return {
        "name": "Sumber baru",
        "authority": "BMKG",
        "url": "https://example.org/cap/feed.atom",
        "agency": w.agencies.owner.pk,
    }


def _form(w: Any) -> dict[str, Any]:
    return {**_create(w), "kind": "index", "poll_every_minutes": 5, "min_severity": 0, "is_active": "on"}


CAP_SOURCE_API: dict[str, Any] = {
    "GET /api/v1/cap-sources/": List("cap_source"),
    "POST /api/v1/cap-sources/": Write(None, STAFF_ONLY, _create, create=True),
    "GET /api/v1/cap-sources/{id}/": Detail("cap_source", audited=False),
    "PATCH /api/v1/cap-sources/{id}/": Write("cap_source", STAFF_ONLY, {"poll_every_minutes": 10}, method="patch"),
    "DELETE /api/v1/cap-sources/{id}/": Write("cap_source", STAFF_ONLY, method="delete"),
    "POST /api/v1/cap-sources/{id}/poll/": Write("cap_source", STAFF_ONLY),
    "GET /api/v1/cap-sources/{id}/fetches/": Detail("cap_source", audited=False),
}

CAP_SOURCE_PAGES: dict[str, Any] = {
    "cap-source-list": Form(None, STAFF_ONLY),
    "cap-source-create": Form(None, STAFF_ONLY, create=True),
    "cap-source-detail": Detail("cap_source", audited=False),
    "cap-source-edit": Form("cap_source", STAFF_ONLY),
    "cap-source-poll": Write("cap_source", STAFF_ONLY),
}
