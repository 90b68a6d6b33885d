"""Forms of the patrol pages: a shift with its units, a recurring plan, the calendar's filters."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, cast
from zoneinfo import ZoneInfo

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from agencies.form_fields import IsoDateField, IsoTimeField, ZonedDateTimeField, ZonedFormMixin
from agencies.models import Agency, Area
from common.dates import within_calendar
from common.widgets import QuickSelect
from coordination.models import Checkpoint, JointOperation, PatrolShift

from .selectors import zone_of


def _bootstrap(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


def _choices(form: forms.BaseForm, **querysets: QuerySet[Any]) -> None:
    """Give the form's model choice fields the caller's querysets (scoped to the user)."""
    for name, queryset in querysets.items():
        cast(forms.ModelChoiceField, form.fields[name]).queryset = queryset


class CalendarFilterForm(forms.Form):
    view = forms.ChoiceField(
        label=_("View"),
        # Week first: a bound form without `view` shows the first choice, and the page draws a week.
        choices=[("week", _("Week")), ("month", _("Month")), ("day", _("Day"))],
        required=False,
        initial="week",
    )
    # The calendar reaches up to ~6 weeks from its date (a month's grid, the arrows to the
    # previous and next month, a day's margin for conflicts): 70 days keep it inside the calendar.
    date = IsoDateField(label=_("Date"), required=False, validators=[within_calendar(datetime.timedelta(days=70))])
    agency = forms.ModelChoiceField(
        label=_("Agency"),
        queryset=Agency.objects.none(),
        required=False,
        empty_label=_("All agencies"),
        widget=QuickSelect,
    )
    area = forms.ModelChoiceField(
        label=_("Area"), queryset=Area.objects.none(), required=False, empty_label=_("All areas"), widget=QuickSelect
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All kinds")), *PatrolShift.Kind.choices], required=False, widget=QuickSelect
    )

    def __init__(self, *args: Any, agencies: QuerySet[Agency], areas: QuerySet[Area], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, agency=agencies, area=areas)
        _bootstrap(self)


class ShiftForm(ZonedFormMixin, forms.Form):
    operation = forms.ModelChoiceField(
        label=_("Operation"), queryset=JointOperation.objects.none(), empty_label=_("Choose an operation")
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=PatrolShift.Kind.choices, initial=PatrolShift.Kind.JOINT_PATROL)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    area = forms.ModelChoiceField(
        label=_("Area"),
        queryset=Area.objects.none(),
        required=False,
        empty_label=_("Choose an area"),
        help_text=_("Times are read in this area's zone (WIB, WITA or WIT)."),
    )
    starts_at = ZonedDateTimeField(label=_("Starts"))
    ends_at = ZonedDateTimeField(label=_("Ends"))
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    override = forms.BooleanField(label=_("Save despite the conflicts"), required=False)
    override_reason = forms.CharField(label=_("Reason for the override"), required=False, max_length=2_000)

    def __init__(self, *args: Any, operations: QuerySet[JointOperation], areas: QuerySet[Area], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, operation=operations, area=areas)
        _bootstrap(self)

    def input_zone(self, cleaned: dict[str, Any]) -> ZoneInfo:
        area = cleaned.get("area")
        return zone_of([area] if area is not None else [])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", _("The shift ends before it starts."))
        if data.get("override") and not (data.get("override_reason") or "").strip():
            self.add_error("override_reason", _("Say why the conflicts are acceptable."))
        return data


class ContributionForm(forms.Form):
    agency = forms.ModelChoiceField(
        label=_("Agency"),
        queryset=Agency.objects.filter(is_active=True),
        required=False,
        empty_label=_("Choose an agency"),
    )
    unit_name = forms.CharField(label=_("Unit"), max_length=120, required=False)
    headcount = forms.IntegerField(label=_("Headcount"), min_value=1, required=False)
    vehicles = forms.IntegerField(label=_("Vehicles"), min_value=0, required=False, initial=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        filled = [data.get(k) for k in ("agency", "unit_name", "headcount")]
        if any(filled) and not all(filled):
            raise forms.ValidationError(_("Give the agency, the unit and its headcount."))
        return data

    def as_contribution(self) -> dict[str, Any] | None:
        data = self.cleaned_data
        if not data.get("agency"):
            return None
        return {
            "agency": data["agency"],
            "unit_name": data["unit_name"],
            "headcount": data["headcount"],
            "vehicles": data.get("vehicles") or 0,
        }


ContributionFormSet = forms.formset_factory(ContributionForm, extra=3, max_num=20)


class GenerateForm(forms.Form):
    operation = forms.ModelChoiceField(
        label=_("Operation"), queryset=JointOperation.objects.none(), empty_label=_("Choose an operation")
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=PatrolShift.Kind.choices, initial=PatrolShift.Kind.JOINT_PATROL)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    area = forms.ModelChoiceField(
        label=_("Area"),
        queryset=Area.objects.none(),
        empty_label=_("Choose an area"),
        help_text=_("Times are local to this area's zone."),
    )
    first_date = IsoDateField(label=_("First night"))
    days = forms.IntegerField(label=_("Number of days"), min_value=1, max_value=366, initial=30)
    start_time = IsoTimeField(label=_("From"), initial=datetime.time(22, 0))
    end_time = IsoTimeField(
        label=_("To"),
        initial=datetime.time(4, 0),
        help_text=_("At or before the start: the next morning."),
    )
    override = forms.BooleanField(label=_("Save despite the conflicts"), required=False)
    override_reason = forms.CharField(label=_("Reason for the override"), required=False, max_length=2_000)

    def __init__(self, *args: Any, operations: QuerySet[JointOperation], areas: QuerySet[Area], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, operation=operations, area=areas)
        _bootstrap(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        if data.get("start_time") and data.get("start_time") == data.get("end_time"):
            self.add_error("end_time", _("The shift ends when it starts."))
        if data.get("override") and not (data.get("override_reason") or "").strip():
            self.add_error("override_reason", _("Say why the conflicts are acceptable."))
        return data


class CoverageForm(forms.Form):
    area = forms.ModelChoiceField(
        label=_("City or regency"), queryset=Area.objects.none(), empty_label=_("Choose a city or regency")
    )

    def __init__(self, *args: Any, areas: QuerySet[Area], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, area=areas)
        _bootstrap(self)


class FillForm(forms.Form):
    area = forms.ModelChoiceField(queryset=Area.objects.filter(level__gte=Area.Level.REGENCY))
    operation = forms.ModelChoiceField(label=_("Operation"), queryset=JointOperation.objects.none())

    def __init__(self, *args: Any, operations: QuerySet[JointOperation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, operation=operations)


class CheckInForm(forms.Form):
    """A check-in from the phone page: the checkpoint (none on a shift without a route) and the
    browser's position if the user allowed it (both coordinates or neither)."""

    checkpoint = forms.ModelChoiceField(queryset=Checkpoint.objects.none(), required=False)
    latitude = forms.FloatField(required=False, min_value=-90, max_value=90)
    longitude = forms.FloatField(required=False, min_value=-180, max_value=180)

    def __init__(self, *args: Any, shift: PatrolShift, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, checkpoint=shift.checkpoints.all())
        self.fields["checkpoint"].required = shift.checkpoints.exists()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        lat, lon = data.get("latitude"), data.get("longitude")
        if (lat is None) != (lon is None):
            raise forms.ValidationError(_("Send both coordinates of the position, or neither."))
        for key in ("latitude", "longitude"):
            value = data.get(key)
            data[key] = None if value is None else Decimal(str(value)).quantize(Decimal("0.000001"))
        return data
