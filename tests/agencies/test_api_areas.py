"""/api/v1/areas/: reference data for every signed-in user, read-only, filterable, paginated."""

from decimal import Decimal

import pytest
from django.urls import reverse

from agencies.models import Area
from tests.factories import AreaFactory

LIST = reverse("api-area-list")


def detail(pk):
    return reverse("api-area-detail", args=[pk])


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def client(api_as, world):
    return api_as(world.nobody)


def test_descendants_of_returns_the_whole_subtree_without_the_area_itself(client, areas):
    response = client.get(LIST, {"descendants_of": areas.bontang.pk})

    assert ids(response) == {areas.bontang_utara.pk, areas.guntung.pk}


def test_descendants_of_a_province_returns_every_level_below_it(client, areas):
    response = client.get(LIST, {"descendants_of": areas.province.pk})

    assert ids(response) == {
        areas.bontang.pk,
        areas.bontang_utara.pk,
        areas.guntung.pk,
        areas.balikpapan.pk,
        areas.balikpapan_kota.pk,
    }


def test_descendants_of_a_village_is_empty(client, areas):
    assert ids(client.get(LIST, {"descendants_of": areas.guntung.pk})) == set()


def test_descendants_of_does_not_match_a_sibling_whose_id_shares_a_prefix(client, areas):
    # "/12/" starts with "/1" but not with "/1/": the trailing slash of the path keeps them apart.
    root = AreaFactory(source_id=1, path="/1/")
    lookalike = AreaFactory(source_id=12, path="/12/")
    child = AreaFactory(source_id=13, parent=root, path="/1/13/")

    result = ids(client.get(LIST, {"descendants_of": root.pk}))

    assert result == {child.pk}
    assert lookalike.pk not in result


def test_descendants_of_an_unknown_area_answers_400(client, areas):
    response = client.get(LIST, {"descendants_of": 987654})

    assert response.status_code == 400
    assert "descendants_of" in response.json()


def test_level_filter_returns_only_that_level(client, areas):
    assert ids(client.get(LIST, {"level": Area.Level.REGENCY})) == {areas.bontang.pk, areas.balikpapan.pk}


def test_an_unknown_level_answers_400(client, areas):
    response = client.get(LIST, {"level": 9})

    assert response.status_code == 400
    assert "level" in response.json()


def test_parent_filter_returns_direct_children_only(client, areas):
    assert ids(client.get(LIST, {"parent": areas.province.pk})) == {areas.bontang.pk, areas.balikpapan.pk}


def test_name_filter_matches_part_of_the_name_in_any_case(client, areas):
    assert ids(client.get(LIST, {"name": "bONTANG"})) == {areas.bontang.pk, areas.bontang_utara.pk}


def test_code_filter_matches_the_code_exactly(client, areas):
    assert ids(client.get(LIST, {"code": "bpp"})) == {areas.balikpapan.pk}


def test_filters_combine(client, areas):
    response = client.get(LIST, {"descendants_of": areas.province.pk, "name": "kota"})

    assert ids(response) == {areas.bontang.pk, areas.balikpapan.pk, areas.balikpapan_kota.pk}


def test_ordering_by_name_descending(client, areas):
    response = client.get(LIST, {"parent": areas.province.pk, "ordering": "-name"})

    assert [row["name"] for row in response.json()["results"]] == ["Kota Bontang", "Kota Balikpapan"]


def test_list_rows_carry_parent_name_code_postal_code_and_timezone(client, areas):
    row = client.get(LIST, {"name": "Guntung"}).json()["results"][0]

    assert row["parent"] == areas.bontang_utara.pk
    assert row["parent_name"] == "Bontang Utara"
    assert row["postal_code"] == "75311"
    assert row["timezone"] == "Asia/Makassar"
    assert row["level"] == Area.Level.VILLAGE
    assert row["centroid"] is None
    assert "ancestors" not in row


def test_detail_lists_ancestors_root_first(client, areas):
    body = client.get(detail(areas.guntung.pk)).json()

    assert [a["id"] for a in body["ancestors"]] == [areas.province.pk, areas.bontang.pk, areas.bontang_utara.pk]
    assert body["ancestors"][0] == {"id": areas.province.pk, "name": "Kalimantan Timur", "level": 1}


def test_detail_of_a_province_has_no_parent_and_no_ancestors(client, areas):
    body = client.get(detail(areas.province.pk)).json()

    assert body["parent"] is None
    assert body["parent_name"] is None
    assert body["ancestors"] == []
    assert body["code"] == "ID-KI"


def test_detail_shows_the_centroid_as_numbers(client, areas):
    Area.objects.filter(pk=areas.bontang.pk).update(centroid_lat=Decimal("0.133300"), centroid_lon=Decimal("117.5"))

    body = client.get(detail(areas.bontang.pk)).json()

    assert body["centroid"] == {"lat": 0.1333, "lon": 117.5}


def test_an_unknown_area_answers_404(client, areas):
    assert client.get(detail(987654)).status_code == 404


def test_areas_are_read_only_even_for_staff(api_as, world):
    response = api_as(world.admin).post(LIST, {"name": "Atlantis"}, format="json")

    assert response.status_code == 405
    assert not Area.objects.filter(name="Atlantis").exists()


def test_listing_many_areas_takes_a_bounded_number_of_queries(client, areas, django_assert_max_num_queries):
    for i in range(40):
        AreaFactory(parent=areas.bontang_utara, name=f"Desa {i}")

    with django_assert_max_num_queries(3):
        response = client.get(LIST, {"page_size": 200})

    assert len(response.json()["results"]) == 46
