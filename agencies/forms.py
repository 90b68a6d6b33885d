"""Forms of the dashboard pages.

The agency directory's filter form is a django-filter FilterSet whose filtering is delegated to
`selectors.agency_list`: the FilterSet validates the query string and renders the form, the
selector stays the one place that decides what the user may see. (The API's FilterSets live in
`agencies/filters.py`.)
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.forms import ServiceErrorsMixin
from common.types import User
from common.widgets import QuickSelect

from . import selectors
from .form_fields import IsoDateField, IsoDateInput
from .models import Agency, Area, Partnership


def regency_choices() -> list[tuple[str, list[tuple[int, str]]]]:
    """Regencies and cities grouped by province, for a <select> with <optgroup>s.

    Only level 2 (514 rows in the full data set), never the 90k villages: one query.
    """
    groups: dict[str, list[tuple[int, str]]] = {}
    rows = (
        selectors.area_list(filters={"level": Area.Level.REGENCY})
        .order_by("parent__name", "name")
        .values_list("pk", "name", "parent__name")
    )
    for pk, name, province in rows:
        groups.setdefault(province or "", []).append((pk, name))
    return list(groups.items())


def _to_bool(value: str) -> bool:
    return value == "true"


class AgencyDirectoryFilter(django_filters.FilterSet):
    """The directory's filters: kind, area (regency or city), free text, active flag."""

    search = django_filters.CharFilter(
        label=_("Search"),
        widget=forms.TextInput(
            attrs={
                "class": "form-control",
                "type": "search",
                "placeholder": _("Name or code"),
                "autocomplete": "off",
            }
        ),
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"),
        choices=Agency.Kind.choices,
        empty_label=_("All kinds"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    area = django_filters.TypedChoiceFilter(
        label=_("Regency or city"),
        choices=[("", _("All areas"))],  # the regencies are read per request, in __init__
        coerce=int,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    is_active = django_filters.TypedChoiceFilter(
        label=_("Status"),
        choices=[("", _("Any status")), ("true", _("Active")), ("false", _("Inactive"))],
        coerce=_to_bool,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, data: Any = None, *, user: User) -> None:
        self.user = user
        super().__init__(data, queryset=selectors.agency_list(user=user))
        self.filters["area"].extra["choices"] = [("", _("All areas")), *regency_choices()]

    def filter_queryset(self, queryset: QuerySet[Agency]) -> QuerySet[Agency]:
        filters: dict[str, Any] = {}
        for name, value in self.form.cleaned_data.items():
            if value in (None, ""):
                continue
            if name == "area":
                # The selector matches on the area's path. The id was checked against the
                # choices; one deleted since then filters everything out.
                try:
                    value = selectors.area_get(pk=value)
                except Http404:
                    return queryset.none()
            filters[name] = value
        return selectors.agency_list(user=self.user, filters=filters)


class AreaSearchForm(forms.Form):
    """The area browser's name search, optionally narrowed to one level."""

    q = forms.CharField(
        label=_("Area name"),
        required=False,
        max_length=120,
        widget=forms.TextInput(
            attrs={
                "class": "form-control",
                "type": "search",
                "placeholder": _("e.g. Bontang"),
                "autocomplete": "off",
            }
        ),
    )
    level = forms.TypedChoiceField(
        label=_("Level"),
        required=False,
        choices=[("", _("All levels")), *Area.Level.choices],
        coerce=int,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def clean_q(self) -> str:
        return self.cleaned_data["q"].strip()


class PartnershipProposeForm(ServiceErrorsMixin, forms.Form):
    """A commander proposes a partnership of their agency with another (the agency page)."""

    partner = forms.ModelChoiceField(
        label=_("With"),
        queryset=Agency.objects.none(),
        empty_label=_("Choose an agency…"),
        widget=QuickSelect(attrs={"class": "form-select"}),
    )
    title = forms.CharField(label=_("Title"), max_length=200, widget=forms.TextInput(attrs={"class": "form-control"}))
    reference = forms.CharField(
        label=_("Agreement number"),
        max_length=80,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scope"),
        choices=Partnership.Scope.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    valid_from = IsoDateField(label=_("Valid from"), widget=IsoDateInput(attrs={"class": "form-control"}))
    valid_until = IsoDateField(
        label=_("Valid until"), required=False, widget=IsoDateInput(attrs={"class": "form-control"})
    )

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"valid_from": timezone.localdate()})
        super().__init__(*args, **kwargs)
        # Any other active agency: a partner may be in another city (only commanders and staff
        # get this form; QuickSelect draws a province's agencies cheaply).
        self.fields["partner"].queryset = (  # type: ignore[attr-defined]
            Agency.objects.filter(is_active=True).exclude(pk=agency.pk).only("id", "name").order_by("name")
        )
