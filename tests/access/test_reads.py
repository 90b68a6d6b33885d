"""Every read, as every persona, over every record kind at every classification: a record the
persona may not read answers 404 (and its token appears in no answer), a record it may read
answers 200 and every list shows it (nothing over-hidden). Anonymous users get 401 from the
API and the login page from the dashboard, except on the public endpoints."""

from __future__ import annotations

import pytest

from agencies.models import AuditLog

from .matrix import api_clients, api_url, leaks, levels, login_redirect, page_clients, page_url, shown_tokens
from .registry import API, PAGES, Detail, Form, List, Read
from .world import CONFIDENTIAL, PERSONAS, SECRET, may_do, may_read

# Reads of these kinds' confidential and secret records are written to the audit log
# (docs/security.md "Audit"): a detail read one row, a list read one row naming them.
AUDITED = {"incident", "risk", "threat", "alert", "operation", "shift", "exercise", "bulletin"}

pytestmark = pytest.mark.django_db

READS = Detail | List | Read | Form
API_READS = sorted(k for k, e in API.items() if isinstance(e, READS) and k.startswith("GET "))
PAGE_READS = sorted(k for k, e in PAGES.items() if isinstance(e, READS))


@pytest.fixture(scope="module")
def clients(matrix):
    return api_clients(matrix), page_clients(matrix)


def _levels(entry) -> list[str]:
    if isinstance(entry, Detail):
        return levels(entry.kind)
    if isinstance(entry, Form) and entry.kind:
        return [CONFIDENTIAL if CONFIDENTIAL in levels(entry.kind) else ""]
    return [""]


def _expected(entry, persona, level: str) -> int:
    if isinstance(entry, Form):  # a form (or a read gated by a capability): 403 to who only reads
        if may_do(persona, entry.roles, anywhere=entry.create) and (entry.staff or persona.relation != "staff"):
            return 200
        if entry.own_agency:
            return 403 if persona.relation == "owner" else 404
        return 403 if entry.kind is None or may_read(persona, entry.kind, level) else 404
    if isinstance(entry, Detail):
        return 200 if may_read(persona, entry.kind, level) else 404
    if isinstance(entry, Read) and entry.members_only and not persona.member and persona.relation != "staff":
        return 404
    return 200


def _check(matrix, entry, get, url_for, *, api: bool) -> list[str]:
    problems = []
    kind = getattr(entry, "kind", None)
    for persona in PERSONAS:
        for level in _levels(entry):
            url = url_for(level)
            query = getattr(entry, "query", {})
            audit_before = AuditLog.objects.count()
            response = get(persona.name, url, query(matrix) if callable(query) else query)
            audited = AuditLog.objects.count() > audit_before
            where = f"{persona.name} {url}"
            status = response.status_code
            anonymous = persona.relation == "anonymous"
            if anonymous and not getattr(entry, "public", False) and getattr(entry, "anonymous", None) is None:
                if api and status != 401 or not api and not login_redirect(response):
                    problems.append(f"{where}: anonymous got {status}")
                continue
            expected = getattr(entry, "anonymous", None) if anonymous else None
            expected = expected or _expected(entry, persona, level)
            if status != expected:
                problems.append(f"{where}: {status}, expected {expected}")
                continue
            body = b"".join(response.streaming_content) if response.streaming else response.content
            text = body.decode(errors="replace")
            if found := leaks(persona, text):
                problems.append(f"{where}: leaks {found}")
            if status == 200 and _must_audit(entry, persona, level) and not audited:
                problems.append(f"{where}: a read of confidential or secret records, not audited")
            if (
                isinstance(entry, List)
                and entry.shows
                and (missing := shown_tokens(persona, kind) - set(_tokens(text)))
            ):
                problems.append(f"{where}: over-hides {sorted(missing)}")
    return problems


def _must_audit(entry, persona, level: str) -> bool:
    if isinstance(entry, Detail):
        return entry.audited and entry.kind in AUDITED and level in {CONFIDENTIAL, SECRET}
    if isinstance(entry, List) and entry.kind in AUDITED:
        return any(may_read(persona, entry.kind, lv) for lv in (CONFIDENTIAL, SECRET))
    return False


def _tokens(text: str) -> list[str]:
    import re

    return re.findall(r"MTX[a-z]+", text)


@pytest.mark.parametrize("key", API_READS)
def test_api_read(matrix, clients, key):
    entry = API[key]
    api, _ = clients
    problems = _check(
        matrix,
        entry,
        lambda name, url, query: api[name].get(url, query, HTTP_ACCEPT_LANGUAGE="id"),
        lambda level: api_url(matrix, key, getattr(entry, "kind", None), level),
        api=True,
    )
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", PAGE_READS)
def test_page_read(matrix, clients, name):
    entry = PAGES[name]
    _, pages = clients
    problems = _check(
        matrix,
        entry,
        lambda persona, url, query: pages[persona].get(url, query),
        lambda level: page_url(matrix, name, getattr(entry, "kind", None), level),
        api=False,
    )
    assert not problems, "\n".join(problems)
