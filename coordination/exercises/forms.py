"""Forms of the exercises pages. Times are typed in the local time of the exercise's first area
(WIB, WITA or WIT), or of the portal's zone when it has none."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from agencies.form_fields import IsoDateField, IsoDateInput
from agencies.models import Agency, Classification
from agencies.selectors import filter_agency_choices
from common.forms import ListSelect, ServiceErrorsMixin
from common.types import User
from common.widgets import QuickSelect
from coordination.form_fields import (
    PersonField,
    PlanFormMixin,
    areas_field,
    datetime_field,
    filter_widgets,
    select,
    text_input,
    textarea,
    with_agencies,
)
from coordination.models import ActionItem, Exercise

from .filters import ActionItemFilter, ExerciseFilter


class ExerciseForm(ServiceErrorsMixin, PlanFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, widget=text_input(autocomplete="off"))
    kind = forms.ChoiceField(label=_("Kind"), choices=Exercise.Kind.choices, widget=select())
    classification = forms.ChoiceField(
        label=_("Classification"), choices=Classification.choices, initial=Classification.RESTRICTED, widget=select()
    )
    starts_at = datetime_field(_("Starts"))
    ends_at = datetime_field(_("Ends"))
    participants = forms.ModelMultipleChoiceField(
        label=_("Participating agencies"),
        queryset=Agency.objects.filter(is_active=True).order_by("name"),
        required=False,
        widget=forms.SelectMultiple(attrs={"class": "form-select", "size": 6}),
    )
    areas = areas_field()
    scenario = forms.CharField(label=_("Scenario"), required=False, widget=textarea(5))


class ExerciseReviewForm(ServiceErrorsMixin, forms.Form):
    observations = forms.CharField(label=_("Observations"), required=False, widget=textarea(3))
    strengths = forms.CharField(label=_("Strengths"), required=False, widget=textarea(3))
    gaps = forms.CharField(label=_("Gaps"), required=False, widget=textarea(3))


class ActionItemForm(ServiceErrorsMixin, forms.Form):
    description = forms.CharField(label=_("Description"), max_length=5000, widget=text_input())
    owner_agency = forms.ModelChoiceField(
        label=_("Owner agency"),
        queryset=Agency.objects.filter(is_active=True).order_by("name"),
        widget=select(),
        empty_label=_("Choose an agency"),
    )
    due_date = IsoDateField(label=_("Due date"), widget=IsoDateInput(attrs={"class": "form-control"}))


class ActionItemEditForm(ServiceErrorsMixin, forms.Form):
    """An item's text, owner (agency, and optionally a person of it) and due date: its parent's
    planners change them; the service checks the person is a member of the agency."""

    description = forms.CharField(
        label=_("Description"), max_length=5000, widget=forms.Textarea(attrs={"class": "form-control", "rows": 3})
    )
    owner_agency = forms.ModelChoiceField(
        label=_("Owner agency"),
        queryset=Agency.objects.filter(is_active=True).order_by("name"),
        widget=select(),
        empty_label=_("Choose an agency"),
    )
    owner_person = PersonField(
        label=_("Owner person"),
        queryset=get_user_model().objects.none(),
        required=False,
        widget=select(),
        empty_label=_("Anyone of the agency"),
    )
    due_date = IsoDateField(label=_("Due date"), widget=IsoDateInput(attrs={"class": "form-control"}))

    def __init__(self, *args: Any, item: ActionItem, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "description": item.description,
                "owner_agency": item.owner_agency_id,
                "owner_person": item.owner_person_id,
                "due_date": item.due_date,
            },
        )
        super().__init__(*args, **kwargs)
        # The persons of the agency the item has, or of the one chosen in the form.
        agency = str(self.data.get("owner_agency") or "") if self.is_bound else ""
        agency_ids = {item.owner_agency_id, *([int(agency)] if agency.isdigit() else [])}
        person_field = self.fields["owner_person"]
        assert isinstance(person_field, forms.ModelChoiceField)
        person_field.queryset = with_agencies(
            get_user_model()
            .objects.filter(memberships__agency_id__in=agency_ids, memberships__is_active=True, is_active=True)
            .distinct()
            .order_by("first_name", "username")
        )


class ActionItemStatusForm(forms.Form):
    status = forms.ChoiceField(choices=ActionItem.Status.choices)


class ExercisePageFilter(ExerciseFilter):
    def __init__(self, data: Any = None, *, queryset: QuerySet[Exercise], user: User) -> None:
        super().__init__(data, queryset=queryset)
        filter_widgets(self.form, Exercise.Kind.choices, user=user)


class ActionItemPageFilter(ActionItemFilter):
    """The action-items page's filters: single selects, the user's agencies."""

    def __init__(self, data: Any = None, *, queryset: QuerySet[ActionItem], user: User) -> None:
        super().__init__(data, queryset=queryset)
        fields = self.form.fields
        fields["status"].widget = ListSelect(
            attrs={"class": "form-select"}, choices=[("", _("Any status")), *ActionItem.Status.choices]
        )
        fields["parent"].widget = forms.Select(
            attrs={"class": "form-select"}, choices=[("", _("Anything")), *fields["parent"].choices[1:]]
        )
        fields["overdue"].widget = forms.Select(
            attrs={"class": "form-select"},
            choices=[("", _("Any")), ("true", _("Overdue")), ("false", _("Not overdue"))],
        )
        selected = self.form.data.get("owner_agency") if self.form.data else None
        fields["owner_agency"].widget = QuickSelect(
            attrs={"class": "form-select"},
            choices=[
                ("", _("All agencies")),
                *filter_agency_choices(user=user, selected=selected).values_list("pk", "name"),
            ],
        )
