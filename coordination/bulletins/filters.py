"""django-filter FilterSet of the bulletins API list (the page reads the same `box` filters
through `selectors.bulletin_list`)."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from agencies.models import Classification
from coordination.models import Bulletin

BOXES = [
    ("received", _("Received")),
    ("unread", _("Unread")),
    ("awaiting", _("Waiting for acknowledgement")),
    ("issued", _("Issued by us")),
]


class BulletinFilter(django_filters.FilterSet):
    box = django_filters.ChoiceFilter(choices=BOXES, method="filter_box", label=_("Show"))
    classification = django_filters.ChoiceFilter(choices=Classification.choices, label=_("Classification"))
    status = django_filters.ChoiceFilter(choices=Bulletin.Status.choices, label=_("Status"))

    class Meta:
        model = Bulletin
        fields = ["box", "classification", "status"]

    def filter_box(self, qs: QuerySet[Bulletin], name: str, value: str) -> QuerySet[Bulletin]:
        from .selectors import bulletin_list

        if not value or self.request is None:
            return qs
        return qs.filter(pk__in=bulletin_list(user=self.request.user, filters={"box": value}).values("pk"))
