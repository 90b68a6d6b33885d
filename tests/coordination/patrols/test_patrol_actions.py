"""Who may plan, fill, check in and rotate the calendar feed: the services' rules, and the
pages asking the same predicates (tests/test_offered_actions.py holds the class per persona)."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import translation

from agencies.models import Classification
from coordination.models import CalendarFeed, CheckIn, JointOperation, Participation, PatrolShift
from coordination.patrols import selectors as patrol_selectors
from coordination.patrols import services as patrol_services
from tests.factories import AreaFactory, RiskAssessmentFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
NOW = datetime.datetime(2026, 3, 1, 2, tzinfo=UTC)  # 10:00 WITA, a Sunday


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def operation(lead, *, participants=(), classification=Classification.RESTRICTED, name="Patroli"):
    op = JointOperation.objects.create(
        name=name, kind=JointOperation.Kind.JOINT_PATROL, lead_agency=lead, classification=classification
    )
    for agency in participants:
        Participation.objects.create(operation=op, agency=agency)
    return op


@pytest.fixture
def shift(world):
    op = operation(world.a)
    start = NOW - datetime.timedelta(hours=1)
    return patrol_services.shift_create(
        user=world.admin,
        operation=op,
        title="Patroli pagi",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=6),
        areas=[world.areas.guntung],
        contributions=[{"agency": world.a, "unit_name": "Sabhara 1", "headcount": 8, "vehicles": 1}],
        checkpoints=[
            {"name": "Pelabuhan", "latitude": Decimal("0.13"), "longitude": Decimal("117.49"), "planned_at": start},
            {"name": "Pasar", "latitude": Decimal("0.14"), "longitude": Decimal("117.50"), "planned_at": NOW},
        ],
    )


# --- Planning ------------------------------------------------------------------------------


def test_the_plannable_operations_are_those_can_plan_accepts(world):
    ops = [
        operation(world.a, name="A"),
        operation(world.c, name="C"),
        operation(world.c, participants=[world.b], name="C with B"),
    ]
    for persona in ("alice", "carol", "vera", "bob", "charlie", "dave", "nobody", "admin"):
        user = getattr(world, persona)
        plannable = set(patrol_selectors.operation_list_plannable(user=user))
        assert plannable == {op for op in ops if patrol_selectors.can_plan(user=user, operation=op)}, persona
        assert patrol_selectors.can_plan_any(user=user) == bool(plannable), persona
    assert {op.name for op in patrol_selectors.operation_list_plannable(user=world.charlie)} == {"C", "C with B"}
    assert not patrol_selectors.can_plan_any(user=world.vera)


def test_the_planning_pages_refuse_who_may_plan_no_operation(client, world):
    operation(world.a)
    for persona in ("vera", "charlie", "nobody"):
        client.force_login(getattr(world, persona))
        assert client.get("/patrols/shifts/new/").status_code == 403, persona
        assert client.get("/patrols/generate/").status_code == 403, persona
        page = client.get("/patrols/").content.decode()
        assert "/patrols/shifts/new/" not in page and "/patrols/generate/" not in page, persona


def test_the_new_shift_page_offers_only_the_operations_the_user_may_plan(client, world):
    operation(world.a, name="Operasi Bontang")
    operation(world.c, name="Operasi Balikpapan")
    client.force_login(world.charlie)
    page = client.get("/patrols/shifts/new/").content.decode()
    assert "Operasi Balikpapan" in page and "Operasi Bontang" not in page


@pytest.fixture
def city(world):
    selatan = AreaFactory(name="Bontang Selatan", parent=world.areas.bontang)
    RiskAssessmentFactory(area=selatan, likelihood=5, impact=4, assessing_agency=world.a)
    return selatan


@time_machine.travel(NOW, tick=False)
def test_coverage_is_filled_only_in_the_users_jurisdiction(client, world, city):
    own = operation(world.c, name="Operasi Balikpapan")
    with pytest.raises(PermissionDenied):
        patrol_services.coverage_fill(user=world.charlie, area=city, operation=own)
    client.force_login(world.charlie)
    assert client.post("/patrols/coverage/fill/", {"area": city.pk, "operation": own.pk}).status_code == 403
    assert not PatrolShift.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_the_coverage_page_offers_no_fill_to_who_may_plan_no_operation(client, world, city):
    operation(world.c, name="Operasi Balikpapan")  # visible to A's members, not theirs to plan
    client.force_login(world.alice)
    page = client.get("/patrols/coverage/", {"area": world.areas.bontang.pk}).content.decode()
    assert 'data-testid="coverage-row"' in page
    assert "patrol-coverage-fill" not in page and 'data-testid="fill"' not in page
    assert "/patrols/coverage/fill/" not in page


def test_a_fill_of_an_operation_the_user_does_not_see_is_404(client, world, city):
    secret = operation(world.c, classification=Classification.SECRET, name="Rahasia")
    client.force_login(world.alice)
    assert client.post("/patrols/coverage/fill/", {"area": city.pk, "operation": secret.pk}).status_code == 404


# --- Check-in page -------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_a_unit_checks_in_with_its_position(client, world, shift):
    client.force_login(world.alice)
    page = client.get(f"/patrols/shifts/{shift.pk}/check-in/").content.decode()
    assert page.count('data-testid="check-in-button"') == 2
    assert page.count('data-status="missed"') == 1  # planned an hour ago, tolerance 15 minutes
    assert page.count('data-status="pending"') == 1
    first = shift.checkpoints.get(order=1)
    response = client.post(
        f"/patrols/shifts/{shift.pk}/check-in/",
        {"checkpoint": first.pk, "latitude": "0.1370004", "longitude": "117.4940001"},
    )
    assert response.status_code == 302
    check_in = CheckIn.objects.get()
    assert (check_in.checkpoint, check_in.latitude, check_in.longitude) == (
        first,
        Decimal("0.137000"),
        Decimal("117.494000"),
    )
    assert check_in.at == NOW
    page = client.get(f"/patrols/shifts/{shift.pk}/check-in/").content.decode()
    assert page.count('data-status="late"') == 1 and 'data-status="missed"' not in page


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    "data",
    [
        {"latitude": "0.137"},  # one coordinate only
        {"latitude": "91", "longitude": "117.49"},
        {"latitude": "-33.87", "longitude": "151.21"},  # Sydney: outside Indonesia
        {"latitude": "abc", "longitude": "117.49"},
        {"checkpoint": "999999"},
        {},  # a routed shift needs its checkpoint
    ],
)
def test_a_bad_check_in_is_a_400_with_the_reason_and_saves_nothing(client, world, shift, data):
    client.force_login(world.alice)
    data = {"checkpoint": shift.checkpoints.get(order=1).pk, **data} if data else {}
    response = client.post(f"/patrols/shifts/{shift.pk}/check-in/", data)
    assert response.status_code == 400
    assert 'data-testid="check-in-error"' in response.content.decode()
    assert not CheckIn.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_who_may_not_check_in_reads_the_route_without_buttons_and_is_refused(client, world, shift):
    first = shift.checkpoints.get(order=1)
    for persona in ("vera", "bob", "charlie", "admin"):
        client.force_login(getattr(world, persona))
        page = client.get(f"/patrols/shifts/{shift.pk}/check-in/")
        assert page.status_code == 200, persona
        assert 'data-testid="check-in-button"' not in page.content.decode(), persona
        assert 'data-testid="check-in-link"' not in client.get(f"/patrols/shifts/{shift.pk}/").content.decode()
        assert client.post(f"/patrols/shifts/{shift.pk}/check-in/", {"checkpoint": first.pk}).status_code == 403
    assert not CheckIn.objects.exists()


def test_the_check_in_page_of_a_shift_the_user_may_not_see_is_404(client, world):
    op = operation(world.a, classification=Classification.SECRET)
    secret = patrol_services.shift_create(
        user=world.admin,
        operation=op,
        starts_at=NOW,
        ends_at=NOW + datetime.timedelta(hours=2),
        areas=[world.areas.guntung],
        contributions=[{"agency": world.a, "unit_name": "Intel", "headcount": 2, "vehicles": 0}],
    )
    client.force_login(world.charlie)
    assert client.get(f"/patrols/shifts/{secret.pk}/check-in/").status_code == 404
    assert client.post(f"/patrols/shifts/{secret.pk}/check-in/", {}).status_code == 404


# --- Calendar feed -------------------------------------------------------------------------


def test_rotating_the_feed_gives_a_new_secret_and_the_old_url_stops_working(client, world):
    old = patrol_services.calendar_feed_get_or_create(user=world.vera, agency=world.a).token
    assert client.get(f"/api/v1/shifts.ics?token={old}").status_code == 200
    feed = patrol_services.calendar_feed_rotate(user=world.carol, agency=world.a)
    assert feed.token != old and len(feed.token) >= 40
    assert CalendarFeed.objects.filter(agency=world.a).count() == 1
    assert client.get(f"/api/v1/shifts.ics?token={old}").status_code == 404
    assert client.get(f"/api/v1/shifts.ics?token={feed.token}").status_code == 200


@pytest.mark.parametrize("persona", ["vera", "bob", "charlie", "nobody"])
def test_only_commanders_and_liaisons_of_the_agency_rotate_its_feed(world, persona):
    before = patrol_services.calendar_feed_get_or_create(user=world.alice, agency=world.a).token
    with pytest.raises(PermissionDenied):
        patrol_services.calendar_feed_rotate(user=getattr(world, persona), agency=world.a)
    assert CalendarFeed.objects.get(agency=world.a).token == before


def test_the_feed_pages_follow_the_same_rule(client, world):
    patrol_services.calendar_feed_get_or_create(user=world.alice, agency=world.a)
    before = CalendarFeed.objects.get(agency=world.a).token
    client.force_login(world.vera)
    page = client.get("/patrols/").content.decode()
    assert before in page and f"/patrols/feed/{world.a.pk}/rotate/" not in page
    assert client.post(f"/patrols/feed/{world.a.pk}/rotate/").status_code == 403
    client.force_login(world.charlie)  # another agency's feed is none of his business
    assert before not in client.get("/patrols/").content.decode()
    assert client.post(f"/patrols/feed/{world.a.pk}/rotate/").status_code == 404
    assert client.post(f"/patrols/feed/{world.a.pk}/").status_code == 404
    assert CalendarFeed.objects.get(agency=world.a).token == before
    client.force_login(world.alice)
    assert f"/patrols/feed/{world.a.pk}/rotate/" in client.get("/patrols/").content.decode()
    assert client.get(f"/patrols/feed/{world.a.pk}/rotate/").status_code == 405  # POST only
    assert client.post(f"/patrols/feed/{world.a.pk}/rotate/").status_code == 302
    assert CalendarFeed.objects.get(agency=world.a).token != before


def test_a_member_gets_the_feed_link_from_the_calendar(client, world):
    client.force_login(world.vera)
    page = client.get("/patrols/").content.decode()
    assert 'data-testid="feed-create"' in page
    assert client.post(f"/patrols/feed/{world.a.pk}/").status_code == 302
    token = CalendarFeed.objects.get(agency=world.a).token
    assert f"/api/v1/shifts.ics?token={token}" in client.get("/patrols/").content.decode()
