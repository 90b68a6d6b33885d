"""Forms of the citizen-report pages: the public /lapor/ form and the moderators' actions.

The public form posts the same field names as `POST /api/v1/public/reports/` (category codes
as option values), so that what a citizen can do on the page and through the API is one
thing. Like the API, it only shapes the input: `services.citizen_report_submit` decides what
is acceptable (photo content, coordinates in Indonesia, time not in the future) and its
field errors are put back next to the fields.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.form_fields import IsoDateTimeInput
from agencies.models import Classification, Severity
from agencies.validators import validate_latitude, validate_longitude
from common.dates import validate_record_datetime
from common.forms import MultipleFileField, normalise_line_breaks
from common.types import User
from incidents import selectors
from incidents.models import Category, Incident

from . import services

MAX_DESCRIPTION = 5000
PHOTO_ACCEPT = "image/jpeg,image/png,image/webp"


def bootstrap(form: forms.Form) -> None:
    """Bootstrap 5 classes on the widgets (Django adds aria-invalid and aria-describedby)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput):
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class BootstrapForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)

    def full_clean(self) -> None:
        super().full_clean()
        normalise_line_breaks(self)


def category_choices() -> list[tuple[str, Any]]:
    """Active categories for a <select>: a parent with children becomes an <optgroup> holding
    the parent itself ("…, other") and its children; a parent without children is an option."""
    categories = list(selectors.category_list())
    children: dict[int, list[Category]] = {}
    for category in categories:
        if category.parent_id:
            children.setdefault(category.parent_id, []).append(category)
    choices: list[tuple[str, Any]] = [("", _("Choose what happened…"))]
    for category in categories:
        if category.parent_id:
            continue
        kids = children.get(category.pk)
        if kids:
            options = [(kid.code, kid.name) for kid in kids]
            options.append((category.code, _("%(name)s: something else") % {"name": category.name}))
            choices.append((category.name, options))
        else:
            choices.append((category.code, category.name))
    return choices


class CoordinateFormField(forms.DecimalField):
    """Degrees, rounded to 6 decimals (about 11 cm) rather than refused: phones give more."""

    STEP = Decimal("0.000001")

    def __init__(self, validator: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget",
            forms.NumberInput(attrs={"step": "any", "inputmode": "decimal", "autocomplete": "off"}),
        )
        super().__init__(max_digits=9, decimal_places=6, validators=[validator], **kwargs)

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        number = super().to_python(value)
        if number is None:
            return None
        try:
            return number.quantize(self.STEP, rounding=ROUND_HALF_EVEN)
        except InvalidOperation:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class CitizenReportForm(BootstrapForm):
    category = forms.ChoiceField(label=_("What happened?"))
    description = forms.CharField(
        label=_("Describe it"),
        max_length=MAX_DESCRIPTION,
        strip=False,  # stored as given; templates escape it
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What did you see, where exactly, how many people or vehicles, which direction they went."),
    )
    latitude = CoordinateFormField(validate_latitude, label=_("Latitude"))
    longitude = CoordinateFormField(validate_longitude, label=_("Longitude"))
    occurred_at = forms.DateTimeField(
        label=_("When did it happen?"),
        validators=[validate_record_datetime],
        required=False,
        widget=IsoDateTimeInput(),
        help_text=_("Leave empty if it is happening now."),
    )
    # Filled by the page's script with the browser's UTC offset (Date.getTimezoneOffset(),
    # minutes): a citizen in Bontang (WITA) typing 14:00 means 14:00 WITA, not the server's WIB.
    tz_offset = forms.IntegerField(required=False, min_value=-840, max_value=840, widget=forms.HiddenInput)
    contact = forms.CharField(
        label=_("Your phone or e-mail (optional)"),
        required=False,
        max_length=200,
        help_text=_("Only the officers who handle your report see it, to ask you more if needed."),
    )
    photos = MultipleFileField(
        accept=PHOTO_ACCEPT,
        label=_("Photos (optional)"),
        help_text=_("Up to 3 photos, JPEG, PNG or WebP, at most 10 MB each. Location data in them is removed."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category_field = self.fields["category"]
        assert isinstance(category_field, forms.ChoiceField)
        category_field.choices = category_choices()

    def clean_category(self) -> Category:
        code = self.cleaned_data["category"]
        category = selectors.category_list().filter(code=code).first()
        if category is None:
            raise ValidationError(_("Choose a category from the list."))
        return category

    def clean_photos(self) -> list[Any]:
        photos = self.cleaned_data.get("photos") or []
        if len(photos) > services.MAX_PHOTOS:
            raise ValidationError(_("At most %(n)d photos.") % {"n": services.MAX_PHOTOS})
        return photos

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        occurred_at: datetime | None = data.get("occurred_at")
        offset = data.get("tz_offset")
        if occurred_at is not None and offset is not None:
            wall_clock = timezone.make_naive(occurred_at)  # as typed, in the server's zone
            data["occurred_at"] = (wall_clock + timedelta(minutes=offset)).replace(tzinfo=UTC)
        return data

    def submit_kwargs(self) -> dict[str, Any]:
        """The arguments of `services.citizen_report_submit`."""
        data = self.cleaned_data
        return {
            "category": data["category"],
            "description": data["description"],
            "latitude": data["latitude"],
            "longitude": data["longitude"],
            "occurred_at": data.get("occurred_at"),
            "contact": data.get("contact") or "",
            "photos": data.get("photos") or [],
        }


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError next to the form's fields (or on top of the form)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.error_dict.items():
        messages = [m for error in errors for m in error.messages]
        form.add_error(field if field in form.fields else None, messages)


class TrackForm(BootstrapForm):
    code = forms.CharField(
        label=_("Tracking code"),
        max_length=16,
        widget=forms.TextInput(
            attrs={
                "autocapitalize": "characters",
                "autocomplete": "off",
                "spellcheck": "false",
                "placeholder": "ABCD234XYZ",
            }
        ),
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split()).upper()
        if not code.isalnum():
            raise ValidationError(_("A tracking code has only letters and digits."))
        return code


# --- Moderation ---------------------------------------------------------------------------


class VerifyForm(BootstrapForm):
    title = forms.CharField(
        label=_("Incident title"),
        max_length=200,
        required=False,
        help_text=_("Defaults to the start of the description."),
    )
    severity = forms.TypedChoiceField(
        label=_("Severity"), choices=Severity.choices, coerce=int, initial=Severity.MODERATE
    )
    classification = forms.ChoiceField(
        label=_("Classification"), choices=Classification.choices, initial=Classification.RESTRICTED
    )


class RejectForm(BootstrapForm):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The reporter sees this reason when following the report."),
    )


class DuplicateForm(BootstrapForm):
    incident = forms.CharField(
        label=_("Incident already reported"),
        max_length=24,
        help_text=_("Its reference (e.g. BON-2026-000123) or id."),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_incident(self) -> Incident:
        value = self.cleaned_data["incident"].strip()
        try:
            return selectors.incident_get(user=self.user, pk=value)
        except Http404:
            raise ValidationError(_("No incident with this id or reference.")) from None


class SpamForm(BootstrapForm):
    """No fields: the button is the confirmation."""


# --- Two-way with the reporter ------------------------------------------------------------


class AskForm(BootstrapForm):
    """A moderator's question to the reporter (report detail page)."""

    text = forms.CharField(
        label=_("Question to the reporter"),
        max_length=services.MAX_QUESTION,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "The reporter reads it on the tracking page, signed as your agency; a reporter who left "
            "a contact is told by e-mail or SMS that a question waits."
        ),
    )


class AnswerForm(BootstrapForm):
    """The reporter's answer to one question (tracking page). `website` is a honeypot: hidden
    from people (off-screen, out of the tab order), filled in by bots that fill every field."""

    question = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(
        label=_("Your answer"), max_length=services.MAX_ANSWER, widget=forms.Textarea(attrs={"rows": 3})
    )
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def is_bot(self) -> bool:
        return bool(str(self.data.get(self.add_prefix("website"), "")).strip())
