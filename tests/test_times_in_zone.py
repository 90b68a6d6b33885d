"""Every date-time a page shows is in the zone of its area, with that zone's label.

The class of defect: a page formats a time in the server's zone (WIB) or shows it with no
label, while the rest of the portal speaks WITA. The demo world is seeded through the
services (incidents, reports, a threat and its alerts, an operation with patrols and
notifications, an exercise), every area is then put in one zone (WITA, then WIT), and the
pages of each persona are scanned: each time of day shown must be followed by that zone's
label (a range "08:00–16:00 WITA" counts as labelled), or sit inside an element that declares
the zone for all its times (`data-zone="WITA"`, the calendar grid under its "Times in WITA"
heading). No other zone's label may appear.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from agencies.models import Agency, Area, TimeZoneChoice, zone_label
from coordination.models import Exercise, InboxItem, JointOperation, PatrolShift
from incidents.models import Alert, CitizenReport, Incident, Threat

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
HIDDEN = {"script", "style", "template", "textarea"}
TIME = re.compile(r"(?<![\d:])(?:[01]?\d|2[0-3]):[0-5]\d(?![\d:])|(?<=\d{4} )(?:[01]\d|2[0-3])\.[0-5]\d(?!\d)")
DATE = r"(?:\d{1,2} \w+\.? \d{4},?\s*)"
CLOCK = r"(?:[01]?\d|2[0-3])[:.][0-5]\d"
FOLLOW = re.compile(
    rf"^(?:\s*(?:\+1|–|—|-|to|s/d|sampai|hingga)?\s*{DATE}?{CLOCK})*\s*(?:\+1)?\s*\(?(?P<label>WIB|WITA|WIT)\b"
)
LABEL = re.compile(r"\b(WIB|WITA|WIT)\b")


class VisibleText(HTMLParser):
    """The page's visible text as (text, zone declared by the nearest data-zone ancestor)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None]] = []
        self.parts: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag not in VOID:
            self.stack.append((tag, dict(attrs).get("data-zone")))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        if any(tag in HIDDEN for tag, _ in self.stack):
            return
        zone = next((z for _, z in reversed(self.stack) if z), None)
        self.parts.append((data, zone))


def unlabelled_times(html: str, expected: str) -> tuple[int, list[str]]:
    """(times seen, problems): times with no label or the wrong one, and foreign labels."""
    parser = VisibleText()
    parser.feed(html)
    text = ""
    zones: list[tuple[int, int, str | None]] = []
    for data, zone in parser.parts:
        zones.append((len(text), len(text) + len(data), zone))
        text += data + " "
    seen, problems = 0, []
    for match in TIME.finditer(text):
        seen += 1
        declared = next((z for a, b, z in zones if a <= match.start() < b), None)
        context = " ".join(text[max(0, match.start() - 40) : match.end() + 40].split())
        if declared:
            if declared != expected:
                problems.append(f"in a {declared} block, expected {expected}: …{context}…")
            continue
        follow = FOLLOW.match(text[match.end() : match.end() + 120])
        if not follow:
            problems.append(f"no zone label: …{context}…")
        elif follow["label"] != expected:
            problems.append(f"{follow['label']} instead of {expected}: …{context}…")
    for match in LABEL.finditer(text):
        if match.group(1) != expected:
            context = " ".join(text[max(0, match.start() - 60) : match.end() + 20].split())
            problems.append(f"foreign label {match.group(1)}: …{context}…")
    return seen, sorted(set(problems))


def _pages(user) -> list[str]:
    bontang = Area.objects.get(name="Kota Bontang", level=Area.Level.REGENCY)
    shift = PatrolShift.objects.order_by("starts_at").first()
    day = shift.starts_at.date().isoformat()
    urls = [
        reverse("dashboard"),
        reverse("incident-list"),
        reverse("threat-list"),
        reverse("alert-inbox"),
        reverse("operation-list"),
        reverse("exercise-list"),
        reverse("inbox"),
        reverse("report-queue"),
        reverse("risk-list"),
        reverse("patrol-coverage"),
        f"{reverse('patrol-calendar')}?date={day}",
        f"{reverse('patrol-calendar')}?view=month&date={day}",
        reverse("area-detail", args=[bontang.pk]),
    ]
    urls += [reverse("incident-detail", args=[pk]) for pk in Incident.objects.values_list("pk", flat=True)[:6]]
    urls += [reverse("threat-detail", args=[pk]) for pk in Threat.objects.values_list("pk", flat=True)]
    urls += [reverse("alert-detail", args=[pk]) for pk in Alert.objects.values_list("pk", flat=True)]
    urls += [reverse("operation-detail", args=[pk]) for pk in JointOperation.objects.values_list("pk", flat=True)]
    urls += [reverse("exercise-detail", args=[pk]) for pk in Exercise.objects.values_list("pk", flat=True)]
    urls += [reverse("patrol-shift-detail", args=[pk]) for pk in PatrolShift.objects.values_list("pk", flat=True)[:3]]
    urls += [reverse("report-detail", args=[pk]) for pk in CitizenReport.objects.values_list("pk", flat=True)]
    urls += [
        reverse("agency-detail", args=[pk])
        for pk in Agency.objects.filter(code__endswith="bontang").values_list("pk", flat=True)
    ]
    return urls


@pytest.fixture
def demo(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=StringIO())


@pytest.mark.parametrize(
    ("zone", "language"), [(TimeZoneChoice.WITA, "id"), (TimeZoneChoice.WIT, "en")], ids=["WITA-id", "WIT-en"]
)
def test_every_page_shows_times_in_the_areas_zone_with_its_label(demo, zone, language):
    Area.objects.update(timezone=zone)
    expected = zone_label(zone)
    assert InboxItem.objects.exists() and Alert.objects.exists() and CitizenReport.objects.exists()
    problems: dict[str, list[str]] = {}
    seen_by_page: dict[str, int] = {}
    total = 0
    # A member with inbox entries whose agency was alerted too: both inboxes show times.
    notified = (
        InboxItem.objects.filter(agency_id__in=Alert.objects.values("agency_id"))
        .order_by("user__username")
        .values_list("user__username", flat=True)
        .first()
    )
    for username in ("admin", "liaison.bontang", "komandan.bontang", "planner.bontang", notified):
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        client.force_login(Agency.objects.model._meta.apps.get_model("auth", "User").objects.get(username=username))
        client.cookies["django_language"] = language
        for url in _pages(username):
            response = client.get(url)
            if response.status_code == 404:
                continue  # not this persona's to see
            assert response.status_code == 200, (username, url, response.status_code)
            seen, found = unlabelled_times(response.content.decode(), expected)
            total += seen
            seen_by_page[url] = max(seen_by_page.get(url, 0), seen)
            if found:
                problems[f"{username} {url}"] = found
    # Public: a citizen follows a report on its tracking page.
    for code in CitizenReport.objects.values_list("tracking_code", flat=True):
        response = Client(HTTP_ACCEPT_LANGUAGE=language).get(reverse("report-track-detail", args=[code]))
        seen, found = unlabelled_times(response.content.decode(), expected)
        total += seen
        if found:
            problems[f"citizen {code}"] = found
    assert total > 100  # the pages did show times
    for name in ("inbox", "alert-inbox", "report-queue", "operation-list"):
        assert seen_by_page[reverse(name)], f"{name} showed no time: the scan would miss its defects"
    assert not problems, "\n".join(f"{page}:\n  " + "\n  ".join(p) for page, p in problems.items())


def test_the_scanner_sees_an_unlabelled_time_and_a_foreign_label():
    assert unlabelled_times("<p>5 Des 2026 14:05 WITA</p>", "WITA") == (1, [])
    assert unlabelled_times("<p>08:00–16:00&nbsp;<span>WITA</span></p>", "WITA") == (2, [])
    assert unlabelled_times('<table data-zone="WITA"><td>08:00</td></table>', "WITA") == (1, [])
    assert unlabelled_times("<p>5 Des 2026 14:05</p><p>3</p>", "WITA")[1]
    assert unlabelled_times("<p>5 Des 2026 14.05</p>", "WITA")[1]
    assert unlabelled_times("<p>5 Des 2026 13:05 WIB</p>", "WITA")[1]
    assert unlabelled_times('<div data-zone="WIB">08:00</div>', "WITA")[1]
    assert unlabelled_times("<script>var t='14:05'</script><p>Zona: WIB</p>", "WITA")[1] == [
        "foreign label WIB: …Zona: WIB…"
    ]


def test_the_week_heading_names_the_week_not_a_sunday(client, world):
    client.force_login(world.alice)
    client.cookies["django_language"] = "id"
    body = client.get(reverse("patrol-calendar"), {"date": "2026-12-03"}).content.decode()
    assert "Pekan 30 Nov – 6 Des 2026" in body
    assert "Minggu 30 Nov" not in body
    client.cookies["django_language"] = "en"
    body = client.get(reverse("patrol-calendar"), {"date": "2026-12-29"}).content.decode()
    assert "Week 28 Dec 2026 – 3 Jan 2027" in body
