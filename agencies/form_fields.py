"""Form widgets and fields every app's forms share.

Two rules hold here, for every form of the portal:

- An `<input type=date|time|datetime-local>` carries the ISO form of its value whatever the
  language: the browser accepts nothing else. (Django would otherwise render the first of the
  language's input formats, `22.00.00` or `31/12/2026`, and the browser shows an empty field.)
- A textarea's CRLF line breaks (what browsers send) are stored as LF (`normalise_line_breaks`).
- A date-time is typed in an area's zone (WIB, WITA or WIT). The form knows that zone
  (`ZonedFormMixin(zone=...)`): it renders its initial values in it and reads posted values in
  it (or in the zone of the areas chosen on the form), so rendering and parsing cannot
  disagree, whatever zone is active where the template happens to render.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from common.dates import CalendarDateField, validate_in_calendar, validate_record_datetime
from common.forms import normalise_line_breaks

ISO_DATE = "%Y-%m-%d"
ISO_TIME = "%H:%M"
ISO_DATETIME = "%Y-%m-%dT%H:%M"
# What <input type="datetime-local"> sends (seconds when the step allows them), and the
# space-separated form a script or an API client may send.
DATETIME_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
DATE_INPUT_FORMATS = [ISO_DATE]
TIME_INPUT_FORMATS = ["%H:%M", "%H:%M:%S"]


class IsoDateInput(forms.DateInput):
    """`<input type="date">` with its value as 2026-12-31, in every language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=ISO_DATE)


class IsoTimeInput(forms.TimeInput):
    """`<input type="time">` with its value as 22:00, in every language."""

    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=ISO_TIME)


class IsoDateTimeInput(forms.DateTimeInput):
    """`<input type="datetime-local">` with its value as 2026-12-31T22:00, in every language."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=ISO_DATETIME)


class IsoDateField(CalendarDateField):
    widget = IsoDateInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", DATE_INPUT_FORMATS)
        kwargs.setdefault("localize", False)
        super().__init__(**kwargs)


class IsoTimeField(forms.TimeField):
    widget = IsoTimeInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", TIME_INPUT_FORMATS)
        super().__init__(**kwargs)


def default_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def zone_of_areas(areas: Iterable[Any] | None) -> str:
    """The zone times are typed in for these areas: the first one's by (level, name, id), the
    areas' own order everywhere in the portal; the portal's zone when there are none."""
    rows = sorted(areas or [], key=lambda a: (a.level, a.name, a.pk))
    for area in rows:
        if getattr(area, "timezone", ""):
            return area.timezone
    return settings.TIME_ZONE


class ZonedDateTimeField(forms.DateTimeField):
    """A wall-clock date-time in the form's zone (see `ZonedFormMixin`).

    An aware initial value renders as the wall clock of `zone`; a posted value cleans to a
    naive wall-clock time, which the form makes aware in its input zone."""

    widget = IsoDateTimeInput
    default_validators = [validate_in_calendar, validate_record_datetime]

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", DATETIME_INPUT_FORMATS)
        super().__init__(**kwargs)
        self.zone = default_zone()

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, datetime.datetime) and timezone.is_aware(value):
            return value.astimezone(self.zone).replace(tzinfo=None)
        return value

    def to_python(self, value: Any) -> datetime.datetime | None:  # type: ignore[override]
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value.astimezone(self.zone).replace(tzinfo=None) if timezone.is_aware(value) else value
        if isinstance(value, datetime.date):
            return datetime.datetime(value.year, value.month, value.day)
        text = str(value).strip()
        for fmt in self.input_formats:
            try:
                return datetime.datetime.strptime(text, fmt)
            except (ValueError, TypeError):
                continue
        raise ValidationError(self.error_messages["invalid"], code="invalid")


class ZonedFormMixin:
    """A form whose `ZonedDateTimeField`s are shown and read in one zone.

    `zone` (a zone name) is the zone the initial values render in, usually the zone of the
    object's areas. Posted values are read in `input_zone()`, by default the same zone; a form
    whose areas are chosen on it overrides `input_zone` to follow the chosen areas, so what it
    renders for an object in those areas reads back unchanged. After cleaning, `zone` is the
    input zone (a re-rendered form labels its times with it)."""

    zone: ZoneInfo

    def __init__(self, *args: Any, zone: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        self._set_zone(ZoneInfo(zone) if zone else default_zone())

    def _set_zone(self, zone: ZoneInfo) -> None:
        self.zone = zone
        for field in self.fields.values():  # type: ignore[attr-defined]
            if isinstance(field, ZonedDateTimeField):
                field.zone = zone

    @property
    def zone_name(self) -> str:
        return self.zone.key

    def input_zone(self, cleaned: dict[str, Any]) -> ZoneInfo:
        """The zone posted times are read in (override to follow the areas chosen)."""
        return self.zone

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()  # type: ignore[misc]
        zone = self.input_zone(cleaned)
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            value = cleaned.get(name)
            if isinstance(field, ZonedDateTimeField) and isinstance(value, datetime.datetime):
                cleaned[name] = timezone.make_aware(value, zone) if timezone.is_naive(value) else value
        self._set_zone(zone)
        normalise_line_breaks(self)  # type: ignore[arg-type]
        return cleaned
