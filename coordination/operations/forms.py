"""Forms of the operations pages. Times are typed in the local time of the operation's first
area (WIB, WITA or WIT), or of the portal's zone when it has none."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from agencies.form_fields import ZonedFormMixin
from agencies.models import Agency, Classification
from agencies.validators import validate_latitude, validate_longitude
from common.forms import ServiceErrorsMixin
from common.types import User
from coordination.form_fields import (
    PlanFormMixin,
    areas_field,
    check_window,
    datetime_field,
    filter_widgets,
    select,
    text_input,
    textarea,
)
from coordination.models import JointOperation

from .filters import OperationFilter


class OperationForm(ServiceErrorsMixin, PlanFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, widget=text_input(autocomplete="off"))
    kind = forms.ChoiceField(label=_("Kind"), choices=JointOperation.Kind.choices, widget=select())
    classification = forms.ChoiceField(
        label=_("Classification"),
        choices=Classification.choices,
        initial=Classification.RESTRICTED,
        widget=select(),
        help_text=_(
            "Public: everyone. Restricted: every member agency. Confidential: the lead and "
            "participating agencies and the lead's information-sharing partners. Secret: the lead "
            "and participating agencies only."
        ),
    )
    areas = areas_field()
    starts_at = datetime_field(_("Starts"), required=False)
    ends_at = datetime_field(_("Ends"), required=False)
    objectives = forms.CharField(label=_("Objectives"), required=False, widget=textarea(5))
    command_post = forms.CharField(label=_("Command post"), max_length=200, required=False, widget=text_input())
    command_post_lat = forms.DecimalField(
        label=_("Command post latitude"),
        required=False,
        max_digits=9,
        decimal_places=6,
        validators=[validate_latitude],
        widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.000001"}),
    )
    command_post_lon = forms.DecimalField(
        label=_("Command post longitude"),
        required=False,
        max_digits=9,
        decimal_places=6,
        validators=[validate_longitude],
        widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.000001"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        lat, lon = cleaned.get("command_post_lat"), cleaned.get("command_post_lon")
        if (
            (lat is None) != (lon is None)
            and not self.errors.get("command_post_lat")
            and not self.errors.get("command_post_lon")
        ):
            self.add_error("command_post_lon", _("Give both latitude and longitude, or neither."))
        return cleaned


class OperationStatusForm(forms.Form):
    status = forms.ChoiceField(choices=JointOperation.Status.choices)
    note = forms.CharField(required=False, max_length=5000)


class ParticipationForm(ServiceErrorsMixin, forms.Form):
    agency = forms.ModelChoiceField(
        label=_("Agency"), queryset=Agency.objects.none(), widget=select(), empty_label=_("Choose an agency")
    )
    role = forms.CharField(
        label=_("Role"), max_length=120, required=False, widget=text_input(placeholder=_("e.g. perimeter"))
    )
    personnel = forms.IntegerField(
        label=_("Personnel"), min_value=0, initial=0, widget=forms.NumberInput(attrs={"class": "form-control"})
    )
    vehicles = forms.IntegerField(
        label=_("Vehicles"), min_value=0, initial=0, widget=forms.NumberInput(attrs={"class": "form-control"})
    )

    def __init__(self, *args: Any, operation: JointOperation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        taken = [p.agency_id for p in operation.participations.all()]
        field = self.fields["agency"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            Agency.objects.filter(is_active=True).exclude(pk__in=[operation.lead_agency_id, *taken]).order_by("name")
        )


class SitRepForm(ServiceErrorsMixin, ZonedFormMixin, forms.Form):
    period_start = datetime_field(_("Period start"))
    period_end = datetime_field(_("Period end"))
    summary = forms.CharField(label=_("Summary"), widget=textarea(3))
    resources_committed = forms.CharField(label=_("Resources committed"), required=False, widget=textarea(2))
    casualties_dead = forms.IntegerField(
        label=_("Dead"), min_value=0, initial=0, widget=forms.NumberInput(attrs={"class": "form-control"})
    )
    casualties_injured = forms.IntegerField(
        label=_("Injured"), min_value=0, initial=0, widget=forms.NumberInput(attrs={"class": "form-control"})
    )
    casualties_missing = forms.IntegerField(
        label=_("Missing"), min_value=0, initial=0, widget=forms.NumberInput(attrs={"class": "form-control"})
    )
    needs = forms.CharField(label=_("Needs"), required=False, widget=textarea(2))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        check_window(self, cleaned, "period_start", "period_end")
        return cleaned


class OperationPageFilter(OperationFilter):
    def __init__(self, data: Any = None, *, queryset: QuerySet[JointOperation], user: User) -> None:
        super().__init__(data, queryset=queryset)
        filter_widgets(self.form, JointOperation.Kind.choices, JointOperation.Status.choices, user=user)

    @property
    def is_filtered(self) -> bool:
        return any(v not in (None, "", []) for v in self.form.cleaned_data.values()) if self.form.is_valid() else False
