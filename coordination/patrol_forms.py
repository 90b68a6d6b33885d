"""Forms of the patrol pages: a shift with its units, a recurring plan, the calendar's filters."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Area
from agencies.widgets import QuickSelect

from .models import JointOperation, PatrolShift


def _bootstrap(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


class CalendarFilterForm(forms.Form):
    view = forms.ChoiceField(
        label=_("View"),
        # Week first: a bound form without `view` shows the first choice, and the page draws a week.
        choices=[("week", _("Week")), ("month", _("Month")), ("day", _("Day"))],
        required=False,
        initial="week",
    )
    date = forms.DateField(label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    agency = forms.ModelChoiceField(
        label=_("Agency"), queryset=Agency.objects.none(), required=False, widget=QuickSelect
    )
    area = forms.ModelChoiceField(label=_("Area"), queryset=Area.objects.none(), required=False, widget=QuickSelect)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All kinds")), *PatrolShift.Kind.choices], required=False, widget=QuickSelect
    )

    def __init__(self, *args: Any, agencies: QuerySet[Agency], areas: QuerySet[Area], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        self.fields["area"].queryset = areas
        _bootstrap(self)


class ShiftForm(forms.Form):
    operation = forms.ModelChoiceField(label=_("Operation"), queryset=JointOperation.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=PatrolShift.Kind.choices, initial=PatrolShift.Kind.JOINT_PATROL)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    area = forms.ModelChoiceField(
        label=_("Area"),
        queryset=Area.objects.none(),
        required=False,
        help_text=_("Times are read in this area's zone (WIB, WITA or WIT)."),
    )
    starts_at = forms.DateTimeField(label=_("Starts"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ends_at = forms.DateTimeField(label=_("Ends"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    override = forms.BooleanField(label=_("Save despite the conflicts"), required=False)
    override_reason = forms.CharField(label=_("Reason for the override"), required=False, max_length=2_000)

    def __init__(self, *args: Any, operations: QuerySet[JointOperation], areas: QuerySet[Area], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["operation"].queryset = operations
        self.fields["area"].queryset = areas
        _bootstrap(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        area = data.get("area")
        tz = ZoneInfo(area.timezone if area else settings.TIME_ZONE)
        for name in ("starts_at", "ends_at"):
            if data.get(name):
                data[name] = data[name].replace(tzinfo=None).replace(tzinfo=tz)
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", _("The shift ends before it starts."))
        if data.get("override") and not (data.get("override_reason") or "").strip():
            self.add_error("override_reason", _("Say why the conflicts are acceptable."))
        return data


class ContributionForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.filter(is_active=True), required=False)
    unit_name = forms.CharField(label=_("Unit"), max_length=120, required=False)
    headcount = forms.IntegerField(label=_("Headcount"), min_value=1, required=False)
    vehicles = forms.IntegerField(label=_("Vehicles"), min_value=0, required=False, initial=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
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
    operation = forms.ModelChoiceField(label=_("Operation"), queryset=JointOperation.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=PatrolShift.Kind.choices, initial=PatrolShift.Kind.JOINT_PATROL)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    area = forms.ModelChoiceField(
        label=_("Area"), queryset=Area.objects.none(), help_text=_("Times are local to this area's zone.")
    )
    first_date = forms.DateField(label=_("First night"), widget=forms.DateInput(attrs={"type": "date"}))
    days = forms.IntegerField(label=_("Number of days"), min_value=1, max_value=366, initial=30)
    start_time = forms.TimeField(
        label=_("From"), initial=datetime.time(22, 0), widget=forms.TimeInput(attrs={"type": "time"})
    )
    end_time = forms.TimeField(
        label=_("To"),
        initial=datetime.time(4, 0),
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text=_("At or before the start: the next morning."),
    )
    override = forms.BooleanField(label=_("Save despite the conflicts"), required=False)
    override_reason = forms.CharField(label=_("Reason for the override"), required=False, max_length=2_000)

    def __init__(self, *args: Any, operations: QuerySet[JointOperation], areas: QuerySet[Area], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["operation"].queryset = operations
        self.fields["area"].queryset = areas
        _bootstrap(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("start_time") and data.get("start_time") == data.get("end_time"):
            self.add_error("end_time", _("The shift ends when it starts."))
        if data.get("override") and not (data.get("override_reason") or "").strip():
            self.add_error("override_reason", _("Say why the conflicts are acceptable."))
        return data


class CoverageForm(forms.Form):
    area = forms.ModelChoiceField(label=_("City or regency"), queryset=Area.objects.none())

    def __init__(self, *args: Any, areas: QuerySet[Area], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas
        _bootstrap(self)


class FillForm(forms.Form):
    area = forms.ModelChoiceField(queryset=Area.objects.filter(level__gte=Area.Level.REGENCY))
    operation = forms.ModelChoiceField(label=_("Operation"), queryset=JointOperation.objects.none())

    def __init__(self, *args: Any, operations: QuerySet[JointOperation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["operation"].queryset = operations
