"""The iCalendar feed of an agency's shifts, parsed back with the `icalendar` library."""

import datetime

import pytest
from icalendar import Calendar

from coordination.models import CalendarFeed
from coordination.patrols import services as patrol_services

from .test_patrols import make_operation, make_shift, unit

FEED = "/api/v1/shifts.ics"


def feed_token(world):
    return patrol_services.calendar_feed_get_or_create(user=world.alice, agency=world.a).token


def parse(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return list(Calendar.from_ical(response.content).walk("VEVENT"))


@pytest.mark.dates
def test_the_feed_lists_the_agencys_shifts_in_utc_with_stable_uids(client, world):
    op = make_operation(world)
    start = datetime.datetime.now(datetime.UTC).replace(minute=0, second=0, microsecond=0) + datetime.timedelta(days=1)
    mine = make_shift(
        world,
        op,
        start=start,
        title="Patroli; pelabuhan, malam",
        areas=[world.areas.guntung, world.areas.bontang_utara],
        contributions=[unit(world.a)],
    )
    make_shift(world, op, start=start + datetime.timedelta(days=1), contributions=[unit(world.a, "Sabhara 2")])
    make_shift(world, op, start=start, contributions=[unit(world.b, "Tim BPBD")])  # not A's
    token = feed_token(world)
    events = parse(client.get(FEED, {"token": token}))
    assert len(events) == 2
    first = next(e for e in events if str(e["summary"]) == "Patroli; pelabuhan, malam")
    assert first.decoded("dtstart") == mine.starts_at
    assert first.decoded("dtstart").utcoffset() == datetime.timedelta(0)
    assert first.decoded("dtend") == mine.ends_at
    assert str(first["location"]) == "Bontang Utara, Guntung" or str(first["location"]) == "Guntung, Bontang Utara"
    assert "Sabhara 1" in str(first["description"])
    uids = sorted(str(e["uid"]) for e in events)
    assert uids == sorted(str(e["uid"]) for e in parse(client.get(FEED, {"token": token})))
    assert f"shift-{mine.pk}@" in str(first["uid"])


def test_special_characters_are_escaped_in_the_raw_feed(client, world):
    op = make_operation(world)
    start = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1)
    make_shift(world, op, start=start, title="A, B; C", contributions=[unit(world.a)], notes="baris 1\nbaris 2")
    raw = client.get(FEED, {"token": feed_token(world)}).content.decode()
    assert "SUMMARY:A\\, B\\; C" in raw
    assert "baris 1\\nbaris 2" in raw.replace("\r\n ", "")


def test_a_wrong_or_missing_token_is_404(client, world):
    feed_token(world)
    assert client.get(FEED, {"token": "nope"}).status_code == 404
    assert client.get(FEED).status_code == 404


def test_the_token_is_created_once_per_agency(world):
    assert feed_token(world) == feed_token(world)
    assert CalendarFeed.objects.count() == 1
