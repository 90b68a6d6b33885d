"""django-filter FilterSets shared by the API and the pages of operations and exercises."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Area, Classification

from .models import ActionItem, Exercise, JointOperation, Participation


class WindowFilterForm(forms.Form):
    """Refuses a date range that ends before it starts."""

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("starts_after"), cleaned.get("starts_before")
        if start and end and end < start:
            self.add_error("starts_before", _("The end of the date range comes before its start."))
        return cleaned


def _area_filter() -> django_filters.ModelChoiceFilter:
    return django_filters.ModelChoiceFilter(
        queryset=Area.objects.all(),
        method="filter_area",
        label=_("Area"),
        help_text=_("Area id; includes its sub-areas."),
    )


def _agency_filter(help_text: str) -> django_filters.ModelChoiceFilter:
    return django_filters.ModelChoiceFilter(
        queryset=Agency.objects.all(), method="filter_agency", label=_("Agency"), help_text=help_text
    )


class OperationFilter(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(distinct=False, choices=JointOperation.Kind.choices, label=_("Kind"))
    status = django_filters.MultipleChoiceFilter(
        distinct=False, choices=JointOperation.Status.choices, label=_("Status")
    )
    classification = django_filters.MultipleChoiceFilter(
        distinct=False, choices=Classification.choices, label=_("Classification")
    )
    agency = _agency_filter(_("Lead or participating agency id."))
    area = _area_filter()
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


class ExerciseFilter(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(distinct=False, choices=Exercise.Kind.choices, label=_("Kind"))
    agency = _agency_filter(_("Lead or participating agency id."))
    area = _area_filter()
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
        from django.utils import timezone

        if value is None:
            return qs
        late = Q(due_date__lt=timezone.localdate()) & ~Q(status=ActionItem.Status.DONE)
        return qs.filter(late) if value else qs.exclude(late)
