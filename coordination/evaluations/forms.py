"""Forms of the evaluation pages: a new evaluation (a recent period, a scope the user's agency
may evaluate), the draft's text, findings, follow-up actions, publishing, and KPI targets."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Area, Partnership
from agencies.selectors import user_is_staff
from common.forms import ServiceErrorsMixin
from common.types import User
from coordination.form_fields import ActionItemFieldsForm, select, text_input, textarea
from coordination.models import Evaluation, EvaluationFinding

from . import selectors
from .filters import EvaluationFilter
from .kpis.definitions import KPIS


def period_choices(language: str) -> list[tuple[Any, Any]]:
    """Recent periods grouped by kind, the current one first: values "quarter:2026-07-01"."""
    return [
        (label, [(f"{kind}:{p.start.isoformat()}", p.label(language)) for p in selectors.recent_periods(kind=kind)])
        for kind, label in Evaluation.PeriodKind.choices
    ]


class EvaluationForm(ServiceErrorsMixin, forms.Form):
    owner_agency = forms.ModelChoiceField(
        label=_("For the agency"), queryset=Agency.objects.none(), widget=select(), empty_label=None
    )
    period = forms.ChoiceField(label=_("Period"), widget=select())
    scope_kind = forms.ChoiceField(label=_("Evaluate"), choices=Evaluation.ScopeKind.choices, widget=select())
    scope_agency = forms.ModelChoiceField(
        label=_("Agency evaluated"),
        queryset=Agency.objects.none(),
        required=False,
        widget=select(),
        empty_label=_("Choose an agency"),
    )
    scope_area = forms.ModelChoiceField(
        label=_("Area evaluated"),
        queryset=Area.objects.none(),
        required=False,
        widget=select(),
        empty_label=_("Choose an area"),
    )
    scope_partnership = forms.ModelChoiceField(
        label=_("Partnership evaluated"),
        queryset=Partnership.objects.none(),
        required=False,
        widget=select(),
        empty_label=_("Choose a partnership"),
    )
    title = forms.CharField(label=_("Title (optional)"), max_length=200, required=False, widget=text_input())
    recurring = forms.BooleanField(
        label=_("Repeat every period"),
        required=False,
        help_text=_("A draft of the next period is made when it ends."),
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = period_choices(get_language() or "id")  # type: ignore[attr-defined]
        writers = selectors.writer_agencies(user=user)
        staff = user_is_staff(user)
        ids = None if staff else set(writers.values_list("pk", flat=True))
        self.fields["owner_agency"].queryset = writers  # type: ignore[attr-defined]
        self.fields["scope_agency"].queryset = writers  # type: ignore[attr-defined]
        self.fields["scope_area"].queryset = selectors.evaluable_areas(agency_ids=ids)  # type: ignore[attr-defined]
        self.fields["scope_partnership"].queryset = selectors.evaluable_partnerships(agency_ids=ids)  # type: ignore[attr-defined]

    def clean_period(self) -> tuple[str, datetime.date]:
        kind, _sep, day = self.cleaned_data["period"].partition(":")
        return kind, datetime.date.fromisoformat(day)

    def service_values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        kind, start = data.pop("period")
        return {**data, "period_kind": kind, "period_start": start}


class SummaryForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False, widget=text_input())
    summary = forms.CharField(label=_("Summary"), max_length=10000, required=False, widget=textarea(5))
    recurring = forms.BooleanField(
        label=_("Repeat every period"), required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"})
    )


def kpi_choices(evaluation: Evaluation) -> list[tuple[str, Any]]:
    from .kpis.definitions import kpis_for

    return [("", _("No particular indicator")), *((k.key, k.label) for k in kpis_for(evaluation.scope_kind))]


class FindingForm(ServiceErrorsMixin, forms.Form):
    text = forms.CharField(label=_("Finding"), max_length=5000, widget=textarea(3))
    kpi = forms.ChoiceField(label=_("Indicator"), required=False, widget=select())

    def __init__(self, *args: Any, evaluation: Evaluation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kpi"].choices = kpi_choices(evaluation)  # type: ignore[attr-defined]


class EvaluationActionItemForm(ActionItemFieldsForm):
    description = forms.CharField(label=_("Action"), max_length=5000, widget=text_input())
    finding = forms.ModelChoiceField(
        label=_("Answers the finding"),
        queryset=EvaluationFinding.objects.none(),
        required=False,
        widget=select(),
        empty_label=_("No particular finding"),
    )
    field_order = ["description", "finding", "owner_agency", "owner_person", "due_date"]

    def __init__(self, *args: Any, evaluation: Evaluation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit_owners(selectors.action_owner_choices(evaluation=evaluation))
        self.fields["finding"].queryset = EvaluationFinding.objects.filter(evaluation=evaluation)  # type: ignore[attr-defined]


class PublishForm(ServiceErrorsMixin, forms.Form):
    shared_with = forms.ModelMultipleChoiceField(
        label=_("Publish to"),
        queryset=Agency.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("Agencies in partnership with yours; their members are told in their inbox."),
    )

    def __init__(self, *args: Any, evaluation: Evaluation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["shared_with"].queryset = selectors.partner_choices(evaluation=evaluation)  # type: ignore[attr-defined]


class TargetForm(ServiceErrorsMixin, forms.Form):
    kpi = forms.ChoiceField(choices=[(k, k) for k in KPIS], widget=forms.HiddenInput)
    agency = forms.ModelChoiceField(queryset=Agency.objects.all(), required=False, widget=forms.HiddenInput)
    value = forms.DecimalField(
        label=_("Target"),
        max_digits=14,
        decimal_places=2,
        required=False,
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "step": "any"}),
    )


class EvaluationPageFilter(EvaluationFilter):
    """The list page's filters: selects with an "any" choice."""

    def __init__(self, data: Any = None, *, queryset: Any) -> None:
        super().__init__(data, queryset=queryset)
        for name, label in (
            ("status", _("Any status")),
            ("period_kind", _("Any period")),
            ("scope_kind", _("Any scope")),
        ):
            field = self.form.fields[name]
            field.widget = forms.Select(attrs={"class": "form-select"}, choices=[("", label), *field.choices[1:]])  # type: ignore[attr-defined]
