"""The risk register's filters: the API's `risks/` and, with page widgets, the register's pages."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Area
from incidents.models import Category, RiskAssessment


class RiskFilter(django_filters.FilterSet):
    area = django_filters.ModelChoiceFilter(
        queryset=Area.objects.all(),
        method="filter_area",
        label=_("Area"),
        help_text=_("Area id; includes its sub-areas."),
    )
    hazard = django_filters.ModelChoiceFilter(
        queryset=Category.objects.all(),
        to_field_name="code",
        method="filter_hazard",
        label=_("Hazard"),
        help_text=_("Category code; includes its sub-categories."),
    )
    min_score = django_filters.NumberFilter(field_name="score", lookup_expr="gte", label=_("Minimum score"))
    assessing_agency = django_filters.ModelChoiceFilter(queryset=Agency.objects.all(), label=_("Assessing agency"))
    review_overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Review overdue"))

    class Meta:
        model = RiskAssessment
        fields: list[str] = []

    def filter_area(self, qs: QuerySet, name: str, value: Area | None) -> QuerySet:
        return qs.filter(area_path__startswith=value.path) if value else qs

    def filter_hazard(self, qs: QuerySet, name: str, value: Category | None) -> QuerySet:
        return qs.filter(Q(hazard=value) | Q(hazard__parent=value)) if value else qs

    def filter_overdue(self, qs: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return qs
        today = timezone.localdate()
        return qs.filter(review_due__lt=today) if value else qs.filter(review_due__gte=today)
