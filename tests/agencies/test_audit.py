"""Reads of confidential and secret records are audited, list reads included: one row per
request naming the ids it returned (agencies.services.audit_list_read, hooked in one place for
the API lists, agencies.audit), and a commander reads who read their agency's records on the
agency's audit page and its API (`audit.read`: commanders, staff)."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from agencies.models import AuditLog, Classification
from agencies.services import audit_list_read
from tests.factories import IncidentFactory, MembershipFactory, RiskAssessmentFactory

C = Classification


@pytest.fixture
def records(world):
    """A's incidents at every level, and one of C's (confidential): alice (A) reads A's four,
    bob (B, A's information-sharing partner) reads A's public, restricted and confidential."""
    made = {
        level: IncidentFactory(area=world.areas.guntung, reporting_agency=world.a, classification=level)
        for level in C.values
    }
    made["c"] = IncidentFactory(
        area=world.areas.balikpapan_kota, reporting_agency=world.c, classification=C.CONFIDENTIAL
    )
    return made


def rows():
    return list(AuditLog.objects.order_by("id"))


def test_an_api_list_read_writes_one_row_naming_the_confidential_and_secret_ids(api_as, world, records):
    response = api_as(world.alice).get("/api/v1/incidents/")

    assert response.status_code == 200
    [row] = rows()
    assert row.action == "list"
    assert row.user == world.alice
    assert set(row.object_ids) == {str(records[C.CONFIDENTIAL].pk), str(records[C.SECRET].pk)}
    assert row.classification == C.SECRET
    assert list(row.owner_agencies.all()) == [world.a]
    assert list(row.reader_agencies.all()) == [world.a]


def test_a_partners_list_read_names_only_what_it_returned(api_as, world, records):
    api_as(world.bob).get("/api/v1/incidents/")

    [row] = rows()
    assert row.object_ids == [str(records[C.CONFIDENTIAL].pk)]
    assert row.classification == C.CONFIDENTIAL
    assert list(row.reader_agencies.all()) == [world.b]


def test_a_list_of_public_and_restricted_records_is_not_audited(api_as, world, records):
    api_as(world.alice).get("/api/v1/incidents/", {"classification": "public"})
    api_as(world.nobody).get("/api/v1/incidents/")

    assert rows() == []


def test_the_incident_list_page_writes_one_row(client, world, records):
    client.force_login(world.alice)

    assert client.get(reverse("incident-list")).status_code == 200

    [row] = rows()
    assert set(row.object_ids) == {str(records[C.CONFIDENTIAL].pk), str(records[C.SECRET].pk)}


def test_the_map_geojson_writes_one_row(client, world, records):
    client.force_login(world.bob)

    response = client.get("/api/v1/incidents.geojson")
    b"".join(response.streaming_content)

    [row] = rows()
    assert (row.action, row.object_ids) == ("map", [str(records[C.CONFIDENTIAL].pk)])


def test_a_risk_list_read_is_audited(api_as, world):
    risk = RiskAssessmentFactory(area=world.areas.guntung, assessing_agency=world.a, classification=C.CONFIDENTIAL)

    assert api_as(world.alice).get("/api/v1/risks/").status_code == 200

    [row] = rows()
    assert (row.object_type, row.object_ids) == ("risk", [str(risk.pk)])
    assert list(row.owner_agencies.all()) == [world.a]


def test_an_audited_list_costs_three_inserts_whatever_the_page(api_as, world, django_assert_max_num_queries):
    for _ in range(30):
        IncidentFactory(area=world.areas.guntung, reporting_agency=world.a, classification=C.CONFIDENTIAL)
    api = api_as(world.alice)
    api.get("/api/v1/incidents/", {"page_size": 5})
    AuditLog.objects.all().delete()
    with django_assert_max_num_queries(14) as small:
        api.get("/api/v1/incidents/", {"page_size": 5})
    with django_assert_max_num_queries(len(small.captured_queries)):
        api.get("/api/v1/incidents/", {"page_size": 30})
    assert [len(r.object_ids) for r in rows()] == [5, 30]


# --- The commander's page and API -----------------------------------------------------------


@pytest.fixture
def bobs_read(api_as, world, records):
    api_as(world.bob).get("/api/v1/incidents/")
    api_as(world.bob).get(f"/api/v1/incidents/{records[C.CONFIDENTIAL].pk}/")
    return records


def audit_url(agency):
    return reverse("agency-audit", args=[agency.pk])


def test_the_commander_sees_who_read_the_agencys_records(client, world, bobs_read):
    client.force_login(world.carol)

    response = client.get(audit_url(world.a))

    assert response.status_code == 200
    body = response.content.decode()
    assert world.b.name in body and str(bobs_read[C.CONFIDENTIAL].pk) in body
    assert len(response.context["page"].object_list) == 2
    detail = client.get(reverse("agency-detail", args=[world.a.pk])).content.decode()
    assert audit_url(world.a) in detail


def test_another_agencys_commander_never_sees_them(client, world, bobs_read):
    client.force_login(world.dave)

    assert client.get(audit_url(world.a)).status_code == 404
    own = client.get(audit_url(world.c))
    assert own.status_code == 200
    assert list(own.context["page"].object_list) == []
    assert audit_url(world.a) not in client.get(reverse("agency-detail", args=[world.a.pk])).content.decode()


@pytest.mark.parametrize("persona", ["alice", "vera"])
def test_members_below_commander_get_403_and_no_link(client, world, bobs_read, persona):
    client.force_login(getattr(world, persona))

    assert client.get(audit_url(world.a)).status_code == 403
    assert audit_url(world.a) not in client.get(reverse("agency-detail", args=[world.a.pk])).content.decode()


def test_anonymous_and_agencyless_users_are_kept_out(client, world, bobs_read):
    assert client.get(audit_url(world.a)).status_code == 302
    client.force_login(world.nobody)
    assert client.get(audit_url(world.a)).status_code == 404


def test_staff_see_every_agencys_audit(client, world, bobs_read):
    client.force_login(world.admin)

    assert len(client.get(audit_url(world.a)).context["page"].object_list) == 2


def test_the_page_filters_by_reader_kind_and_date(client, world, bobs_read):
    client.force_login(world.carol)
    today = datetime.date.today()

    def count(**params):
        response = client.get(audit_url(world.a), params)
        assert response.status_code == 200
        return len(response.context["page"].object_list)

    assert count(reader=world.b.pk) == 2
    assert count(reader=world.c.pk) == 0
    assert count(kind="incident") == 2
    assert count(kind="threat") == 0
    assert count(date_from=(today + datetime.timedelta(days=2)).isoformat()) == 0
    assert count(date_to=(today + datetime.timedelta(days=2)).isoformat()) == 2
    assert count(date_from="not a date") == 2  # the form says so; nothing breaks


def test_the_page_costs_the_same_queries_for_5_or_50_rows(client, world, records, django_assert_max_num_queries):
    confidential = [records[C.CONFIDENTIAL]]
    for _ in range(5):
        audit_list_read(user=world.bob, objects=confidential, object_type="incident")
    client.force_login(world.carol)
    client.get(audit_url(world.a))
    with django_assert_max_num_queries(16) as few:
        client.get(audit_url(world.a))
    for _ in range(45):
        audit_list_read(user=world.bob, objects=confidential, object_type="incident")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(audit_url(world.a)).context["page"].object_list) == 50


def test_the_api_answers_the_commander_only(api_as, world, bobs_read):
    url = f"/api/v1/agencies/{world.a.pk}/audit/"

    response = api_as(world.carol).get(url, {"reader": world.b.pk})
    assert response.status_code == 200
    results = response.json()["results"]
    assert {r["action"] for r in results} == {"list", "read"}
    assert results[0]["reader_agencies"][0]["id"] == world.b.pk
    assert api_as(world.alice).get(url).status_code == 403
    assert api_as(world.dave).get(url).status_code == 404
    assert api_as(world.nobody).get(url).status_code == 404
    assert api_as(world.admin).get(url).status_code == 200


def test_a_commander_of_two_agencies_sees_each_agencys_own(client, world, bobs_read):
    MembershipFactory(user=world.dave, agency=world.b, role="commander")
    client.force_login(world.dave)

    assert list(client.get(audit_url(world.b)).context["page"].object_list) == []


# --- Calendars: the shifts drawn are reads of their operations -------------------------------


@pytest.fixture
def confidential_shift(world):
    from coordination.patrols import services as patrol_services
    from tests.coordination.patrols.test_patrols import make_operation, make_shift, unit

    op = make_operation(world, classification=C.CONFIDENTIAL, participants=[world.a])
    start = datetime.datetime.now(datetime.UTC).replace(minute=0, second=0, microsecond=0)
    shift = make_shift(world, op, start=start + datetime.timedelta(hours=1), contributions=[unit(world.a)])
    token = patrol_services.calendar_feed_get_or_create(user=world.alice, agency=world.a).token
    return op, shift, token


@pytest.mark.dates
def test_the_patrol_calendar_audits_the_operations_it_draws(client, world, confidential_shift):
    op, shift, _token = confidential_shift
    client.force_login(world.alice)
    # The shift's week, in the zone the calendar reads in (Alice's city's): an hour from 23:30 on
    # a Sunday it lies in the next week, which the calendar of today does not draw.
    day = shift.starts_at.astimezone(ZoneInfo(world.areas.bontang.timezone)).date()

    assert client.get(reverse("patrol-calendar"), {"date": day.isoformat()}).status_code == 200

    [row] = rows()
    assert (row.object_type, row.object_ids) == ("operation", [str(op.pk)])
    assert list(row.owner_agencies.all()) == [world.a]


def test_the_calendar_feed_is_audited_as_its_agencys_read(client, world, confidential_shift):
    op, _shift, token = confidential_shift

    assert client.get("/api/v1/shifts.ics", {"token": token}).status_code == 200

    [row] = rows()
    assert (row.user, row.object_ids) == (None, [str(op.pk)])
    assert list(row.reader_agencies.all()) == [world.a]
