"""The invitations API: a commander (or staff) lists, sends and revokes their agency's
invitations. The link itself is only ever in the e-mail: no answer carries it."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from common.api import ScopedViewSet

from ..models import Invitation
from . import selectors, services
from .serializers import InvitationCreateSerializer, InvitationSerializer


@extend_schema_view(
    list=extend_schema(summary=_("Invitations of the agencies whose members you manage (commanders, staff)")),
    retrieve=extend_schema(summary=_("An invitation")),
)
class InvitationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    queryset = Invitation.objects.none()
    serializer_class = InvitationSerializer
    filterset_fields = ["agency"]
    ordering_fields = ["created_at", "id"]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[Invitation]:
        return selectors.invitation_list(user=self.request.user)

    def get_scoped_object(self, pk: Any) -> Invitation:
        if self.action == "revoke":
            return selectors.invitation_get_for_change(user=self.request.user, pk=pk)
        return selectors.invitation_get(user=self.request.user, pk=pk)

    @extend_schema(
        summary=_("Invite someone by e-mail to one of your agencies (its commander, or staff): a one-time link"),
        request=InvitationCreateSerializer,
        responses={201: InvitationSerializer},
    )
    def create(self, request: Request) -> Response:
        invitation, _link = services.invitation_create(actor=request.user, **self.validated(InvitationCreateSerializer))
        return self.render(invitation, status.HTTP_201_CREATED)

    @extend_schema(summary=_("Revoke an open invitation (its agency's commander, or staff)"), request=None)
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str | None = None) -> Response:
        invitation = services.invitation_revoke(actor=request.user, invitation=self.get_object())
        return self.render(invitation)
