"""Every write, as every persona: a persona the rule refuses gets 404 (it may not read the
record), 403 (it reads it but its role may not do that) or the login, and the database is
unchanged; a persona the capability table allows is not refused (and, where the registry's body
is a valid one, succeeds). Each request runs in a savepoint rolled back, so the world stays."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction

from agencies.models import AuditLog

from .matrix import api_url, levels, login_redirect, page_url
from .registry import API, PAGES, Write
from .world import CONFIDENTIAL, PERSONAS, SECRET, Persona, World, may_do, may_read

pytestmark = pytest.mark.django_db

# A record the persona reads but may not change: 403 (or 404 where the change's accessor hides
# it, or 400 where the form's choices leave the persona nothing to choose).
REFUSED = {400, 403, 404}
API_WRITES = sorted(k for k, e in API.items() if isinstance(e, Write))
PAGE_WRITES = sorted(k for k, e in PAGES.items() if isinstance(e, Write))
# Rows a refused request may add: the audit of reads, the user's session.
NOT_COUNTED = {AuditLog, apps.get_model("sessions", "Session")}
MODELS = [
    m
    for m in apps.get_models()
    if m._meta.app_label in {"agencies", "incidents", "coordination", "auth", "authtoken"} and m not in NOT_COUNTED
]


def _counts_sql() -> str:
    from django.db import connection

    quote = connection.ops.quote_name  # the names are the models' own tables, quoted: no input
    counts = (f"(SELECT COUNT(*) FROM {quote(m._meta.db_table)})" for m in MODELS)  # noqa: S608
    return "SELECT " + ", ".join(counts)


def fingerprint(target) -> tuple:
    """Row counts of every table a write could touch (one query), and the target row as it is."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(_counts_sql())
        counts = tuple(cursor.fetchone())
    row = type(target).objects.filter(pk=target.pk).values().first() if target is not None else None
    return counts, row


def _level(kind: str | None) -> str:
    return CONFIDENTIAL if kind and CONFIDENTIAL in levels(kind) else ""


def _allowed(entry: Write, persona: Persona, level: str) -> bool:
    if entry.own:
        return persona.relation != "anonymous"
    if persona.relation == "staff":
        return entry.staff
    if entry.readers:
        return may_do(persona, entry.roles, anywhere=True) and may_read(persona, entry.reads or entry.kind, level)
    if entry.recipients:  # the world's bulletins go to I and P
        return (
            persona.relation in {"isp", "partner"}
            and persona.role in entry.roles
            and may_read(persona, entry.kind, level)
        )
    if entry.parties:
        return persona.relation in {"owner", "isp"} and persona.role in entry.roles
    return may_do(persona, entry.roles, anywhere=entry.create)


def _run(world: World, entry: Write, url_for, send, *, api: bool) -> list[str]:
    """The write on the confidential record as every persona, then on the secret one as every
    persona outside the owner agency (the information-sharing partner no longer reads it: 404)."""
    problems = []
    for level in [CONFIDENTIAL, SECRET] if _level(entry.kind) else [""]:
        personas = PERSONAS if level != SECRET else [p for p in PERSONAS if p.relation not in {"owner", "staff"}]
        problems += _run_level(world, entry, level, url_for(level), personas, send, api=api)
    return problems


def _run_level(world: World, entry: Write, level: str, url: str, personas, send, *, api: bool) -> list[str]:
    problems = []
    target = world.record(entry.kind, level) if entry.kind else None
    body = entry.body(world) if callable(entry.body) else entry.body
    for persona in personas:
        user = world.users[persona.name]
        fresh = get_user_model().objects.get(pk=user.pk) if user is not None else None  # no cached roles
        with transaction.atomic():
            before = fingerprint(target)
            response = send(fresh, entry.method, url, body)
            after = fingerprint(target)
            transaction.set_rollback(True)
        status = response.status_code
        where = f"{persona.name} {entry.method.upper()} {url}: {status}"
        allowed = False
        if status >= 500:
            problems.append(f"{where}: server error")
        elif persona.relation == "anonymous":
            if (status != 401) if api else not login_redirect(response):
                problems.append(f"{where}: anonymous not sent to log in")
        elif allowed := _allowed(entry, persona, level):
            if status in {401, 403, 404} or (entry.ok and status >= 400):
                problems.append(f"{where}: refused, but the capability table allows it")
        elif entry.kind and not may_read(persona, entry.kind, level):
            if status != 404:  # what one may not read answers 404: nothing tells it exists
                problems.append(f"{where}: expected 404")
        elif status not in REFUSED:
            problems.append(f"{where}: expected a refusal ({', '.join(map(str, sorted(REFUSED)))})")
        if not allowed and before != after:
            problems.append(f"{where}: refused, yet the database changed")
    return problems


@pytest.fixture(scope="module")
def writers():
    from django.test import Client
    from rest_framework.test import APIClient

    # One API client and one request handler for the module: a new client loads the middleware
    # again on its first request (whitenoise scans the static files: half of a write's time).
    api_client, handler = APIClient(), Client().handler

    def api(user, method, url, body):
        api_client.force_authenticate(user)  # None: anonymous
        return getattr(api_client, method)(url, body, format="json")

    def page(user, method, url, body):
        client = Client()  # a session of its own, the module's handler
        client.handler = handler
        if user is not None:
            client.force_login(user)
        return client.post(url, body)

    return api, page


@pytest.mark.parametrize("key", API_WRITES)
def test_api_write(matrix, writers, key):
    entry = API[key]
    problems = _run(matrix, entry, lambda level: api_url(matrix, key, entry.kind, level), writers[0], api=True)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", PAGE_WRITES)
def test_page_write(matrix, writers, name):
    entry = PAGES[name]
    problems = _run(matrix, entry, lambda level: page_url(matrix, name, entry.kind, level), writers[1], api=False)
    assert not problems, "\n".join(problems)
