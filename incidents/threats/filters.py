"""Filters of the threats API (api.py): threats, alerts and the inbox."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from agencies.models import Agency, Area, Classification
from common.dates import IsoDateTimeFilter
from common.serializers import MAX_ID
from incidents.models import Alert, Category, Delivery, Threat

from . import cap
from .serializers import StateField


class ThreatFilter(filters.FilterSet):
    category = filters.ModelChoiceFilter(
        queryset=Category.objects.all(),
        to_field_name="code",
        method="filter_category",
        label=_("Category"),
        help_text=_("Category code; includes its sub-categories."),
    )
    min_severity = filters.ChoiceFilter(
        choices=[(name, name) for name in cap.SEVERITY_VALUES],
        method="filter_min_severity",
        label=_("Minimum severity"),
        help_text=_("CAP severity name: this one and above."),
    )
    status = filters.ChoiceFilter(
        choices=[(s, s) for s in StateField.STATES],
        method="filter_status",
        label=_("Status"),
        help_text=_("active, cancelled or expired"),
    )
    classification = filters.MultipleChoiceFilter(choices=Classification.choices, label=_("Classification"))
    area = filters.ModelChoiceFilter(
        queryset=Area.objects.all(),
        method="filter_area",
        label=_("Area"),
        help_text=_("Area id; includes its sub-areas."),
    )
    issuing_agency = filters.ModelChoiceFilter(queryset=Agency.objects.all(), label=_("Issuing agency"))
    source = filters.ChoiceFilter(choices=Threat.Source.choices, label=_("Source"))
    sent_after = IsoDateTimeFilter(field_name="sent_at", lookup_expr="gte", label=_("Sent from"))
    sent_before = IsoDateTimeFilter(field_name="sent_at", lookup_expr="lte", label=_("Sent until"))

    class Meta:
        model = Threat
        fields: list[str] = []

    def filter_category(self, qs: QuerySet, name: str, value: Category | None) -> QuerySet:
        return qs.filter(Q(category=value) | Q(category__parent=value)) if value else qs

    def filter_min_severity(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(severity__gte=cap.SEVERITY_VALUES[value]) if value else qs

    def filter_status(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        now = timezone.now()
        cancelled = Q(msg_type=Threat.MsgType.CANCEL)
        if value == "cancelled":
            return qs.filter(cancelled)
        if value == "expired":
            return qs.exclude(cancelled).filter(expires_at__lte=now)
        if value == "active":
            return qs.exclude(cancelled).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        return qs

    def filter_area(self, qs: QuerySet, name: str, value: Area | None) -> QuerySet:
        if not value:
            return qs
        inside = Threat.areas.through.objects.filter(threat_id=OuterRef("pk"), area__path__startswith=value.path)
        return qs.filter(Exists(inside))


class AlertFilter(filters.FilterSet):
    acknowledged = filters.BooleanFilter(
        field_name="acknowledged_at", lookup_expr="isnull", exclude=True, label=_("Acknowledged")
    )
    agency = filters.ModelChoiceFilter(queryset=Agency.objects.all(), label=_("Agency"))
    threat = filters.NumberFilter(field_name="threat_id", min_value=1, max_value=MAX_ID, label=_("Threat id"))

    class Meta:
        model = Alert
        fields: list[str] = []


class InboxFilter(filters.FilterSet):
    unread = filters.BooleanFilter(field_name="read_at", lookup_expr="isnull", label=_("Unread"))

    class Meta:
        model = Delivery
        fields: list[str] = []
