"""The dashboard pages of the agencies app, tried by each persona of tests/conftest.py.

alice (liaison of A), bob (liaison of B, A's partner), charlie (liaison of C, an outsider),
nobody (signed in, no agency), admin (staff) and the anonymous visitor.
"""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse

from agencies.models import Agency, Camera, Membership
from tests.factories import (
    AgencyFactory,
    AreaFactory,
    CameraFactory,
    MembershipFactory,
    PartnershipFactory,
    VitalObjectFactory,
)

pytestmark = pytest.mark.django_db

MEMBER_PHONE = "+6281234567890"  # MembershipFactory's phone: private to the member's agency
DUTY_PHONE = "+62 548 21110"  # AgencyFactory's duty phone: shared with every member agency


def _urls(world):
    """The signed-in pages of this app (`/` shows the anonymous visitor the public page instead,
    tests/coordination/desk/test_home.py)."""
    return [
        reverse("agency-list"),
        reverse("agency-detail", args=[world.a.pk]),
        reverse("area-browser"),
        reverse("area-detail", args=[world.areas.bontang.pk]),
    ]


def _htmx(client, url, **params):
    return client.get(url, params, HTTP_HX_REQUEST="true")


# --- Anonymous -----------------------------------------------------------------------------


def test_every_page_sends_the_anonymous_visitor_to_the_login_page(client, world):
    for url in _urls(world):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"{reverse('login')}?next={url}"


def test_the_login_page_renders_a_styled_form(client, world):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="username"' in body
    assert 'type="password"' in body
    assert 'class="form-control' in body
    assert reverse("password_reset") in body


def test_alice_logs_in_through_the_form_and_lands_on_the_dashboard(client, world):
    response = client.post(reverse("login"), {"username": "alice", "password": "correct-horse-battery"})
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
    assert "Polres Bontang" in client.get(reverse("dashboard")).content.decode()


def test_a_wrong_password_shows_an_error_and_no_session(client, world):
    response = client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    assert response.status_code == 200
    assert "alert-danger" in response.content.decode()
    assert client.get(reverse("agency-list")).status_code == 302


def test_logout_is_a_post_that_ends_the_session(client, world):
    client.force_login(world.alice)
    assert reverse("logout") in client.get(reverse("dashboard")).content.decode()
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("agency-list")).status_code == 302


def test_password_reset_mails_a_link_that_opens_the_new_password_form(client, world):
    response = client.post(reverse("password_reset"), {"email": "alice@example.test"})
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@example.test"]
    assert "\n" not in message.subject
    link = re.search(r"https?://\S+/accounts/reset/\S+/", message.body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    confirm = client.get("/" + path, follow=True)
    assert confirm.status_code == 200
    assert 'name="new_password1"' in confirm.content.decode()


def test_password_change_form_renders_for_a_signed_in_user(client, world):
    client.force_login(world.alice)
    response = client.get(reverse("password_change"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="old_password"' in body
    assert 'name="new_password2"' in body


# --- Base layout ---------------------------------------------------------------------------


def test_the_navbar_shows_the_users_agency_and_role_and_a_post_logout(client, world):
    client.force_login(world.alice)
    body = client.get(reverse("area-browser")).content.decode()
    assert "Sinergi" in body
    assert "Polres Bontang" in body
    assert "Penghubung" in body  # Liaison, in the default language
    assert "/api/v1/docs/" in body
    assert reverse("admin:index") not in body
    assert re.search(r'<form method="post" action="/accounts/logout/"', body)


def test_the_navbar_links_the_admin_for_staff_only(client, world):
    client.force_login(world.admin)
    assert reverse("admin:index") in client.get(reverse("dashboard")).content.decode()


def test_htmx_requests_carry_the_csrf_token(client, world):
    client.force_login(world.alice)
    body = client.get(reverse("dashboard")).content.decode()
    assert re.search(r"hx-headers='\{\"X-CSRFToken\": \"[A-Za-z0-9]+\"\}'", body)
    assert "vendor/htmx/htmx.min.js" in body
    assert "vendor/bootstrap/css/bootstrap.min.css" in body


def test_pages_are_in_bahasa_indonesia_by_default(client, world):
    client.force_login(world.alice)
    assert '<html lang="id">' in client.get(reverse("dashboard")).content.decode()


def test_the_language_switch_turns_pages_to_english(client, world):
    client.force_login(world.alice)
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("agency-list")})
    assert response.status_code == 302
    assert response["Location"] == reverse("agency-list")
    body = client.get(reverse("agency-list")).content.decode()
    assert '<html lang="en">' in body
    assert ">Log out<" in body


# --- Dashboard -----------------------------------------------------------------------------


def test_the_dashboard_shows_alices_agency_role_duty_contact_and_partners(client, world):
    world.a.duty_email = "piket@polres-bontang.test"
    world.a.duty_radio = "Ch 7 (Polri)"
    world.a.save()
    client.force_login(world.alice)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    cards = response.context["cards"]
    assert [card.agency.name for card in cards] == ["Polres Bontang"]
    assert cards[0].membership.role == Membership.Role.LIAISON
    assert cards[0].agency.member_count == 3
    assert [p.name for p in cards[0].partners] == ["BPBD Bontang"]
    body = response.content.decode()
    for text in (
        "Polres Bontang",
        "Penghubung",
        DUTY_PHONE,
        "piket@polres-bontang.test",
        "Ch 7 (Polri)",
        "BPBD Bontang",
    ):
        assert text in body
    assert "Damkar Balikpapan" not in body


def test_the_dashboard_leaves_out_a_partnership_no_longer_in_force(client, world):
    old = PartnershipFactory(
        title="Expired MoU",
        agencies=[world.a, world.c],
        valid_from=datetime.date(2020, 1, 1),
        valid_until=datetime.date(2021, 1, 1),
    )
    client.force_login(world.alice)
    cards = client.get(reverse("dashboard")).context["cards"]
    assert [p.name for p in cards[0].partners] == ["BPBD Bontang"]
    assert old.title not in client.get(reverse("dashboard")).content.decode()


def test_the_dashboard_explains_to_nobody_why_it_is_empty(client, world):
    client.force_login(world.nobody)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="not-member"' in body
    for name in ("Polres Bontang", "BPBD Bontang", "Damkar Balikpapan"):
        assert name not in body


def test_the_dashboard_tells_staff_without_an_agency_what_they_see(client, world):
    client.force_login(world.admin)
    body = client.get(reverse("dashboard")).content.decode()
    assert 'data-testid="not-member"' not in body
    assert reverse("agency-list") in body


# --- Agency directory ----------------------------------------------------------------------


def _names(response):
    return [agency.name for agency in response.context["page"].object_list]


@pytest.mark.parametrize("persona", ["alice", "bob", "charlie", "admin"])
def test_every_member_sees_the_whole_directory(client, world, persona):
    client.force_login(getattr(world, persona))
    response = client.get(reverse("agency-list"))
    assert response.status_code == 200
    assert _names(response) == ["BPBD Bontang", "Damkar Balikpapan", "Polres Bontang"]
    body = response.content.decode()
    assert DUTY_PHONE in body
    assert "3 anggota" in body  # 3 members


def test_nobody_gets_an_explained_empty_directory(client, world):
    client.force_login(world.nobody)
    response = client.get(reverse("agency-list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="not-member"' in body
    for name in ("Polres Bontang", "BPBD Bontang", "Damkar Balikpapan"):
        assert name not in body


def test_an_htmx_request_gets_only_the_results_partial(client, world):
    client.force_login(world.alice)
    response = _htmx(client, reverse("agency-list"), kind="police")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assert '<nav class="navbar' not in body
    assert "Polres Bontang" in body
    assert "BPBD Bontang" not in body
    assert "HX-Request" in response["Vary"]


def test_a_history_restore_request_gets_the_whole_page(client, world):
    client.force_login(world.alice)
    response = client.get(
        reverse("agency-list"), {"kind": "police"}, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in response.content.decode()


def test_the_kind_filter_narrows_the_directory(client, world):
    client.force_login(world.alice)
    assert _names(client.get(reverse("agency-list"), {"kind": "fire"})) == ["Damkar Balikpapan"]


def test_the_search_filter_matches_name_or_code(client, world):
    client.force_login(world.alice)
    assert _names(client.get(reverse("agency-list"), {"search": "bontang"})) == ["BPBD Bontang", "Polres Bontang"]
    assert _names(client.get(reverse("agency-list"), {"search": "damkar-bal"})) == ["Damkar Balikpapan"]


def test_the_area_filter_keeps_agencies_covering_or_inside_the_regency(client, world):
    district_unit = AgencyFactory(name="Polsek Bontang Utara", jurisdiction=[world.areas.bontang_utara])
    client.force_login(world.alice)
    names = _names(client.get(reverse("agency-list"), {"area": world.areas.bontang.pk}))
    assert names == ["BPBD Bontang", "Polres Bontang", district_unit.name]
    assert _names(client.get(reverse("agency-list"), {"area": world.areas.balikpapan.pk})) == ["Damkar Balikpapan"]


def test_filters_combine(client, world):
    client.force_login(world.alice)
    response = client.get(reverse("agency-list"), {"area": world.areas.bontang.pk, "kind": "disaster"})
    assert _names(response) == ["BPBD Bontang"]


def test_the_active_filter_tells_inactive_agencies_apart(client, world):
    AgencyFactory(name="Koramil Lama", kind=Agency.Kind.MILITARY, is_active=False)
    client.force_login(world.alice)
    assert _names(client.get(reverse("agency-list"), {"is_active": "false"})) == ["Koramil Lama"]
    assert "Koramil Lama" not in _names(client.get(reverse("agency-list"), {"is_active": "true"}))
    assert "Koramil Lama" in _names(client.get(reverse("agency-list")))


def test_the_area_filter_offers_regencies_and_cities_only(client, world):
    client.force_login(world.alice)
    body = client.get(reverse("agency-list")).content.decode()
    select = re.search(r'<select name="area".*?</select>', body, re.S).group(0)
    assert f'value="{world.areas.bontang.pk}"' in select
    assert f'value="{world.areas.balikpapan.pk}"' in select
    for area in (world.areas.province, world.areas.bontang_utara, world.areas.guntung):
        assert f'value="{area.pk}"' not in select
    assert '<optgroup label="Kalimantan Timur">' in select


def test_unknown_filter_values_do_not_break_the_page(client, world):
    client.force_login(world.alice)
    response = client.get(reverse("agency-list"), {"kind": "pirates", "area": "x", "is_active": "maybe", "page": "z"})
    assert response.status_code == 200
    assert len(_names(response)) == 3


def test_the_directory_is_paginated(client, world):
    AgencyFactory.create_batch(25, kind=Agency.Kind.COMMUNITY)
    client.force_login(world.alice)
    first = client.get(reverse("agency-list"))
    assert len(_names(first)) == 20
    assert first.context["page"].paginator.count == 28
    second = client.get(reverse("agency-list"), {"page": 2})
    assert len(_names(second)) == 8
    assert not set(_names(first)) & set(_names(second))


def test_the_directory_page_links_keep_the_filters(client, world):
    AgencyFactory.create_batch(25, kind=Agency.Kind.COMMUNITY)
    client.force_login(world.alice)
    body = _htmx(client, reverse("agency-list"), kind="community").content.decode()
    assert 'hx-get="/agencies/?kind=community&amp;page=2"' in body


def test_the_directory_needs_a_bounded_number_of_queries(client, world, django_assert_max_num_queries):
    for i in range(30):
        agency = AgencyFactory(name=f"Pos {i:02}", jurisdiction=[world.areas.bontang, world.areas.balikpapan])
        MembershipFactory.create_batch(2, agency=agency)
    client.force_login(world.alice)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("agency-list"), {"area": world.areas.bontang.pk})
    assert response.context["page"].paginator.count == 32
    with django_assert_max_num_queries(10):
        _htmx(client, reverse("agency-list"), page=2)


# --- Agency detail -------------------------------------------------------------------------


def test_alice_sees_her_agency_with_members_and_their_phones(client, world):
    client.force_login(world.alice)
    response = client.get(reverse("agency-detail", args=[world.a.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert DUTY_PHONE in body
    assert MEMBER_PHONE in body
    assert "alice@example.test" in body
    for user in (world.alice, world.carol, world.vera):
        assert user.get_full_name() in body
    roles = [row.membership.role for row in response.context["members"]]
    assert roles == ["commander", "liaison", "viewer"]


@pytest.mark.parametrize("persona", ["bob", "charlie"])
def test_other_agencies_members_see_the_agency_but_not_its_members_phones(client, world, persona):
    client.force_login(getattr(world, persona))
    response = client.get(reverse("agency-detail", args=[world.a.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Polres Bontang" in body
    assert DUTY_PHONE in body
    assert world.carol.get_full_name() in body
    assert MEMBER_PHONE not in body
    assert "alice@example.test" not in body


def test_staff_see_members_phones(client, world):
    client.force_login(world.admin)
    assert MEMBER_PHONE in client.get(reverse("agency-detail", args=[world.a.pk])).content.decode()


def test_nobody_gets_404_for_an_agency(client, world):
    client.force_login(world.nobody)
    response = client.get(reverse("agency-detail", args=[world.a.pk]))
    assert response.status_code == 404
    assert "Polres Bontang" not in response.content.decode()


def test_an_unknown_agency_is_404(client, world):
    client.force_login(world.alice)
    assert client.get(reverse("agency-detail", args=[999_999])).status_code == 404


def test_the_agency_page_shows_structure_jurisdiction_and_partnerships(client, world):
    polda = AgencyFactory(name="Polda Kaltim", jurisdiction=[world.areas.province])
    world.a.parent = polda
    world.a.headquarters_area = world.areas.bontang_utara
    world.a.address = "Jl. Bhayangkara No. 1"
    world.a.save()
    polsek = AgencyFactory(name="Polsek Bontang Utara", parent=world.a)
    PartnershipFactory(
        title="Patroli bersama",
        reference="MoU/12/2025",
        agencies=[world.a, world.c],
        information_sharing=False,
        joint_patrol=True,
        training=True,
        valid_from=datetime.date(2020, 1, 1),
        valid_until=datetime.date(2021, 1, 1),
    )
    client.force_login(world.bob)
    body = client.get(reverse("agency-detail", args=[world.a.pk])).content.decode()
    for text in (
        polda.name,
        polsek.name,
        "Kota Bontang",
        "Bontang Utara",
        "Jl. Bhayangkara No. 1",
        "MoU A-B",
        "Berbagi informasi",  # Information sharing
        "Berlaku",  # In force
        "Patroli bersama",
        "MoU/12/2025",
        "Patroli gabungan",  # Joint patrol
        "Pelatihan",  # Training
        "Tidak berlaku",  # Not in force
        "1 Jan 2020",
    ):
        assert text in body, text


def test_the_agency_page_lists_vital_objects_operated_and_guarded_and_cameras(client, world):
    company = AgencyFactory(name="PT Pupuk Kaltim", kind=Agency.Kind.COMPANY)
    plant = VitalObjectFactory(name="Pabrik Pupuk 5", area=world.areas.guntung, operator=company, is_national=True)
    plant.guarding_agencies.set([world.a])
    port = VitalObjectFactory(name="Pelabuhan Lok Tuan", area=world.areas.guntung, operator=world.c)
    CameraFactory(code="cam-pkt-1", name="Gerbang utama", area=world.areas.guntung, operator=world.a)
    CameraFactory(code="cam-other", name="Elsewhere", area=world.areas.guntung, operator=world.c)
    client.force_login(world.alice)
    response = client.get(reverse("agency-detail", args=[world.a.pk]))
    body = response.content.decode()
    assert "Pabrik Pupuk 5" in body
    assert "Mengamankan" in body  # Guards it
    assert port.name not in body
    assert "cam-pkt-1" in body
    assert "Gerbang utama" in body
    assert "cam-other" not in body
    assert response.context["camera_count"] == 1
    operator_body = client.get(reverse("agency-detail", args=[world.c.pk])).content.decode()
    assert port.name in operator_body
    assert "Pengelola" in operator_body  # Operator


def test_the_agency_page_needs_a_bounded_number_of_queries(client, world, django_assert_max_num_queries):
    for _ in range(30):
        MembershipFactory(agency=world.a, role=Membership.Role.PLANNER)
    for i in range(10):
        partner = AgencyFactory(name=f"Partner {i}")
        PartnershipFactory(agencies=[world.a, partner], joint_patrol=True)
        vo = VitalObjectFactory(area=world.areas.guntung, operator=partner)
        vo.guarding_agencies.set([world.a, partner])
        CameraFactory(area=world.areas.guntung, operator=world.a, status=Camera.Status.OFFLINE)
        AgencyFactory(parent=world.a)
    world.a.jurisdiction.add(world.areas.bontang_utara, world.areas.guntung)
    client.force_login(world.bob)
    # 18: the partnerships' answers (one prefetch) and the roles the Accept/End predicates read (once).
    with django_assert_max_num_queries(18):
        response = client.get(reverse("agency-detail", args=[world.a.pk]))
    assert len(response.context["members"]) == 33
    assert len(response.context["partnerships"]) == 11
    assert len(response.context["vital_objects"]) == 10


# --- Area browser --------------------------------------------------------------------------


def test_the_area_browser_starts_at_the_provinces(client, world):
    AreaFactory(name="Jawa Timur")
    client.force_login(world.nobody)  # areas are reference data for every signed-in user
    response = client.get(reverse("area-browser"))
    assert response.status_code == 200
    assert [a.name for a in response.context["page"].object_list] == ["Jawa Timur", "Kalimantan Timur"]
    body = response.content.decode()
    assert "2 kabupaten/kota" in body  # 2 regencies/cities
    assert "WITA" in body


def test_the_area_search_finds_areas_at_every_level_through_htmx(client, world):
    client.force_login(world.alice)
    response = _htmx(client, reverse("area-browser"), q="bontang")
    body = response.content.decode()
    assert "<html" not in body
    assert [a.name for a in response.context["page"].object_list] == ["Kota Bontang", "Bontang Utara"]
    assert "Kota Balikpapan" not in body


def test_the_area_search_narrows_to_a_level(client, world):
    client.force_login(world.alice)
    response = client.get(reverse("area-browser"), {"q": "bontang", "level": 3})
    assert [a.name for a in response.context["page"].object_list] == ["Bontang Utara"]


def test_an_area_page_shows_breadcrumbs_time_zone_and_postal_code(client, world):
    client.force_login(world.alice)
    response = client.get(reverse("area-detail", args=[world.areas.guntung.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    crumbs = re.search(r'data-testid="area-breadcrumb">(.*?)</ol>', body, re.S).group(1)
    assert re.search(r"Kalimantan Timur.*Kota Bontang.*Bontang Utara.*Guntung", crumbs, re.S)
    assert "WITA" in body
    assert "75311" in body


def test_an_area_page_lists_the_agencies_whose_jurisdiction_covers_it(client, world):
    client.force_login(world.alice)
    response = client.get(reverse("area-detail", args=[world.areas.guntung.pk]))
    assert [a.name for a in response.context["covering_agencies"]] == ["BPBD Bontang", "Polres Bontang"]
    assert "Damkar Balikpapan" not in response.content.decode()


def test_nobody_sees_the_area_but_not_the_agencies_covering_it(client, world):
    client.force_login(world.nobody)
    response = client.get(reverse("area-detail", args=[world.areas.guntung.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Guntung" in body
    assert "Polres Bontang" not in body


def test_an_area_page_paginates_its_children(client, world):
    for i in range(35):
        AreaFactory(name=f"Desa {i:02}", parent=world.areas.bontang_utara)
    client.force_login(world.alice)
    url = reverse("area-detail", args=[world.areas.bontang_utara.pk])
    first = client.get(url)
    assert first.context["page"].paginator.count == 36
    assert len(first.context["page"].object_list) == 30
    second = _htmx(client, url, page=2)
    assert "<html" not in second.content.decode()
    assert [a.name for a in second.context["page"].object_list] == [
        "Desa 30",
        "Desa 31",
        "Desa 32",
        "Desa 33",
        "Desa 34",
        "Guntung",
    ]


def test_the_search_inside_an_area_stays_inside_it(client, world):
    client.force_login(world.alice)
    response = _htmx(client, reverse("area-detail", args=[world.areas.bontang.pk]), q="g")
    names = [a.name for a in response.context["page"].object_list]
    assert names == ["Bontang Utara", "Guntung"]
    assert "Balikpapan Kota" not in response.content.decode()


def test_an_unknown_area_is_404(client, world):
    client.force_login(world.alice)
    assert client.get(reverse("area-detail", args=[999_999])).status_code == 404


def test_the_area_pages_need_a_bounded_number_of_queries(client, world, django_assert_max_num_queries):
    for i in range(40):
        AreaFactory(name=f"Kelurahan {i:02}", parent=world.areas.bontang_utara)
    client.force_login(world.alice)
    with django_assert_max_num_queries(12):
        client.get(reverse("area-detail", args=[world.areas.bontang_utara.pk]))
    with django_assert_max_num_queries(10):
        client.get(reverse("area-browser"), {"q": "kelurahan"})
