"""Dates and times at the calendar's edges: the one rule every date or date-time input of the
portal (filters, query parameters, form fields) goes through.

Python's dates end at year 1 and year 9999. A value at either edge is valid as typed but
overflows as soon as it is converted to UTC (`0001-01-01T00:00:00+14:00`), to an area's zone,
or widened by a day (a filter's "until 31 December" is "before 1 January"), and the database
driver raises OverflowError: a 500. Every such input is refused instead, as a field error (a 400
naming the parameter in the API, a form error on a page): a value is accepted only when it lies
at least `MARGIN` inside the calendar, wherever it is converted or widened.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField
from rest_framework import serializers

# A day's window either side of the value, plus the widest zone offsets (UTC-12 to UTC+14).
MARGIN = datetime.timedelta(days=2)
FIRST_DAY = datetime.date.min + MARGIN
LAST_DAY = datetime.date.max - MARGIN


def out_of_range(margin: datetime.timedelta = MARGIN) -> ValidationError:
    return ValidationError(
        _("Out of range: give a date between %(first)s and %(last)s."),
        code="out_of_range",
        params={"first": (datetime.date.min + margin).isoformat(), "last": (datetime.date.max - margin).isoformat()},
    )


def within_calendar(margin: datetime.timedelta) -> Callable[[datetime.date | datetime.datetime | None], None]:
    """A validator like `validate_in_calendar` for an input that reaches `margin` either side
    of its value (a calendar page drawing a month around a date and linking the next one)."""

    def validate(value: datetime.date | datetime.datetime | None) -> None:
        if value is None:
            return
        try:
            if isinstance(value, datetime.datetime) and timezone.is_aware(value):
                value = value.astimezone(datetime.UTC)
            value - margin
            value + margin
        except OverflowError:
            raise out_of_range(margin) from None

    return validate


# ValidationError (code "out_of_range") for a date or date-time that converting to UTC or to any
# zone, or widening by a day, would carry past year 1 or 9999.
validate_in_calendar = within_calendar(MARGIN)


# --- Form fields ---------------------------------------------------------------------------


class CalendarDateField(forms.DateField):
    """A date inside the calendar (`validate_in_calendar`)."""

    default_validators = [validate_in_calendar]


class CalendarDateTimeField(forms.DateTimeField):
    """A date-time inside the calendar (`validate_in_calendar`)."""

    default_validators = [validate_in_calendar]


class CalendarIsoDateTimeField(IsoDateTimeField):
    """django-filter's ISO 8601 date-time (with its zone offset) inside the calendar."""

    default_validators = [validate_in_calendar]


# --- django-filter filters: what every FilterSet's date and date-time parameters use --------


class DateFilter(django_filters.DateFilter):
    field_class = CalendarDateField


class DateTimeFilter(django_filters.DateTimeFilter):
    field_class = CalendarDateTimeField


class IsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = CalendarIsoDateTimeField


# --- API fields ----------------------------------------------------------------------------


class CalendarDateTimeSerializerField(serializers.DateTimeField):
    """DRF's date-time inside the calendar (for query parameters outside a FilterSet)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["validators"] = [*kwargs.get("validators", []), validate_in_calendar]
        super().__init__(**kwargs)

    def enforce_timezone(self, value: datetime.datetime) -> datetime.datetime:
        # DRF converts to UTC itself (a naive year-1 value in WIB overflows there), before
        # the validators run.
        try:
            return super().enforce_timezone(value)
        except OverflowError:
            raise serializers.ValidationError(out_of_range().messages) from None


class CalendarDateSerializerField(serializers.DateField):
    """DRF's date inside the calendar."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["validators"] = [*kwargs.get("validators", []), validate_in_calendar]
        super().__init__(**kwargs)


# --- What a record may carry ----------------------------------------------------------------
# A filter may ask about any date inside the calendar; a date-time a record keeps (a sitrep's
# period, an operation's window, when an incident occurred) lies between these years. Year 6
# is a typing slip, not a plan, and zones of that era answer with their local mean time
# (`+07:07:12`), which no client expects.
FIRST_YEAR = 1900
LAST_YEAR = 2999


def validate_record_datetime(value: datetime.date | datetime.datetime | None) -> None:
    """ValidationError (code "out_of_range") for a date-time outside FIRST_YEAR..LAST_YEAR."""
    if value is None:
        return
    try:
        if isinstance(value, datetime.datetime) and timezone.is_aware(value):
            value = value.astimezone(datetime.UTC)  # the year as stored, whatever zone it was typed in
    except OverflowError:
        raise record_out_of_range() from None
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise record_out_of_range()


def record_out_of_range() -> ValidationError:
    return ValidationError(
        _("Out of range: give a year between %(first)s and %(last)s."),
        code="out_of_range",
        params={"first": FIRST_YEAR, "last": LAST_YEAR},
    )
