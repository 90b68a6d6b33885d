"""The programme pages: list, calendar and map in bounded queries and scoped to the reader;
planning through the form (times in the area's zone, a form posted back unchanged changes
nothing); status buttons only where the service would accept them; attendance and report
forms; the public pages with registration, its honeypot and its rate limit."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from coordination.community.programmes import services
from coordination.models import Programme, ProgrammeRegistration

from ....browser_form import post_rendered
from .helpers import make_programme

pytestmark = pytest.mark.django_db


def _begun(programme):
    start = timezone.now() - datetime.timedelta(hours=1)
    programme.sessions.update(starts_at=start, ends_at=start + datetime.timedelta(hours=3))
    Programme.objects.filter(pk=programme.pk).update(starts_at=start, ends_at=start + datetime.timedelta(hours=3))
    programme.refresh_from_db()
    return programme


def test_the_list_shows_what_the_reader_may_read_in_bounded_queries(client, world, django_assert_max_num_queries):
    for i in range(27):
        make_programme(world, title=f"Internal {i}", partners=[])
    make_programme(world, title="Terbuka untuk umum", is_public=True, partners=[])
    client.force_login(world.alice)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("programme-list") + "?kind=law_literacy")
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="programme-row"') == 25
    client.force_login(world.charlie)  # an outsider: the public one only
    html = client.get(reverse("programme-list")).content.decode()
    assert html.count('data-testid="programme-row"') == 1 and "Terbuka untuk umum" in html


def test_calendar_and_map_show_the_programmes_in_bounded_queries(client, world, django_assert_max_num_queries):
    zone = ZoneInfo(world.areas.bontang.timezone)
    start = datetime.datetime(2026, 12, 15, 9, 0, tzinfo=zone)
    for i in range(6):
        make_programme(world, title=f"Seri {i}", sessions=[(start, start + datetime.timedelta(hours=2))])
    client.force_login(world.bob)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("programme-calendar") + "?month=2026-12")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('data-testid="calendar-entry"') == 4 and "+2" in html  # folded past 4 a day
    with django_assert_max_num_queries(20):
        response = client.get(reverse("programme-map"))
    assert response.status_code == 200
    assert "programme-map-data" in response.content.decode()
    client.force_login(world.charlie)
    assert (
        'data-testid="calendar-entry"'
        not in client.get(reverse("programme-calendar") + "?month=2026-12").content.decode()
    )


def test_a_bad_month_or_date_range_is_no_server_error(client, world):
    client.force_login(world.alice)
    assert client.get(reverse("programme-calendar") + "?month=99999-99").status_code == 200
    response = client.get(reverse("programme-list") + "?starts_after=2026-12-10&starts_before=2026-12-01")
    assert response.status_code == 200 and "text-danger" in response.content.decode()


def _create_data(world, start: str, end: str, **extra):
    data = {
        "kind": "traffic_safety",
        "title": "Kampanye helm SNI",
        "organiser": world.a.pk,
        "area": world.areas.bontang.pk,
        "venue": "Terminal Bontang",
        "partners": [world.b.pk],
        "session-TOTAL_FORMS": "2",
        "session-INITIAL_FORMS": "0",
        "session-0-starts_at": start,
        "session-0-ends_at": end,
        "session-1-starts_at": "",
        "session-1-ends_at": "",
        "group-TOTAL_FORMS": "2",
        "group-INITIAL_FORMS": "0",
        "group-0-group": "workers",
        "group-0-age_band": "26-59",
        "group-0-sex": "male",
        "group-0-planned": "80",
        "group-1-group": "",
        "group-1-age_band": "any",
        "group-1-sex": "any",
        "group-1-planned": "",
        "goods-TOTAL_FORMS": "1",
        "goods-INITIAL_FORMS": "0",
        "goods-0-item": "Helm SNI",
        "goods-0-quantity": "50",
        "is_public": "on",
    }
    data.update(extra)
    return data


def test_planning_through_the_form_reads_times_in_the_areas_zone(client, world):
    client.force_login(world.alice)
    assert client.get(reverse("programme-create")).status_code == 200
    response = client.post(reverse("programme-create"), _create_data(world, "2026-12-20T08:00", "2026-12-20T11:00"))
    assert response.status_code == 302
    programme = Programme.objects.get()
    zone = ZoneInfo(world.areas.bontang.timezone)
    assert programme.starts_at == datetime.datetime(2026, 12, 20, 8, 0, tzinfo=zone)
    assert programme.is_public and list(programme.partners.all()) == [world.b]
    assert [(g.group, g.planned) for g in programme.target_groups.all()] == [("workers", 80)]
    assert [(g.item, g.quantity) for g in programme.goods.all()] == [("Helm SNI", 50)]


def test_the_form_refuses_bad_rows_with_messages_not_a_server_error(client, world):
    client.force_login(world.alice)
    data = _create_data(world, "2026-12-20T11:00", "2026-12-20T08:00", **{"group-0-planned": "-3"})
    response = client.post(reverse("programme-create"), data)
    assert response.status_code == 400
    assert not Programme.objects.exists()
    data = _create_data(world, "", "", **{"group-0-group": ""})
    response = client.post(reverse("programme-create"), data)
    assert response.status_code == 400
    assert not Programme.objects.exists()


def test_the_edit_form_posted_back_unchanged_changes_nothing(client, world):
    programme = make_programme(world, is_public=True)
    before = (programme.starts_at, programme.ends_at, list(programme.target_groups.values_list("pk", "planned")))
    client.force_login(world.alice)
    response = post_rendered(client, reverse("programme-edit", args=[programme.pk]))
    assert response.status_code == 302, response.content.decode()[:2000]
    programme.refresh_from_db()
    assert (
        programme.starts_at,
        programme.ends_at,
        list(programme.target_groups.values_list("pk", "planned")),
    ) == before
    assert programme.is_public


def test_status_buttons_are_offered_only_where_the_service_would_accept_them(client, world):
    programme = make_programme(world)
    url = reverse("programme-detail", args=[programme.pk])
    client.force_login(world.alice)  # a liaison: plans, does not approve
    html = client.get(url).content.decode()
    assert 'data-testid="programme-edit"' in html and 'data-testid="programme-approve"' not in html
    client.force_login(world.carol)  # the commander
    html = client.get(url).content.decode()
    assert 'data-testid="programme-approve"' in html and 'data-testid="programme-attendance"' not in html
    assert client.post(reverse("programme-approve", args=[programme.pk])).status_code == 302
    _begun(programme)
    html = client.get(url).content.decode()
    assert 'data-testid="programme-approve"' not in html and 'data-testid="programme-attendance"' in html
    client.force_login(world.bob)  # a partner reads it, acts on nothing
    html = client.get(url).content.decode()
    assert 'data-testid="programme-title"' in html
    assert not any(
        f'data-testid="programme-{a}"' in html for a in ("edit", "approve", "attendance", "report", "cancel")
    )
    assert client.post(reverse("programme-cancel", args=[programme.pk])).status_code == 403
    client.force_login(world.charlie)
    assert client.get(url).status_code == 404


def test_attendance_and_report_pages_record_the_programme(client, world):
    programme = _begun(make_programme(world, approve=True))
    girls, boys = programme.target_groups.order_by("id")
    client.force_login(world.alice)
    url = reverse("programme-attendance", args=[programme.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {f"actual-{girls.pk}": "-1", f"actual-{boys.pk}": "30"})
    assert response.status_code == 400
    response = client.post(url, {f"actual-{girls.pk}": "58", f"actual-{boys.pk}": "30"})
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.status == "held"
    html = client.get(reverse("programme-detail", args=[programme.pk])).content.decode()
    assert "88" in html and "100" in html  # 88 attended of 100 planned
    report = reverse("programme-report", args=[programme.pk])
    assert client.post(report, {"activities": ""}).status_code == 400
    response = client.post(report, {"objectives": "Paham bahaya narkoba", "activities": "Ceramah dan tanya jawab"})
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.status == "reported"
    due = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()
    response = client.post(
        reverse("programme-action-item-add", args=[programme.pk]),
        {"description": "Ulang di SMP 3", "owner_agency": world.b.pk, "due_date": due},
    )
    assert response.status_code == 302 and programme.action_items.count() == 1


def test_the_public_pages_show_approved_public_programmes_only(client, world, django_assert_max_num_queries):
    public = make_programme(world, title="Bakti sosial Guntung", is_public=True, approve=True, kind="social_service")
    make_programme(world, title="Rahasia internal", approve=True)
    make_programme(world, title="Belum disetujui", is_public=True)
    with django_assert_max_num_queries(6):
        html = client.get(reverse("public-programme-list")).content.decode()
    assert "Bakti sosial Guntung" in html and "Rahasia internal" not in html and "Belum disetujui" not in html
    assert client.get(reverse("public-programme-detail", args=[public.pk])).status_code == 200
    for other in Programme.objects.exclude(pk=public.pk):
        assert client.get(reverse("public-programme-detail", args=[other.pk])).status_code == 404
    assert services.is_open_for_registration(public)


def test_a_citizen_registers_and_a_bot_filling_the_honeypot_is_refused(client, world):
    cache.clear()
    programme = make_programme(world, is_public=True, approve=True)
    url = reverse("public-programme-detail", args=[programme.pk])
    response = client.post(url, {"name": "Budi", "contact": "0812 5555", "website": ""})
    assert response.status_code == 302 and "terdaftar=1" in response["Location"]
    assert list(ProgrammeRegistration.objects.values_list("name", "contact")) == [("Budi", "0812 5555")]
    response = client.post(url, {"name": "Bot", "website": "http://spam.example"})
    assert response.status_code == 400
    assert ProgrammeRegistration.objects.count() == 1
    client.force_login(world.bob)  # a partner sees who registered
    assert "0812 5555" in client.get(reverse("programme-detail", args=[programme.pk])).content.decode()


def test_registrations_are_rate_limited_per_address(client, world, settings):
    cache.clear()
    settings.SINERGI_PROGRAMME_REGISTER_RATE_MINUTE = "2/minute"
    programme = make_programme(world, is_public=True, approve=True)
    url = reverse("public-programme-detail", args=[programme.pk])
    for _ in range(2):
        assert client.post(url, {"name": "Warga"}).status_code == 302
    response = client.post(url, {"name": "Warga lagi"})
    assert response.status_code == 429 and response["Retry-After"]
    assert 'value="Warga lagi"' in response.content.decode()
    assert ProgrammeRegistration.objects.count() == 2


def test_partners_find_the_approval_in_their_inbox_until_they_may_no_longer_read_it(
    client, world, django_capture_on_commit_callbacks
):
    programme = make_programme(world, title="Penyuluhan MTX inbox")
    with django_capture_on_commit_callbacks(execute=True):
        services.programme_approve(actor=world.carol, programme=programme)
    client.force_login(world.bob)
    html = client.get(reverse("inbox")).content.decode()
    assert "Penyuluhan MTX inbox" in html and reverse("programme-detail", args=[programme.pk]) in html
    programme.partners.clear()  # B is no longer a partner: the entry no longer names it
    html = client.get(reverse("inbox")).content.decode()
    assert "Penyuluhan MTX inbox" not in html
    assert reverse("programme-detail", args=[programme.pk]) not in html


def test_the_visitors_home_shows_the_next_public_programmes_and_hides_an_empty_section(client, world):
    html = client.get(reverse("dashboard")).content.decode()
    assert 'data-testid="home-programmes"' not in html  # nothing coming up: no empty block
    make_programme(world, title="Bakti sosial Guntung", is_public=True, approve=True, kind="social_service")
    make_programme(world, title="Rahasia internal", approve=True)
    html = client.get(reverse("dashboard")).content.decode()
    assert 'data-testid="home-programmes"' in html and "Bakti sosial Guntung" in html
    assert "Rahasia internal" not in html
    assert reverse("public-programme-list") in html
