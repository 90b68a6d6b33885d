"""What the forms, filters and pages of coordination's plans (operations, exercises) share:
widgets, the areas a planner picks from, times typed in the local time of the plan's first area
(WIB, WITA or WIT, or the portal's zone when it has none), the list filters' fields."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Exists, Model, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from agencies.form_fields import IsoDateField, IsoDateInput, ZonedDateTimeField, ZonedFormMixin, zone_of_areas
from agencies.models import Agency, Area, Membership, zone_label
from agencies.selectors import filter_agency_choices, user_agency_ids, user_is_staff
from common.dates import CalendarDateTimeField
from common.forms import ListSelect, ServiceErrorsMixin
from common.types import User
from common.widgets import QuickSelect

# Past district level the list of areas gets long (a regency has ~150 villages): operations
# are planned over districts; finer places go in the objectives or the command post.
MAX_AREA_LEVEL = Area.Level.DISTRICT


# --- Forms ---------------------------------------------------------------------------------


def datetime_field(label: Any, required: bool = True) -> ZonedDateTimeField:
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


def check_window(form: forms.Form, cleaned: dict[str, Any], start: str = "starts_at", end: str = "ends_at") -> None:
    """The form's error on `end` when it does not come after `start` (call from `clean()`)."""
    begin, finish = cleaned.get(start), cleaned.get(end)
    if begin and finish and finish <= begin:
        form.add_error(end, _("The end must come after the start."))


class PlanFormMixin(AreasZoneMixin):
    """A plan's form (an operation, an exercise): the areas offered are the user's (plus those
    the plan has already), times are read in the zone of the first area, and the end must come
    after the start."""

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_area_choices(self, user=user)  # type: ignore[arg-type]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        check_window(self, cleaned)  # type: ignore[arg-type]
        return cleaned


def text_input(**attrs: Any) -> forms.TextInput:
    return forms.TextInput(attrs={"class": "form-control", **attrs})


def textarea(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"class": "form-control", "rows": rows})


def select(**attrs: Any) -> forms.Select:
    return forms.Select(attrs={"class": "form-select", **attrs})


def area_choices_queryset(*, user: User) -> QuerySet[Area]:
    """Areas a planner picks from: the jurisdictions of their agencies and what lies under them,
    down to districts (staff: provinces and regencies)."""
    if user_is_staff(user):
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


def area_choices_with_current(*, user: User, current: Any = None) -> QuerySet[Area]:
    """The areas offered, plus those the edited object has already (a village, or an area
    outside the user's choices): saved unchanged, the form keeps them."""
    offered = area_choices_queryset(user=user)
    ids = [getattr(a, "pk", a) for a in current or []]
    if not ids:
        return offered
    return Area.objects.filter(Q(pk__in=offered.values("pk")) | Q(pk__in=ids)).order_by("path")


def areas_field() -> forms.ModelMultipleChoiceField:
    """The plan's areas; the form's `__init__` sets the choices (`area_choices_with_current`)."""
    return forms.ModelMultipleChoiceField(
        label=_("Areas"),
        queryset=Area.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"class": "form-select", "size": 6}),
        help_text=_("Hold Ctrl (or Cmd) to choose several."),
    )


def set_area_choices(form: forms.BaseForm, *, user: User) -> None:
    """Offer the user's areas, plus the ones the edited plan has already."""
    field = form.fields["areas"]
    assert isinstance(field, forms.ModelMultipleChoiceField)
    field.queryset = area_choices_with_current(user=user, current=form.initial.get("areas"))


def zone_context(zone: str) -> dict[str, str]:
    """The zone a page shows and reads a plan's times in, with its label (WIB, WITA, WIT)."""
    return {"zone": zone, "zone_label": zone_label(zone)}


# --- List filters --------------------------------------------------------------------------


class WindowFilterForm(forms.Form):
    """Refuses a date range that ends before it starts."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("starts_after"), cleaned.get("starts_before")
        if start and end and end < start:
            self.add_error("starts_before", _("The end of the date range comes before its start."))
        return cleaned


def area_filter() -> django_filters.ModelChoiceFilter:
    return django_filters.ModelChoiceFilter(
        queryset=Area.objects.all(),
        method="filter_area",
        label=_("Area"),
        help_text=_("Area id; includes its sub-areas."),
    )


def agency_filter(help_text: Any) -> django_filters.ModelChoiceFilter:
    return django_filters.ModelChoiceFilter(
        queryset=Agency.objects.all(), method="filter_agency", label=_("Agency"), help_text=help_text
    )


class PlanFilterMixin:
    """The `agency` and `area` filter methods of a plan's FilterSet (operations, exercises): led
    by or taking part, and covering the area or one under it. The FilterSet names the rows of
    its plan's participants (`participants`, the plan's column in them: `participants_plan`)
    and its plan's column in the areas' link table (`areas_plan`)."""

    participants: type[Model]
    participants_plan: str
    areas_plan: str

    def filter_agency(self, qs: QuerySet, name: str, value: Agency | None) -> QuerySet:
        if not value:
            return qs
        takes_part = self.participants._default_manager.filter(
            **{self.participants_plan: OuterRef("pk")}, agency_id=value.pk
        )
        return qs.filter(Q(lead_agency_id=value.pk) | Q(Exists(takes_part)))

    def filter_area(self, qs: QuerySet, name: str, value: Area | None) -> QuerySet:
        if not value:
            return qs
        covered = qs.model.areas.through.objects.filter(
            **{self.areas_plan: OuterRef("pk")}, area__path__startswith=value.path
        )
        return qs.filter(Exists(covered))


def filter_widgets(form: forms.Form, kind_choices: Any, status_choices: Any = None, *, user: User) -> None:
    """The list page's filter form: single selects, the user's agencies, dates without times."""
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
        fields[name] = CalendarDateTimeField(
            label=fields[name].label,
            required=False,
            widget=IsoDateInput(attrs={"class": "form-control"}),
        )


# --- Persons of agencies (meeting invitees, action items' owners) ----------------------------


def person_label(user: Any) -> str:
    """ "Rina Marlina (BNN Kota Bontang)": the person and their agencies (prefetched by
    `with_agencies`), so an organiser picks the right one."""
    agencies = ", ".join(m.agency.name for m in getattr(user, "active_memberships", []))
    name = user.get_full_name() or user.get_username()
    return f"{name} ({agencies})" if agencies else name


def with_agencies(qs: QuerySet[Any]) -> QuerySet[Any]:
    active = Membership.objects.filter(is_active=True, agency__is_active=True).select_related("agency")
    return qs.prefetch_related(Prefetch("memberships", queryset=active, to_attr="active_memberships"))


class PersonChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return person_label(obj)


class PersonField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return person_label(obj)


class ActionItemFieldsForm(ServiceErrorsMixin, forms.Form):
    """An action item as a parent's page asks for it (a meeting's, a programme's, an
    evaluation's): what is to be done, the owner agency among those the parent allows, a person
    of it (optional) and the due date. A subclass calls `limit_owners` with those agencies; the
    service checks the person belongs to the agency chosen."""

    description = forms.CharField(label=_("Description"), max_length=5000, widget=text_input())
    owner_agency = forms.ModelChoiceField(
        label=_("Owner agency"), queryset=Agency.objects.none(), widget=select(), empty_label=_("Choose an agency")
    )
    owner_person = PersonField(
        label=_("Owner person"),
        queryset=get_user_model().objects.none(),
        required=False,
        widget=select(),
        empty_label=_("Anyone of the agency"),
    )
    due_date = IsoDateField(label=_("Due date"), widget=IsoDateInput(attrs={"class": "form-control"}))

    def limit_owners(self, agencies: QuerySet[Agency]) -> None:
        """Owner agencies: the active ones of `agencies`; owner persons: their active members."""
        agencies = agencies.filter(is_active=True).order_by("name")
        agency_field, person_field = self.fields["owner_agency"], self.fields["owner_person"]
        assert isinstance(agency_field, forms.ModelChoiceField) and isinstance(person_field, forms.ModelChoiceField)
        agency_field.queryset = agencies
        person_field.queryset = with_agencies(
            get_user_model()
            .objects.filter(memberships__agency__in=agencies, memberships__is_active=True, is_active=True)
            .distinct()
            .order_by("first_name", "username")
        )
