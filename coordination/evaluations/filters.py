"""django-filter FilterSet of evaluations (the API and the list page)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from coordination.models import Evaluation


class EvaluationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Evaluation.Status.choices, label=_("Status"))
    period_kind = django_filters.ChoiceFilter(choices=Evaluation.PeriodKind.choices, label=_("Period"))
    scope_kind = django_filters.ChoiceFilter(choices=Evaluation.ScopeKind.choices, label=_("Scope"))
    owner_agency = django_filters.ModelChoiceFilter(
        queryset=Agency.objects.all(), label=_("Agency"), help_text=_("Owner agency id.")
    )

    class Meta:
        model = Evaluation
        fields: list[str] = []
