"""Forms of the operations and exercises pages. Times are typed in the local time of the
operation's first area (WIB, WITA or WIT), or of the portal's zone when it has none."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from agencies.form_fields import IsoDateField, IsoDateInput, ZonedDateTimeField, ZonedFormMixin, zone_of_areas
from agencies.models import Agency, Area, Classification
from agencies.selectors import filter_agency_choices, user_agency_ids
from agencies.validators import validate_latitude, validate_longitude
from common.forms import ListSelect, ServiceErrorsMixin
from common.widgets import QuickSelect

from .filters import ExerciseFilter, OperationFilter
from .models import ActionItem, Exercise, JointOperation

# Past district level the list of areas gets long (a regency has ~150 villages): operations
# are planned over districts; finer places go in the objectives or the command post.
MAX_AREA_LEVEL = Area.Level.DISTRICT


def _dt(label: Any, required: bool = True) -> ZonedDateTimeField:
    field = ZonedDateTimeField(label=label, required=required)
    field.widget.attrs["class"] = "form-control"
    return field


class AreasZoneMixin(ZonedFormMixin):
    """Times are read in the zone of the first area chosen (the portal's zone without areas)."""

    def input_zone(self, cleaned: dict[str, Any]) -> ZoneInfo:
        areas = cleaned.get("areas")
        if areas is None:  # the areas are invalid: the form is refused anyway
            return self.zone
        return ZoneInfo(zone_of_areas(areas))


def _text(**attrs: Any) -> forms.TextInput:
    return forms.TextInput(attrs={"class": "form-control", **attrs})


def _area(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"class": "form-control", "rows": rows})


def _select(**attrs: Any) -> forms.Select:
    return forms.Select(attrs={"class": "form-select", **attrs})


def area_choices_queryset(*, user: Any) -> QuerySet[Area]:
    """Areas a planner picks from: the jurisdictions of their agencies and what lies under them,
    down to districts (staff: provinces and regencies)."""
    if user.is_staff:
        return Area.objects.filter(level__lte=Area.Level.REGENCY).order_by("path")
    roots = list(
        Area.objects.filter(agencies_with_jurisdiction__in=user_agency_ids(user=user)).values_list("path", flat=True)
    )
    if not roots:
        return Area.objects.none()
    q = Q()
    for path in roots:
        q |= Q(path__startswith=path)
    return Area.objects.filter(q, level__lte=MAX_AREA_LEVEL).order_by("path")


def area_choices_with_current(*, user: Any, current: Any = None) -> QuerySet[Area]:
    """The areas offered, plus those the edited object has already (a village, or an area
    outside the user's choices): saved unchanged, the form keeps them."""
    offered = area_choices_queryset(user=user)
    ids = [getattr(a, "pk", a) for a in current or []]
    if not ids:
        return offered
    return Area.objects.filter(Q(pk__in=offered.values("pk")) | Q(pk__in=ids)).order_by("path")


def _area_field() -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label=_("Areas"),
        queryset=Area.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"class": "form-select", "size": 6}),
        help_text=_("Hold Ctrl (or Cmd) to choose several."),
    )


class OperationForm(ServiceErrorsMixin, AreasZoneMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, widget=_text(autocomplete="off"))
    kind = forms.ChoiceField(label=_("Kind"), choices=JointOperation.Kind.choices, widget=_select())
    classification = forms.ChoiceField(
        label=_("Classification"),
        choices=Classification.choices,
        initial=Classification.RESTRICTED,
        widget=_select(),
        help_text=_(
            "Public: everyone. Restricted: every member agency. Confidential: the lead and "
            "participating agencies and the lead's information-sharing partners. Secret: the lead "
            "and participating agencies only."
        ),
    )
    areas = _area_field()
    starts_at = _dt(_("Starts"), required=False)
    ends_at = _dt(_("Ends"), required=False)
    objectives = forms.CharField(label=_("Objectives"), required=False, widget=_area(5))
    command_post = forms.CharField(label=_("Command post"), max_length=200, required=False, widget=_text())
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

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["areas"].queryset = area_choices_with_current(user=user, current=self.initial.get("areas"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("starts_at"), cleaned.get("ends_at")
        if start and end and end <= start:
            self.add_error("ends_at", _("The end must come after the start."))
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
        label=_("Agency"), queryset=Agency.objects.none(), widget=_select(), empty_label=_("Choose an agency")
    )
    role = forms.CharField(
        label=_("Role"), max_length=120, required=False, widget=_text(placeholder=_("e.g. perimeter"))
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
        self.fields["agency"].queryset = (
            Agency.objects.filter(is_active=True).exclude(pk__in=[operation.lead_agency_id, *taken]).order_by("name")
        )


class SitRepForm(ServiceErrorsMixin, ZonedFormMixin, forms.Form):
    period_start = _dt(_("Period start"))
    period_end = _dt(_("Period end"))
    summary = forms.CharField(label=_("Summary"), widget=_area(3))
    resources_committed = forms.CharField(label=_("Resources committed"), required=False, widget=_area(2))
    casualties_dead = forms.IntegerField(
        label=_("Dead"), min_value=0, initial=0, widget=forms.NumberInput(attrs={"class": "form-control"})
    )
    casualties_injured = forms.IntegerField(
        label=_("Injured"), min_value=0, initial=0, widget=forms.NumberInput(attrs={"class": "form-control"})
    )
    casualties_missing = forms.IntegerField(
        label=_("Missing"), min_value=0, initial=0, widget=forms.NumberInput(attrs={"class": "form-control"})
    )
    needs = forms.CharField(label=_("Needs"), required=False, widget=_area(2))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end <= start:
            self.add_error("period_end", _("The end must come after the start."))
        return cleaned


class ExerciseForm(ServiceErrorsMixin, AreasZoneMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, widget=_text(autocomplete="off"))
    kind = forms.ChoiceField(label=_("Kind"), choices=Exercise.Kind.choices, widget=_select())
    classification = forms.ChoiceField(
        label=_("Classification"), choices=Classification.choices, initial=Classification.RESTRICTED, widget=_select()
    )
    starts_at = _dt(_("Starts"))
    ends_at = _dt(_("Ends"))
    participants = forms.ModelMultipleChoiceField(
        label=_("Participating agencies"),
        queryset=Agency.objects.filter(is_active=True).order_by("name"),
        required=False,
        widget=forms.SelectMultiple(attrs={"class": "form-select", "size": 6}),
    )
    areas = _area_field()
    scenario = forms.CharField(label=_("Scenario"), required=False, widget=_area(5))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["areas"].queryset = area_choices_with_current(user=user, current=self.initial.get("areas"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("starts_at"), cleaned.get("ends_at")
        if start and end and end <= start:
            self.add_error("ends_at", _("The end must come after the start."))
        return cleaned


class ExerciseReviewForm(ServiceErrorsMixin, forms.Form):
    observations = forms.CharField(label=_("Observations"), required=False, widget=_area(3))
    strengths = forms.CharField(label=_("Strengths"), required=False, widget=_area(3))
    gaps = forms.CharField(label=_("Gaps"), required=False, widget=_area(3))


class ActionItemForm(ServiceErrorsMixin, forms.Form):
    description = forms.CharField(label=_("Description"), max_length=5000, widget=_text())
    owner_agency = forms.ModelChoiceField(
        label=_("Owner agency"),
        queryset=Agency.objects.filter(is_active=True).order_by("name"),
        widget=_select(),
        empty_label=_("Choose an agency"),
    )
    due_date = IsoDateField(label=_("Due date"), widget=IsoDateInput(attrs={"class": "form-control"}))


class ActionItemStatusForm(forms.Form):
    status = forms.ChoiceField(choices=ActionItem.Status.choices)


def _filter_widgets(form: forms.Form, kind_choices: Any, status_choices: Any = None, *, user: Any = None) -> None:
    fields = form.fields
    fields["kind"].widget = ListSelect(attrs={"class": "form-select"}, choices=[("", _("Any kind")), *kind_choices])
    if status_choices is not None:
        fields["status"].widget = ListSelect(
            attrs={"class": "form-select"}, choices=[("", _("Any status")), *status_choices]
        )
    fields["agency"].widget = QuickSelect(
        attrs={"class": "form-select"},
        choices=[
            ("", _("All agencies")),
            *filter_agency_choices(user=user, selected=form.data.get("agency") if form.data else None).values_list(
                "pk", "name"
            ),
        ],
    )
    for name in ("starts_after", "starts_before"):
        fields[name] = forms.DateTimeField(
            label=fields[name].label,
            required=False,
            widget=IsoDateInput(attrs={"class": "form-control"}),
        )


class OperationPageFilter(OperationFilter):
    def __init__(self, data: Any = None, *, queryset: QuerySet[JointOperation], user: Any) -> None:
        super().__init__(data, queryset=queryset)
        _filter_widgets(self.form, JointOperation.Kind.choices, JointOperation.Status.choices, user=user)

    @property
    def is_filtered(self) -> bool:
        return any(v not in (None, "", []) for v in self.form.cleaned_data.values()) if self.form.is_valid() else False


class ExercisePageFilter(ExerciseFilter):
    def __init__(self, data: Any = None, *, queryset: QuerySet[Exercise], user: Any) -> None:
        super().__init__(data, queryset=queryset)
        _filter_widgets(self.form, Exercise.Kind.choices, user=user)
