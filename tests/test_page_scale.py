"""Every dashboard list, map and calendar page runs the same number of queries whatever the
number of rows (N rows, then 3N: same count), and a busy calendar day folds into "+N more".

Speed itself is measured by bench/pages.py, never asserted here. N stays below a page's size
(25) and a calendar day's limit, so that a query per row would show as a larger count.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agencies.models import Classification
from coordination.models import Exercise, JointOperation, PatrolShift, ShiftContribution
from incidents.models import Alert, CitizenReport, Delivery, Incident, RiskAssessment, Threat
from tests.factories import category

TODAY = datetime.date(2026, 3, 11)  # a Wednesday


def _populate(world, n: int, *, salt: int) -> None:
    """n rows of every listed kind, each visible to alice (liaison of Polres Bontang), each with
    the relations its list row shows."""
    now = timezone.now()
    theft, flood = category("crime-theft"), category("flood")
    guntung = world.areas.guntung
    incidents = Incident.objects.bulk_create(
        Incident(
            reference=f"TST-{salt}-{i:05d}",
            title=f"Kebakaran gudang {salt}-{i}",
            category=theft,
            area=guntung,
            area_path=guntung.path,
            occurred_at=now - datetime.timedelta(hours=i + 1),
            reporting_agency=world.a if i % 2 else world.b,
            lead_agency=world.b,
            classification=Classification.CONFIDENTIAL if i % 3 == 0 else Classification.RESTRICTED,
            status="verified",
            latitude="0.130000",
            longitude="117.480000",
        )
        for i in range(n)
    )
    for incident in incidents:
        incident.involved_agencies.set([world.c])
    threats = Threat.objects.bulk_create(
        Threat(
            identifier=f"t-{salt}-{i}",
            sender="test@sinergi",
            sent_at=now - datetime.timedelta(minutes=i),
            headline=f"Waspada banjir {salt}-{i}",
            category=flood,
            issuing_agency=world.b,
            classification=Classification.RESTRICTED,
        )
        for i in range(n)
    )
    for threat in threats:
        threat.areas.set([world.areas.bontang_utara])
    alerts = Alert.objects.bulk_create(
        Alert(threat=t, agency=world.a, reason=Alert.Reason.JURISDICTION) for t in threats
    )
    Delivery.objects.bulk_create(
        Delivery(alert=a, channel=Delivery.Channel.IN_APP, recipient_key=f"user:{world.alice.pk}", user=world.alice)
        for a in alerts
    )
    CitizenReport.objects.bulk_create(
        CitizenReport(
            tracking_code=f"T{salt}{i:06d}",
            category=theft,
            description="Orang mencurigakan",
            latitude="0.137000",
            longitude="117.494000",
            area=guntung,
            area_path=guntung.path,
        )
        for i in range(n)
    )
    operations = JointOperation.objects.bulk_create(
        JointOperation(name=f"Operasi {salt}-{i}", kind=JointOperation.Kind.JOINT_PATROL, lead_agency=world.a)
        for i in range(n)
    )
    for op in operations:
        op.areas.set([world.areas.bontang_utara])
    exercises = Exercise.objects.bulk_create(
        Exercise(
            name=f"Latihan {salt}-{i}",
            kind=Exercise.Kind.TABLETOP,
            lead_agency=world.a,
            starts_at=now + datetime.timedelta(days=i),
            ends_at=now + datetime.timedelta(days=i, hours=3),
        )
        for i in range(n)
    )
    for exercise in exercises:
        exercise.participants.set([world.b])
    RiskAssessment.objects.bulk_create(
        RiskAssessment(
            area=guntung,
            area_path=guntung.path,
            hazard=flood if i % 2 else theft,
            likelihood=1 + i % 5,
            impact=3,
            assessing_agency=world.a,
            assessed_on=TODAY - datetime.timedelta(days=30),
            review_due=TODAY + datetime.timedelta(days=30 + i),
        )
        for i in range(n)
    )
    # Shifts: one a day from Monday 9 March (3N = 15 days: this week, the month).
    start = timezone.make_aware(datetime.datetime(2026, 3, 9, 8 + salt))
    shifts = PatrolShift.objects.bulk_create(
        PatrolShift(
            operation=operations[0],
            title=f"Patroli {salt}-{i}",
            starts_at=start + datetime.timedelta(days=i),
            ends_at=start + datetime.timedelta(days=i, hours=1),
        )
        for i in range(n)
    )
    ShiftContribution.objects.bulk_create(
        ShiftContribution(shift=s, agency=world.a, unit_name=f"Regu {salt}-{i}", headcount=4)
        for i, s in enumerate(shifts)
    )
    for s in shifts:
        s.areas.set([world.areas.bontang_utara])


PAGES = [
    "/incidents/",
    "/incidents/?page=4000",
    "/incidents/?q=gudang",
    "/incidents/?category=crime-theft&status=verified",
    "/incidents/map/",
    "/api/v1/incidents.geojson?bbox=117,0,118,1",
    "/threats/",
    "/alerts/",
    "/patrols/?date=2026-03-11",
    "/patrols/?view=month&date=2026-03-11",
    "/patrols/?view=day&date=2026-03-09",
    "/risks/",
    "/risks/heatmap/",
    "/reports/",
    "/operations/",
    "/exercises/",
]


def _count(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200, url
    return len(ctx.captured_queries), body.decode()


@pytest.mark.parametrize("url", PAGES)
def test_a_page_runs_the_same_queries_for_n_and_3n_rows(client, world, url, django_assert_max_num_queries):
    client.force_login(world.alice)
    _populate(world, 5, salt=1)
    client.get(url)  # process caches (categories, the navbar's zones) filled once
    few, small_page = _count(client, url)
    _populate(world, 10, salt=2)
    with django_assert_max_num_queries(few):
        many, big_page = _count(client, url)
    # Not an empty page that costs nothing: the rows are there (the map page loads its data
    # from the GeoJSON endpoint, and the day view holds one shift of the 2nd, then two).
    if "map/" not in url:
        assert len(big_page) > len(small_page), url


def test_a_busy_calendar_day_folds_into_more_with_a_link_to_the_day(client, world):
    op = JointOperation.objects.create(name="Operasi Lilin", kind=JointOperation.Kind.JOINT_PATROL, lead_agency=world.a)
    start = timezone.make_aware(datetime.datetime(2026, 3, 11, 6))
    PatrolShift.objects.bulk_create(
        PatrolShift(
            operation=op,
            title=f"Patroli {i}",
            starts_at=start + datetime.timedelta(minutes=10 * i),
            ends_at=start + datetime.timedelta(minutes=10 * i, hours=2),
        )
        for i in range(60)
    )
    client.force_login(world.alice)

    week = client.get("/patrols/", {"date": "2026-03-11"}).content.decode()
    cell = week.split('data-date="2026-03-11"')[1].split("</td>")[0]
    assert cell.count('data-testid="shift-block"') == 8
    more = re.search(r'href="\?([^"]+)"[^>]*data-testid="calendar-more">\s*\+(\d+)', cell)
    assert more and more.group(2) == "52"
    assert "view=day" in more.group(1) and "date=2026-03-11" in more.group(1)

    month = client.get("/patrols/", {"view": "month", "date": "2026-03-11"}).content.decode()
    cell = month.split('data-date="2026-03-11"')[1].split("</td>")[0]
    assert cell.count('data-testid="shift-block"') == 4
    assert re.search(r'data-testid="calendar-more">\s*\+56', cell)

    # The day view pages through the day by 50: the first page, then the last 10.
    day = client.get("/patrols/?" + more.group(1).replace("&amp;", "&")).content.decode()
    assert day.count('data-testid="shift-block"') == 50
    assert "Patroli 0" in day and "Patroli 50" not in day
    nxt = re.search(r'href="\?([^"]+)"[^>]*data-testid="calendar-more">\s*\+10', day)
    assert nxt
    rest = client.get("/patrols/?" + nxt.group(1).replace("&amp;", "&")).content.decode()
    assert rest.count('data-testid="shift-block"') == 10
    assert "Patroli 59" in rest and "Patroli 49" not in rest
    assert 'data-testid="calendar-more"' not in rest
    assert 'data-testid="calendar-earlier"' in rest


def test_a_long_list_counts_up_to_a_bound_and_serves_deep_pages_from_within_it(client, world, monkeypatch):
    monkeypatch.setattr("common.pagination.COUNT_BOUND", 30)
    _populate(world, 40, salt=1)
    client.force_login(world.alice)
    first = client.get("/incidents/").content.decode()
    assert re.search(r'data-testid="incident-count">\s*(More than|Lebih dari) 30 ', first)
    # ?page=4000 is the last page within the bound (page 2 of 25 + 5), not an OFFSET of 100,000.
    deep = client.get("/incidents/", {"page": 4000}).content.decode()
    assert deep.count('data-testid="incident-row"') == 5
    assert 'data-testid="pagination-bound"' in deep
    # Below the bound the count is exact.
    few = client.get("/incidents/", {"q": "gudang 1-3"}).content.decode()
    assert re.search(r'data-testid="incident-count">\s*1\d? ', few)
    assert "More than" not in few and "Lebih dari" not in few


def test_the_agency_filter_offers_the_agencies_the_user_works_beside(world):
    from agencies.selectors import filter_agency_choices

    assert set(filter_agency_choices(user=world.alice)) == {world.a, world.b}  # c: Balikpapan
    assert world.c in filter_agency_choices(user=world.alice, selected=str(world.c.pk))  # a shared link
    assert set(filter_agency_choices(user=world.alice, selected="abc")) == {world.a, world.b}
    assert set(filter_agency_choices(user=world.admin)) == {world.a, world.b, world.c}
    assert set(filter_agency_choices(user=world.nobody)) == set()
