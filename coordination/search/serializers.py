"""The search API's query and answer."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .kinds import kind_choices
from .selectors import MAX_LENGTH, MIN_LENGTH


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        min_length=MIN_LENGTH, max_length=MAX_LENGTH, help_text=_("The words to search for (at least two characters).")
    )
    kind = serializers.ChoiceField(
        choices=kind_choices(), required=False, help_text=_("Search one kind of record only.")
    )


class SearchHitSerializer(serializers.Serializer):
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    title = serializers.CharField()
    snippet = serializers.CharField()
    url = serializers.CharField(help_text=_("The record's page in the portal."))
    rank = serializers.FloatField()


class SearchAnswerSerializer(serializers.Serializer):
    q = serializers.CharField()
    kind = serializers.CharField(allow_null=True)
    results = SearchHitSerializer(many=True, source="hits")
