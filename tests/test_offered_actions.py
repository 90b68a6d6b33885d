"""A page offers an action only if the service accepts it from that user, per persona.

Every dashboard page is rendered for each persona of tests/conftest.py (alice liaison of A,
carol commander of A, vera viewer of A, bob liaison of B, A's partner, charlie and dave liaison
and commander of C, an outsider, nobody, admin). The actions a page offers are read from its
HTML, so a new button cannot escape the check:

- every `<form method="post">` (one action per named submit button) is posted as rendered, the
  empty required fields filled with valid values, inside a savepoint rolled back afterwards:
  the service must accept it (a redirect or a 200, never 400, 403 or 404);
- every link of the page is followed: none leads to a 403 (an action page the user may not
  use) nor to a 404;
- every action some persona is offered and this persona is not is posted as this persona: the
  service must refuse it (403, or 404 where the persona may not even see the object).

So what the page offers and what the service accepts are the same set, for every persona.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html
import pytest
from django.db import transaction
from django.urls import Resolver404, resolve
from django.utils import timezone

from agencies import services as agency_services
from agencies.models import Classification, Severity
from coordination.exercises import services as exercise_services
from coordination.models import ActionItem, Exercise, JointOperation
from coordination.operations import services as coordination_services
from coordination.patrols import services as patrol_services
from incidents.threats import services as threat_services
from tests.factories import (
    CitizenReportFactory,
    IncidentFactory,
    RiskAssessmentFactory,
    SubscriptionFactory,
    category,
)

pytestmark = pytest.mark.django_db

PERSONAS = ("alice", "carol", "vera", "bob", "charlie", "dave", "nobody", "admin")

# Forms that are no action on the portal's data: the language switch, logging out.
NOT_ACTIONS = {"set_language", "logout"}
# Actions on the user's own data that every user may take (marking their notifications
# read): offered or not by the data, never refused, so left out of the "refused" half.
OWN_DATA_ACTIONS = {"notification-list", "inbox-read"}
# Links not followed: another site, files, the browser's own schemes.
SKIPPED_LINK_PREFIXES = ("/static/", "/media/", "/admin/", "/api/v1/shifts.ics")

# Valid values for fields a form renders empty, by the action's URL name then the field name
# (any other empty required field gets a generic valid value by its type).
FILL: dict[str, dict[str, str]] = {
    "incident-note": {"message": "Catatan uji tindakan"},
    "report-reject": {"reason": "Bukan kejadian"},
    "threat-cancel": {"reason": "Ancaman tidak terbukti"},
    "operation-sitrep": {
        "summary": "Situasi aman",
        "period_start": "{yesterday}T08:00",
        "period_end": "{yesterday}T12:00",
    },
    "exercise-review": {"observations": "Komunikasi lambat"},
    "patrol-shift-create": {"starts_at": "{tomorrow}T08:00", "ends_at": "{tomorrow}T14:00"},
    "partnership-propose": {"scopes": "training"},
}


@dataclass
class Action:
    """One thing a page offers: a POST to `url` with `data`, from `page`."""

    url: str
    data: list[tuple[str, str]]
    page: str
    name: str = ""
    button: tuple[str, str] | None = None

    @property
    def key(self) -> tuple[str, tuple[str, str] | None]:
        return (self.url, self.button)


@dataclass
class Offer:
    actions: dict[Any, Action] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)  # href -> page it was on


def _url_name(url: str) -> str:
    try:
        return resolve(urlsplit(url).path).url_name or ""
    except Resolver404:
        return ""


def _fill(name: str, element: Any, value: str, action_name: str, fill: dict[str, dict[str, str]]) -> str:
    if value.strip():
        return value
    special = fill.get(action_name, {})
    if name in special:
        today = timezone.localdate()
        return (
            special[name]
            .replace("{tomorrow}", (today + datetime.timedelta(days=1)).isoformat())
            .replace("{yesterday}", (today - datetime.timedelta(days=1)).isoformat())
        )
    if element.get("required") is None:
        return value
    kind = (element.get("type") or "text").lower()
    if element.tag == "select":
        options = [o.get("value") for o in element.iter("option") if o.get("value")]
        return options[0] if options else ""
    if kind == "number":
        return element.get("min") or "1"
    if kind == "date":
        return timezone.localdate().isoformat()
    if kind == "datetime-local":
        return (timezone.localtime() + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    if kind == "time":
        return "08:00"
    return "Uji tindakan"


def _form_actions(doc: Any, page: str, fill: dict[str, dict[str, str]]) -> list[Action]:
    """The POST forms of the page, one action per named submit button (buttons outside the
    form that name it with form="..." included)."""
    out = []
    for form in doc.iter("form"):
        if (form.get("method") or "get").lower() != "post":
            continue
        url = urljoin(page, form.get("action") or page)
        name = _url_name(url)
        if name in NOT_ACTIONS:
            continue
        data: list[tuple[str, str]] = []
        for element in form.iter("input", "select", "textarea"):
            field_name = element.get("name")
            kind = (element.get("type") or "text").lower()
            if not field_name or kind in {"submit", "button", "image", "reset", "file"}:
                continue
            if kind in {"checkbox", "radio"}:
                if element.get("checked") is not None:
                    data.append((field_name, element.get("value") or "on"))
                continue
            if element.tag == "select":
                selected = [o for o in element.iter("option") if o.get("selected") is not None]
                options = selected or list(element.iter("option"))[:1]
                value = options[0].get("value", options[0].text_content()) if options else ""
            elif element.tag == "textarea":
                value = element.text or ""
            else:
                value = element.get("value") or ""
            if field_name == "csrfmiddlewaretoken":
                continue
            data.append((field_name, _fill(field_name, element, value, name, fill)))
        # Values a form needs that it does not render as a field to fill (an unticked area).
        present = {k for k, _ in data}
        data += [(k, v) for k, v in fill.get(name, {}).items() if k not in present]
        buttons = [
            b
            for b in form.iter("button", "input")
            if (b.tag == "button" and (b.get("type") or "submit") == "submit")
            or (b.tag == "input" and (b.get("type") or "") == "submit")
        ]
        if form.get("id"):
            buttons += doc.xpath("//*[@form=$id][self::button or self::input[@type='submit']]", id=form.get("id"))
        named = [(b.get("name"), b.get("value") or "") for b in buttons if b.get("name")]
        if named:
            for button in dict.fromkeys(named):
                out.append(Action(url=url, data=[*data, button], page=page, name=name, button=button))
        elif buttons:
            out.append(Action(url=url, data=data, page=page, name=name))
    return out


def _links(doc: Any, page: str) -> list[str]:
    out = []
    for a in doc.iter("a"):
        href = a.get("href")
        if not href or href.startswith(("#", "mailto:", "tel:", "javascript:", "webcal:")):
            continue
        url = urljoin(page, href)
        parts = urlsplit(url)
        if parts.netloc and parts.netloc != "testserver":
            continue
        if parts.path.startswith(SKIPPED_LINK_PREFIXES):
            continue
        out.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return out


@pytest.fixture
def scene(world, django_capture_on_commit_callbacks):
    """What each page acts on: an incident, a citizen's report and a risk in Bontang (A's), a
    threat of A that alerts C, an operation and an exercise led by A with B taking part, an
    operation of C, a patrol shift of A's operation with a route, a coverage gap."""
    areas = world.areas
    incident = IncidentFactory(
        area=areas.guntung, reporting_agency=world.a, title="Pencurian di gudang", latitude=None, longitude=None
    )
    report = CitizenReportFactory(area=areas.guntung)
    RiskAssessmentFactory(area=areas.bontang_utara, assessing_agency=world.a)
    subscription = SubscriptionFactory(agency=world.c, areas=[areas.bontang])
    subscription.category_codes.create(code="terrorism")
    with django_capture_on_commit_callbacks(execute=True):
        threat = threat_services.threat_log(
            actor=world.alice,
            headline="Ancaman bom di pelabuhan",
            category=category("terrorism-threat"),
            areas=[areas.guntung],
            severity=Severity.MODERATE,
        )
    alert = threat.alerts.get(agency=world.c)
    now = timezone.now()
    operation = coordination_services.operation_create(
        actor=world.alice,
        name="Operasi Pekat",
        kind=JointOperation.Kind.JOINT_PATROL,
        classification=Classification.RESTRICTED,
        areas=[areas.bontang],
        starts_at=now + datetime.timedelta(days=1),
        ends_at=now + datetime.timedelta(days=9),
    )
    coordination_services.participation_add(actor=world.alice, operation=operation, agency=world.b, personnel=10)
    operation_c = coordination_services.operation_create(
        actor=world.charlie,
        name="Operasi Balikpapan",
        kind=JointOperation.Kind.JOINT_PATROL,
        classification=Classification.RESTRICTED,
        areas=[areas.balikpapan],
        starts_at=now + datetime.timedelta(days=1),
        ends_at=now + datetime.timedelta(days=9),
    )
    exercise = exercise_services.exercise_create(
        actor=world.alice,
        name="Simulasi kebakaran kilang",
        kind=Exercise.Kind.FIELD_DRILL,
        starts_at=now - datetime.timedelta(days=2),
        ends_at=now - datetime.timedelta(days=2) + datetime.timedelta(hours=4),
        classification=Classification.RESTRICTED,
        participants=[world.b],
        areas=[areas.bontang],
    )
    exercise_services.action_item_create(
        actor=world.alice,
        exercise=exercise,
        description="Perbaiki radio",
        owner_agency=world.b,
        due_date=timezone.localdate() + datetime.timedelta(days=7),
        status=ActionItem.Status.OPEN,
    )
    start = now + datetime.timedelta(hours=1)
    shift = patrol_services.shift_create(
        user=world.alice,
        operation=operation,
        title="Patroli malam",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=6),
        areas=[],
        contributions=[{"agency": world.a, "unit_name": "Sabhara 1", "headcount": 10, "vehicles": 1}],
        checkpoints=[
            {"name": "Pelabuhan", "latitude": Decimal("0.13"), "longitude": Decimal("117.49"), "planned_at": start},
            {
                "name": "Pasar",
                "latitude": Decimal("0.14"),
                "longitude": Decimal("117.50"),
                "planned_at": start + datetime.timedelta(hours=1),
            },
        ],
    )
    RiskAssessmentFactory(area=areas.balikpapan_kota, assessing_agency=world.c, likelihood=5, impact=4)
    # A's commander proposes a partnership to C: C's commander is offered Accept and Decline,
    # A's the withdrawal; MoU A-B (world) is in force: its End is offered to A's commander.
    agency_services.partnership_propose(
        actor=world.carol,
        title="MoU A-C",
        agencies=[world.a, world.c],
        scopes=["information_sharing"],
        valid_from=timezone.localdate(),
    )
    pages = [
        "/",
        "/incidents/",
        f"/incidents/{incident.pk}/",
        "/reports/",
        f"/reports/{report.pk}/",
        "/risks/",
        "/threats/",
        f"/threats/{threat.pk}/",
        "/alerts/",
        f"/alerts/{alert.pk}/",
        "/operations/",
        f"/operations/{operation.pk}/",
        f"/operations/{operation_c.pk}/",
        "/exercises/",
        f"/exercises/{exercise.pk}/",
        "/patrols/",
        f"/patrols/?date={start.date().isoformat()}",
        f"/patrols/shifts/{shift.pk}/",
        f"/patrols/shifts/{shift.pk}/check-in/",
        f"/patrols/coverage/?area={areas.bontang.pk}",
        f"/patrols/coverage/?area={areas.balikpapan.pk}",
        "/agencies/",
        f"/agencies/{world.a.pk}/",
        f"/agencies/{world.c.pk}/",
        "/inbox/",
        "/",
    ]

    def fill(persona: str) -> dict[str, dict[str, str]]:
        """Valid values for this persona: an area of their agency's jurisdiction."""
        district = areas.balikpapan_kota if persona in ("charlie", "dave") else areas.bontang_utara
        return {
            **FILL,
            "report-duplicate": {"incident": incident.reference},
            "incident-create": {"area": str(district.pk), "occurred_at": "{yesterday}T08:00"},
            "risk-create": {"area": str(district.pk)},
            # Staff choose among provinces and regencies.
            "threat-create": {"areas": str((areas.bontang if persona == "admin" else district).pk)},
        }

    return SimpleNamespace(pages=pages, shift=shift, operation=operation, fill=fill)


def _takes_posts(client: Any, url: str, known: dict[str, bool]) -> bool:
    """Whether the view behind a link also takes POSTs (a form page: new shift, edit): the
    views declare their methods, so OPTIONS answers 405 with an Allow header naming them."""
    path = urlsplit(url).path
    if path not in known:
        try:
            response = client.options(url)
        except Exception:  # a view without declared methods may trip over OPTIONS: a GET page
            known[path] = False
        else:
            known[path] = response.status_code == 405 and "POST" in response.get("Allow", "")
    return known[path]


def _offers(client: Any, pages: list[str], fill: Any) -> tuple[Offer, list[str]]:
    """Crawl the pages the persona can open and the form pages their links lead to."""
    offer = Offer()
    problems: list[str] = []
    queue = list(pages)
    seen: set[str] = set()
    known: dict[str, bool] = {}
    while queue:
        page = queue.pop(0)
        if page in seen:
            continue
        seen.add(page)
        response = client.get(page)
        if response.status_code >= 500:
            problems.append(f"{page} -> {response.status_code}")
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        doc = lxml.html.fromstring(response.content.decode())
        for action in _form_actions(doc, page, fill):
            offer.actions.setdefault(action.key, action)
        for link in _links(doc, page):
            offer.links.setdefault(link, page)
            # A link to a form page (new shift, edit) offers that page's forms too.
            if _takes_posts(client, link, known):
                queue.append(link)
    return offer, problems


def _post(client: Any, action: Action) -> int:
    sid = transaction.savepoint()
    try:
        return client.post(action.url, _encode(action.data)).status_code
    finally:
        transaction.savepoint_rollback(sid)


def _encode(data: list[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in data:
        out.setdefault(key, []).append(value)
    return out


def test_every_offered_action_is_accepted_and_every_refused_one_is_hidden(client, world, scene):
    offers: dict[str, Offer] = {}
    problems: list[str] = []
    for persona in PERSONAS:
        client.force_login(getattr(world, persona))
        offer, found = _offers(client, scene.pages, scene.fill(persona))
        offers[persona] = offer
        problems += found
        for action in offer.actions.values():
            status = _post(client, action)
            if status not in (200, 302):
                problems.append(f"{persona}: {action.page} offers {action.key} -> {status}")
        followed: dict[str, int] = {}
        for link, page in offer.links.items():
            path = link.split("?", 1)[0]
            if path in followed:
                continue
            followed[path] = client.get(link).status_code
            if followed[path] in (403, 404) or followed[path] >= 500:
                problems.append(f"{persona}: {page} links to {link} -> {followed[path]}")
        client.logout()
    everything = {key: action for offer in offers.values() for key, action in offer.actions.items()}
    for persona in PERSONAS:
        client.force_login(getattr(world, persona))
        for key, action in everything.items():
            if key in offers[persona].actions or action.name in OWN_DATA_ACTIONS:
                continue
            status = _post(client, action)
            if status not in (403, 404):
                problems.append(f"{persona}: not offered {key} (on {action.page}) but the service answers {status}")
        client.logout()
    assert not problems, "\n".join(problems)


def test_the_crawl_sees_the_partnership_actions(client, world, scene):
    """A's commander proposes, withdraws and ends on A's page; C's answers a proposal on C's."""
    names = {}
    for persona in ("carol", "dave"):
        client.force_login(getattr(world, persona))
        offer, _ = _offers(client, scene.pages, scene.fill(persona))
        names[persona] = {action.name for action in offer.actions.values()}
    assert {"partnership-propose", "partnership-end"} <= names["carol"], names["carol"]
    assert {"partnership-propose", "partnership-accept", "partnership-decline"} <= names["dave"], names["dave"]
    assert "partnership-accept" not in names["carol"]


def test_the_crawl_sees_the_actions_it_is_meant_to_check(client, world, scene):
    """The check above is only as good as its crawl: alice is offered the actions of each kind."""
    client.force_login(world.alice)
    offer, _ = _offers(client, scene.pages, scene.fill("alice"))
    names = {action.name for action in offer.actions.values()}
    assert {
        "incident-status",
        "incident-note",
        "incident-assign",
        "report-verify",
        "report-spam",
        "threat-cancel",
        "operation-status",
        "operation-sitrep",
        "operation-participation-add",
        "exercise-review",
        "exercise-action-item-add",
        "patrol-coverage-fill",
        "patrol-check-in",
        "patrol-shift-create",
        "patrol-generate",
        "patrol-feed-create",
    } <= names, names
