"""import_areas on the real areaid data: counts, tree, time zones, idempotence, errors.

Expected counts were read from areaid 1.1.2's data/kalimantan timur.json: 1 province,
10 kabupaten/kota, 103 kecamatan, 1,029 kelurahan/desa.
"""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from agencies.area_import import province_names
from agencies.models import Area, TimeZoneChoice

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parents[2]


def _import(*provinces):
    out = StringIO()
    call_command("import_areas", province=list(provinces), verbosity=0, stdout=out, stderr=StringIO())
    return out.getvalue()


def _counts_by_level():
    return {level: Area.objects.filter(level=level).count() for level in Area.Level.values}


def _all_rows():
    return list(Area.objects.order_by("pk").values())


@pytest.fixture
def kaltim():
    _import("Kalimantan Timur")
    return Area.objects.get(level=Area.Level.PROVINCE, name="Kalimantan Timur")


def test_it_imports_exact_counts_per_level(kaltim):
    assert _counts_by_level() == {1: 1, 2: 10, 3: 103, 4: 1029}


def test_the_province_carries_its_bsni_code_and_root_path(kaltim):
    assert kaltim.code == "ID-KI"
    assert kaltim.parent is None
    assert kaltim.path == f"/{kaltim.source_id}/"


def test_kota_bontang_is_a_wita_regency_under_kalimantan_timur(kaltim):
    bontang = Area.objects.get(name="Kota Bontang")

    assert bontang.level == Area.Level.REGENCY
    assert bontang.code == "BON"
    assert bontang.parent == kaltim
    assert bontang.timezone == TimeZoneChoice.WITA == "Asia/Makassar"
    assert bontang.timezone_label == "WITA"
    assert bontang.path.startswith(kaltim.path)


def test_bontang_villages_hang_under_its_path(kaltim):
    bontang = Area.objects.get(name="Kota Bontang")
    districts = Area.objects.filter(parent=bontang)
    villages = Area.objects.filter(parent__parent=bontang)

    assert districts.count() == 3  # Bontang Barat, Bontang Selatan, Bontang Utara
    assert villages.count() == 15
    assert Area.objects.filter(path__startswith=bontang.path, level=Area.Level.VILLAGE).count() == 15
    for village in villages.select_related("parent"):
        assert village.path.startswith(bontang.path)
        assert village.path == f"{village.parent.path}{village.source_id}/"
        assert village.level == Area.Level.VILLAGE
        assert len(village.postal_code) == 5


def test_every_row_of_the_province_is_wita(kaltim):
    assert set(Area.objects.values_list("timezone", flat=True)) == {TimeZoneChoice.WITA}


def test_every_row_has_its_parent_one_level_up(kaltim):
    orphans = Area.objects.exclude(level=Area.Level.PROVINCE).filter(parent__isnull=True)
    assert not orphans.exists()
    for level in (2, 3, 4):
        assert set(Area.objects.filter(level=level).values_list("parent__level", flat=True)) == {level - 1}


@pytest.mark.parametrize(
    ("province", "zone"),
    [("Sumatra Selatan", TimeZoneChoice.WIB), ("Papua", TimeZoneChoice.WIT)],
)
def test_a_province_gets_its_time_zone_on_every_row(province, zone):
    _import(province)

    root = Area.objects.get(level=Area.Level.PROVINCE)
    assert root.name == province
    assert Area.objects.count() > 1000
    assert set(Area.objects.values_list("timezone", flat=True)) == {zone}


def test_a_second_run_creates_nothing_and_changes_nothing(kaltim):
    before = _all_rows()

    output = _import("Kalimantan Timur")

    assert _all_rows() == before
    assert "created 0 provinces, 0 regencies/cities, 0 districts, 0 villages" in output
    assert "updated 0, unchanged 1143" in output


def test_a_second_run_repairs_a_changed_row_only(kaltim):
    bontang = Area.objects.get(name="Kota Bontang")
    Area.objects.filter(pk=bontang.pk).update(name="Bontang (edited)", timezone=TimeZoneChoice.WIB)
    before = {row["id"]: row for row in _all_rows()}

    output = _import("Kalimantan Timur")

    after = {row["id"]: row for row in _all_rows()}
    assert after.keys() == before.keys()
    assert [pk for pk in after if after[pk] != before[pk]] == [bontang.pk]
    assert after[bontang.pk]["name"] == "Kota Bontang"
    assert after[bontang.pk]["timezone"] == TimeZoneChoice.WITA
    assert "updated 1, unchanged 1142" in output


def test_importing_a_second_province_leaves_the_first_untouched(kaltim):
    before = _all_rows()

    _import("Kalimantan Utara")

    assert [row for row in _all_rows() if row["id"] in {r["id"] for r in before}] == before
    assert Area.objects.filter(level=Area.Level.PROVINCE).count() == 2


@pytest.mark.parametrize("spelling", ["kalimantan timur", "KALIMANTAN TIMUR", "  Kalimantan   timur "])
def test_province_names_are_case_and_space_insensitive(spelling):
    _import(spelling)

    assert list(Area.objects.filter(level=Area.Level.PROVINCE).values_list("name", flat=True)) == ["Kalimantan Timur"]
    assert Area.objects.count() == 1143


def test_the_same_province_twice_in_one_call_is_imported_once():
    _import("Kalimantan Timur", "kalimantan timur")

    assert Area.objects.count() == 1143


def test_an_unknown_province_raises_a_command_error_listing_valid_names():
    with pytest.raises(CommandError) as excinfo:
        _import("Kalimantan Timur", "Atlantis")

    message = str(excinfo.value)
    assert 'Unknown province "Atlantis"' in message
    for name in province_names():
        assert name in message
    # Names are checked before anything is written.
    assert not Area.objects.exists()


def test_no_province_and_no_all_is_an_error():
    with pytest.raises(CommandError, match="--province NAME"):
        call_command("import_areas", verbosity=0, stdout=StringIO(), stderr=StringIO())
    assert not Area.objects.exists()


def test_manage_py_exits_non_zero_on_an_unknown_province(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    # A throwaway SQLite file: the command must fail before it touches any database.
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'unused.sqlite3'}"

    result = subprocess.run(
        [sys.executable, "manage.py", "import_areas", "--province", "Atlantis", "--no-progress"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert 'Unknown province "Atlantis"' in result.stderr
    assert "Kalimantan Timur" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_planner_knows_how_many_areas_there_are_after_an_import(kaltim):
    """Without fresh statistics PostgreSQL plans joins through areas for the few rows it last
    saw (a 25x slower CSV export in bench/incidents.py); the import refreshes them."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("planner statistics are PostgreSQL's (CI runs this on PostgreSQL)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [Area._meta.db_table])
        (estimate,) = cursor.fetchone()

    assert estimate == Area.objects.count() == 1 + 10 + 103 + 1029
