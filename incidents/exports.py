"""Streaming exports of incidents: CSV and GeoJSON (RFC 7946).

The views in `incidents/api.py` validate the filters, scope the queryset to the user through
`selectors.incident_list` and only then hand it to a generator here, so that bad input is a
400 with field messages and never a broken stream.

Memory and queries stay flat whatever the row count:
- rows come from `.values_list(...)` (no model instances) joined to their category, area and
  agencies in the same SELECT, read with `.iterator(chunk_size=2000)`: a server-side cursor
  on PostgreSQL, chunked fetches on SQLite;
- the CSV's involved agencies cost one extra query per batch of `BATCH_SIZE` rows (a lookup on
  the through table's incident index), never one per incident;
- output is buffered into pieces of about `FLUSH_ROWS` rows, so that the server writes a few
  hundred kilobytes at a time rather than one tiny chunk per row.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from itertools import islice
from typing import Any

from django.db.models import QuerySet
from django.utils import translation

from agencies.models import Classification, Severity
from agencies.services import AUDITED_CLASSIFICATIONS, audit_list_read, audit_reads
from common.spreadsheets import spreadsheet_text
from common.types import User

from .models import Incident, Urgency

# Rows fetched per round trip; also the batch of incidents whose involved agencies are looked
# up together. 2,000 rows of ~20 columns are well under a megabyte in Python.
BATCH_SIZE = 2000
# Rows rendered per chunk handed to the server.
FLUSH_ROWS = 500
# The incidents come newest first, the order of the `incident_occurred_idx` index: the
# database streams them from the index without sorting the whole result first.
EXPORT_ORDER = ("-occurred_at", "-id")

# CAP 1.2 names, in English whatever the request language (they are protocol values).
SEVERITY_NAMES: dict[int, str] = {
    Severity.UNKNOWN: "Unknown",
    Severity.MINOR: "Minor",
    Severity.MODERATE: "Moderate",
    Severity.SEVERE: "Severe",
    Severity.EXTREME: "Extreme",
}
URGENCY_NAMES: dict[int, str] = {
    Urgency.UNKNOWN: "Unknown",
    Urgency.PAST: "Past",
    Urgency.FUTURE: "Future",
    Urgency.EXPECTED: "Expected",
    Urgency.IMMEDIATE: "Immediate",
}


def _batched(iterable: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(iterable)
    while batch := list(islice(iterator, size)):
        yield batch


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value is not None else ""


def _number(value: Decimal | None) -> str:
    return "" if value is None else format(value, "f")


# Titles and descriptions may come from citizen reports: text cells go through
# common.spreadsheets.spreadsheet_text (a leading apostrophe where a spreadsheet would run a formula).
_text = spreadsheet_text


# --- CSV ------------------------------------------------------------------------------------

# Column headers are stable machine names (like the API's field names), not translated, so a
# spreadsheet or script that reads them works whatever the user's language.
CSV_HEADER = (
    "id",
    "reference",
    "title",
    "description",
    "category",
    "category_name",
    "severity",
    "urgency",
    "status",
    "source",
    "classification",
    "area_id",
    "area",
    "reporting_agency",
    "lead_agency",
    "involved_agencies",
    "latitude",
    "longitude",
    "occurred_at",
    "reported_at",
    "resolved_at",
)


def _csv_values(*, english: bool) -> tuple[str, ...]:
    return (
        "id",
        "reference",
        "title",
        "description",
        "category__code",
        "category__name_en" if english else "category__name_id",
        "severity",
        "urgency",
        "status",
        "source",
        "classification",
        "area_id",
        "area__name",
        "reporting_agency__name",
        "lead_agency__name",
        "latitude",
        "longitude",
        "occurred_at",
        "reported_at",
        "resolved_at",
    )


def _involved_names(incident_ids: list[int]) -> dict[int, list[str]]:
    """Names of the involved agencies of a batch of incidents: one query for the batch."""
    through = Incident.involved_agencies.through
    names: dict[int, list[str]] = {}
    rows = (
        through.objects.filter(incident_id__in=incident_ids)
        .order_by("agency__name")
        .values_list("incident_id", "agency__name")
    )
    for incident_id, name in rows:
        names.setdefault(incident_id, []).append(name)
    return names


def incident_csv_chunks(queryset: QuerySet[Incident]) -> Iterator[str]:
    """A header row, then one row per incident of `queryset` (already filtered and scoped)."""
    english = (translation.get_language() or "id").startswith("en")
    rows = queryset.order_by(*EXPORT_ORDER).values_list(*_csv_values(english=english))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    yield buffer.getvalue()
    for batch in _batched(rows.iterator(chunk_size=BATCH_SIZE), BATCH_SIZE):
        involved = _involved_names([row[0] for row in batch])
        for start in range(0, len(batch), FLUSH_ROWS):
            buffer.seek(0)
            buffer.truncate()
            for row in batch[start : start + FLUSH_ROWS]:
                (
                    pk,
                    reference,
                    title,
                    description,
                    category_code,
                    category_name,
                    severity,
                    urgency,
                    status,
                    source,
                    classification,
                    area_id,
                    area_name,
                    reporting_name,
                    lead_name,
                    latitude,
                    longitude,
                    occurred_at,
                    reported_at,
                    resolved_at,
                ) = row
                writer.writerow(
                    (
                        pk,
                        reference,
                        _text(title),
                        _text(description),
                        category_code,
                        _text(category_name),
                        SEVERITY_NAMES.get(severity, severity),
                        URGENCY_NAMES.get(urgency, urgency),
                        status,
                        source,
                        classification,
                        area_id,
                        _text(area_name),
                        _text(reporting_name),
                        _text(lead_name),
                        _text("; ".join(involved.get(pk, []))),
                        _number(latitude),
                        _number(longitude),
                        _iso(occurred_at),
                        _iso(reported_at),
                        _iso(resolved_at),
                    )
                )
            yield buffer.getvalue()


@dataclass(frozen=True)
class _ExportRead:
    """What `audit_reads` needs to record one export as a single entry."""

    pk: str
    classification: str


def audit_export(*, user: User, queryset: QuerySet[Incident], name: str) -> None:
    """Record one audit entry when an export may carry confidential or secret incidents.

    An export is a bulk read: one entry per export (at the highest classification it
    includes, with the agencies whose incidents went out), not one per row, keeps the audit
    log readable and the export fast: one query of distinct (level, owners) first.
    """
    found = set(
        queryset.filter(classification__in=AUDITED_CLASSIFICATIONS)
        .order_by()
        .values_list("classification", "reporting_agency_id", "lead_agency_id")
        .distinct()
    )
    if not found:
        return
    level = (
        Classification.SECRET if any(c == Classification.SECRET for c, _r, _l in found) else Classification.CONFIDENTIAL
    )
    audit_reads(
        user=user,
        objects=[_ExportRead(pk=name, classification=level)],
        object_type="incident",
        action="export",
        owner_ids={aid for _c, reporting, lead in found for aid in (reporting, lead) if aid},
    )


# --- GeoJSON --------------------------------------------------------------------------------

GEOJSON_VALUES = (
    "id",
    "reference",
    "title",
    "category__code",
    "severity",
    "status",
    "occurred_at",
    "latitude",
    "longitude",
    "area__timezone",
    # Not shown: what the audit of the read needs (agencies.services.audit_list_read).
    "classification",
    "reporting_agency_id",
    "lead_agency_id",
)


@dataclass(frozen=True)
class _MapRead:
    pk: int
    classification: str
    reporting_agency_id: int | None
    lead_agency_id: int | None


def _feature(row: tuple[Any, ...], detail_url_prefix: str) -> dict[str, Any]:
    pk, reference, title, category_code, severity, status, occurred_at, latitude, longitude, tz = row[:10]
    geometry = None
    if latitude is not None and longitude is not None:
        # RFC 7946 section 3.1.1: longitude first, then latitude, as JSON numbers.
        geometry = {"type": "Point", "coordinates": [float(longitude), float(latitude)]}
    return {
        "type": "Feature",
        "id": pk,
        "geometry": geometry,
        "properties": {
            "id": pk,
            "reference": reference,
            "title": title,
            "category": category_code,
            "severity": SEVERITY_NAMES.get(severity, str(severity)),
            "status": status,
            "occurred_at": _iso(occurred_at),
            # The zone of the incident's area (IANA name): the map shows the time in it, labelled.
            "timezone": tz or "",
            "url": f"{detail_url_prefix}{pk}/",
        },
    }


def incident_geojson_chunks(
    queryset: QuerySet[Incident], *, detail_url_prefix: str, limit: int | None = None, user: User | None = None
) -> Iterator[str]:
    """A FeatureCollection of `queryset` (already filtered and scoped), newest first.

    With `limit`, at most that many features; when more matched, the collection ends with the
    foreign member `"truncated": true` (RFC 7946 section 6.1 allows foreign members), so the
    map can tell the user to zoom in. Detecting it costs one extra row, not a COUNT(*).
    The confidential and secret features sent are audited as one list read of `user`'s, once
    the collection is complete (their ids are collected from the rows as they stream).
    """
    rows = queryset.order_by(*EXPORT_ORDER).values_list(*GEOJSON_VALUES)
    if limit is not None:
        rows = rows[: limit + 1]
    yield '{"type":"FeatureCollection","features":['
    written = 0
    truncated = False
    pieces: list[str] = []
    read: list[_MapRead] = []
    for row in rows.iterator(chunk_size=BATCH_SIZE):
        if limit is not None and written >= limit:
            truncated = True
            break
        pieces.append(json.dumps(_feature(row, detail_url_prefix), ensure_ascii=False, separators=(",", ":")))
        if row[10] in AUDITED_CLASSIFICATIONS:
            read.append(_MapRead(row[0], row[10], row[11], row[12]))
        written += 1
        if len(pieces) >= FLUSH_ROWS:
            yield ("," if written > len(pieces) else "") + ",".join(pieces)
            pieces = []
    if pieces:
        yield ("," if written > len(pieces) else "") + ",".join(pieces)
    if read:
        audit_list_read(user=user, objects=read, object_type="incident", action="map", detail="incidents.geojson")
    yield '],"truncated":true}' if truncated else "]}"
