"""django-filter FilterSets of exercises (the API and the list page) and action items (the API)."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from common.dates import IsoDateTimeFilter
from coordination.form_fields import PlanFilterMixin, WindowFilterForm, agency_filter, area_filter
from coordination.models import ActionItem, Exercise


class ExerciseFilter(PlanFilterMixin, django_filters.FilterSet):
    participants = Exercise.participants.through
    participants_plan = "exercise_id"
    areas_plan = "exercise_id"

    kind = django_filters.MultipleChoiceFilter(distinct=False, choices=Exercise.Kind.choices, label=_("Kind"))
    agency = agency_filter(_("Lead or participating agency id."))
    area = area_filter()
    starts_after = IsoDateTimeFilter(field_name="starts_at", lookup_expr="gte", label=_("From"))
    starts_before = IsoDateTimeFilter(field_name="starts_at", lookup_expr="lte", label=_("Until"))
    reviewed = django_filters.BooleanFilter(
        field_name="reviewed_at", lookup_expr="isnull", exclude=True, label=_("Reviewed")
    )

    class Meta:
        model = Exercise
        fields: list[str] = []
        form = WindowFilterForm


class ActionItemFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(distinct=False, choices=ActionItem.Status.choices, label=_("Status"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))
    owner_agency = django_filters.ModelChoiceFilter(queryset=Agency.objects.all(), label=_("Owner agency"))
    parent = django_filters.ChoiceFilter(
        method="filter_parent",
        label=_("Follows up"),
        choices=[
            ("exercise", _("Exercises")),
            ("meeting", _("Meetings")),
            ("programme", _("Programmes")),
            ("evaluation", _("Evaluations")),
        ],
    )

    class Meta:
        model = ActionItem
        fields: list[str] = []

    def filter_parent(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(**{f"{value}__isnull": False}) if value else qs

    def filter_overdue(self, qs: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return qs
        late = Q(due_date__lt=timezone.localdate()) & ~Q(status=ActionItem.Status.DONE)
        return qs.filter(late) if value else qs.exclude(late)
