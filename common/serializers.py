"""Serializer bases and fields every API shares, so that what the API answers is what its
published schema (drf-spectacular, /api/v1/schema/) says, for every serializer alike:

- `ModelSerializer`: the base of every model serializer. A field whose model column is
  nullable is documented nullable (`allow_null`), also when the serializer declares it itself
  (a read-only `DecimalField` for `command_post_lat` answered null where the schema said a
  number); a model's date-time is a `DateTimeField` below; an optional (blank) URL or e-mail is
  an `OptionalURLField`/`OptionalEmailField`.
- `OptionalURLField`, `OptionalEmailField`: a blank URL or e-mail is stored as "" but "" is no
  `uri` nor `email`, so the API answers null for it and takes null (or "") to clear it.
- `IdField`: an id in a request body, within what the id column holds (an id past 2**63
  linked to an operation was a 500).
- `SlugRelatedField`: a code naming a record (a category), with no NUL character (PostgreSQL
  answered a category code with one with a 500).
- `DateTimeField`: a date-time a record keeps lies between years `FIRST_YEAR` and `LAST_YEAR`
  (`common.dates.validate_record_datetime`); a sitrep dated year 6 was accepted and answered as
  `0006-02-28T00:14:12+07:07:12` (the zone's local mean time of that era).
"""

from __future__ import annotations

import typing
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from common.dates import record_out_of_range, validate_record_datetime

# The largest id a BigAutoField (DEFAULT_AUTO_FIELD) holds: a bigger one overflows the database
# driver when it is looked up among others (`pk__in`), a 500.
MAX_ID = 2**63 - 1


class IdField(serializers.IntegerField):
    """A record's id in a request body (a list of incidents to link, of items to mark read)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class SlugRelatedField(serializers.SlugRelatedField):
    """DRF's SlugRelatedField that refuses a NUL character before the lookup: PostgreSQL cannot
    compare text with one (DataError, a 500), where SQLite found nothing."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str) and "\x00" in data:
            raise serializers.ValidationError(_("Null characters are not allowed."), code="null_characters_not_allowed")
        return super().to_internal_value(data)


class DateTimeField(serializers.DateTimeField):
    """DRF's date-time, refused (400 on the field) outside the years a record may carry."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["validators"] = [*kwargs.get("validators", []), validate_record_datetime]
        super().__init__(**kwargs)

    def enforce_timezone(self, value: Any) -> Any:
        # Making a naive year-1 value aware can overflow before the validators run.
        try:
            return super().enforce_timezone(value)
        except OverflowError:
            raise serializers.ValidationError(record_out_of_range().messages) from None


class _Optional:
    """ "" (a blank column) goes out as null; null, "" or blanks come in as "" (clear the value).
    Documented as the format, nullable: never an empty string."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["allow_null"] = True
        kwargs.pop("allow_blank", None)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)  # type: ignore[call-arg]

    def run_validation(self, data: Any = serializers.empty) -> Any:
        if data is None or (isinstance(data, str) and not data.strip()):
            return ""
        return super().run_validation(data)  # type: ignore[misc]

    def to_representation(self, value: Any) -> Any:
        return value or None


class OptionalURLField(_Optional, serializers.URLField):
    """An optional URL: null when there is none, never ""."""


class OptionalEmailField(_Optional, serializers.EmailField):
    """An optional e-mail address: null when there is none, never ""."""


class ModelSerializer(serializers.ModelSerializer):
    """The base of every model serializer: nullable columns documented nullable, record
    date-times inside the calendar's sane years, optional URLs and e-mails null when blank."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: DateTimeField,
    }

    def build_standard_field(self, field_name: str, model_field: Any) -> tuple[type, dict[str, Any]]:
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        optional = {models.URLField: OptionalURLField, models.EmailField: OptionalEmailField}
        for model_class, optional_class in optional.items():
            if isinstance(model_field, model_class) and getattr(model_field, "blank", False):
                field_class = optional_class
                for name in ("allow_blank", "allow_null", "required"):
                    kwargs.pop(name, None)
        return field_class, kwargs

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        for name, field in fields.items():
            if field.allow_null:
                continue
            if isinstance(field, serializers.SerializerMethodField):
                field.allow_null = _returns_none(getattr(self, field.method_name or f"get_{name}", None))
            elif _nullable_source(self.Meta.model, str(field.source or name)):
                field.allow_null = True
        return fields


def _returns_none(method: Any) -> bool:
    """Whether a SerializerMethodField's method says it may return None (`-> str | None`)."""
    try:
        hint = typing.get_type_hints(method).get("return")
    except Exception:  # a hint that does not resolve documents nothing either way
        return False
    return type(None) in typing.get_args(hint)


def _nullable_source(model: Any, source: str) -> bool:
    """Whether a field's source (`lead_agency`, `moderated_by.username`) can be null: a nullable
    column, or a nullable relation on the way to it. Many-to-many and reverse relations are lists."""
    if not source or source == "*":
        return False
    for name in source.split("."):
        try:
            model_field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return False
        if model_field.many_to_many or model_field.one_to_many:
            return False
        if getattr(model_field, "null", False):
            return True
        if not model_field.is_relation or model_field.related_model is None:
            return False
        model = model_field.related_model
    return False
