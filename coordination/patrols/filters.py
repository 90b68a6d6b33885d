"""The shift list's filters (API): operation, agency, area with its sub-areas, kind, window."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Exists, OuterRef

from agencies.models import Agency, Area
from common.dates import IsoDateTimeFilter
from coordination.models import PatrolShift, ShiftContribution


class ShiftFilter(django_filters.FilterSet):
    operation = django_filters.NumberFilter(field_name="operation_id")
    agency = django_filters.ModelChoiceFilter(queryset=Agency.objects.all(), method="filter_agency")
    area = django_filters.ModelChoiceFilter(queryset=Area.objects.all(), method="filter_area")
    kind = django_filters.ChoiceFilter(choices=PatrolShift.Kind.choices)

    class Meta:
        model = PatrolShift
        fields: list[str] = []

    def filter_agency(self, qs: Any, name: str, value: Agency) -> Any:
        return qs.filter(Exists(ShiftContribution.objects.filter(shift_id=OuterRef("pk"), agency_id=value.pk)))

    def filter_area(self, qs: Any, name: str, value: Area) -> Any:
        through = PatrolShift.areas.through.objects.filter(area__path__startswith=value.path)
        return qs.filter(pk__in=through.values("patrolshift_id"))


# "from" is a Python keyword: declare the window filters after the class.
ShiftFilter.base_filters["from"] = IsoDateTimeFilter(field_name="ends_at", lookup_expr="gt")
ShiftFilter.base_filters["to"] = IsoDateTimeFilter(field_name="starts_at", lookup_expr="lt")
