"""Centroids of districts, regencies/cities and provinces rolled up from their children.

areaid carries no coordinates: what rolls up is what was given lower down (villages or districts
placed by an admin, the demo seed, a later data set). Run on the real Kalimantan Timur data.
"""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from agencies.area_import import import_province, rollup_centroids
from agencies.models import Area

pytestmark = pytest.mark.django_db


@pytest.fixture
def kaltim():
    import_province("Kalimantan Timur")
    return Area.objects.get(level=Area.Level.PROVINCE, name="Kalimantan Timur")


def _area(name, level):
    return Area.objects.get(name=name, level=level)


def _place(area, lat, lon):
    Area.objects.filter(pk=area.pk).update(centroid_lat=Decimal(lat), centroid_lon=Decimal(lon))


def _centre(area):
    area.refresh_from_db()
    return (area.centroid_lat, area.centroid_lon)


def _villages(district):
    return list(Area.objects.filter(parent=district).order_by("name"))


def test_a_district_gets_the_mean_of_its_villages_and_it_rolls_up_to_the_province(kaltim):
    district = _area("Bontang Utara", Area.Level.DISTRICT)
    a, b = _villages(district)[:2]
    _place(a, "0.100000", "117.400000")
    _place(b, "0.200000", "117.500000")
    written = rollup_centroids()
    assert written == 3  # the district, Kota Bontang, Kalimantan Timur
    assert _centre(district) == (Decimal("0.150000"), Decimal("117.450000"))
    regency = _area("Kota Bontang", Area.Level.REGENCY)
    assert _centre(regency) == (Decimal("0.150000"), Decimal("117.450000"))
    assert _centre(kaltim) == (Decimal("0.150000"), Decimal("117.450000"))
    district.refresh_from_db()
    assert district.centroid_derived
    # A district none of whose villages is placed stays unknown.
    assert _centre(_area("Bontang Selatan", Area.Level.DISTRICT)) == (None, None)


def test_a_regency_is_the_mean_of_its_districts_not_of_their_villages(kaltim):
    utara = _area("Bontang Utara", Area.Level.DISTRICT)
    selatan = _area("Bontang Selatan", Area.Level.DISTRICT)
    for village in _villages(utara)[:3]:
        _place(village, "0.300000", "117.300000")
    _place(selatan, "0.100000", "117.500000")  # given on the district itself
    rollup_centroids()
    assert _centre(_area("Kota Bontang", Area.Level.REGENCY)) == (Decimal("0.200000"), Decimal("117.400000"))


def test_a_given_centroid_is_never_overwritten_and_a_derived_one_follows_its_children(kaltim):
    regency = _area("Kota Bontang", Area.Level.REGENCY)
    _place(regency, "0.133300", "117.500000")  # given (the seed, an admin)
    district = _area("Bontang Barat", Area.Level.DISTRICT)
    village = _villages(district)[0]
    _place(village, "0.120000", "117.440000")
    rollup_centroids()
    assert _centre(regency) == (Decimal("0.133300"), Decimal("117.500000"))
    assert _centre(district) == (Decimal("0.120000"), Decimal("117.440000"))

    _place(village, "0.140000", "117.460000")  # the village moves: the district follows
    rollup_centroids()
    assert _centre(district) == (Decimal("0.140000"), Decimal("117.460000"))

    Area.objects.filter(pk=village.pk).update(centroid_lat=None, centroid_lon=None)
    rollup_centroids()  # no child is placed any more: the derived centre goes
    assert _centre(district) == (None, None)
    assert _centre(regency) == (Decimal("0.133300"), Decimal("117.500000"))


def test_a_second_roll_up_changes_nothing(kaltim):
    for i, village in enumerate(Area.objects.filter(level=Area.Level.VILLAGE).order_by("pk")[:50]):
        _place(village, f"{-1 + i / 100:.6f}", f"{116 + i / 50:.6f}")
    rollup_centroids()
    before = list(Area.objects.order_by("pk").values_list("pk", "centroid_lat", "centroid_lon", "centroid_derived"))
    rollup_centroids()
    after = list(Area.objects.order_by("pk").values_list("pk", "centroid_lat", "centroid_lon", "centroid_derived"))
    assert after == before
    assert Area.objects.filter(level=Area.Level.PROVINCE, centroid_lat__isnull=False).count() == 1


def test_the_roll_up_is_a_few_queries_whatever_the_number_of_areas(kaltim, django_assert_max_num_queries):
    for village in Area.objects.filter(level=Area.Level.VILLAGE)[:300]:
        _place(village, "-0.500000", "116.900000")
    with django_assert_max_num_queries(6):  # two UPDATEs a level
        rollup_centroids()
    assert Area.objects.filter(level=Area.Level.DISTRICT, centroid_derived=True).count() > 10


def test_import_areas_rolls_the_centroids_up(kaltim):
    village = _villages(_area("Bontang Utara", Area.Level.DISTRICT))[0]
    _place(village, "0.170000", "117.480000")
    out = StringIO()
    call_command("import_areas", province=["Kalimantan Timur"], verbosity=0, stdout=out, stderr=StringIO())
    assert "3 centroid(s) derived" in out.getvalue()
    assert _centre(_area("Kota Bontang", Area.Level.REGENCY)) == (Decimal("0.170000"), Decimal("117.480000"))


def test_a_centroid_typed_in_the_admin_is_given(kaltim, admin_client):
    district = _area("Bontang Utara", Area.Level.DISTRICT)
    _place(_villages(district)[0], "0.170000", "117.480000")
    rollup_centroids()
    page = admin_client.get(f"/admin/agencies/area/{district.pk}/change/")
    form = page.context["adminform"].form
    data = {k: ("" if v is None else v) for k, v in form.initial.items() if k in form.fields}
    data.update(centroid_lat="0.155000", centroid_lon="117.485000", boundary="")
    response = admin_client.post(f"/admin/agencies/area/{district.pk}/change/", data)
    assert response.status_code == 302, getattr(response, "context", None) and response.context["adminform"].form.errors
    rollup_centroids()
    district.refresh_from_db()
    assert not district.centroid_derived
    assert _centre(district) == (Decimal("0.155000"), Decimal("117.485000"))


def test_picking_a_district_whose_villages_are_placed_gives_the_map_its_centre(client, world):
    """The area picker's option carries the rolled-up centre: the form's map moves there."""
    _place(world.areas.guntung, "0.176000", "117.471000")
    rollup_centroids()
    client.force_login(world.alice)
    html = client.get("/incidents/areas/", {"q": "Bontang Utara"}).content.decode()
    option = html[html.index(f'data-area-id="{world.areas.bontang_utara.pk}"') :]
    option = option[: option.index(">")]
    assert 'data-lat="0.176000" data-lon="117.471000"' in option
