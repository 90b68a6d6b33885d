"""django-filter FilterSet of joint operations, shared by the API and the list page."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from agencies.models import Classification
from common.dates import IsoDateTimeFilter
from coordination.form_fields import PlanFilterMixin, WindowFilterForm, agency_filter, area_filter
from coordination.models import JointOperation, Participation


class OperationFilter(PlanFilterMixin, django_filters.FilterSet):
    participants = Participation
    participants_plan = "operation_id"
    areas_plan = "jointoperation_id"

    kind = django_filters.MultipleChoiceFilter(distinct=False, choices=JointOperation.Kind.choices, label=_("Kind"))
    status = django_filters.MultipleChoiceFilter(
        distinct=False, choices=JointOperation.Status.choices, label=_("Status")
    )
    classification = django_filters.MultipleChoiceFilter(
        distinct=False, choices=Classification.choices, label=_("Classification")
    )
    agency = agency_filter(_("Lead or participating agency id."))
    area = area_filter()
    starts_after = IsoDateTimeFilter(field_name="starts_at", lookup_expr="gte", label=_("From"))
    starts_before = IsoDateTimeFilter(field_name="starts_at", lookup_expr="lte", label=_("Until"))
    q = django_filters.CharFilter(method="filter_text", label=_("Search"), help_text=_("Name or objectives."))

    class Meta:
        model = JointOperation
        fields: list[str] = []
        form = WindowFilterForm

    def filter_text(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        value = (value or "").strip()
        return qs.filter(Q(name__icontains=value) | Q(objectives__icontains=value)) if value else qs
