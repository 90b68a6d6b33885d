"""REST API of periodic evaluations, mounted under /api/v1/ (see api_urls.py).

- `/evaluations/`: list (filters of `EvaluationFilter`: status, period_kind, scope_kind,
  owner_agency), create (the figures computed at once), retrieve (with the snapshot, findings
  and action items), PATCH (title, summary, recurring; a draft only);
- `/evaluations/{id}/recompute/`, `review/`, `return/`, `publish/` (to partner agencies),
  `public/` (the public summary on or off) (POST);
- `/evaluations/{id}/findings/` (GET, POST; PATCH one by its id; `findings/order/` POST) and
  `/evaluation-findings/{id}/` (DELETE);
- `/evaluations/{id}/action-items/` (GET, POST). An item's status is changed through
  `/action-items/{id}/` (the one action-item API);
- `/evaluations/targets/` (GET the city's and your agencies' targets; POST sets one, a null
  value removes it).

Access (decided by `selectors` and `services`): anonymous 401; an evaluation the user may not
read is absent from lists and answers 404 on detail and actions; a reader who may not act gets
403 and nothing changes; a step the status does not allow, 400.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.selectors import user_agency_ids, user_is_staff
from common.api import ScopedViewSet
from coordination.api_fields import FIELD_ERRORS, FORBIDDEN, NOT_FOUND
from coordination.models import Evaluation, EvaluationFinding, KpiTarget

from . import selectors, services
from .filters import EvaluationFilter
from .serializers import (
    EvaluationActionItemCreateSerializer,
    EvaluationActionItemSerializer,
    EvaluationCreateSerializer,
    EvaluationDetailSerializer,
    EvaluationPublicSerializer,
    EvaluationPublishSerializer,
    EvaluationSerializer,
    EvaluationUpdateSerializer,
    FindingChangeSerializer,
    FindingOrderSerializer,
    FindingSerializer,
    FindingWriteSerializer,
    KpiTargetSerializer,
    KpiTargetWriteSerializer,
)

WRITE_ERRORS = {400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND}


def _finding_of(evaluation: Evaluation, pk: Any) -> EvaluationFinding:
    finding = next((f for f in evaluation.findings.all() if f.pk == pk), None)
    if finding is None:
        raise Http404
    finding.evaluation = evaluation
    return finding


@extend_schema_view(
    list=extend_schema(summary=_("Evaluations you may read"), responses={200: EvaluationSerializer(many=True)}),
)
class EvaluationViewSet(mixins.ListModelMixin, ScopedViewSet):
    queryset = Evaluation.objects.none()
    serializer_class = EvaluationSerializer
    filterset_class = EvaluationFilter
    ordering_fields = ["period_start", "id"]

    def get_queryset(self) -> QuerySet[Evaluation]:
        return selectors.evaluation_list(user=self.request.user)

    def get_scoped_object(self, pk: Any) -> Evaluation:
        return selectors.evaluation_get(user=self.request.user, pk=pk)

    def render(self, evaluation: Any, status_code: int = status.HTTP_200_OK) -> Response:
        """The evaluation as it is now, after a write (read again)."""
        fresh = selectors.evaluation_get(user=self.request.user, pk=evaluation.pk)
        return Response(EvaluationDetailSerializer(fresh).data, status=status_code)

    @extend_schema(
        summary=_("An evaluation with its figures, findings and action items"),
        responses={200: EvaluationDetailSerializer, 404: NOT_FOUND},
    )
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(EvaluationDetailSerializer(self.get_object()).data)

    @extend_schema(
        summary=_("Draft an evaluation of a period and a scope your agency may evaluate"),
        request=EvaluationCreateSerializer,
        responses={201: EvaluationDetailSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN},
    )
    def create(self, request: Request) -> Response:
        evaluation = services.evaluation_create(actor=request.user, **self.validated(EvaluationCreateSerializer))
        return self.render(evaluation, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Change a draft's title, summary or recurrence"),
        request=EvaluationUpdateSerializer,
        responses={200: EvaluationDetailSerializer, **WRITE_ERRORS},
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        evaluation = self.get_object()
        data = self.validated(EvaluationUpdateSerializer)
        return self.render(services.evaluation_update(actor=request.user, evaluation=evaluation, **data))

    def _step(self, step: Any) -> Response:
        return self.render(step(actor=self.request.user, evaluation=self.get_object()))

    @extend_schema(
        summary=_("Compute a draft's figures again"),
        request=None,
        responses={200: EvaluationDetailSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def recompute(self, request: Request, pk: str | None = None) -> Response:
        return self._step(services.evaluation_recompute)

    @extend_schema(
        summary=_("Mark a draft reviewed (the commander)"),
        request=None,
        responses={200: EvaluationDetailSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: str | None = None) -> Response:
        return self._step(services.evaluation_review)

    @extend_schema(
        summary=_("Send a reviewed evaluation back to draft"),
        request=None,
        responses={200: EvaluationDetailSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def send_back(self, request: Request, pk: str | None = None) -> Response:
        return self._step(services.evaluation_return)

    @extend_schema(
        summary=_("Publish a reviewed evaluation to partner agencies: its figures are then frozen"),
        request=EvaluationPublishSerializer,
        responses={200: EvaluationDetailSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        evaluation = self.get_object()
        data = self.validated(EvaluationPublishSerializer)
        return self.render(
            services.evaluation_publish(
                actor=request.user, evaluation=evaluation, shared_with=data.get("shared_with", [])
            )
        )

    @extend_schema(
        summary=_("Publish or withdraw the public summary of a published evaluation"),
        request=EvaluationPublicSerializer,
        responses={200: EvaluationDetailSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def public(self, request: Request, pk: str | None = None) -> Response:
        evaluation = self.get_object()
        data = self.validated(EvaluationPublicSerializer)
        step = services.evaluation_publish_public if data["public"] else services.evaluation_withdraw_public
        return self.render(step(actor=request.user, evaluation=evaluation))

    @extend_schema(
        methods=["GET"],
        summary=_("The evaluation's findings, in order"),
        request=None,
        responses={200: FindingSerializer(many=True), 404: NOT_FOUND},
    )
    @extend_schema(
        methods=["POST"],
        summary=_("Add a finding to a draft"),
        request=FindingWriteSerializer,
        responses={201: FindingSerializer, **WRITE_ERRORS},
    )
    @extend_schema(
        methods=["PATCH"],
        summary=_("Change a finding of a draft (by its id)"),
        request=FindingChangeSerializer,
        responses={200: FindingSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["get", "post", "patch"], filter_backends=[], pagination_class=None)
    def findings(self, request: Request, pk: str | None = None) -> Response:
        evaluation = self.get_object()
        if request.method == "POST":
            data = self.validated(FindingWriteSerializer)
            finding = services.evaluation_finding_add(actor=request.user, evaluation=evaluation, **data)
            return Response(FindingSerializer(finding).data, status=status.HTTP_201_CREATED)
        if request.method == "PATCH":
            data = self.validated(FindingChangeSerializer)
            finding = _finding_of(evaluation, data.pop("id"))
            finding = services.evaluation_finding_change(actor=request.user, finding=finding, **data)
            return Response(FindingSerializer(finding).data)
        return Response(FindingSerializer(evaluation.findings.all(), many=True).data)

    @extend_schema(
        summary=_("Put a draft's findings in order"),
        request=FindingOrderSerializer,
        responses={200: FindingSerializer(many=True), **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="findings/order", url_name="findings-order")
    def findings_order(self, request: Request, pk: str | None = None) -> Response:
        evaluation = self.get_object()
        data = self.validated(FindingOrderSerializer)
        services.evaluation_findings_reorder(actor=request.user, evaluation=evaluation, order=data["order"])
        rows = EvaluationFinding.objects.filter(evaluation=evaluation).order_by("position", "id")
        return Response(FindingSerializer(rows, many=True).data)

    @extend_schema(
        methods=["GET"],
        summary=_("The evaluation's follow-up action items, by due date"),
        request=None,
        responses={200: EvaluationActionItemSerializer(many=True), 404: NOT_FOUND},
    )
    @extend_schema(
        methods=["POST"],
        summary=_("Add a follow-up action item to a draft"),
        request=EvaluationActionItemCreateSerializer,
        responses={201: EvaluationActionItemSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["get", "post"], url_path="action-items", url_name="action-items", filter_backends=[])
    def action_items(self, request: Request, pk: str | None = None) -> Response:
        evaluation = self.get_object()
        if request.method == "POST":
            data = self.validated(EvaluationActionItemCreateSerializer)
            item = services.evaluation_action_item_create(actor=request.user, evaluation=evaluation, **data)
            return Response(EvaluationActionItemSerializer(item).data, status=status.HTTP_201_CREATED)
        page = self.paginate_queryset(list(evaluation.action_items.all()))
        return self.get_paginated_response(EvaluationActionItemSerializer(page, many=True).data)


class EvaluationFindingViewSet(ScopedViewSet):
    """`/evaluation-findings/{id}/`: DELETE a finding of a draft."""

    queryset = EvaluationFinding.objects.none()
    serializer_class = FindingSerializer
    http_method_names = ["delete", "head", "options"]

    def get_scoped_object(self, pk: Any) -> EvaluationFinding:
        return selectors.evaluation_finding_get_for_change(user=self.request.user, pk=pk)

    @extend_schema(summary=_("Delete a finding of a draft"), responses={204: None, **WRITE_ERRORS})
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        services.evaluation_finding_delete(actor=request.user, finding=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class KpiTargetView(APIView):
    """The KPI targets: the city's (staff set them) and your agencies' (their commanders and
    liaisons set them)."""

    @extend_schema(
        summary=_("The city's KPI targets and your agencies'"), responses={200: KpiTargetSerializer(many=True)}
    )
    def get(self, request: Request) -> Response:
        qs = KpiTarget.objects.order_by("kpi", "agency_id")
        if not user_is_staff(request.user):
            qs = qs.filter(Q(agency__isnull=True) | Q(agency_id__in=user_agency_ids(user=request.user)))
        return Response(KpiTargetSerializer(qs[:2000], many=True).data)

    @extend_schema(
        summary=_("Set a KPI's target (the city's: no agency), or remove it (a null value)"),
        request=KpiTargetWriteSerializer,
        responses={200: KpiTargetSerializer, 204: None, 400: FIELD_ERRORS, 403: FORBIDDEN},
    )
    def post(self, request: Request) -> Response:
        ser = KpiTargetWriteSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        agency = data.get("agency")
        if (
            agency is not None
            and not user_is_staff(request.user)
            and agency.pk not in user_agency_ids(user=request.user)
        ):
            raise Http404
        if data.get("value") is None:
            services.kpi_target_clear(actor=request.user, kpi=data["kpi"], agency=agency)
            return Response(status=status.HTTP_204_NO_CONTENT)
        target = services.kpi_target_set(actor=request.user, kpi=data["kpi"], agency=agency, value=data["value"])
        return Response(KpiTargetSerializer(target).data)
