"""REST API of the risk register, mounted under /api/v1/ (see incidents/risks/api_urls.py).

- `GET /risks/`: the assessments the user may read (`selectors.risk_list`), filtered by
  `RiskFilter` (area incl. sub-areas, hazard incl. sub-categories, min_score, assessing_agency,
  review_overdue) and ordered by `ordering=` score, review_due, assessed_on or id (default:
  highest score first, then the most urgent review);
- `GET /risks/{id}/`: one assessment (`selectors.risk_get`: 404 when not visible, audited when
  confidential or secret; `selectors.risk_get_for_change` for a change);
- `POST /risks/`, `PATCH /risks/{id}/`: through `services.risk_create/risk_update`; likelihood
  and impact are 1-5 and the review cannot come before the assessment (400 with field
  messages); only acting members (not viewers) of the assessing agency write (403), staff any;
- `GET /risks/attention/`: `selectors.areas_needing_attention`, ranked.

Access follows the classification of each assessment, as for incidents (docs/security.md, "Access").
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from agencies import selectors as agency_selectors
from agencies.audit import AuditedListMixin
from agencies.models import Agency, Area, Classification
from agencies.roles import roles_for
from agencies.serializers import AgencyRefSerializer, AreaRefSerializer
from common.api import ScopedViewSet
from common.serializers import ModelSerializer, SlugRelatedField
from incidents.models import Category, RiskAssessment

from . import selectors, services
from .filters import RiskFilter

FIELD_ERRORS = OpenApiResponse(
    response={
        "type": "object",
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
        "example": {"likelihood": ["Ensure this value is less than or equal to 5."]},
    },
    description=_("Invalid input: messages by field name (non_field_errors for the rest)."),
)
_DETAIL = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}
NOT_FOUND = OpenApiResponse(response=_DETAIL, description=_("No such assessment, or not visible to you."))
FORBIDDEN = OpenApiResponse(
    response=_DETAIL, description=_("Visible to you, but your role in the assessing agency does not allow this.")
)


class HazardSerializer(ModelSerializer):
    name = serializers.CharField(read_only=True, help_text=_("In the request's language"))

    class Meta:
        model = Category
        fields = ["code", "name", "name_id", "name_en"]
        read_only_fields = fields


class RiskSerializer(ModelSerializer):
    area = AreaRefSerializer(read_only=True)
    hazard = HazardSerializer(read_only=True)
    assessing_agency = AgencyRefSerializer(read_only=True)
    score = serializers.IntegerField(read_only=True, help_text=_("likelihood x impact, 1 to 25"))
    review_overdue = serializers.SerializerMethodField(help_text=_("The review date has passed"))

    class Meta:
        model = RiskAssessment
        fields = [
            "id",
            "area",
            "hazard",
            "likelihood",
            "impact",
            "score",
            "vulnerabilities",
            "mitigations",
            "assessing_agency",
            "assessed_on",
            "review_due",
            "review_overdue",
            "classification",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.BooleanField())
    def get_review_overdue(self, obj: RiskAssessment) -> bool:
        return obj.review_due < timezone.localdate()


@extend_schema_serializer(component_name="RiskAssessmentUpdate")
class RiskUpdateSerializer(serializers.Serializer):
    area = serializers.PrimaryKeyRelatedField(queryset=Area.objects.all(), help_text=_("Area id"))
    hazard = SlugRelatedField(
        slug_field="code", queryset=Category.objects.all(), help_text=_("Category code, e.g. flood")
    )
    likelihood = serializers.IntegerField(min_value=1, max_value=5, help_text=_("1 (rare) to 5 (almost certain)"))
    impact = serializers.IntegerField(min_value=1, max_value=5, help_text=_("1 (insignificant) to 5 (catastrophic)"))
    vulnerabilities = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    mitigations = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    assessed_on = serializers.DateField()
    review_due = serializers.DateField(help_text=_("On or after assessed_on"))
    classification = serializers.ChoiceField(choices=Classification.choices, required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        instance: RiskAssessment | None = self.instance
        assessed = attrs.get("assessed_on", getattr(instance, "assessed_on", None))
        review = attrs.get("review_due", getattr(instance, "review_due", None))
        if assessed and review and review < assessed:
            raise serializers.ValidationError({"review_due": [_("The review date comes before the assessment.")]})
        return attrs


@extend_schema_serializer(component_name="RiskAssessmentCreate")
class RiskCreateSerializer(RiskUpdateSerializer):
    agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.all(),
        required=False,
        help_text=_("The assessing agency, one of yours; needed when you act for several"),
    )

    def validate_agency(self, agency: Agency) -> Agency:
        user = self.context["request"].user
        ids = agency_selectors.managed_agency_ids(user=user, roles=roles_for("risk.write"))
        if ids is not None and agency.pk not in ids:
            raise serializers.ValidationError(_("You do not act for this agency."))
        return agency


class AttentionQuerySerializer(serializers.Serializer):
    area = serializers.PrimaryKeyRelatedField(
        queryset=Area.objects.all(), required=False, help_text=_("Only this area and its sub-areas")
    )
    days = serializers.IntegerField(
        required=False, min_value=1, max_value=365, default=90, help_text=_("Recent incidents: the last N days")
    )
    limit = serializers.IntegerField(required=False, min_value=1, max_value=200, default=50)


class AttentionSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    area = AreaRefSerializer()
    max_score = serializers.IntegerField(help_text=_("Highest risk score in the area"))
    assessments = serializers.IntegerField()
    overdue_reviews = serializers.IntegerField()
    review_overdue = serializers.BooleanField(help_text=_("At least one review is overdue"))
    recent_incidents = serializers.IntegerField(help_text=_("Incidents you may see in the area, last `days` days"))
    rank_score = serializers.IntegerField(help_text=_("max_score x 2 + recent_incidents"))


@extend_schema_view(
    list=extend_schema(
        summary=_("Risk assessments you may see (highest score first)"),
        responses={200: RiskSerializer(many=True), 400: FIELD_ERRORS},
    ),
    retrieve=extend_schema(summary=_("A risk assessment"), responses={200: RiskSerializer, 404: NOT_FOUND}),
)
class RiskViewSet(AuditedListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    audit_object_type = "risk"
    queryset = RiskAssessment.objects.none()
    serializer_class = RiskSerializer
    filterset_class = RiskFilter
    ordering_fields = ["score", "review_due", "assessed_on", "id"]
    ordering = ["-score", "review_due", "id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[RiskAssessment]:
        return selectors.risk_list(user=self.request.user)

    def get_scoped_object(self, pk: Any) -> RiskAssessment:
        # A member of another agency may read an assessment but never change it: 403, not 400.
        if self.action == "partial_update":
            return selectors.risk_get_for_change(user=self.request.user, pk=pk)
        return selectors.risk_get(user=self.request.user, pk=pk)

    def _render(self, risk: RiskAssessment, code: int = status.HTTP_200_OK) -> Response:
        risk.refresh_from_db(fields=["score"])  # computed by the database on save
        return self.render(risk, code)

    @extend_schema(
        summary=_("Record a risk assessment for your agency"),
        request=RiskCreateSerializer,
        responses={201: RiskSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN},
    )
    def create(self, request: Request) -> Response:
        risk = services.risk_create(actor=request.user, **self.validated(RiskCreateSerializer))
        return self._render(risk, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Change a risk assessment (members of the assessing agency)"),
        request=RiskUpdateSerializer,
        responses={200: RiskSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        risk = self.get_object()
        data = self.validated(RiskUpdateSerializer, instance=risk, partial=True)
        risk = services.risk_update(actor=request.user, risk=risk, **data)
        return self._render(risk)

    @extend_schema(
        summary=_("Areas needing attention: ranked by highest risk score and recent incidents"),
        parameters=[AttentionQuerySerializer],
        responses={200: AttentionSerializer(many=True), 400: FIELD_ERRORS},
    )
    @action(detail=False, methods=["get"], url_path="attention", filter_backends=[], pagination_class=None)
    def attention(self, request: Request) -> Response:
        query = AttentionQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = selectors.areas_needing_attention(
            user=request.user,
            within=query.validated_data.get("area"),
            days=query.validated_data["days"],
            limit=query.validated_data["limit"],
        )
        data = [
            {
                "rank": rank,
                "area": {"id": row["area_id"], "name": row["area_name"], "level": row["area_level"]},
                "max_score": row["max_score"],
                "assessments": row["assessments"],
                "overdue_reviews": row["overdue_reviews"],
                "review_overdue": row["overdue_reviews"] > 0,
                "recent_incidents": row["recent_incidents"],
                "rank_score": row["rank_score"],
            }
            for rank, row in enumerate(rows, start=1)
        ]
        return Response(AttentionSerializer(data, many=True).data)
