"""django-filter FilterSet of programmes (the API, the list, the calendar and the map)."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Area
from common.dates import IsoDateTimeFilter
from coordination.form_fields import WindowFilterForm, area_filter
from coordination.models import Programme


class ProgrammeFilter(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(distinct=False, choices=Programme.Kind.choices, label=_("Kind"))
    status = django_filters.MultipleChoiceFilter(distinct=False, choices=Programme.Status.choices, label=_("Status"))
    organiser = django_filters.ModelChoiceFilter(
        queryset=Agency.objects.all(), label=_("Organiser"), help_text=_("Organiser agency id.")
    )
    area = area_filter()
    starts_after = IsoDateTimeFilter(field_name="starts_at", lookup_expr="gte", label=_("From"))
    starts_before = IsoDateTimeFilter(field_name="starts_at", lookup_expr="lte", label=_("Until"))
    upcoming = django_filters.BooleanFilter(method="filter_upcoming", label=_("Not ended yet"))
    public = django_filters.BooleanFilter(field_name="is_public", label=_("Public"))
    q = django_filters.CharFilter(method="filter_text", label=_("Title contains"), max_length=100)

    class Meta:
        model = Programme
        fields: list[str] = []
        form = WindowFilterForm

    def filter_area(self, qs: QuerySet, name: str, value: Area | None) -> QuerySet:
        return qs.filter(area__path__startswith=value.path) if value else qs

    def filter_upcoming(self, qs: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return qs
        return qs.filter(ends_at__gt=timezone.now()) if value else qs.filter(ends_at__lte=timezone.now())

    def filter_text(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(title__icontains=value) if value else qs
