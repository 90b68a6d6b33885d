"""Province codes are ISO 3166-2:ID, not areaid's BSNI codes (DKI Jakarta is ID-JK, not ID-JB)."""

import copy
from importlib import import_module

import pytest
from django.apps import apps as global_apps

from agencies import area_import
from agencies.area_import import import_province, province_names
from agencies.models import Area
from agencies.provinces import ISO_3166_2_ID, province_iso_code

# Written out by hand from ISO 3166-2:ID, keyed by the name areaid gives the province: the
# test does not derive its expectation from the code under test.
EXPECTED = {
    "Aceh": "ID-AC",
    "Sumatra Utara": "ID-SU",
    "Sumatra Barat": "ID-SB",
    "Riau": "ID-RI",
    "Jambi": "ID-JA",
    "Sumatra Selatan": "ID-SS",
    "Bengkulu": "ID-BE",
    "Lampung": "ID-LA",
    "Kepulauan Bangka Belitung": "ID-BB",
    "Kepulauan Riau": "ID-KR",
    "Daerah Khusus Ibukota Jakarta": "ID-JK",
    "Jawa Barat": "ID-JB",
    "Jawa Tengah": "ID-JT",
    "Daerah Istimewa Yogyakarta": "ID-YO",
    "Jawa Timur": "ID-JI",
    "Banten": "ID-BT",
    "Bali": "ID-BA",
    "Nusa Tenggara Barat": "ID-NB",
    "Nusa Tenggara Timur": "ID-NT",
    "Kalimantan Barat": "ID-KB",
    "Kalimantan Tengah": "ID-KT",
    "Kalimantan Selatan": "ID-KS",
    "Kalimantan Timur": "ID-KI",
    "Kalimantan Utara": "ID-KU",
    "Sulawesi Utara": "ID-SA",
    "Sulawesi Tengah": "ID-ST",
    "Sulawesi Selatan": "ID-SN",
    "Sulawesi Tenggara": "ID-SG",
    "Gorontalo": "ID-GO",
    "Sulawesi Barat": "ID-SR",
    "Maluku": "ID-MA",
    "Maluku Utara": "ID-MU",
    "Papua": "ID-PA",
    "Papua Barat": "ID-PB",
}


def test_the_iso_table_has_the_38_provinces_with_distinct_codes():
    assert len(ISO_3166_2_ID) == 38
    assert len(set(ISO_3166_2_ID.values())) == 38
    assert all(code.startswith("ID-") and len(code) == 5 for code in ISO_3166_2_ID)


def test_every_areaid_province_maps_to_an_iso_code():
    assert sorted(province_names()) == sorted(EXPECTED)
    assert {name: province_iso_code(name) for name in province_names()} == EXPECTED


@pytest.mark.django_db
def test_every_province_the_import_creates_has_its_iso_code(monkeypatch):
    real_load = area_import.load_province

    def province_only(name):
        data = copy.copy(real_load(name))
        data["kabupaten"] = []  # the province row is what this test is about: skip 90k villages
        return data

    monkeypatch.setattr(area_import, "load_province", province_only)
    for name in province_names():
        import_province(name)

    stored = dict(Area.objects.filter(level=Area.Level.PROVINCE).values_list("name", "code"))
    assert stored == EXPECTED
    assert stored["Daerah Khusus Ibukota Jakarta"] == "ID-JK"


@pytest.mark.django_db
def test_the_data_migration_corrects_codes_already_stored():
    Area.objects.create(
        level=1, source_id=11, name="Daerah Khusus Ibukota Jakarta", code="ID-JB", path="/11/", timezone="Asia/Jakarta"
    )
    Area.objects.create(level=1, source_id=12, name="Jawa Barat", code="ID-JB", path="/12/", timezone="Asia/Jakarta")
    Area.objects.create(
        level=2, source_id=1, name="Kota Adm. Jakarta Utara", code="TJP", path="/11/1/", timezone="Asia/Jakarta"
    )

    import_module("agencies.migrations.0004_province_iso_codes").fix_codes(global_apps, None)

    assert dict(Area.objects.values_list("name", "code")) == {
        "Daerah Khusus Ibukota Jakarta": "ID-JK",
        "Jawa Barat": "ID-JB",
        "Kota Adm. Jakarta Utara": "TJP",
    }
