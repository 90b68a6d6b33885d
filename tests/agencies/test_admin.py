"""Django admin of the agencies app, as the admin persona and as outsiders."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency, Area, Camera, Membership, Partnership, Subscription, VitalObject
from tests.factories import (
    AgencyFactory,
    AreaFactory,
    CameraFactory,
    MembershipFactory,
    PartnershipFactory,
    SubscriptionFactory,
    UserFactory,
    VitalObjectFactory,
)

pytestmark = pytest.mark.django_db

MODELS = [Area, Agency, Membership, Partnership, Subscription, VitalObject, Camera]


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.admin)
    return client


@pytest.fixture
def objects(world):
    """One row of every model, so that change pages have something to show."""
    vital = VitalObjectFactory(name="Pelabuhan Loktuan", area=world.areas.guntung, operator=world.b)
    return {
        Area: world.areas.bontang,
        Agency: world.a,
        Membership: Membership.objects.get(user=world.alice),
        Partnership: Partnership.objects.get(title="MoU A-B"),
        Subscription: SubscriptionFactory(agency=world.a, areas=[world.areas.bontang]),
        VitalObject: vital,
        Camera: CameraFactory(area=world.areas.guntung, operator=world.a, vital_object=vital),
    }


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_changelist_answers_200(admin_client, objects, model):
    response = admin_client.get(_url(model, "changelist"))

    assert response.status_code == 200
    assert objects[model] in response.context["cl"].result_list


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_add_page_answers_200(admin_client, model):
    assert admin_client.get(_url(model, "add")).status_code == 200


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_change_page_answers_200(admin_client, objects, model):
    assert admin_client.get(_url(model, "change", objects[model].pk)).status_code == 200


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_changelist_search_answers_200(admin_client, objects, model):
    assert admin_client.get(_url(model, "changelist"), {"q": "bont"}).status_code == 200


def test_the_area_changelist_search_finds_by_name(admin_client, world):
    response = admin_client.get(_url(Area, "changelist"), {"q": "bont"})

    assert response.status_code == 200
    assert {a.name for a in response.context["cl"].result_list} == {"Kota Bontang", "Bontang Utara"}


def test_the_area_changelist_search_finds_by_exact_postal_code(admin_client, world):
    response = admin_client.get(_url(Area, "changelist"), {"q": "75311"})

    assert [a.name for a in response.context["cl"].result_list] == ["Guntung"]


def test_the_area_changelist_filters_by_level(admin_client, world):
    response = admin_client.get(_url(Area, "changelist"), {"level__exact": Area.Level.REGENCY})

    assert {a.name for a in response.context["cl"].result_list} == {"Kota Bontang", "Kota Balikpapan"}


def test_the_area_changelist_skips_the_full_count(admin_client, world):
    response = admin_client.get(_url(Area, "changelist"), {"q": "bont"})

    assert response.context["cl"].show_full_result_count is False


def test_the_area_change_page_shows_path_read_only(admin_client, world):
    response = admin_client.get(_url(Area, "change", world.areas.bontang.pk))

    assert world.areas.bontang.path in response.content.decode()
    assert 'name="path"' not in response.content.decode()


def test_an_area_cannot_be_deleted_from_the_admin(admin_client, world):
    response = admin_client.post(_url(Area, "delete", world.areas.province.pk), {"post": "yes"})

    assert response.status_code == 403
    assert Area.objects.filter(pk=world.areas.province.pk).exists()


def _area_form(**overrides):
    data = {
        "name": "Kelurahan Baru",
        "level": "",
        "parent": "",
        "source_id": 777_001,
        "code": "",
        "postal_code": "",
        "timezone": "Asia/Makassar",
        "centroid_lat": "",
        "centroid_lon": "",
        "boundary": "null",
    }
    data.update(overrides)
    return data


def test_an_area_added_by_hand_gets_its_level_and_path_from_its_parent(admin_client, world):
    bontang_utara = world.areas.bontang_utara

    response = admin_client.post(_url(Area, "add"), _area_form(parent=bontang_utara.pk, postal_code="75313"))

    assert response.status_code == 302, response.context["adminform"].form.errors
    area = Area.objects.get(source_id=777_001)
    assert area.level == Area.Level.VILLAGE
    assert area.parent == bontang_utara
    assert area.path == f"{bontang_utara.path}777001/"


def test_an_area_added_without_parent_is_a_province(admin_client, world):
    response = admin_client.post(_url(Area, "add"), _area_form(name="Provinsi Baru"))

    assert response.status_code == 302, response.context["adminform"].form.errors
    area = Area.objects.get(source_id=777_001)
    assert (area.level, area.path) == (Area.Level.PROVINCE, "/777001/")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"parent": "guntung"}, "parent"),  # a village cannot have children
        ({"level": Area.Level.DISTRICT}, "parent"),  # a district needs a parent
        ({"parent": "bontang", "source_id": "duplicate"}, None),  # (level, areaid id) is unique
    ],
)
def test_an_inconsistent_area_is_refused_with_a_form_error(admin_client, world, overrides, field):
    data = {key: getattr(world.areas, value).pk if key == "parent" else value for key, value in overrides.items()}
    if data.get("source_id") == "duplicate":
        data["source_id"] = world.areas.bontang_utara.source_id
    count = Area.objects.count()

    response = admin_client.post(_url(Area, "add"), _area_form(**data))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors
    if field:
        assert field in errors
    assert Area.objects.count() == count


def test_the_autocomplete_endpoint_returns_areas_as_json(admin_client, world):
    response = admin_client.get(
        "/admin/autocomplete/",
        {"app_label": "agencies", "model_name": "agency", "field_name": "jurisdiction", "term": "bont"},
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    payload = response.json()
    assert {r["text"] for r in payload["results"]} == {"Kota Bontang", "Bontang Utara"}
    assert {r["id"] for r in payload["results"]} == {str(world.areas.bontang.pk), str(world.areas.bontang_utara.pk)}
    assert payload["pagination"] == {"more": False}


@pytest.mark.parametrize(
    ("model_name", "field_name", "term", "expected"),
    [
        ("camera", "area", "guntung", "Guntung"),
        ("camera", "operator", "polres", "Polres Bontang"),
        ("membership", "user", "alice", "alice"),
        ("vitalobject", "guarding_agencies", "damkar", "Damkar Balikpapan"),
        # Every word must match, in any order; regencies come before their districts.
        ("subscription", "areas", "balikpapan kota", ["Kota Balikpapan", "Balikpapan Kota"]),
    ],
)
def test_every_autocomplete_field_answers(admin_client, world, model_name, field_name, term, expected):
    response = admin_client.get(
        "/admin/autocomplete/",
        {"app_label": "agencies", "model_name": model_name, "field_name": field_name, "term": term},
    )

    assert response.status_code == 200
    expected = expected if isinstance(expected, list) else [expected]
    assert [r["text"] for r in response.json()["results"]] == expected


def test_area_fields_never_render_every_area_into_the_page(admin_client, world):
    for n in range(200):
        AreaFactory(name=f"Desa Contoh {n}", parent=world.areas.bontang_utara)

    for model in (Agency, Subscription, VitalObject, Camera):
        html = admin_client.get(_url(model, "add")).content.decode()
        assert "Desa Contoh" not in html, model
        assert "admin-autocomplete" in html, model


def test_the_agency_change_page_edits_memberships_inline_with_autocomplete_users(admin_client, world):
    html = admin_client.get(_url(Agency, "change", world.a.pk)).content.decode()

    assert 'name="memberships-TOTAL_FORMS"' in html
    user_select = re.search(r'<select name="memberships-0-user"[^>]*>', html)
    assert user_select is not None
    assert "admin-autocomplete" in user_select.group(0)
    assert 'data-field-name="user"' in user_select.group(0)


@pytest.mark.parametrize("user", ["alice", "nobody"])
def test_a_non_staff_user_is_redirected_from_the_admin(client, world, user):
    client.force_login(getattr(world, user))

    for url in ("/admin/", _url(Agency, "changelist"), _url(Area, "add"), "/admin/autocomplete/?term=bont"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/"), url


def test_an_anonymous_visitor_is_redirected_from_the_admin(client, world):
    response = client.get(_url(Camera, "changelist"))

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def _changelist_queries(client, model):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(_url(model, "changelist"))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _make_agencies(world, n):
    for _ in range(n):
        AgencyFactory(parent=world.a, headquarters_area=world.areas.bontang, jurisdiction=[world.areas.bontang])


def _make_cameras(world, n):
    vital = VitalObjectFactory(area=world.areas.guntung, operator=world.b)
    for _ in range(n):
        CameraFactory(
            area=world.areas.guntung,
            operator=AgencyFactory(),
            vital_object=vital,
            last_seen_at=timezone.now() - timedelta(minutes=3),
        )


def _make_memberships(world, n):
    for _ in range(n):
        MembershipFactory(agency=AgencyFactory())


def _make_subscriptions(world, n):
    for _ in range(n):
        SubscriptionFactory(agency=AgencyFactory(), areas=[world.areas.bontang])


def _make_vital_objects(world, n):
    for _ in range(n):
        VitalObjectFactory(area=world.areas.guntung)


def _make_partnerships(world, n):
    for _ in range(n):
        PartnershipFactory(agencies=[world.a, AgencyFactory()])


def _make_areas(world, n):
    for n_ in range(n):
        AreaFactory(name=f"Desa {n_}", parent=AreaFactory(name=f"Kecamatan {n_}", parent=world.areas.bontang))


@pytest.mark.parametrize(
    ("model", "make"),
    [
        (Agency, _make_agencies),
        (Camera, _make_cameras),
        (Membership, _make_memberships),
        (Subscription, _make_subscriptions),
        (VitalObject, _make_vital_objects),
        (Partnership, _make_partnerships),
        (Area, _make_areas),
    ],
    ids=lambda v: getattr(v, "__name__", ""),
)
def test_changelist_queries_do_not_grow_with_rows(admin_client, world, model, make):
    make(world, 3)
    few = _changelist_queries(admin_client, model)

    make(world, 40)
    many = _changelist_queries(admin_client, model)

    assert many == few
    assert many <= 8


def test_a_staff_user_without_permissions_cannot_see_the_agency_changelist(client, world):
    staff = UserFactory(username="intern", is_staff=True)
    client.force_login(staff)

    assert client.get(_url(Agency, "changelist")).status_code == 403
