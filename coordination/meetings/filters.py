"""django-filter FilterSet of meetings (the API and the list page)."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from common.dates import IsoDateTimeFilter
from coordination.form_fields import WindowFilterForm, agency_filter
from coordination.models import Meeting, MeetingInvitee


class MeetingFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(distinct=False, choices=Meeting.Status.choices, label=_("Status"))
    agency = agency_filter(_("Organiser or invited agency id."))
    upcoming = django_filters.BooleanFilter(method="filter_upcoming", label=_("Not ended yet"))
    starts_after = IsoDateTimeFilter(field_name="starts_at", lookup_expr="gte", label=_("From"))
    starts_before = IsoDateTimeFilter(field_name="starts_at", lookup_expr="lte", label=_("Until"))
    q = django_filters.CharFilter(method="filter_text", label=_("Title contains"), max_length=100)

    class Meta:
        model = Meeting
        fields: list[str] = []
        form = WindowFilterForm

    def filter_agency(self, qs: QuerySet, name: str, value: Agency | None) -> QuerySet:
        if not value:
            return qs
        invited = MeetingInvitee.objects.filter(meeting_id=OuterRef("pk"), agency_id=value.pk)
        return qs.filter(Q(organiser_id=value.pk) | Q(Exists(invited)))

    def filter_upcoming(self, qs: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return qs
        return qs.filter(ends_at__gt=timezone.now()) if value else qs.filter(ends_at__lte=timezone.now())

    def filter_text(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(title__icontains=value) if value else qs
