"""REST API of bulletins, mounted under /api/v1/ (coordination/bulletins/api_urls.py):

- `/bulletins/`: list (filters `box`, `classification`, `status`), create; `preview/` (POST:
  exactly who would receive it), `counts/` (unread, waiting for acknowledgement);
- `/bulletins/{id}/`: retrieve (the text the caller may read); `read/`, `acknowledge/`,
  `amend/`, `withdraw/` (POST), `attachments/` (POST, multipart), `replies/` (GET, POST),
  `progress/` (GET: the issuer's receipts).

Access (decided by `coordination.bulletins.selectors` and `.services`): anonymous 401; what a
user may not read is absent from lists and answers 404; a reader who may not act gets 403 and
nothing changes; bad input is a 400 with messages by field.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.audit import AuditedListMixin
from agencies.models import Agency, Area
from common.api import ScopedViewSet
from coordination.api_fields import FIELD_ERRORS, FORBIDDEN, NOT_FOUND
from coordination.models import Bulletin

from . import presenters, selectors, services
from . import serializers as s
from .filters import BulletinFilter


@extend_schema_view(list=extend_schema(summary=_("Bulletins you may read (the text you may read of each)")))
class BulletinViewSet(AuditedListMixin, mixins.ListModelMixin, ScopedViewSet):
    audit_object_type = "bulletin"
    queryset = Bulletin.objects.none()
    serializer_class = s.BulletinSerializer
    filterset_class = BulletinFilter
    ordering_fields = ["created_at", "id"]
    http_method_names = ["get", "post", "head", "options"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[Bulletin]:
        return (
            selectors.bulletins_for(user=self.request.user)
            .prefetch_related(Prefetch("areas", queryset=Area.objects.only("id", "name", "level")), "attachments")
            .order_by("-created_at", "-id")
        )

    def get_scoped_object(self, pk: Any) -> Bulletin:
        return selectors.bulletin_get(user=self.request.user, pk=pk, audit=self.action == "retrieve")

    def _fresh(self, bulletin: Bulletin, code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.bulletin_get(user=self.request.user, pk=bulletin.pk, audit=False)
        return Response(s.BulletinSerializer(fresh).data, status=code)

    @extend_schema(summary=_("A bulletin"), responses={200: s.BulletinSerializer, 404: NOT_FOUND})
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(s.BulletinSerializer(self.get_object()).data)

    def _distribution(self, data: dict[str, Any]) -> dict[str, Any]:
        for key in ("distribution", "releasable_distribution"):
            data[key] = dict(data.get(key) or {})
        return data

    @extend_schema(
        summary=_("Issue a bulletin for your agency"),
        request=s.BulletinCreateSerializer,
        responses={201: s.BulletinSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN},
    )
    def create(self, request: Request) -> Response:
        data = self._distribution(self.validated(s.BulletinCreateSerializer))
        bulletin = services.bulletin_create(actor=request.user, **data)
        return self._fresh(bulletin, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Who would receive a bulletin (full text, releasable text, left out)"),
        request=s.BulletinPreviewSerializer,
        responses={200: s.PreviewSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN},
    )
    @action(detail=False, methods=["post"], filter_backends=[])
    def preview(self, request: Request) -> Response:
        data = self._distribution(self.validated(s.BulletinPreviewSerializer))
        full, wider = services.bulletin_preview(actor=request.user, **data)
        agencies = Agency.objects.in_bulk([*full.included, *full.excluded, *wider.included, *wider.excluded])

        def rows(mapping: dict[int, str]) -> list[dict[str, Any]]:
            return [{"agency": agencies[i], "reason": reason} for i, reason in sorted(mapping.items())]

        body = {
            "full": rows(full.included),
            "releasable": rows(wider.included),
            "excluded": rows({**full.excluded, **wider.excluded}),
        }
        return Response(s.PreviewSerializer(body).data)

    @extend_schema(
        summary=_("Your unread bulletins and those waiting for your agency"), responses={200: s.CountsSerializer}
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def counts(self, request: Request) -> Response:
        return Response(s.CountsSerializer(selectors.bulletin_counts(user=request.user)).data)

    @extend_schema(
        summary=_("Record that you read it"), request=None, responses={200: s.BulletinSerializer, 404: NOT_FOUND}
    )
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str | None = None) -> Response:
        bulletin = self.get_object()
        services.bulletin_mark_read(user=request.user, bulletin=bulletin)
        return self._fresh(bulletin)

    @extend_schema(
        summary=_("Acknowledge for your agency"),
        request=s.BulletinAcknowledgeSerializer,
        responses={200: s.RecipientSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: str | None = None) -> Response:
        bulletin = self.get_object()
        if not services.can_acknowledge(actor=request.user, bulletin=bulletin):
            services.bulletin_acknowledge(actor=request.user, bulletin=bulletin)  # says why not: 400 or 403
        data = self.validated(s.BulletinAcknowledgeSerializer)
        recipient = services.bulletin_acknowledge(actor=request.user, bulletin=bulletin, agency_id=data.get("agency"))
        return Response(s.RecipientSerializer(recipient).data)

    @extend_schema(
        summary=_("Amend the text (a new version; readers are told)"),
        request=s.BulletinAmendSerializer,
        responses={200: s.BulletinSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def amend(self, request: Request, pk: str | None = None) -> Response:
        bulletin = self.get_object()
        data = self.validated(s.BulletinAmendSerializer)
        return self._fresh(services.bulletin_amend(actor=request.user, bulletin=bulletin, **data))

    @extend_schema(
        summary=_("Withdraw the bulletin"),
        request=s.BulletinWithdrawSerializer,
        responses={200: s.BulletinSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        bulletin = self.get_object()
        data = self.validated(s.BulletinWithdrawSerializer)
        return self._fresh(services.bulletin_withdraw(actor=request.user, bulletin=bulletin, **data))

    @extend_schema(
        summary=_("Attach a file (PDF, image, office document; checked by content)"),
        request={"multipart/form-data": s.AttachmentUploadSerializer},
        responses={201: s.AttachmentSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def attachments(self, request: Request, pk: str | None = None) -> Response:
        bulletin = self.get_object()
        data = self.validated(s.AttachmentUploadSerializer)
        attachment = services.bulletin_attachment_add(actor=request.user, bulletin=bulletin, upload=data["file"])
        return Response(s.AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        summary=_("The thread"),
        request=None,
        responses={200: s.ReplySerializer(many=True), 404: NOT_FOUND},
    )
    @extend_schema(
        methods=["POST"],
        summary=_("Reply in the thread"),
        request=s.ReplySerializer,
        responses={201: s.ReplySerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def replies(self, request: Request, pk: str | None = None) -> Response:
        bulletin = self.get_object()
        if not selectors.reads_full(bulletin):
            raise Http404
        if request.method == "POST":
            data = self.validated(s.ReplySerializer)
            reply = services.bulletin_reply(actor=request.user, bulletin=bulletin, body=data["body"])
            return Response(s.ReplySerializer(reply).data, status=status.HTTP_201_CREATED)
        page = self.paginate_queryset(selectors.bulletin_replies(bulletin=bulletin))
        return self.get_paginated_response(s.ReplySerializer(page, many=True).data)

    @extend_schema(
        summary=_("Who read and acknowledged (the issuing agency)"),
        responses={200: s.ProgressSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def progress(self, request: Request, pk: str | None = None) -> Response:
        bulletin = selectors.bulletin_get_for_follow(user=request.user, pk=pk or "")
        progress = presenters.progress(
            bulletin=bulletin,
            rows=selectors.bulletin_progress(bulletin=bulletin),
            receipts=list(selectors.bulletin_receipts(bulletin=bulletin)),
        )
        body = {
            "recipients": progress.rows,
            "receipts": progress.receipts,
            "total": progress.total,
            "read": progress.read,
            "acknowledged": progress.acknowledged,
        }
        return Response(s.ProgressSerializer(body).data)
