"""django-filter FilterSets of the agencies API.

They narrow querysets that a selector has already scoped to the user; they never widen them.
An unknown id in a filter answers 400 with the filter's name, like any other bad input.
"""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from common.dates import DateFilter

from .models import Agency, Area, AuditLog, Camera, Membership, Partnership, Subscription, VitalObject
from .selectors import area_covering_q, partnership_awaiting_q, partnership_in_force_q


def _area_id_filter(method: str, help_text: str | Promise) -> django_filters.ModelChoiceFilter:
    """An area given by id whose filter runs `method`; typed as an integer in the schema."""
    return extend_schema_field({"type": "integer", "description": help_text})(
        django_filters.ModelChoiceFilter(queryset=Area.objects.all(), method=method, help_text=help_text)
    )


def _in_subtree(queryset: QuerySet, field: str, area: Area) -> QuerySet:
    """Rows whose `field` (an Area relation) is `area` or lies below it: one indexed range scan."""
    return queryset.filter(**{f"{field}__path__startswith": area.path})


class AreaFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=Area.Level.choices)
    parent = django_filters.ModelChoiceFilter(queryset=Area.objects.all(), help_text=_("Direct children of this area"))
    name = django_filters.CharFilter(lookup_expr="icontains", help_text=_("Part of the name, any case"))
    code = django_filters.CharFilter(lookup_expr="iexact", help_text=_("BSNI code"))
    descendants_of = _area_id_filter(
        "filter_descendants_of", _("The whole subtree below this area, the area itself excluded")
    )

    class Meta:
        model = Area
        fields = ["level", "parent", "name", "code", "descendants_of"]

    def filter_descendants_of(self, queryset: QuerySet[Area], name: str, value: Area) -> QuerySet[Area]:
        # The materialized path makes the subtree one indexed range scan (selectors.area_descendants).
        return queryset.filter(path__startswith=value.path).exclude(pk=value.pk)


class AgencyFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Agency.Kind.choices)
    area = _area_id_filter(
        "filter_area",
        _("Agencies whose jurisdiction covers this area (an ancestor or the area itself) or lies within it"),
    )
    search = django_filters.CharFilter(method="filter_search", help_text=_("Part of the name or code"))
    is_active = django_filters.BooleanFilter()
    parent = django_filters.ModelChoiceFilter(queryset=Agency.objects.all(), help_text=_("Parent agency"))

    class Meta:
        model = Agency
        fields = ["kind", "area", "search", "is_active", "parent"]

    def filter_area(self, queryset: QuerySet[Agency], name: str, value: Area) -> QuerySet[Agency]:
        # The same rule as selectors.agency_list(filters={"area": ...}).
        return queryset.filter(area_covering_q(area=value) | Q(jurisdiction__path__startswith=value.path)).distinct()

    def filter_search(self, queryset: QuerySet[Agency], name: str, value: str) -> QuerySet[Agency]:
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value))


class MembershipFilter(django_filters.FilterSet):
    agency = django_filters.ModelChoiceFilter(queryset=Agency.objects.all())
    role = django_filters.ChoiceFilter(choices=Membership.Role.choices)
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = Membership
        fields = ["agency", "role", "is_active"]


class PartnershipFilter(django_filters.FilterSet):
    agency = django_filters.ModelChoiceFilter(
        queryset=Agency.objects.all(), field_name="agencies", help_text=_("Partnerships this agency is a party to")
    )
    scope = django_filters.ChoiceFilter(choices=Partnership.Scope.choices, method="filter_scope")
    valid_on = DateFilter(
        method="filter_valid_on",
        help_text=_("Partnerships in force on this day (accepted by every party, not ended, between their dates)"),
    )
    status = django_filters.ChoiceFilter(choices=Partnership.Status.choices)
    awaiting_answer = django_filters.BooleanFilter(
        method="filter_awaiting_answer", help_text=_("true: proposals awaiting an answer from one of your agencies")
    )

    class Meta:
        model = Partnership
        fields = ["agency", "scope", "valid_on", "status", "awaiting_answer"]

    def filter_scope(self, queryset: QuerySet[Partnership], name: str, value: str) -> QuerySet[Partnership]:
        # `value` is one of Partnership.Scope, each a boolean column of the same name.
        return queryset.filter(**{value: True})

    def filter_valid_on(
        self, queryset: QuerySet[Partnership], name: str, value: datetime.date
    ) -> QuerySet[Partnership]:
        return queryset.filter(partnership_in_force_q(on=value))

    def filter_awaiting_answer(self, queryset: QuerySet[Partnership], name: str, value: bool) -> QuerySet[Partnership]:
        awaiting = partnership_awaiting_q(user=self.request.user)
        return queryset.filter(awaiting) if value else queryset.exclude(awaiting)


class SubscriptionFilter(django_filters.FilterSet):
    agency = django_filters.ModelChoiceFilter(queryset=Agency.objects.all())
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = Subscription
        fields = ["agency", "is_active"]


class VitalObjectFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=VitalObject.Kind.choices)
    area = _area_id_filter("filter_area", _("Vital objects in this area or anywhere below it"))
    operator = django_filters.ModelChoiceFilter(queryset=Agency.objects.all())
    guarded_by = django_filters.ModelChoiceFilter(
        queryset=Agency.objects.all(), field_name="guarding_agencies", help_text=_("A guarding agency")
    )
    is_national = django_filters.BooleanFilter()

    class Meta:
        model = VitalObject
        fields = ["kind", "area", "operator", "guarded_by", "is_national"]

    def filter_area(self, queryset: QuerySet[VitalObject], name: str, value: Area) -> QuerySet[VitalObject]:
        return _in_subtree(queryset, "area", value)


class CameraFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Camera.Status.choices)
    area = _area_id_filter("filter_area", _("Cameras in this area or anywhere below it"))
    operator = django_filters.ModelChoiceFilter(queryset=Agency.objects.all())
    vital_object = django_filters.ModelChoiceFilter(queryset=VitalObject.objects.all())

    class Meta:
        model = Camera
        fields = ["status", "area", "operator", "vital_object"]

    def filter_area(self, queryset: QuerySet[Camera], name: str, value: Area) -> QuerySet[Camera]:
        return _in_subtree(queryset, "area", value)


AUDIT_KINDS = (
    ("incident", _("Incidents")),
    ("threat", _("Threats")),
    ("risk", _("Risk assessments")),
    ("operation", _("Operations")),
    ("exercise", _("Exercises")),
)


_DATE_INPUT = forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d")


class AuditLogFilter(django_filters.FilterSet):
    """The agency audit page and its API: reads by date (the day in UTC), reader and kind."""

    date_from = DateFilter(
        field_name="at", lookup_expr="date__gte", label=_("From"), widget=_DATE_INPUT, help_text=_("First day (UTC)")
    )
    date_to = DateFilter(
        field_name="at", lookup_expr="date__lte", label=_("To"), widget=_DATE_INPUT, help_text=_("Last day (UTC)")
    )
    reader = django_filters.ModelChoiceFilter(
        field_name="reader_agencies",
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
        queryset=Agency.objects.filter(is_active=True).order_by("name"),
        label=_("Reader agency"),
        empty_label=_("All agencies"),
        help_text=_("Reads by members of this agency"),
    )
    kind = django_filters.ChoiceFilter(
        field_name="object_type",
        choices=AUDIT_KINDS,
        label=_("Record kind"),
        empty_label=_("All kinds"),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    class Meta:
        model = AuditLog
        fields = ["date_from", "date_to", "reader", "kind"]
