"""django-filter FilterSet of joint operations, shared by the API and the list page."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Area, Classification
from coordination.form_fields import WindowFilterForm, agency_filter, area_filter
from coordination.models import JointOperation, Participation


class OperationFilter(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(distinct=False, choices=JointOperation.Kind.choices, label=_("Kind"))
    status = django_filters.MultipleChoiceFilter(
        distinct=False, choices=JointOperation.Status.choices, label=_("Status")
    )
    classification = django_filters.MultipleChoiceFilter(
        distinct=False, choices=Classification.choices, label=_("Classification")
    )
    agency = agency_filter(_("Lead or participating agency id."))
    area = area_filter()
    starts_after = django_filters.IsoDateTimeFilter(field_name="starts_at", lookup_expr="gte", label=_("From"))
    starts_before = django_filters.IsoDateTimeFilter(field_name="starts_at", lookup_expr="lte", label=_("Until"))
    q = django_filters.CharFilter(method="filter_text", label=_("Search"), help_text=_("Name or objectives."))

    class Meta:
        model = JointOperation
        fields: list[str] = []
        form = WindowFilterForm

    def filter_agency(self, qs: QuerySet, name: str, value: Agency | None) -> QuerySet:
        if not value:
            return qs
        takes_part = Participation.objects.filter(operation_id=OuterRef("pk"), agency_id=value.pk)
        return qs.filter(Q(lead_agency_id=value.pk) | Q(Exists(takes_part)))

    def filter_area(self, qs: QuerySet, name: str, value: Area | None) -> QuerySet:
        if not value:
            return qs
        covered = JointOperation.areas.through.objects.filter(
            jointoperation_id=OuterRef("pk"), area__path__startswith=value.path
        )
        return qs.filter(Exists(covered))

    def filter_text(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        value = (value or "").strip()
        return qs.filter(Q(name__icontains=value) | Q(objectives__icontains=value)) if value else qs
