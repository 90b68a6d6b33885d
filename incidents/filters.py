"""django-filter FilterSets shared by the API, the pages and the exports of incidents."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from agencies.models import Agency, Area, Classification, Severity
from agencies.serializers import CAP_SEVERITY
from common.dates import IsoDateTimeFilter

from .models import Category, Incident, Urgency


def parse_bbox(value: str) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """ "min_lon,min_lat,max_lon,max_lat" (GeoJSON order) -> four Decimals, or ValidationError."""
    try:
        parts = [Decimal(p.strip()) for p in value.split(",")]
    except (InvalidOperation, AttributeError):
        parts = []
    if len(parts) != 4 or not all(p.is_finite() for p in parts):
        raise ValidationError(_("bbox is min_lon,min_lat,max_lon,max_lat: four numbers."))
    min_lon, min_lat, max_lon, max_lat = parts
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise ValidationError(_("bbox corners are out of range or in the wrong order."))
    return min_lon, min_lat, max_lon, max_lat


class BBoxField(forms.CharField):
    def clean(self, value: str | None) -> tuple[Decimal, Decimal, Decimal, Decimal] | None:
        value = super().clean(value)
        return parse_bbox(value) if value else None


@extend_schema_field(OpenApiTypes.STR)
class BBoxFilter(django_filters.Filter):
    """A bounding box "min_lon,min_lat,max_lon,max_lat"; bad input fails form validation (400)."""

    field_class = BBoxField

    def filter(self, qs: QuerySet, value: tuple[Decimal, Decimal, Decimal, Decimal] | None) -> QuerySet:
        if not value:
            return qs
        min_lon, min_lat, max_lon, max_lat = value
        return qs.filter(latitude__gte=min_lat, latitude__lte=max_lat, longitude__gte=min_lon, longitude__lte=max_lon)


class IncidentFilterForm(forms.Form):
    """Checks what no single field can: a date range that ends before it starts."""

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        start, end = cleaned.get("occurred_after"), cleaned.get("occurred_before")
        if start and end and end < start:
            self.add_error("occurred_before", _("The end of the date range comes before its start."))
        return cleaned


SEVERITY_HELP = _("CAP severity name (Unknown, Minor, Moderate, Severe, Extreme) or its number, 0 to 4.")


def _severity_numbers(data: Any) -> Any:
    """The API's bodies name severities as CAP does ("Severe"); its filters take those names
    too, beside the numbers that the pages' selects send."""
    if data is None or not hasattr(data, "getlist") or not ({"severity", "min_severity"} & set(data.keys())):
        return data
    data = data.copy()
    for key in ("severity", "min_severity"):
        if key in data:
            names = [value.strip().capitalize() for value in data.getlist(key)]
            data.setlist(key, [str(CAP_SEVERITY.get(name, name)) for name in names])
    return data


# distinct=False on every MultipleChoiceFilter here: each filters the incident's own column, which
# cannot duplicate a row, and django-filter's default DISTINCT over every column made PostgreSQL
# sort all the matches of `?category=fire&status=verified` before its LIMIT (0.9 s at 1M rows).
class IncidentFilter(django_filters.FilterSet):
    category = django_filters.ModelChoiceFilter(
        queryset=Category.objects.all(),
        to_field_name="code",
        method="filter_category",
        label=_("Category"),
        help_text=_("Category code; includes its sub-categories."),
    )
    severity = django_filters.MultipleChoiceFilter(
        distinct=False, choices=Severity.choices, label=_("Severity"), help_text=SEVERITY_HELP
    )
    min_severity = django_filters.ChoiceFilter(
        choices=Severity.choices, method="filter_min_severity", label=_("Minimum severity"), help_text=SEVERITY_HELP
    )
    urgency = django_filters.MultipleChoiceFilter(distinct=False, choices=Urgency.choices, label=_("Urgency"))
    status = django_filters.MultipleChoiceFilter(distinct=False, choices=Incident.Status.choices, label=_("Status"))
    classification = django_filters.MultipleChoiceFilter(
        distinct=False, choices=Classification.choices, label=_("Classification")
    )
    source = django_filters.ChoiceFilter(choices=Incident.Source.choices, label=_("Source"))
    area = django_filters.ModelChoiceFilter(
        queryset=Area.objects.all(),
        method="filter_area",
        label=_("Area"),
        help_text=_("Area id; includes its sub-areas."),
    )
    agency = django_filters.ModelChoiceFilter(
        queryset=Agency.objects.all(),
        method="filter_agency",
        label=_("Agency"),
        help_text=_("Reporting, lead or involved agency id."),
    )
    occurred_after = IsoDateTimeFilter(field_name="occurred_at", lookup_expr="gte", label=_("From"))
    occurred_before = IsoDateTimeFilter(field_name="occurred_at", lookup_expr="lte", label=_("Until"))
    bbox = BBoxFilter(label=_("Bounding box"), help_text=_("min_lon,min_lat,max_lon,max_lat"))
    q = django_filters.CharFilter(
        method="filter_text", label=_("Search"), help_text=_("Reference, title or description.")
    )

    class Meta:
        model = Incident
        fields: list[str] = []
        form = IncidentFilterForm

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(_severity_numbers(data), *args, **kwargs)

    def filter_category(self, qs: QuerySet, name: str, value: Category | None) -> QuerySet:
        if not value:
            return qs
        return qs.filter(category_id__in=[value.pk, *value.children.values_list("pk", flat=True)])

    def filter_min_severity(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(severity__gte=int(value)) if value not in (None, "") else qs

    def filter_area(self, qs: QuerySet, name: str, value: Area | None) -> QuerySet:
        return qs.filter(area_path__startswith=value.path) if value else qs

    def filter_agency(self, qs: QuerySet, name: str, value: Agency | None) -> QuerySet:
        if not value:
            return qs
        involved = Incident.involved_agencies.through.objects.filter(incident_id=OuterRef("pk"), agency_id=value.pk)
        return qs.filter(Q(reporting_agency=value) | Q(lead_agency=value) | Q(Exists(involved)))

    def filter_text(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        value = (value or "").strip()
        if not value:
            return qs
        # References are upper case ("KTM-2026-000123"): an equality the unique index answers,
        # where iexact would read every row. Title and description: icontains, which the
        # trigram indexes of migration 0005 answer on PostgreSQL.
        return qs.filter(
            Q(reference__in={value, value.upper()}) | Q(title__icontains=value) | Q(description__icontains=value)
        )
