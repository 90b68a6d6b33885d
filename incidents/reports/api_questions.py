"""The two-way thread of a citizen's report in the API (see incidents/reports/api.py):

- moderators: `GET /api/v1/reports/{id}/questions/` (the thread) and `POST` (ask the reporter),
  actions of `api.CitizenReportViewSet`, with the serializers here;
- the reporter: `POST /api/v1/public/reports/{tracking_code}/answers/` answers one question (no
  authentication; the report submissions' rate limit; a honeypot field `website` that people
  leave empty), and `GET /api/v1/public/reports/{tracking_code}/` lists the questions.

Who asked shows as the agency (or "Moderator"), never a person; the reporter, never by contact.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.serializers import DateTimeField
from incidents.models import ReportQuestion

from . import selectors, services
from .throttles import SUBMIT_THROTTLES


class ReportQuestionSerializer(serializers.Serializer):
    """One question of the thread and its answer, as moderators and the reporter alike read it."""

    id = serializers.IntegerField(read_only=True)
    asked_by = serializers.CharField(
        source="asker_label", read_only=True, help_text=_('The asking agency, or "Moderator": never a person.')
    )
    text = serializers.CharField(read_only=True)
    asked_at = DateTimeField(read_only=True)
    answer = serializers.CharField(read_only=True, help_text=_("Empty while it waits for the reporter."))
    answered_at = DateTimeField(read_only=True, allow_null=True)


class AskInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=services.MAX_QUESTION, help_text=_("Shown to the reporter."))


class PublicAnswerInputSerializer(serializers.Serializer):
    question = serializers.IntegerField(help_text=_("The id of the question answered (from the report's questions)."))
    text = serializers.CharField(max_length=services.MAX_ANSWER)
    website = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=_("Leave empty (a trap for bots: a request that fills it is dropped)."),
    )


class PublicReportAnswerView(APIView):
    # No authentication: no session, so no CSRF check, and no token to leak. JSON or a form.
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]
    parser_classes = [JSONParser, FormParser]
    throttle_classes = list(SUBMIT_THROTTLES)

    @extend_schema(
        operation_id="public_reports_answers_create",
        summary=_("Answer a moderator's question about a citizen report, by its tracking code"),
        description=_(
            "No account needed. Each question is answered once. Rate-limited per client address with "
            "the report submissions (429 with Retry-After)."
        ),
        request={
            "application/json": PublicAnswerInputSerializer,
            "application/x-www-form-urlencoded": PublicAnswerInputSerializer,
        },
        responses={
            201: ReportQuestionSerializer,
            202: OpenApiResponse(description=_("Dropped: the honeypot field was filled")),
            400: OpenApiResponse(description=_("Field errors, or the question was already answered")),
            404: OpenApiResponse(description=_("No report with this code")),
            429: OpenApiResponse(description=_("Too many requests from this address; see Retry-After")),
        },
        auth=[],
        tags=["public"],
    )
    def post(self, request: Request, tracking_code: str) -> Response:
        report = selectors.citizen_report_public_get(tracking_code=tracking_code)
        serializer = PublicAnswerInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data.get("website", "").strip():
            return Response(status=status.HTTP_202_ACCEPTED)
        question: ReportQuestion = services.report_question_answer(
            report=report, question_id=data["question"], text=data["text"]
        )
        return Response(ReportQuestionSerializer(question).data, status=status.HTTP_201_CREATED)
