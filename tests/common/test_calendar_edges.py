"""Issue 11, class 8: dates at the calendar's edges never give a server error.

Every FilterSet of the project is walked (imported from every app's filters and forms), and
every date or date-time parameter in it is sent the values at year 1 and year 9999, with and
without zone offsets, through every API endpoint that filters with it (lists and exports) and
every page that does (filter forms, the patrol calendar). The API answers 400 naming the
parameter (`{param: [message]}`); a page answers with the form's error shown; nothing answers
500. A FilterSet that no endpoint or page is known to use fails the test, so a new one cannot
be left out.

Run on SQLite by default, and on PostgreSQL with DATABASE_URL set.
"""

from __future__ import annotations

import base64
import datetime
import html
import json

import django_filters
import pytest
from django import forms
from django.urls import resolve, reverse

# Import every module that declares filter sets, so that FilterSet.__subclasses__ sees them all.
import agencies.filters
import agencies.forms
import coordination.exercises.filters
import coordination.exercises.forms
import coordination.meetings.filters
import coordination.meetings.forms
import coordination.operations.filters
import coordination.operations.forms
import coordination.patrols.filters
import coordination.patrols.forms
import incidents.filters
import incidents.forms
import incidents.reports.filters
import incidents.risks.filters
import incidents.risks.forms
import incidents.threats.filters
import incidents.threats.forms
from common.dates import validate_in_calendar
from tests.pages import argumentless_names

MODULES = (
    agencies.filters,
    agencies.forms,
    coordination.exercises.filters,
    coordination.exercises.forms,
    coordination.meetings.filters,
    coordination.meetings.forms,
    coordination.operations.filters,
    coordination.operations.forms,
    coordination.patrols.filters,
    coordination.patrols.forms,
    incidents.filters,
    incidents.forms,
    incidents.reports.filters,
    incidents.risks.filters,
    incidents.risks.forms,
    incidents.threats.filters,
    incidents.threats.forms,
)

EDGES = [
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-12:00",
    "0001-01-01",
    "9999-12-31",
    "0001-01-01T00:00:00",
    "9999-12-31T23:59:59",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
]

# The dashboard pages that filter with a FilterSet (or, for the calendar, a form): the URL name
# and the class. The API endpoints are found from the URLconf (a view's `filterset_class`).
PAGES = {
    "incident-list": incidents.forms.IncidentPageFilter,
    "incident-map": incidents.forms.IncidentPageFilter,
    "threat-list": incidents.threats.forms.ThreatPageFilter,
    "risk-list": incidents.risks.forms.RiskPageFilter,
    "risk-heatmap": incidents.risks.forms.RiskPageFilter,
    "operation-list": coordination.operations.forms.OperationPageFilter,
    "exercise-list": coordination.exercises.forms.ExercisePageFilter,
    "action-item-list": coordination.exercises.forms.ActionItemPageFilter,
    "meeting-list": coordination.meetings.forms.MeetingPageFilter,
    "agency-list": agencies.forms.AgencyDirectoryFilter,
    "patrol-calendar": coordination.patrols.forms.CalendarFilterForm,
}


def _all_filtersets() -> set[type]:
    found, todo = set(), [django_filters.FilterSet]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            todo.append(sub)
            if sub.__module__ in {m.__name__ for m in MODULES}:
                found.add(sub)
    return found


def _is_date(field_class: type) -> bool:
    return issubclass(field_class, (forms.DateField, forms.DateTimeField))


def date_params(cls: type) -> list[str]:
    """The date and date-time parameters of a FilterSet or a form class."""
    if issubclass(cls, django_filters.FilterSet):
        return sorted(name for name, f in cls.base_filters.items() if _is_date(f.field_class))
    return sorted(name for name, f in cls.base_fields.items() if _is_date(type(f)))


def api_endpoints() -> dict[str, type]:
    """URL name -> FilterSet of every argument-less API view that filters with one."""
    found = {}
    for name in sorted(argumentless_names()):
        path = reverse(name)
        if not path.startswith("/api/"):
            continue
        view = getattr(resolve(path).func, "cls", None)
        filterset = getattr(view, "filterset_class", None)
        actions = getattr(resolve(path).func, "actions", None) or {"get": "get"}
        if filterset is not None and "get" in actions:
            found[name] = filterset
    return found


API = api_endpoints()
API_CASES = [(name, param) for name, cls in API.items() for param in date_params(cls)]
# The conflicts window of the patrol API: query parameters outside a FilterSet.
API_CASES += [("api-shift-conflicts", "from"), ("api-shift-conflicts", "to")]
PAGE_CASES = [(name, param) for name, cls in PAGES.items() for param in date_params(cls)]
# Filters of an agency's own page and API action (their URLs name the agency).
PER_AGENCY = {"agency-audit": agencies.filters.AuditLogFilter, "api-agency-audit": agencies.filters.AuditLogFilter}
AGENCY_CASES = [(name, param) for name, cls in PER_AGENCY.items() for param in date_params(cls)]


def test_every_filterset_is_used_by_an_endpoint_or_a_page_this_test_visits():
    used = set(API.values()) | set(PAGES.values()) | set(PER_AGENCY.values())
    # A page filter extends its API filter set: the parent's parameters are visited through it.
    covered = {cls for cls in _all_filtersets() if any(issubclass(u, cls) for u in used)}
    assert _all_filtersets() - covered == set()


def test_the_walk_found_the_date_filters_of_every_feature():
    params = {(name, param) for name, param in API_CASES + PAGE_CASES}
    for expected in [
        ("api-incident-list", "occurred_after"),
        ("api-incident-export-csv", "occurred_before"),
        ("api-incident-geojson", "occurred_after"),
        ("api-threat-list", "sent_before"),
        ("api-operation-list", "starts_after"),
        ("api-exercise-list", "starts_before"),
        ("api-shift-list", "from"),
        ("api-partnership-list", "valid_on"),
        ("incident-list", "occurred_before"),
        ("operation-list", "starts_after"),
        ("exercise-list", "starts_before"),
        ("patrol-calendar", "date"),
    ]:
        assert expected in params


@pytest.mark.parametrize("value", EDGES)
@pytest.mark.parametrize(("name", "param"), API_CASES)
def test_the_api_answers_400_naming_the_parameter(api_as, world, name, param, value):
    response = api_as(world.admin).get(reverse(name), {param: value})

    assert response.status_code == 400, (response.status_code, response.content[:300])
    body = response.json()
    assert list(body) == [param] and isinstance(body[param], list) and body[param]


@pytest.mark.parametrize("value", EDGES)
@pytest.mark.parametrize(("name", "param"), PAGE_CASES)
def test_the_page_shows_the_parameter_s_error(client, world, name, param, value):
    client.force_login(world.admin)

    response = client.get(reverse(name), {param: value})

    assert response.status_code in (200, 400), response.status_code
    form = response.context.get("form") or response.context["filter"].form
    assert param in form.errors
    assert html.escape(form.errors[param][0]).encode() in response.content


@pytest.mark.parametrize("view", ["week", "month", "day"])
@pytest.mark.parametrize("value", ["0001-01-01", "0001-01-02", "0001-01-15", "0001-02-28", "9999-12-15", "9999-12-31"])
def test_the_patrol_calendar_refuses_a_date_whose_window_leaves_the_calendar(client, world, view, value):
    client.force_login(world.alice)

    response = client.get(reverse("patrol-calendar"), {"view": view, "date": value})

    assert response.status_code in (200, 400)
    assert "date" in response.context["form"].errors


@pytest.mark.parametrize(
    "value",
    [
        datetime.date(1, 1, 3),
        datetime.date(9999, 12, 29),
        datetime.datetime(1, 1, 3, tzinfo=datetime.UTC),
        datetime.datetime(9999, 12, 29, 23, 59),
        datetime.datetime(2026, 12, 5, 8, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=14))),
    ],
)
def test_values_inside_the_margin_are_accepted(value):
    validate_in_calendar(value)


def test_an_ordinary_filter_still_filters(api_as, world):
    response = api_as(world.admin).get(reverse("api-incident-list"), {"occurred_after": "2020-01-01T00:00:00+07:00"})

    assert response.status_code == 200


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00"])
@pytest.mark.parametrize("name", ["api-incident-list", "api-incident-timeline"])
def test_a_forged_keyset_cursor_at_the_edges_is_a_400(api_as, world, name, value):
    """The incidents' cursors carry the last row's time: one forged at the calendar's edges is
    refused like any invalid cursor."""
    from incidents.models import Incident
    from tests.factories import IncidentFactory

    incident = IncidentFactory(reporting_agency=world.a, area=world.areas.guntung)
    ordering = "-occurred_at" if name == "api-incident-list" else "at"
    payload = json.dumps({"o": ordering, "r": 0, "v": [value, 1]}, separators=(",", ":")).encode()
    cursor = base64.urlsafe_b64encode(payload).decode().rstrip("=")
    url = reverse(name) if name == "api-incident-list" else reverse(name, args=[incident.pk])

    response = api_as(world.admin).get(url, {"cursor": cursor})

    assert response.status_code == 400, response.content[:300]
    assert list(response.json()) == ["cursor"]
    assert Incident.objects.count() == 1


@pytest.mark.parametrize("view", ["week", "month", "day"])
@pytest.mark.parametrize("value", ["0001-03-15", "9999-10-20"])
def test_the_patrol_calendar_draws_a_date_just_inside_the_reach(client, world, view, value):
    client.force_login(world.alice)

    response = client.get(reverse("patrol-calendar"), {"view": view, "date": value})

    assert response.status_code == 200
    assert not response.context["form"].errors


@pytest.mark.parametrize("value", EDGES)
@pytest.mark.parametrize(("name", "param"), AGENCY_CASES)
def test_the_agency_audit_page_and_api_refuse_the_edges(client, world, name, param, value):
    client.force_login(world.admin)

    response = client.get(reverse(name, args=[world.a.pk]), {param: value})

    if name.startswith("api-"):
        assert response.status_code == 400, (response.status_code, response.content[:300])
        assert param in response.json()
    else:
        assert response.status_code in (200, 400), response.status_code
        form = response.context["filter"].form
        assert param in form.errors
