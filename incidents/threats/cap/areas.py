"""Where an imported CAP alert applies: its <area> blocks mapped onto the portal's areas, each
link with its reason, so that a liaison sees why an area was chosen (`Threat.area_matches`).

For each <area> block, in this order:

- geocode: a geocode `areaid` equal to an area's path, or any geocode value equal to an area's
  (BSNI) code;
- polygon: the areas whose centroid lies inside one of the block's polygons (CAP: "lat,lon"
  pairs, the first equal to the last), ray casting on longitude and latitude;
- circle: the areas whose centroid lies within one of its circles ("lat,lon radius-km"),
  great-circle distance;
- name: only when none of the above found an area for the block (a fallback, since names
  repeat across the archipelago), the area whose name equals the areaDesc case-insensitively,
  and only when exactly one area has that name (rather than alert the wrong town). An areaDesc
  listing several names ("Kota Bontang, Kutai Timur") is split on commas and semicolons.

The centroid test needs a centroid: areas without one are reached by geocode or name only.
Candidates are first narrowed to the shape's bounding box in the database. An alert covering
a whole province would link thousands of villages: MAX_MATCHES bounds the links (the coarser
levels first), which still reach every subscriber, since a subscription's area covers its
descendants and the fan-out reads ancestry.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db.models.functions import Lower

from agencies.models import Area

from .parse import AREAID_GEOCODE

MAX_MATCHES = 2000
EARTH_RADIUS_KM = 6371.0

Point = tuple[float, float]  # (lat, lon)


def parse_polygon(text: str) -> list[Point]:
    """A CAP polygon's points, [] when it is not one (fewer than 4 pairs or a number out of range)."""
    points: list[Point] = []
    for pair in text.split():
        try:
            lat_s, lon_s = pair.split(",")
            lat, lon = float(lat_s), float(lon_s)
        except ValueError:
            return []
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            return []
        points.append((lat, lon))
    return points if len(points) >= 4 else []


def parse_circle(text: str) -> tuple[Point, float] | None:
    """A CAP circle's centre and radius in km, None when it is not one."""
    try:
        centre, radius_s = text.split()
        lat_s, lon_s = centre.split(",")
        lat, lon, radius = float(lat_s), float(lon_s), float(radius_s)
    except ValueError:
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or radius < 0:
        return None
    return (lat, lon), radius


def point_in_polygon(point: Point, polygon: Sequence[Point]) -> bool:
    """Ray casting: whether `point` lies inside `polygon` (lat, lon pairs)."""
    lat, lon = point
    inside = False
    j = len(polygon) - 1
    for i in range(len(polygon)):
        lat_i, lon_i = polygon[i]
        lat_j, lon_j = polygon[j]
        if (lat_i > lat) != (lat_j > lat):
            crossing = lon_i + (lat - lat_i) * (lon_j - lon_i) / (lat_j - lat_i)
            if lon < crossing:
                inside = not inside
        j = i
    return inside


def distance_km(a: Point, b: Point) -> float:
    """Great-circle (haversine) distance."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _centroid(area: Area) -> Point:
    return float(area.centroid_lat), float(area.centroid_lon)  # type: ignore[arg-type]


def _in_box(lat_min: float, lat_max: float, lon_min: float, lon_max: float) -> Iterable[Area]:
    return (
        Area.objects.filter(
            centroid_lat__gte=Decimal(str(lat_min)),
            centroid_lat__lte=Decimal(str(lat_max)),
            centroid_lon__gte=Decimal(str(lon_min)),
            centroid_lon__lte=Decimal(str(lon_max)),
        )
        .only("id", "name", "level", "path", "centroid_lat", "centroid_lon")
        .order_by("level", "name", "pk")
        .iterator(chunk_size=2000)
    )


def _polygon_areas(polygon: Sequence[Point]) -> list[Area]:
    lats = [p[0] for p in polygon]
    lons = [p[1] for p in polygon]
    return [a for a in _in_box(min(lats), max(lats), min(lons), max(lons)) if point_in_polygon(_centroid(a), polygon)]


def _circle_areas(centre: Point, radius_km: float) -> list[Area]:
    dlat = radius_km / 111.0
    dlon = radius_km / max(0.01, 111.0 * math.cos(math.radians(centre[0])))
    box = _in_box(centre[0] - dlat, centre[0] + dlat, centre[1] - dlon, centre[1] + dlon)
    return [a for a in box if distance_km(centre, _centroid(a)) <= radius_km]


def _geocode_areas(geocodes: Sequence[dict[str, str]]) -> list[tuple[Area, str]]:
    found: list[tuple[Area, str]] = []
    for geocode in geocodes:
        name = (geocode.get("valueName") or "").strip()
        value = (geocode.get("value") or "").strip()
        if not value:
            continue
        if name.lower() == AREAID_GEOCODE:
            found += [(a, f"{name}={value}") for a in Area.objects.filter(path=value)]
        found += [(a, f"{name}={value}") for a in Area.objects.filter(code=value).exclude(code="")]
    return found


NAME_SEPARATORS = re.compile(r"[,;]")


def _name_areas(area_desc: str) -> list[tuple[Area, str]]:
    whole = area_desc.strip().lower()
    if not whole:
        return []
    return _unique_names({whole}) or _unique_names({n.strip().lower() for n in NAME_SEPARATORS.split(whole)} - {""})


def _unique_names(names: set[str]) -> list[tuple[Area, str]]:
    if not names:
        return []
    by_name: dict[str, list[Area]] = {}
    for area in Area.objects.annotate(lname=Lower("name")).filter(lname__in=names):
        by_name.setdefault(area.lname, []).append(area)
    return [(matches[0], matches[0].name) for matches in by_name.values() if len(matches) == 1]


def cap_area_matches(cap_areas: Sequence[dict[str, Any]]) -> list[tuple[Area, dict[str, Any]]]:
    """The portal areas the CAP areas cover, each with why: (area, {"area", "name", "reason",
    "detail", "block"}), the first reason found for an area kept, coarser levels first."""
    found: dict[int, tuple[Area, dict[str, Any]]] = {}

    def add(area: Area, reason: str, detail: str, block: int) -> bool:
        if area.pk in found or len(found) >= MAX_MATCHES:
            return False
        reason_ = {"area": area.pk, "name": area.name, "reason": reason, "detail": detail, "block": block}
        found[area.pk] = (area, reason_)
        return True

    for index, block in enumerate(cap_areas):
        matched = False
        for area, detail in _geocode_areas(block.get("geocodes") or []):
            matched |= add(area, "geocode", detail, index) or area.pk in found
        for text in block.get("polygons") or []:
            if polygon := parse_polygon(text):
                for area in _polygon_areas(polygon):
                    matched |= add(area, "polygon", f"{len(polygon)} points", index) or area.pk in found
        for text in block.get("circles") or []:
            if circle := parse_circle(text):
                for area in _circle_areas(*circle):
                    matched |= add(area, "circle", text.strip()[:80], index) or area.pk in found
        if not matched:
            for area, detail in _name_areas(block.get("areaDesc") or ""):
                add(area, "name", detail, index)
    return sorted(found.values(), key=lambda pair: (pair[0].level, pair[0].name, pair[0].pk))
