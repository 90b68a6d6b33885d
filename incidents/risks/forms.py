"""Forms of the risk register's pages: the register's filters (the API's `RiskFilter` with page
widgets) and the assessment form. The area picker, the category choices and the jurisdiction's
areas are the incident forms' (incidents/forms.py)."""

from __future__ import annotations

import datetime
from typing import Any, cast

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies import selectors as agency_selectors
from agencies.form_fields import IsoDateField, IsoDateInput
from agencies.models import Agency, Area, Classification
from common.forms import ActiveFiltersMixin, ServiceErrorsMixin
from common.types import User
from common.widgets import select_widget
from incidents.forms import (
    AreaPickerField,
    IncidentForm,
    area_filter_choices,
    category_choices,
    jurisdiction_areas,
)
from incidents.models import Category, RiskAssessment
from incidents.selectors import category_list

from . import selectors
from .filters import RiskFilter


class RiskPageFilter(ActiveFiltersMixin, RiskFilter):
    """RiskFilter with page widgets."""

    def __init__(self, data: Any = None, *, user: User, queryset: QuerySet[RiskAssessment] | None = None) -> None:
        super().__init__(data, queryset=queryset if queryset is not None else selectors.risk_list(user=user))
        fields = self.form.fields
        fields["area"].widget = select_widget(area_filter_choices(user=user))
        fields["hazard"].widget = select_widget(
            [("", _("All hazards")), *category_choices(value_field="code", for_filter=True)]
        )
        fields["min_score"].widget = select_widget(
            [("", _("Any score")), (5, "≥ 5"), (10, "≥ 10"), (15, "≥ 15"), (20, "≥ 20")]
        )
        fields["review_overdue"].widget = forms.Select(
            attrs={"class": "form-select"},
            choices=[("", _("Any review date")), ("true", _("Review overdue")), ("false", _("Review up to date"))],
        )

    @property
    def chosen_area(self) -> Area | None:
        """The area filtered on, once the form is valid."""
        return self.form.cleaned_data.get("area") if self.is_bound and self.form.is_valid() else None


LIKELIHOOD_CHOICES = [
    (1, _("1 · Rare")),
    (2, _("2 · Unlikely")),
    (3, _("3 · Possible")),
    (4, _("4 · Likely")),
    (5, _("5 · Almost certain")),
]
IMPACT_CHOICES = [
    (1, _("1 · Insignificant")),
    (2, _("2 · Minor")),
    (3, _("3 · Moderate")),
    (4, _("4 · Major")),
    (5, _("5 · Catastrophic")),
]


class RiskForm(ServiceErrorsMixin, forms.Form):
    """Create or edit a risk assessment; the score (likelihood x impact) is computed, never typed."""

    area = AreaPickerField(label=_("Area"))
    hazard = forms.ModelChoiceField(label=_("Hazard"), queryset=Category.objects.none())
    likelihood = forms.TypedChoiceField(label=_("Likelihood"), choices=LIKELIHOOD_CHOICES, coerce=int)
    impact = forms.TypedChoiceField(label=_("Impact"), choices=IMPACT_CHOICES, coerce=int)
    vulnerabilities = forms.CharField(
        label=_("Vulnerabilities"),
        required=False,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
    )
    mitigations = forms.CharField(
        label=_("Mitigations"), required=False, widget=forms.Textarea(attrs={"class": "form-control", "rows": 3})
    )
    assessed_on = IsoDateField(label=_("Assessed on"), widget=IsoDateInput(attrs={"class": "form-control"}))
    review_due = IsoDateField(label=_("Review due"), widget=IsoDateInput(attrs={"class": "form-control"}))
    classification = forms.ChoiceField(
        label=_("Classification"), choices=Classification.choices, initial=Classification.RESTRICTED
    )
    agency = forms.ModelChoiceField(
        label=_("Assessing agency"), queryset=Agency.objects.none(), required=False, empty_label=None
    )

    def __init__(self, *args: Any, user: User, risk: RiskAssessment | None = None, **kwargs: Any) -> None:
        self.user = user
        self.risk = risk
        if risk is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                name: getattr(risk, name)
                for name in ("likelihood", "impact", "vulnerabilities", "mitigations", "assessed_on", "review_due")
            } | {"area": risk.area_id, "hazard": risk.hazard_id, "classification": risk.classification}
        elif "initial" not in kwargs:
            today = timezone.localdate()
            kwargs["initial"] = {"assessed_on": today, "review_due": today + datetime.timedelta(days=180)}
        super().__init__(*args, **kwargs)
        hazard = cast(forms.ModelChoiceField, self.fields["hazard"])
        hazard.queryset = category_list(active_only=False)
        hazard.choices = [("", _("Choose a hazard")), *category_choices()]
        for name in ("hazard", "likelihood", "impact", "classification", "agency"):
            self.fields[name].widget.attrs.setdefault("class", "form-select")
        areas = jurisdiction_areas(user=user)
        if risk is not None:
            areas = agency_selectors.area_list().filter(Q(pk__in=areas.values("pk")) | Q(pk=risk.area_id))
        cast(forms.ModelChoiceField, self.fields["area"]).queryset = areas
        agencies = IncidentForm._acting_agencies(user) if risk is None else []
        if len(agencies) > 1:
            cast(forms.ModelChoiceField, self.fields["agency"]).queryset = Agency.objects.filter(
                pk__in=[a.pk for a in agencies]
            )
            self.fields["agency"].required = True
        else:
            del self.fields["agency"]

    selected_area = IncidentForm.selected_area
    _find_selected_area = IncidentForm._find_selected_area
    selected_area_label = IncidentForm.selected_area_label

    def clean(self) -> dict[str, Any]:
        data = cast(dict[str, Any], super().clean())
        assessed, review = data.get("assessed_on"), data.get("review_due")
        if assessed and review and review < assessed:
            self.add_error("review_due", _("The review date comes before the assessment."))
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        agency = data.pop("agency", None)
        if agency is not None:
            data["agency"] = agency
        return data
