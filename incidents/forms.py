"""Forms of the incidents and risk pages.

The list pages' filter forms are the API's FilterSets (`incidents/filters.py`) with page
widgets: same parameter names, same filtering, so a page URL and an API URL say the same thing.
Write forms validate what a browser sends and hand clean values to a service; the service
remains the judge (its ValidationError lands back on the form's fields with `add_service_errors`).

Areas are 90k rows: no form here ever renders them all. Filters offer the regencies and
districts of the user's jurisdiction; write forms pick one area through a search box
(`incident-area-search`) limited to that jurisdiction.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any, cast
from zoneinfo import ZoneInfo

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from agencies import selectors as agency_selectors
from agencies.form_fields import (
    IsoDateInput,
    ZonedDateTimeField,
    ZonedFormMixin,
)
from agencies.models import Agency, Area, Classification, Severity
from agencies.roles import roles_for
from agencies.validators import validate_latitude, validate_longitude
from common.dates import DateFilter
from common.forms import ActiveFiltersMixin, ListSelect, ServiceErrorsMixin
from common.types import User
from common.widgets import select_widget

from . import selectors
from .filters import IncidentFilter
from .models import Category, Incident, Urgency

# A jurisdiction may be a whole province (a Polda): its regencies and districts are ~150 rows,
# but its villages are over a thousand. Filters offer areas down to this level only.
FILTER_MAX_LEVEL = Area.Level.DISTRICT
# Areas a search box answers with at most.
AREA_SEARCH_LIMIT = 15

# `_("…") % args` at import time translates once, into the default language; this keeps the
# interpolation lazy, so a class-level label follows the language of each request.
interpolate_lazy = lazy(lambda message, args: str(message) % args, str)

Choices = list[tuple[Any, Any]]


# --- Shared choices ------------------------------------------------------------------------


def jurisdiction_paths(*, user: User) -> list[str] | None:
    """Paths of the areas of the user's agencies' jurisdiction; None means everywhere (staff)."""
    return selectors.moderation_area_paths(user=user)


def _within(paths: Iterable[str]) -> Q:
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(path__startswith=path)
    return q


def jurisdiction_areas(*, user: User) -> QuerySet[Area]:
    """Regencies, districts and villages the user may log incidents and risks in."""
    qs = agency_selectors.area_list().filter(level__gte=Area.Level.REGENCY)
    paths = jurisdiction_paths(user=user)
    return qs if paths is None else qs.filter(_within(paths))


def area_search(*, user: User, query: str, limit: int = AREA_SEARCH_LIMIT) -> list[Area]:
    """Areas of the user's jurisdiction whose name contains `query`, bigger areas first."""
    query = (query or "").strip()
    if len(query) < 2:
        return []
    qs = jurisdiction_areas(user=user).filter(name__icontains=query).select_related("parent__parent")
    return list(qs.order_by("level", "name", "pk")[:limit])


def area_label(area: Area | None) -> str:
    """ "Guntung · Bontang Utara, Kota Bontang": a village name alone is ambiguous nationwide."""
    if area is None:
        return ""
    parents: list[str] = []
    parent = area.parent if area.parent_id else None
    while parent is not None and parent.level >= Area.Level.REGENCY and len(parents) < 2:
        parents.append(parent.name)
        parent = parent.parent if parent.parent_id else None
    return f"{area.name} · {', '.join(parents)}" if parents else area.name


def area_filter_choices(*, user: User) -> Choices:
    """Regencies and districts of the user's jurisdiction for a filter <select>, grouped by
    regency (staff: every regency, grouped by province; 514 rows at most)."""
    paths = jurisdiction_paths(user=user)
    choices: Choices = [("", _("All areas"))]
    if paths is None:
        groups: dict[str, list[tuple[int, str]]] = {}
        regencies = (
            agency_selectors.area_list(filters={"level": Area.Level.REGENCY})
            .order_by("parent__name", "name")
            .values_list("pk", "name", "parent__name")
        )
        for pk, name, province in regencies:
            groups.setdefault(province or "", []).append((pk, name))
        return choices + list(groups.items())
    if not paths:
        return choices
    rows = (
        agency_selectors.area_list()
        .filter(_within(paths), level__gte=Area.Level.REGENCY, level__lte=FILTER_MAX_LEVEL)
        .order_by("path")
        .values_list("pk", "name", "level", "path")
    )
    # Paths sort a regency before its districts: group each district under its regency.
    grouped: dict[str, tuple[str, list[tuple[int, str]]]] = {}
    for pk, name, level, path in rows:
        if level == Area.Level.REGENCY:
            grouped[path] = (name, [(pk, name)])
            continue
        regency_path = "/" + "/".join(path.strip("/").split("/")[:2]) + "/"
        if regency_path in grouped:
            grouped[regency_path][1].append((pk, f"— {name}"))
        else:  # a district-level jurisdiction: no regency above it in the list
            grouped.setdefault(path, (name, []))[1].append((pk, name))
    for label, options in grouped.values():
        choices.append((label, options))
    return choices


def category_choices(*, value_field: str = "pk", active_only: bool = True, for_filter: bool = False) -> Choices:
    """Categories grouped by parent: a parent with children is an <optgroup> headed by itself
    ("Crime (any)" in a filter, which includes its children; "Crime (other)" in a write form)."""
    categories = list(selectors.category_list(active_only=active_only).order_by("sort_order", "code"))
    children: dict[int, list[Category]] = {}
    for category in categories:
        if category.parent_id:
            children.setdefault(category.parent_id, []).append(category)
    choices: Choices = []
    for category in categories:
        if category.parent_id:
            continue
        value = getattr(category, value_field)
        kids = children.get(category.pk, [])
        if kids:
            template = _("%(name)s (any)") if for_filter else _("%(name)s (other)")
            options = [(value, template % {"name": category.name})]
            options += [(getattr(kid, value_field), kid.name) for kid in kids]
            choices.append((category.name, options))
        else:
            choices.append((value, category.name))
    return choices


def _model_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    """A form's field that picks rows (ModelChoiceField or ModelMultipleChoiceField), typed so."""
    return cast(forms.ModelChoiceField, form.fields[name])


# --- Filter forms --------------------------------------------------------------------------


class IncidentPageFilter(ActiveFiltersMixin, IncidentFilter):
    """IncidentFilter with page widgets. Dates are whole days: "until 31 May" includes 31 May."""

    occurred_after = DateFilter(method="filter_after", label=_("From"))
    occurred_before = DateFilter(method="filter_before", label=_("Until"))

    def __init__(self, data: Any = None, *, user: User, queryset: QuerySet[Incident] | None = None) -> None:
        super().__init__(data, queryset=queryset if queryset is not None else selectors.incident_list(user=user))
        fields = self.form.fields
        fields["q"].widget = forms.TextInput(
            attrs={
                "class": "form-control",
                "type": "search",
                "placeholder": _("Reference or words"),
                "autocomplete": "off",
            }
        )
        fields["category"].widget = select_widget(
            [("", _("All categories")), *category_choices(value_field="code", for_filter=True)]
        )
        fields["status"].widget = ListSelect(
            attrs={"class": "form-select"}, choices=[("", _("Any status")), *Incident.Status.choices]
        )
        fields["min_severity"].widget = select_widget(
            [("", _("Any severity"))] + [(v, _("%(s)s or worse") % {"s": label}) for v, label in Severity.choices if v]
        )
        fields["area"].widget = select_widget(area_filter_choices(user=user))
        for name in ("occurred_after", "occurred_before"):
            fields[name].widget = IsoDateInput(attrs={"class": "form-control"})

    @staticmethod
    def _day_start(day: datetime.date) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))

    def filter_after(self, qs: QuerySet, name: str, value: datetime.date | None) -> QuerySet:
        return qs.filter(occurred_at__gte=self._day_start(value)) if value else qs

    def filter_before(self, qs: QuerySet, name: str, value: datetime.date | None) -> QuerySet:
        if not value:
            return qs
        return qs.filter(occurred_at__lt=self._day_start(value + datetime.timedelta(days=1)))


# --- Write forms ---------------------------------------------------------------------------


class AreaPickerField(forms.ModelChoiceField):
    """An area id posted by the search box (`templates/incidents/partials/incident_area_picker.html`)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", Area.objects.none())
        kwargs.setdefault("error_messages", {"invalid_choice": _("Choose an area of your jurisdiction from the list.")})
        super().__init__(**kwargs)


def _text(**attrs: Any) -> forms.TextInput:
    return forms.TextInput(attrs={"class": "form-control", **attrs})


def _coordinate(validator: Any, label: Any, **attrs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=9,
        decimal_places=6,
        validators=[validator],
        widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.000001", "inputmode": "decimal", **attrs}),
    )


class IncidentForm(ServiceErrorsMixin, ZonedFormMixin, forms.Form):
    """Create or edit an incident. The time is typed in the area's local time (WIB/WITA/WIT)."""

    title = forms.CharField(label=_("Title"), max_length=200, widget=_text(autocomplete="off"))
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none())
    severity = forms.TypedChoiceField(
        label=_("Severity"), choices=Severity.choices, coerce=int, initial=Severity.MODERATE
    )
    urgency = forms.TypedChoiceField(label=_("Urgency"), choices=Urgency.choices, coerce=int, initial=Urgency.UNKNOWN)
    classification = forms.ChoiceField(
        label=_("Classification"),
        choices=Classification.choices,
        initial=Classification.RESTRICTED,
        help_text=_(
            "Public: everyone. Restricted: every member agency. Confidential: the agencies on this "
            "incident and their information-sharing partners. Secret: the agencies on it only."
        ),
    )
    area = AreaPickerField(label=_("Area"))
    occurred_at = ZonedDateTimeField(label=_("Occurred at"), help_text=_("Local time of the area (WIB, WITA or WIT)."))
    latitude = _coordinate(
        validate_latitude, _("Latitude"), min="-90", max="90", placeholder=interpolate_lazy(_("e.g. %s"), "0.1333")
    )
    longitude = _coordinate(
        validate_longitude, _("Longitude"), min="-180", max="180", placeholder=interpolate_lazy(_("e.g. %s"), "117.5")
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"class": "form-control", "rows": 5})
    )
    reporting_agency = forms.ModelChoiceField(
        label=_("On behalf of"), queryset=Agency.objects.none(), required=False, empty_label=None
    )

    def __init__(self, *args: Any, user: User, incident: Incident | None = None, **kwargs: Any) -> None:
        self.user = user
        self.incident = incident
        if incident is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(incident)
        if incident is not None:
            kwargs.setdefault("zone", incident.area.timezone)
        super().__init__(*args, **kwargs)
        self.fields["occurred_at"].widget.attrs["class"] = "form-control"
        category = _model_field(self, "category")
        category.queryset = selectors.category_list(active_only=False)
        category.choices = [("", _("Choose a category")), *category_choices()]
        for name in ("category", "severity", "urgency", "classification", "reporting_agency"):
            self.fields[name].widget.attrs.setdefault("class", "form-select")
        areas = jurisdiction_areas(user=user)
        if incident is not None:  # an involved agency from elsewhere may keep the current area
            areas = agency_selectors.area_list().filter(Q(pk__in=areas.values("pk")) | Q(pk=incident.area_id))
        _model_field(self, "area").queryset = areas
        agencies = self._acting_agencies(user) if incident is None else []
        if len(agencies) > 1:
            _model_field(self, "reporting_agency").queryset = Agency.objects.filter(pk__in=[a.pk for a in agencies])
            self.fields["reporting_agency"].required = True
        else:
            del self.fields["reporting_agency"]

    @staticmethod
    def _acting_agencies(user: User) -> list[Agency]:
        """The agencies the user may log for (the "on behalf of" choice)."""
        ids = agency_selectors.managed_agency_ids(user=user, roles=roles_for("incident.log"))
        if not ids:  # staff (None) act without an agency; no role, no choice
            return []
        return list(agency_selectors.agency_list(user=user).filter(pk__in=ids).order_by("name"))

    @staticmethod
    def initial_from(incident: Incident) -> dict[str, Any]:
        return {
            "title": incident.title,
            "category": incident.category_id,
            "severity": incident.severity,
            "urgency": incident.urgency,
            "classification": incident.classification,
            "area": incident.area_id,
            "occurred_at": incident.occurred_at,  # shown in the area's zone (the form's `zone`)
            "latitude": incident.latitude,
            "longitude": incident.longitude,
            "description": incident.description,
        }

    @property
    def selected_area(self) -> Area | None:
        """The area the picker shows: the posted one (if valid) or the initial one."""
        if not hasattr(self, "_selected_area"):
            self._selected_area = self._find_selected_area()
        return self._selected_area

    def _find_selected_area(self) -> Area | None:
        cleaned = getattr(self, "cleaned_data", None) or {}
        if cleaned.get("area"):
            return cleaned["area"]
        value = self["area"].value()
        areas = _model_field(self, "area").queryset
        if not value or areas is None:
            return None
        try:
            return areas.select_related("parent__parent").filter(pk=value).first()
        except (ValueError, TypeError):
            return None

    @property
    def selected_area_label(self) -> str:
        return area_label(self.selected_area)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        lat, lon = data.get("latitude"), data.get("longitude")
        if (lat is None) != (lon is None) and "latitude" not in self.errors and "longitude" not in self.errors:
            self.add_error(
                "longitude" if lon is None else "latitude", _("Give both latitude and longitude, or neither.")
            )
        area, occurred = data.get("area"), data.get("occurred_at")
        if area is not None and occurred is not None and occurred > timezone.now() + datetime.timedelta(minutes=5):
            self.add_error("occurred_at", _("An incident cannot occur in the future."))
        return data

    def input_zone(self, cleaned: dict[str, Any]) -> ZoneInfo:
        """The browser sends the wall-clock time of the area chosen."""
        area = cleaned.get("area")
        return ZoneInfo(area.timezone) if area is not None and area.timezone else self.zone

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if self.incident is None and "reporting_agency" not in self.fields:
            data.pop("reporting_agency", None)
        return data


class IncidentStatusForm(ServiceErrorsMixin, forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Incident.Status.choices)
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=5000,
        widget=forms.TextInput(attrs={"class": "form-control", "placeholder": _("Why, briefly")}),
    )


class IncidentNoteForm(ServiceErrorsMixin, forms.Form):
    message = forms.CharField(
        label=_("Note"),
        max_length=5000,
        widget=forms.Textarea(
            attrs={"class": "form-control", "rows": 3, "placeholder": _("What the other agencies should know")}
        ),
    )


class IncidentAssignForm(ServiceErrorsMixin, forms.Form):
    """Lead and involved agencies, chosen among those working in the incident's regency or city."""

    lead_agency = forms.ModelChoiceField(
        label=_("Lead agency"), queryset=Agency.objects.none(), required=False, empty_label=_("(unchanged)")
    )
    involved_agencies = forms.ModelMultipleChoiceField(
        label=_("Involved agencies"),
        queryset=Agency.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args: Any, candidates: QuerySet[Agency], incident: Incident, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "lead_agency": incident.lead_agency_id,
                "involved_agencies": [a.pk for a in incident.involved_agencies.all()],
            },
        )
        super().__init__(*args, **kwargs)
        _model_field(self, "lead_agency").queryset = candidates
        self.fields["lead_agency"].widget.attrs["class"] = "form-select"
        _model_field(self, "involved_agencies").queryset = candidates

    def service_kwargs(self) -> dict[str, Any]:
        return {
            "lead_agency": self.cleaned_data.get("lead_agency"),
            "involved_agencies": list(self.cleaned_data.get("involved_agencies") or []),
        }
