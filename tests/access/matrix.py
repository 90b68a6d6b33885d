"""How the matrix makes a request as a persona and what it expects back (the oracle of world.py
applied to an operation or page of registry.py)."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from coordination.models import Participation

from .world import CLASSIFIED, LEVELS, PERSONAS, Persona, World, may_read, token

# Records whose text carries their token, and where a list of a kind shows it.
TOKENS: dict[str, str] = {
    "incident": "incident",
    "risk": "risk",
    "threat": "threat",
    "alert": "threat",  # an alert shows its threat's headline
    "operation": "operation",
    "shift": "shift",
    "sitrep": "sitrep",
    "exercise": "exercise",
    "action_item": "actionitem",
    "meeting": "meeting",
    "meeting_action_item": "meetingitem",
    "programme": "programme",
    "programme_public": "programmepublic",
    "programme_material": "programmefile",
    "programme_registration": "programmereg",
    "survey": "survey",
    "evaluation": "evaluation",
    "evaluation_finding": "evaluationfinding",
    "evaluation_published": "evaluationpublished",
    "evaluation_public": "evaluationpublic",
    "survey_answer": "surveyanswer",  # a written answer: members of the survey's agency until published
    "vital_object": "vitalobject",
    "camera": "camera",
    "subscription": "subscription",
    "report": "report",
    "cap_sender": "capsender",
    "cap_source": "capsource",
    "partnership": "partnership",
    "bulletin": "bulletinrel",  # the releasable version's title and text
    "bulletin_full": "bulletin",  # the full title
    "bulletin_body": "bulletinfull",  # the full text
    "bulletin_attachment": "bulletinfile",  # an attachment's name
    "bulletin_reply": "bulletinreply",  # the thread
    "notification": "inbox",  # owner-commander's inbox entry
    "notification_isp": "inboxisp",  # isp-viewer's
}


def levels(kind: str) -> list[str]:
    return list(LEVELS) if kind in CLASSIFIED else [""]


def forbidden_tokens(persona: Persona) -> set[str]:
    """Every token the persona may not read anywhere: records it may not read, and the fields
    of readable records that are not its (docs/security.md "Fields shown to the right role")."""
    if persona.relation == "anonymous":  # a citizen reads what is public, where a public page shows it
        persona = Persona("anonymous", "none")
    # An action item's text is part of its exercise or meeting (whose page lists them): its rule.
    text_rule = {
        "action_item": "exercise",
        "meeting_action_item": "meeting",  # listed on the meeting's page to its readers
        "alert": "threat",
        "bulletin_body": "bulletin_full",
    }
    found = {
        token(TOKENS[kind], level)
        for kind in TOKENS
        for level in levels(kind)
        if not may_read(persona, text_rule.get(kind, kind), level)
    }
    if persona.relation not in {"owner", "staff"}:
        found.add("MTXstreamsecret")  # a camera's stream URL: its operator agency and staff
    if not (persona.relation == "staff" or (persona.relation == "owner" and persona.role != "viewer")):
        found.add("MTXcontact")  # a reporter's contact: those who may moderate the report
    return found


def shown_tokens(persona: Persona, kind: str) -> set[str]:
    """The tokens a list of `kind` must show the persona (nothing over-hidden)."""
    if kind == "bulletin":  # the full title where the persona reads it, else the releasable one
        return {
            token("bulletin" if may_read(persona, "bulletin_full", level) else "bulletinrel", level)
            for level in levels(kind)
            if may_read(persona, kind, level)
        }
    if kind == "notification":  # an inbox: the user's own entries, whoever they are
        return {token(TOKENS[k]) for k in ("notification", "notification_isp") if may_read(persona, k)}
    if kind not in TOKENS:
        return set()
    return {token(TOKENS[kind], level) for level in levels(kind) if may_read(persona, kind, level)}


def leaks(persona: Persona, body: str) -> list[str]:
    present = set(re.findall(r"MTX[a-z]+", body))
    return sorted(present & forbidden_tokens(persona))


def api_clients(world: World) -> dict[str, APIClient]:
    clients = {}
    for persona in PERSONAS:
        client = APIClient()
        if world.users[persona.name] is not None:
            client.force_authenticate(world.users[persona.name])
        clients[persona.name] = client
    return clients


def page_clients(world: World) -> dict[str, Client]:
    """Sessions as a real login gives them: verified with a second factor for those who must use
    one (staff, commanders). The module-scoped clients log in before the function-scoped fixture
    that does this on `force_login` (tests/conftest.py) is in place: it is called here."""
    from tests.two_factor import verified_force_login

    clients = {}
    for persona in PERSONAS:
        client = Client()
        if world.users[persona.name] is not None:
            verified_force_login(client, world.users[persona.name])
        clients[persona.name] = client
    return clients


def _participation(world: World, kind: str, level: str) -> int:
    return Participation.objects.get(operation=world.record(kind, level), agency=world.agencies.owner).pk


def api_url(world: World, key: str, kind: str | None, level: str = "") -> str:
    path = key.split(" ", 1)[1]
    if "{id}" in path:
        path = path.replace("{id}", str(world.record(kind, level).pk))
    if "{participation_id}" in path:
        path = path.replace("{participation_id}", str(_participation(world, kind, level)))
    return path


def page_url(world: World, name: str, kind: str | None, level: str = "") -> str:
    from django.urls import get_resolver

    possibilities = get_resolver().reverse_dict.getlist(name)
    params = set(possibilities[0][0][0][1]) if possibilities else set()
    kwargs: dict[str, Any] = {}
    if "pk" in params:
        kwargs["pk"] = world.record(kind, level).pk
    if "token" in params:  # a file served by its token (a bulletin's attachment)
        kwargs["token"] = world.record(kind, level).token
    if "participation_id" in params:
        kwargs["participation_id"] = _participation(world, kind, level)
    if "table" in params:  # a table of an evaluation (its CSV)
        kwargs["table"] = "kpis"
    return reverse(name, kwargs=kwargs)


def login_redirect(response: Any) -> bool:
    return response.status_code == 302 and "/accounts/login/" in response.get("Location", "")
