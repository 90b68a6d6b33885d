"""Serializers of the surveys API (api.py): the survey and its questions as members see them,
the inputs of each write, the results, and the public survey as a respondent sees it."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agencies.models import Area
from agencies.serializers import AgencyRefSerializer, AreaRefSerializer
from common.serializers import ModelSerializer
from coordination.api_fields import agency_field
from coordination.community.programmes.selectors import programme_list
from coordination.models import Programme, Survey, SurveyAnswer, SurveyQuestion


class OptionSerializer(serializers.Serializer):
    id = serializers.CharField(max_length=200, help_text=_("The option in Indonesian"))
    en = serializers.CharField(max_length=200, required=False, allow_blank=True, help_text=_("The option in English"))


class QuestionSerializer(ModelSerializer):
    options = OptionSerializer(many=True, read_only=True)

    class Meta:
        model = SurveyQuestion
        fields = ["id", "position", "kind", "text", "text_en", "options", "element", "required"]
        read_only_fields = fields


class QuestionInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[c for c in SurveyQuestion.Kind.choices if c[0] != SurveyQuestion.Kind.SKM])
    text = serializers.CharField(max_length=500)
    text_en = serializers.CharField(max_length=500, required=False, allow_blank=True)
    options = OptionSerializer(many=True, required=False)
    required = serializers.BooleanField(required=False, default=True)  # type: ignore[assignment]


class SurveySerializer(ModelSerializer):
    agency = AgencyRefSerializer(read_only=True)
    area = AreaRefSerializer(read_only=True, allow_null=True)
    public_url = serializers.SerializerMethodField()

    class Meta:
        model = Survey
        fields = [
            "id",
            "kind",
            "title",
            "title_en",
            "description",
            "description_en",
            "agency",
            "service",
            "service_name",
            "area",
            "programme",
            "opens_on",
            "closes_on",
            "status",
            "results_public",
            "listed",
            "public_url",
            "created_at",
        ]
        read_only_fields = fields

    def get_public_url(self, survey: Survey) -> str | None:
        if survey.status == Survey.Status.DRAFT:
            return None
        from django.urls import reverse

        path = reverse("survey-answer", kwargs={"token": survey.token})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class SurveyDetailSerializer(SurveySerializer):
    questions = QuestionSerializer(many=True, read_only=True)

    class Meta(SurveySerializer.Meta):
        fields = [*SurveySerializer.Meta.fields, "questions"]
        read_only_fields = fields


@extend_schema_field(OpenApiTypes.INT)
class ReadableProgrammeField(serializers.PrimaryKeyRelatedField):
    """A programme the requesting user reads (anything else: "does not exist", as for a missing id)."""

    def get_queryset(self) -> Any:
        request = self.context.get("request")
        if request is None:
            return Programme.objects.none()
        return programme_list(user=request.user)


class SurveyWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    title_en = serializers.CharField(max_length=200, required=False, allow_blank=True)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    description_en = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    service = serializers.ChoiceField(choices=Survey.Service.choices, required=False)
    service_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    area = serializers.PrimaryKeyRelatedField(queryset=Area.objects.all(), required=False, allow_null=True)
    programme = ReadableProgrammeField(required=False, allow_null=True)
    opens_on = serializers.DateField(required=False, allow_null=True)
    closes_on = serializers.DateField(required=False, allow_null=True)
    results_public = serializers.BooleanField(required=False)
    listed = serializers.BooleanField(required=False)


class SurveyCreateSerializer(SurveyWriteSerializer):
    kind = serializers.ChoiceField(choices=Survey.Kind.choices, default=Survey.Kind.CUSTOM)
    agency = agency_field(required=False, allow_null=True)


class BarSerializer(serializers.Serializer):
    value = serializers.IntegerField()
    label = serializers.CharField()  # type: ignore[assignment]
    count = serializers.IntegerField()
    percent = serializers.FloatField()


class QuestionResultSerializer(serializers.Serializer):
    question = QuestionSerializer()
    answered = serializers.IntegerField()
    bars = BarSerializer(many=True)
    mean = serializers.FloatField(allow_null=True)
    low = serializers.IntegerField(allow_null=True)
    high = serializers.IntegerField(allow_null=True)
    texts = serializers.IntegerField()


class ElementSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    count = serializers.IntegerField()
    nrr = serializers.DecimalField(source="nrr_display", max_digits=5, decimal_places=3, allow_null=True)
    ikm = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    grade = serializers.CharField(allow_null=True)


class IndexSerializer(serializers.Serializer):
    ikm = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    grade = serializers.CharField(allow_null=True)
    grade_label = serializers.CharField()
    complete = serializers.BooleanField()
    respondents = serializers.IntegerField()
    elements = ElementSerializer(many=True)


class ResultsSerializer(serializers.Serializer):
    respondents = serializers.IntegerField()
    questions = QuestionResultSerializer(many=True)
    index = IndexSerializer(allow_null=True)
    trend = serializers.SerializerMethodField()
    by_area = serializers.SerializerMethodField()

    def get_trend(self, results: Any) -> list[dict[str, Any]]:
        return [
            {"month": m.strftime("%Y-%m"), "responses": n, "score": str(s) if s is not None else None}
            for m, n, s in results.trend
        ]

    def get_by_area(self, results: Any) -> list[dict[str, Any]]:
        return [{"area": a, "answers": n, "score": str(s) if s is not None else None} for a, n, s in results.by_area]


class IndexRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    index = IndexSerializer()

    def to_representation(self, row: Any) -> dict[str, Any]:
        key, label, index = row
        return {"key": str(key), "label": label, "index": IndexSerializer(index).data}


class TextAnswerSerializer(ModelSerializer):
    class Meta:
        model = SurveyAnswer
        fields = ["id", "question", "text", "published", "period"]
        read_only_fields = fields


class PublishSerializer(serializers.Serializer):
    answer = serializers.IntegerField(help_text=_("Id of a written answer of this survey"))
    published = serializers.BooleanField()


class PublicSurveySerializer(serializers.Serializer):
    title = serializers.CharField()
    title_en = serializers.CharField()
    description = serializers.CharField()
    description_en = serializers.CharField()
    agency = serializers.CharField(source="agency.name")
    open = serializers.BooleanField()
    questions = QuestionSerializer(many=True)


class PublicAnswerSerializer(serializers.Serializer):
    answers = serializers.DictField(
        child=serializers.JSONField(),
        help_text=_(
            "An object with each question's id as a key and its answer as the value "
            "(a list of values for multiple choice)."
        ),
    )
    tracking_code = serializers.CharField(max_length=16, required=False, allow_blank=True)
    device_token = serializers.CharField(max_length=64, required=False, allow_blank=True)
    website = serializers.CharField(required=False, allow_blank=True, help_text=_("Leave empty (a honeypot)"))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not (attrs.get("tracking_code") or "").strip() and not (attrs.get("device_token") or "").strip():
            raise serializers.ValidationError(
                {"device_token": [_("Give the device's token (or the report's tracking code): one answer each.")]}
            )
        return attrs
