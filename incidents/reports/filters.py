"""The moderation queue's filters (the API's `reports/` and the /reports/ page alike)."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from incidents.models import Category, CitizenReport


class CitizenReportFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=CitizenReport.Status.choices, label=_("Status"))
    category = django_filters.ModelChoiceFilter(
        queryset=Category.objects.all(), to_field_name="code", method="filter_category", label=_("Category")
    )

    class Meta:
        model = CitizenReport
        fields: list[str] = []

    def filter_category(self, qs: QuerySet, name: str, value: Category | None) -> QuerySet:
        return qs.filter(Q(category=value) | Q(category__parent=value)) if value else qs
