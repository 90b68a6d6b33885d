"""REST API of satisfaction surveys, mounted under /api/v1/ (see api_urls.py).

- `/surveys/`: list, create (an SKM survey gets the nine elements), retrieve, PATCH;
- `/surveys/{id}/open/`, `close/` (POST); `questions/` (GET, POST: a draft custom survey's);
  `questions/{question_id}/` (PATCH, DELETE);
- `/surveys/{id}/results/`, `export/?file=csv|xlsx`, `answers/` (the written ones),
  `publish/` (POST: publish or hide one); `/surveys/index/?by=agency|service|area|period`;
- public, no account, rate-limited: `/public/surveys/{token}/` (GET the questions, POST an
  answer; 400 with a message per field `q<id>`).

Access (decided by `selectors` and `services`): anonymous 401; a survey the user may not read
is absent from lists and answers 404; a reader who may not act gets 403 and nothing changes.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import ScopedViewSet
from coordination.api_fields import FIELD_ERRORS, FORBIDDEN, NOT_FOUND
from coordination.models import Survey

from . import exports, selectors, services
from .public import _language
from .serializers import (
    IndexRowSerializer,
    PublicAnswerSerializer,
    PublicSurveySerializer,
    PublishSerializer,
    QuestionInputSerializer,
    QuestionSerializer,
    ResultsSerializer,
    SurveyCreateSerializer,
    SurveyDetailSerializer,
    SurveySerializer,
    SurveyWriteSerializer,
    TextAnswerSerializer,
)
from .throttles import ANSWER_THROTTLES, READ_THROTTLES

WRITE_ERRORS = {400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND}
GROUPS = ["agency", "service", "area", "period"]


def _options(data: dict[str, Any]) -> dict[str, Any]:
    if "options" in data:
        data["options"] = [dict(o) for o in data["options"]]
    return data


@extend_schema_view(
    list=extend_schema(summary=_("Surveys of your agencies"), responses={200: SurveySerializer(many=True)}),
)
class SurveyViewSet(mixins.ListModelMixin, ScopedViewSet):
    queryset = Survey.objects.none()
    serializer_class = SurveySerializer
    ordering_fields = ["created_at", "title", "id"]

    def get_queryset(self) -> QuerySet[Survey]:
        filters = {k: self.request.query_params.get(k) for k in ("status", "kind", "service")}
        return selectors.survey_list(user=self.request.user, filters=filters).order_by("-created_at", "-id")

    def get_scoped_object(self, pk: Any) -> Survey:
        return selectors.survey_get(user=self.request.user, pk=pk)

    def render(self, survey: Any, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.survey_get(user=self.request.user, pk=survey.pk)
        context = self.get_serializer_context()
        return Response(SurveyDetailSerializer(fresh, context=context).data, status=status_code)

    @extend_schema(summary=_("A survey with its questions"), responses={200: SurveyDetailSerializer, 404: NOT_FOUND})
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(SurveyDetailSerializer(self.get_object(), context=self.get_serializer_context()).data)

    @extend_schema(
        summary=_("Create a draft survey of your agency (kind skm: the nine SKM elements)"),
        request=SurveyCreateSerializer,
        responses={201: SurveyDetailSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN},
    )
    def create(self, request: Request) -> Response:
        survey = services.survey_create(actor=request.user, **self.validated(SurveyCreateSerializer))
        return self.render(survey, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Change a survey (fields left out stay as they are)"),
        request=SurveyWriteSerializer,
        responses={200: SurveyDetailSerializer, **WRITE_ERRORS},
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        survey = self.get_object()
        data = self.validated(SurveyWriteSerializer, partial=True)
        return self.render(services.survey_update(actor=request.user, survey=survey, **data))

    @extend_schema(
        summary=_("Open the survey for answers"), request=None, responses={200: SurveyDetailSerializer, **WRITE_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def open(self, request: Request, pk: str | None = None) -> Response:
        return self.render(services.survey_open(actor=request.user, survey=self.get_object()))

    @extend_schema(summary=_("Close the survey"), request=None, responses={200: SurveyDetailSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        return self.render(services.survey_close(actor=request.user, survey=self.get_object()))

    @extend_schema(
        methods=["GET"],
        summary=_("The survey's questions"),
        request=None,
        responses={200: QuestionSerializer(many=True), 404: NOT_FOUND},
    )
    @extend_schema(
        methods=["POST"],
        summary=_("Add a question at the end (a draft custom survey)"),
        request=QuestionInputSerializer,
        responses={201: QuestionSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[], pagination_class=None)
    def questions(self, request: Request, pk: str | None = None) -> Response:
        survey = self.get_object()
        if request.method == "POST":
            data = _options(self.validated(QuestionInputSerializer))
            question = services.survey_question_add(actor=request.user, survey=survey, **data)
            return Response(QuestionSerializer(question).data, status=status.HTTP_201_CREATED)
        return Response(QuestionSerializer(survey.questions.all(), many=True).data)

    @extend_schema(
        methods=["PATCH"],
        summary=_("Change a question (a draft custom survey)"),
        request=QuestionInputSerializer,
        responses={200: QuestionSerializer, **WRITE_ERRORS},
    )
    @extend_schema(
        methods=["DELETE"],
        summary=_("Remove a question (a draft custom survey)"),
        request=None,
        responses={204: None, **WRITE_ERRORS},
    )
    @action(
        detail=True,
        methods=["patch", "delete"],
        url_path=r"questions/(?P<question_pk>\d+)",
        url_name="question",
        filter_backends=[],
    )
    def question(self, request: Request, pk: str | None = None, question_pk: str | None = None) -> Response:
        survey = self.get_object()
        question = selectors.survey_question_get_for_change(user=request.user, survey=survey, pk=question_pk or "")
        if request.method == "DELETE":
            services.survey_question_delete(actor=request.user, question=question)
            return Response(status=status.HTTP_204_NO_CONTENT)
        data = _options(self.validated(QuestionInputSerializer, partial=True))
        question = services.survey_question_update(actor=request.user, question=question, **data)
        return Response(QuestionSerializer(question).data)

    @extend_schema(
        summary=_("Counts, distributions, the SKM index, months and areas"),
        responses={200: ResultsSerializer, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def results(self, request: Request, pk: str | None = None) -> Response:
        results = selectors.survey_results(survey=self.get_object(), language=_language())
        return Response(ResultsSerializer(results).data)

    @extend_schema(
        summary=_("The results as a CSV or XLSX file"),
        parameters=[OpenApiParameter("file", str, enum=["csv", "xlsx"], description=_("csv (default) or xlsx"))],
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            404: NOT_FOUND,
        },
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def export(self, request: Request, pk: str | None = None) -> HttpResponse:
        fmt = request.query_params.get("file", "csv")
        if fmt not in ("csv", "xlsx"):
            raise DRFValidationError({"file": [_("Choose csv or xlsx.")]})
        results = selectors.survey_results(survey=self.get_object(), language=_language())
        return exports.results_response(results, fmt)

    @extend_schema(
        summary=_("The written answers (published or not), newest first"),
        responses={200: TextAnswerSerializer(many=True), 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def answers(self, request: Request, pk: str | None = None) -> Response:
        page = self.paginate_queryset(selectors.survey_text_answers(survey=self.get_object()))
        return self.get_paginated_response(TextAnswerSerializer(page, many=True).data)

    @extend_schema(
        summary=_("Publish (or hide) a written answer"),
        request=PublishSerializer,
        responses={200: TextAnswerSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        survey = self.get_object()
        data = self.validated(PublishSerializer)
        answer = selectors.survey_answer_get_for_moderation(user=request.user, survey=survey, pk=data["answer"])
        answer = services.survey_answer_publish(actor=request.user, answer=answer, published=data["published"])
        return Response(TextAnswerSerializer(answer).data)

    @extend_schema(
        summary=_("The SKM index of the surveys you read, by agency, service, area or month"),
        parameters=[OpenApiParameter("by", str, enum=GROUPS, description=_("agency (default), service, area, period"))],
        responses={200: IndexRowSerializer(many=True), 400: FIELD_ERRORS},
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def index(self, request: Request) -> Response:
        by = request.query_params.get("by", "agency")
        if by not in GROUPS:
            raise DRFValidationError({"by": [_("Choose agency, service, area or period.")]})
        rows = selectors.skm_index_by(user=request.user, by=by)
        return Response(IndexRowSerializer(rows, many=True).data)


class PublicSurveyView(APIView):
    """A survey as a respondent sees it, and the answer to it. No authentication (no session,
    so no CSRF, no token), JSON only; rate-limited per address."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]
    parser_classes = [JSONParser]

    def get_throttles(self) -> list[Any]:
        classes = ANSWER_THROTTLES if self.request.method == "POST" else READ_THROTTLES
        return [throttle() for throttle in classes]

    @extend_schema(
        operation_id="public_surveys_retrieve",
        summary=_("An open survey's questions, by its public token"),
        responses={200: PublicSurveySerializer, 404: OpenApiResponse(description=_("No such survey"))},
        auth=[],
        tags=["public"],
    )
    def get(self, request: Request, token: str) -> Response:
        survey = selectors.survey_public_get(token=token)
        survey.open = services.survey_is_answerable(survey)  # type: ignore[attr-defined]
        return Response(PublicSurveySerializer(survey).data)

    @extend_schema(
        operation_id="public_surveys_answer",
        summary=_("Answer a survey (anonymous; one answer per tracking code or device token)"),
        request=PublicAnswerSerializer,
        responses={
            201: OpenApiResponse(description=_("Answer received")),
            400: FIELD_ERRORS,
            404: OpenApiResponse(description=_("No such survey")),
            429: OpenApiResponse(description=_("Too many answers from this address; see Retry-After")),
        },
        auth=[],
        tags=["public"],
    )
    def post(self, request: Request, token: str) -> Response:
        survey = selectors.survey_public_get(token=token)
        serializer = PublicAnswerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data.get("website"):
            return Response({"detail": _("Thank you.")}, status=status.HTTP_201_CREATED)
        answers: dict[int, list[Any]] = {}
        for key, value in data["answers"].items():
            if not str(key).isdigit():
                raise DRFValidationError({"answers": [_("Keys are question ids.")]})
            answers[int(key)] = value if isinstance(value, list) else [value]
        services.survey_answer_submit(
            survey=survey,
            answers=answers,
            tracking_code=data.get("tracking_code", ""),
            device_token=data.get("device_token", ""),
            via="api",
        )
        return Response({"detail": _("Thank you.")}, status=status.HTTP_201_CREATED)
