"""Import of the administrative hierarchy from the `areaid` package.

areaid ships one JSON file a province: province > kabupaten/kota > kecamatan > kelurahan/desa,
each level with its own integer ids. We key every row on (level, areaid id) and give it a
materialized path of those ids, so that:

- the import is idempotent: a second run inserts nothing and updates only rows whose data
  changed (none, for the same areaid version);
- it is fast: each level of a province is one `bulk_create`, and parents are resolved from the
  paths in memory, never one query per row. All 90k areas of Indonesia take a few seconds on
  PostgreSQL (see bench/area_import.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import areaid
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Avg, Exists, OuterRef, Q, Subquery

from .models import Area, TimeZoneChoice
from .provinces import province_iso_code
from .selectors import PUBLIC_MAP_AREAS_KEY

DATA_DIR = Path(areaid.__file__).resolve().parent / "data"

# Indonesia's three time zones by province (Keppres 41/1987): WIB for Sumatra, Java and
# West/Central Kalimantan; WITA for Bali, Nusa Tenggara, South/East/North Kalimantan and
# Sulawesi; WIT for Maluku and Papua.
WITA_PROVINCES = {
    "Bali",
    "Nusa Tenggara Barat",
    "Nusa Tenggara Timur",
    "Kalimantan Selatan",
    "Kalimantan Timur",
    "Kalimantan Utara",
    "Sulawesi Utara",
    "Sulawesi Tengah",
    "Sulawesi Selatan",
    "Sulawesi Tenggara",
    "Gorontalo",
    "Sulawesi Barat",
}
WIT_PROVINCES = {"Maluku", "Maluku Utara", "Papua", "Papua Barat"}

BATCH_SIZE = 2000


def province_timezone(name: str) -> str:
    if name in WIT_PROVINCES:
        return TimeZoneChoice.WIT
    if name in WITA_PROVINCES:
        return TimeZoneChoice.WITA
    return TimeZoneChoice.WIB


def province_names() -> list[str]:
    """The 34 province names as areaid spells them."""
    return list(areaid.buka_nama()["himpunan"])


class UnknownProvince(ValueError):
    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(name)


def resolve_province(name: str) -> str:
    """The areaid spelling of a province name given in any case, or UnknownProvince."""
    wanted = " ".join(name.split()).casefold()
    for candidate in province_names():
        if candidate.casefold() == wanted:
            return candidate
    raise UnknownProvince(name)


@dataclass
class ImportStats:
    created: dict[int, int] = field(default_factory=lambda: {1: 0, 2: 0, 3: 0, 4: 0})
    updated: int = 0
    unchanged: int = 0

    @property
    def total_created(self) -> int:
        return sum(self.created.values())

    def add(self, other: ImportStats) -> None:
        for level, n in other.created.items():
            self.created[level] += n
        self.updated += other.updated
        self.unchanged += other.unchanged


@dataclass(frozen=True)
class _Row:
    level: int
    source_id: int
    name: str
    code: str
    path: str
    parent_path: str | None
    postal_code: str


def _rows(province: dict) -> Iterator[_Row]:
    p_path = f"/{province['id']}/"
    # The province's ISO 3166-2 code from our table: areaid's own `p_bsni` is wrong for Jakarta.
    yield _Row(1, province["id"], province["provinsi"], province_iso_code(province["provinsi"]), p_path, None, "")
    for kab in province.get("kabupaten", []):
        k_path = f"{p_path}{kab['id']}/"
        yield _Row(2, kab["id"], kab["kab_kota"], kab.get("k_bsni") or "", k_path, p_path, "")
        for kec in kab.get("kecamatan", []):
            c_path = f"{k_path}{kec['id']}/"
            yield _Row(3, kec["id"], kec["kec"], "", c_path, k_path, "")
            for kel in kec.get("kelurahan", []):
                pos = kel.get("pos")
                yield _Row(4, kel["id"], kel["kelu"], "", f"{c_path}{kel['id']}/", c_path, str(pos) if pos else "")


def load_province(name: str) -> dict:
    with open(DATA_DIR / f"{name.lower()}.json", encoding="utf-8") as fh:
        data = json.load(fh)
    return data[0]


def import_province(name: str, *, progress: Callable[[int], None] | None = None) -> ImportStats:
    """Create or refresh one province's areas; atomic per province. `progress(n)` reports rows done."""
    name = resolve_province(name)
    province = load_province(name)
    tz = province_timezone(name)
    rows = list(_rows(province))
    stats = ImportStats()
    with transaction.atomic():
        existing = {
            a.path: a
            for a in Area.objects.filter(path__startswith=f"/{province['id']}/").only(
                "id", "path", "name", "code", "postal_code", "timezone", "level", "source_id", "parent_id"
            )
        }
        ids_by_path = {path: a.pk for path, a in existing.items()}
        for level in (1, 2, 3, 4):
            level_rows = [r for r in rows if r.level == level]
            new: list[Area] = []
            changed: list[Area] = []
            for r in level_rows:
                parent_id = ids_by_path[r.parent_path] if r.parent_path else None
                current = existing.get(r.path)
                if current is None:
                    new.append(
                        Area(
                            level=r.level,
                            source_id=r.source_id,
                            name=r.name,
                            code=r.code,
                            path=r.path,
                            parent_id=parent_id,
                            postal_code=r.postal_code,
                            timezone=tz,
                        )
                    )
                elif (current.name, current.code, current.postal_code, current.timezone, current.parent_id) != (
                    r.name,
                    r.code,
                    r.postal_code,
                    tz,
                    parent_id,
                ):
                    current.name, current.code, current.postal_code = r.name, r.code, r.postal_code
                    current.timezone, current.parent_id = tz, parent_id
                    changed.append(current)
                else:
                    stats.unchanged += 1
            for start in range(0, len(new), BATCH_SIZE):
                batch = Area.objects.bulk_create(new[start : start + BATCH_SIZE])
                if progress:
                    progress(len(batch))
            if new and any(a.pk is None for a in new):
                # Backends that cannot return ids from a bulk insert: read them back by path.
                ids_by_path.update(
                    Area.objects.filter(path__in=[a.path for a in new]).values_list("path", "id")  # type: ignore[arg-type]
                )
            else:
                ids_by_path.update({a.path: a.pk for a in new})
            if changed:
                Area.objects.bulk_update(
                    changed, ["name", "code", "postal_code", "timezone", "parent_id"], batch_size=BATCH_SIZE
                )
                if progress:
                    progress(len(changed))
            stats.created[level] += len(new)
            stats.updated += len(changed)
            if progress:
                progress(len(level_rows) - len(new) - len(changed))
    return stats


def province_row_count(name: str) -> int:
    return sum(1 for _ in _rows(load_province(resolve_province(name))))


def analyze_areas() -> None:
    """Refresh PostgreSQL's statistics of the areas table after an import.

    Until autovacuum gets to it, the planner believes the table still holds what it held
    before the import (a few hundred areas where there are now thousands). It then plans
    joins through areas as loops: a filtered CSV export of 43,000 incidents took 7.5 s of
    SQL instead of 0.3 s (bench/incidents.py).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(Area._meta.db_table)}")


def rollup_centroids(*, root_path: str | None = None) -> int:
    """Give every district, regency/city and province whose centroid is unknown (or was derived
    before) the mean of its children's centroids, bottom up: villages -> districts -> regencies
    -> provinces. areaid carries no coordinates, so what rolls up is what was given lower down
    (the admin, the demo seed, a later data set); a centroid that was given is never overwritten.

    In bulk in the database, a few statements a level, never a query a row: on PostgreSQL one
    UPDATE ... FROM (GROUP BY) a level, which writes only the rows whose value changes (all of
    Indonesia: bench/area_centroids.py). Idempotent: a second run writes nothing. A derived
    centroid whose children lost theirs is cleared. `root_path` limits the roll-up to one
    subtree ("/23/"). Returns the rows written.
    """
    written = 0
    for level in (Area.Level.DISTRICT, Area.Level.REGENCY, Area.Level.PROVINCE):
        placed = Area.objects.filter(parent=OuterRef("pk"), centroid_lat__isnull=False, centroid_lon__isnull=False)
        targets = Area.objects.filter(level=level).filter(Q(centroid_lat__isnull=True) | Q(centroid_derived=True))
        if root_path:
            targets = targets.filter(path__startswith=root_path)
        if connection.vendor == "postgresql":
            written += _rollup_level_postgresql(level, root_path)
        else:
            mean = placed.order_by().values("parent")
            written += targets.filter(Exists(placed)).update(
                centroid_lat=Subquery(mean.annotate(v=Avg("centroid_lat")).values("v")[:1]),
                centroid_lon=Subquery(mean.annotate(v=Avg("centroid_lon")).values("v")[:1]),
                centroid_derived=True,
            )
        written += (
            targets.filter(centroid_derived=True)
            .exclude(Exists(placed))
            .update(centroid_lat=None, centroid_lon=None, centroid_derived=False)
        )
    cache.delete(PUBLIC_MAP_AREAS_KEY)  # the citizens' maps show the new centres at once
    return written


def _rollup_level_postgresql(level: int, root_path: str | None) -> int:
    table = connection.ops.quote_name(Area._meta.db_table)
    sql = f"""
        UPDATE {table} AS a
           SET centroid_lat = c.lat, centroid_lon = c.lon, centroid_derived = TRUE
          FROM (SELECT parent_id, ROUND(AVG(centroid_lat), 6) AS lat, ROUND(AVG(centroid_lon), 6) AS lon
                  FROM {table}
                 WHERE level = %s AND centroid_lat IS NOT NULL AND centroid_lon IS NOT NULL
                 GROUP BY parent_id) AS c
         WHERE a.id = c.parent_id
           AND (a.centroid_lat IS NULL OR a.centroid_derived)
           AND (a.centroid_lat IS DISTINCT FROM c.lat OR a.centroid_lon IS DISTINCT FROM c.lon
                OR NOT a.centroid_derived)
    """  # noqa: S608 - the table name comes from the model, the values are parameters
    params: list[int | str] = [level + 1]
    if root_path:
        sql += " AND a.path LIKE %s"
        params.append(root_path.replace("%", r"\%").replace("_", r"\_") + "%")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
