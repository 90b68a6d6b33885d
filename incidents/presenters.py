"""View-side shaping of the incident pages: the timeline made readable (ids become names,
codes become labels). Reads go through the selectors; the views only hand the rows to templates."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from agencies import selectors as agency_selectors
from agencies.localtime import in_zone
from agencies.models import Classification, Severity
from common.types import User

from . import selectors
from .models import Category, Incident, IncidentEvent, Urgency


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class TimelineRow:
    event: IncidentEvent
    when: str
    kind_label: str
    changes: list[Change] = field(default_factory=list)


_FIELD_LABELS = {f.name: f.verbose_name for f in Incident._meta.get_fields() if hasattr(f, "verbose_name")}


def incident_timeline_rows(*, user: User, incident: Incident) -> list[TimelineRow]:
    """The timeline of an incident the user read (`selectors.incident_get`), oldest first, with
    its data made readable: ids become names, codes become labels.

    Names are resolved with one query per kind of reference (agencies, categories, areas,
    cameras, vital objects), whatever the number of entries.
    """
    events = list(selectors.incident_timeline(incident=incident))
    refs: dict[str, set[Any]] = {"agency": set(), "category": set(), "area": set(), "camera": set(), "vital": set()}
    for event in events:
        data = event.data or {}
        for key, values in (data.get("changes") or {}).items():
            kind = {"category": "category", "area": "area", "camera": "camera", "vital_object": "vital"}.get(key)
            if kind:
                refs[kind].update(v for v in values if v is not None)
        if "lead_agency" in data:
            refs["agency"].update(v for v in data["lead_agency"] if v)
        if "involved_agencies" in data:
            for ids in data["involved_agencies"]:
                refs["agency"].update(ids or [])
        if "vital_object" in data and not isinstance(data["vital_object"], list):
            refs["vital"].add(data["vital_object"])
    names: dict[str, dict[Any, str]] = {key: {} for key in refs}
    if refs["agency"]:
        names["agency"] = dict(
            agency_selectors.agency_list(user=user).filter(pk__in=refs["agency"]).values_list("pk", "name")
        )
    if refs["category"]:
        names["category"] = {c.pk: c.name for c in Category.objects.filter(pk__in=refs["category"])}
    if refs["area"]:
        names["area"] = dict(agency_selectors.area_list().filter(pk__in=refs["area"]).values_list("pk", "name"))
    if refs["camera"]:
        cameras = (
            agency_selectors.camera_list(user=user).filter(pk__in=refs["camera"]).values_list("pk", "code", "name")
        )
        names["camera"] = {pk: f"{code} · {name}" for pk, code, name in cameras}
    if refs["vital"]:
        vitals = agency_selectors.vital_object_list(user=user).filter(pk__in=refs["vital"]).values_list("pk", "name")
        names["vital"] = dict(vitals)

    def ref(kind: str, value: Any) -> str:
        if value in (None, ""):
            return "—"
        return names[kind].get(value) or f"#{value}"

    def shown(key: str, value: Any) -> str:
        if value in (None, ""):
            return "—"
        try:
            if key == "severity":
                return str(Severity(int(value)).label)
            if key == "urgency":
                return str(Urgency(int(value)).label)
            if key == "classification":
                return str(Classification(value).label)
            if key in ("from", "to", "status"):
                return str(Incident.Status(value).label)
            if key == "occurred_at":
                return in_zone(datetime.datetime.fromisoformat(value), incident.area)
        except (ValueError, TypeError):
            return str(value)
        kind = {"category": "category", "area": "area", "camera": "camera", "vital_object": "vital"}.get(key)
        return ref(kind, value) if kind else str(value)

    rows = []
    for event in events:
        data = event.data or {}
        row = TimelineRow(event=event, when=in_zone(event.at, incident.area), kind_label=event.get_kind_display())
        for key, (old, new) in (data.get("changes") or {}).items():
            row.changes.append(Change(str(_FIELD_LABELS.get(key, key)).capitalize(), shown(key, old), shown(key, new)))
        if "from" in data and "to" in data:
            row.changes.append(Change(_("Status"), shown("from", data["from"]), shown("to", data["to"])))
        if "lead_agency" in data:
            old, new = data["lead_agency"]
            row.changes.append(Change(_("Lead agency"), ref("agency", old), ref("agency", new)))
        if "involved_agencies" in data:
            before, after = data["involved_agencies"]
            row.changes.append(
                Change(
                    _("Involved agencies"),
                    ", ".join(sorted(ref("agency", i) for i in before)) or "—",
                    ", ".join(sorted(ref("agency", i) for i in after)) or "—",
                )
            )
        if event.kind == IncidentEvent.Kind.LINKED:
            if "camera" in data:
                row.changes.append(Change(_("Camera"), "—", str(data["camera"])))
            if "vital_object" in data:
                row.changes.append(Change(_("Vital object"), "—", ref("vital", data["vital_object"])))
        if event.kind == IncidentEvent.Kind.MERGED:
            if "into" in data:
                row.changes.append(Change(_("Duplicate of"), "—", str(data["into"])))
            if "duplicate" in data:
                row.changes.append(Change(_("Duplicate merged in"), "—", str(data["duplicate"])))
        rows.append(row)
    return rows
