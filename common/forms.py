"""Form plumbing every dashboard form shares: a service's errors on the form, line breaks
stored as typed, several files in one input, a single select for a multiple-choice filter, and how many filters a list
page's filter set has set."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from .widgets import QuickSelect


def normalise_line_breaks(form: forms.BaseForm) -> None:
    """A browser sends a textarea's line breaks as CRLF: store them as the LF they were, so a
    text saved unchanged stays byte for byte the same. Call after cleaning."""
    cleaned = getattr(form, "cleaned_data", None) or {}
    for name, field in form.fields.items():
        value = cleaned.get(name)
        if isinstance(field.widget, forms.Textarea) and isinstance(value, str) and "\r" in value:
            cleaned[name] = value.replace("\r\n", "\n").replace("\r", "\n")


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """`<input type=file multiple>`, optional unless said: cleans to a list of uploads (maybe
    empty), each checked by `FileField` (the citizens' photos, a bulletin's attachments)."""

    def __init__(self, *, accept: str = "", **kwargs: Any) -> None:
        attrs = {"class": "form-control", **({"accept": accept} if accept else {})}
        kwargs.setdefault("widget", MultipleFileInput(attrs=attrs))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        uploads = data if isinstance(data, (list, tuple)) else [data]
        single = super().clean
        return [single(upload, initial) for upload in uploads if upload]


class ListSelect(QuickSelect):
    """A single <select> for a multiple-choice filter (`status=verified`): the API takes a list."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        if hasattr(data, "getlist"):
            return [v for v in data.getlist(name) if v]
        value = data.get(name)
        return [value] if value else []


class ServiceErrorsMixin:
    """Put a service's ValidationError on the form (on its field when the form has it), and mark
    invalid widgets for Bootstrap (`is-invalid`) and screen readers (`aria-invalid`)."""

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        normalise_line_breaks(self)  # type: ignore[arg-type]
        self._mark_invalid()

    def add_service_errors(self, exc: ValidationError) -> None:
        form: forms.Form = self  # type: ignore[assignment]
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                target = field if field in form.fields and field != NON_FIELD_ERRORS else None
                form.add_error(target, [m for e in errors for m in e.messages])
        else:
            form.add_error(None, exc.messages)
        self._mark_invalid()

    def _mark_invalid(self) -> None:
        form: forms.Form = self  # type: ignore[assignment]
        for name in form.errors:
            if name in form.fields:
                attrs = form.fields[name].widget.attrs
                if "is-invalid" not in attrs.get("class", ""):
                    attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
                attrs["aria-invalid"] = "true"


class ActiveFiltersMixin:
    """For a list page's FilterSet: how many of its filters the query sets (`active_count`, which
    the phone layout shows on the collapsed filters' button) and whether any is (`is_filtered`)."""

    @property
    def is_filtered(self) -> bool:
        return bool(self.active_count)

    @property
    def active_count(self) -> int:
        """How many filters are set (the phone layout shows it on the collapsed filters' button)."""
        filterset: Any = self
        return sum(1 for name in filterset.filters if filterset.form.data.get(name)) if filterset.is_bound else 0
