"""django-filter FilterSets of exercises (the API and the list page) and action items (the API)."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Area
from coordination.form_fields import WindowFilterForm, agency_filter, area_filter
from coordination.models import ActionItem, Exercise


class ExerciseFilter(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(distinct=False, choices=Exercise.Kind.choices, label=_("Kind"))
    agency = agency_filter(_("Lead or participating agency id."))
    area = area_filter()
    starts_after = django_filters.IsoDateTimeFilter(field_name="starts_at", lookup_expr="gte", label=_("From"))
    starts_before = django_filters.IsoDateTimeFilter(field_name="starts_at", lookup_expr="lte", label=_("Until"))
    reviewed = django_filters.BooleanFilter(
        field_name="reviewed_at", lookup_expr="isnull", exclude=True, label=_("Reviewed")
    )

    class Meta:
        model = Exercise
        fields: list[str] = []
        form = WindowFilterForm

    def filter_agency(self, qs: QuerySet, name: str, value: Agency | None) -> QuerySet:
        if not value:
            return qs
        takes_part = Exercise.participants.through.objects.filter(exercise_id=OuterRef("pk"), agency_id=value.pk)
        return qs.filter(Q(lead_agency_id=value.pk) | Q(Exists(takes_part)))

    def filter_area(self, qs: QuerySet, name: str, value: Area | None) -> QuerySet:
        if not value:
            return qs
        covered = Exercise.areas.through.objects.filter(exercise_id=OuterRef("pk"), area__path__startswith=value.path)
        return qs.filter(Exists(covered))


class ActionItemFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(distinct=False, choices=ActionItem.Status.choices, label=_("Status"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))
    owner_agency = django_filters.ModelChoiceFilter(queryset=Agency.objects.all(), label=_("Owner agency"))

    class Meta:
        model = ActionItem
        fields: list[str] = []

    def filter_overdue(self, qs: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return qs
        late = Q(due_date__lt=timezone.localdate()) & ~Q(status=ActionItem.Status.DONE)
        return qs.filter(late) if value else qs.exclude(late)
