"""REST API of the agencies app, mounted under /api/v1/ (see agencies/api_urls.py).

Thin on purpose: a view validates its input with a serializer, calls one selector (reads,
already scoped to the user) or one service (writes, which check the actor's role), and renders
the result with an output serializer (agencies/serializers.py). One object is read through
its `<entity>_get` selector, and before a change through `<entity>_get_for_change`.

Access, as the selectors and services decide it (docs/security.md, "Access"):
- anonymous: 401 everywhere;
- areas: any signed-in user;
- agencies, members, partnerships, vital objects, cameras: members of an active agency and
  staff read them (a partnership still proposed, or declined: only its parties); a signed-in
  user of no agency sees empty lists and 404 details;
- subscriptions and members' phones: only the agency's own members (and staff);
- writes: a user who cannot see the target agency's business gets 404, a member whose role is
  not enough gets 403, staff may do everything.

Updates are PATCH only (no PUT): every write goes through a service that takes the changed
fields, and a partial body cannot accidentally reset the others.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Model, Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from common.api import ScopedViewSet
from common.types import User

from . import selectors, services
from .filters import (
    AUDIT_KINDS,
    AgencyFilter,
    AreaFilter,
    AuditLogFilter,
    CameraFilter,
    MembershipFilter,
    PartnershipFilter,
    SubscriptionFilter,
    VitalObjectFilter,
)
from .models import Agency, Area, Camera, Membership, Partnership, Subscription, VitalObject
from .partnership_serializers import (
    PartnershipAnswerRequestSerializer,
    PartnershipSerializer,
    PartnershipWriteSerializer,
)
from .serializers import (
    AgencySerializer,
    AgencyWriteSerializer,
    AreaDetailSerializer,
    AreaSerializer,
    AuditLogSerializer,
    CameraSerializer,
    CameraWriteSerializer,
    MembershipCreateSerializer,
    MembershipSerializer,
    MembershipUpdateSerializer,
    SubscriptionCreatedSerializer,
    SubscriptionCreateSerializer,
    SubscriptionSecretSerializer,
    SubscriptionSerializer,
    SubscriptionWriteSerializer,
    VitalObjectSerializer,
    VitalObjectWriteSerializer,
)


def _subscription_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    """Input names to the service's: `categories` is called `category_codes` there."""
    data = dict(data)
    if "categories" in data:
        data["category_codes"] = data.pop("categories")
    return data


# --- Views ----------------------------------------------------------------------------------


def _agency_get(*, user: User, pk: int | str) -> Agency:
    agency = selectors.agency_get(user=user, pk=pk)
    # agency_list annotates the count; a single agency counts its members here.
    agency.member_count = agency.memberships.filter(is_active=True).count()  # type: ignore[attr-defined]
    return agency


class AccessorViewSet(ScopedViewSet):
    # One object is read through `read` (`<entity>_get`) and, for a change or a delete, through
    # `read_for_change` (`<entity>_get_for_change`: 404 for what the user may not see, 403 for
    # what they see but may not change), the selectors the pages use too.
    read: Callable[..., Any]
    read_for_change: Callable[..., Any]

    def get_scoped_object(self, pk: Any) -> Model:
        if self.action in ("partial_update", "destroy"):
            return self.read_for_change(user=self.request.user, pk=pk)
        return self.read(user=self.request.user, pk=pk)

    def read_back(self, instance: Model, status_code: int = status.HTTP_200_OK) -> Response:
        """The written row as a reader sees it (read again: with what its list annotates)."""
        return self.render(self.read(user=self.request.user, pk=instance.pk), status_code)


@extend_schema_view(
    list=extend_schema(summary=_("List areas (paginated; filter by level, parent, name, code or subtree)")),
    retrieve=extend_schema(summary=_("An area with its ancestors")),
)
class AreaViewSet(mixins.ListModelMixin, ScopedViewSet):
    """The administrative hierarchy: reference data for every signed-in user."""

    queryset = Area.objects.none()
    serializer_class = AreaSerializer
    filterset_class = AreaFilter
    ordering_fields = ["name", "level", "code", "id"]

    def get_queryset(self) -> QuerySet[Area]:
        return selectors.area_list()

    def get_scoped_object(self, pk: Any) -> Area:
        return selectors.area_get(pk=pk)

    @extend_schema(responses=AreaDetailSerializer)
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        area = self.get_object()
        area.ancestors = list(selectors.area_ancestors(area=area))
        return Response(AreaDetailSerializer(area, context=self.get_serializer_context()).data)


@extend_schema_view(
    list=extend_schema(summary=_("The agency directory (members of an agency and staff)")),
    retrieve=extend_schema(summary=_("An agency")),
)
class AgencyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, AccessorViewSet):
    """Agencies: read by members; created and changed by staff; contact fields by their commander."""

    queryset = Agency.objects.none()
    serializer_class = AgencySerializer
    read = staticmethod(_agency_get)
    read_for_change = staticmethod(selectors.agency_get_for_change)
    filterset_class = AgencyFilter
    ordering_fields = ["name", "code", "kind", "id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Agency]:
        return selectors.agency_list(user=self.request.user).prefetch_related(
            Prefetch("jurisdiction", queryset=Area.objects.only("id", "name", "level"))
        )

    @extend_schema(
        summary=_("Register an agency (staff only)"), request=AgencyWriteSerializer, responses={201: AgencySerializer}
    )
    def create(self, request: Request) -> Response:
        agency = services.agency_create(actor=request.user, **self.validated(AgencyWriteSerializer))
        return self.read_back(agency, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Who read the agency's confidential and secret records (its commanders, or staff)"),
        parameters=[
            OpenApiParameter("date_from", OpenApiTypes.DATE, description=_("First day (UTC)")),
            OpenApiParameter("date_to", OpenApiTypes.DATE, description=_("Last day (UTC)")),
            OpenApiParameter("reader", int, description=_("Reads by members of this agency")),
            OpenApiParameter("kind", str, enum=[k for k, _label in AUDIT_KINDS], description=_("Record kind")),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
        responses={200: AuditLogSerializer(many=True)},
        filters=False,  # the parameters above: the view's FilterSet is the agencies'
    )
    @action(detail=True, methods=["get"], filterset_class=AuditLogFilter, ordering_fields=[])
    def audit(self, request: Request, pk: str | None = None) -> Response:
        agency = self.get_object()
        audit = selectors.agency_audit_list(user=request.user, agency=agency)
        page = self.paginate_queryset(self.filter_queryset(audit))
        return self.get_paginated_response(
            AuditLogSerializer(page, many=True, context=self.get_serializer_context()).data
        )

    @extend_schema(
        summary=_(
            "Change an agency (staff; its commander: address, coordinates, duty contacts and two-factor requirement)"
        ),
        request=AgencyWriteSerializer,
        responses=AgencySerializer,
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        agency = self.get_object()
        data = self.validated(AgencyWriteSerializer, instance=agency, partial=True)
        services.agency_update(actor=request.user, agency=agency, **data)
        return self.read_back(agency)


@extend_schema_view(
    list=extend_schema(
        summary=_("Members of the agencies (filter by agency); phones only of your own agency's members")
    ),
    retrieve=extend_schema(summary=_("A membership")),
)
class MembershipViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, AccessorViewSet):
    """Memberships, flat: `/members/?agency=<id>` lists one agency's members.

    Adding, changing and removing a member is for a commander of that agency (or staff): a
    member of another agency gets 404, a member of the same agency without the role 403.
    """

    queryset = Membership.objects.none()
    serializer_class = MembershipSerializer
    read = staticmethod(selectors.membership_get)
    read_for_change = staticmethod(selectors.membership_get_for_change)
    filterset_class = MembershipFilter
    ordering_fields = ["role", "user__username", "agency__name", "id"]

    def get_queryset(self) -> QuerySet[Membership]:
        return selectors.membership_list(user=self.request.user)

    @extend_schema(
        summary=_("Add a user to an agency (its commander, or staff)"),
        request=MembershipCreateSerializer,
        responses={201: MembershipSerializer},
    )
    def create(self, request: Request) -> Response:
        membership = services.membership_create(actor=request.user, **self.validated(MembershipCreateSerializer))
        return self.render(membership, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Change a member's role, position, phone or active flag (a commander of the agency, or staff)"),
        request=MembershipUpdateSerializer,
        responses=MembershipSerializer,
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        membership = self.get_object()
        data = self.validated(MembershipUpdateSerializer, partial=True)
        return self.render(services.membership_update(actor=request.user, membership=membership, **data))

    @extend_schema(summary=_("Remove a member (a commander of the agency, or staff)"), responses={204: None})
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        services.membership_remove(actor=request.user, membership=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(
        summary=_(
            "Partnerships (MoUs) between agencies: those in force or past for every member, proposals "
            "for their parties (awaiting_answer=true: those waiting for your agency's answer)"
        )
    ),
    retrieve=extend_schema(summary=_("A partnership, with each party's answer")),
)
class PartnershipViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, AccessorViewSet):
    """Two-sided partnerships: a commander of one party proposes, a commander of each other
    party accepts or declines, a commander of any party ends it. Only one in force (`status`
    "in_force", between its dates: `is_current`) opens anything to the partners. Nothing is
    changed in place: a wider scope, another party or longer dates is a new proposal that
    `supersedes` the one in force."""

    queryset = Partnership.objects.none()
    serializer_class = PartnershipSerializer
    read = staticmethod(selectors.partnership_get)
    read_for_change = staticmethod(selectors.partnership_get_for_change)
    filterset_class = PartnershipFilter
    ordering_fields = ["valid_from", "valid_until", "title", "proposed_at", "id"]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[Partnership]:
        return selectors.partnership_list(user=self.request.user)

    def get_scoped_object(self, pk: Any) -> Model:
        if self.action in ("accept", "decline", "end"):
            return self.read_for_change(user=self.request.user, pk=pk)
        return super().get_scoped_object(pk)

    @extend_schema(
        summary=_(
            "Propose a partnership (a commander of one of its agencies, or staff); "
            "it is in force once every other party accepts it"
        ),
        request=PartnershipWriteSerializer,
        responses={201: PartnershipSerializer},
    )
    def create(self, request: Request) -> Response:
        partnership = services.partnership_propose(actor=request.user, **self.validated(PartnershipWriteSerializer))
        return self.read_back(partnership, status.HTTP_201_CREATED)

    def _answer(self, service: Callable[..., Partnership]) -> Response:
        partnership = self.get_object()
        data = self.validated(PartnershipAnswerRequestSerializer)
        return self.read_back(service(actor=self.request.user, partnership=partnership, **data))

    @extend_schema(
        summary=_("Accept a proposal for your agency (its commander, or staff)"),
        request=PartnershipAnswerRequestSerializer,
        responses=PartnershipSerializer,
    )
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str | None = None) -> Response:
        return self._answer(services.partnership_accept)

    @extend_schema(
        summary=_("Decline a proposal for your agency (its commander, or staff)"),
        request=PartnershipAnswerRequestSerializer,
        responses=PartnershipSerializer,
    )
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str | None = None) -> Response:
        return self._answer(services.partnership_decline)

    @extend_schema(
        summary=_(
            "End a partnership in force for your agency, or withdraw your agency's proposal "
            "(a commander of a party, or staff)"
        ),
        request=PartnershipAnswerRequestSerializer,
        responses=PartnershipSerializer,
    )
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str | None = None) -> Response:
        return self._answer(services.partnership_end)


@extend_schema_view(
    list=extend_schema(summary=_("Your agencies' alert subscriptions")),
    retrieve=extend_schema(summary=_("A subscription of one of your agencies")),
)
class SubscriptionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, AccessorViewSet):
    """What an agency is alerted about. Only its own members see it; its commanders and liaisons change it.

    `min_severity` is a CAP severity name. `webhook_secret` is write-only: the answer to the
    creation and to `rotate-secret` carry it once, every other response `has_webhook_secret`.
    """

    queryset = Subscription.objects.none()
    serializer_class = SubscriptionSerializer
    read = staticmethod(selectors.subscription_get)
    read_for_change = staticmethod(selectors.subscription_get_for_change)
    filterset_class = SubscriptionFilter
    ordering_fields = ["name", "created_at", "id"]

    def get_queryset(self) -> QuerySet[Subscription]:
        return selectors.subscription_list(user=self.request.user)

    @extend_schema(
        summary=_("Subscribe one of your agencies to alerts (its commander or liaison, or staff)"),
        request=SubscriptionCreateSerializer,
        responses={201: SubscriptionCreatedSerializer},
    )
    def create(self, request: Request) -> Response:
        data = _subscription_kwargs(self.validated(SubscriptionCreateSerializer))
        subscription = services.subscription_create(actor=request.user, **data)
        fresh = self.read(user=request.user, pk=subscription.pk)
        # The one answer that carries a generated secret: write-only in every read after this.
        context = {**self.get_serializer_context(), "secret_generated": not data.get("webhook_secret")}
        body = SubscriptionCreatedSerializer(fresh, context=context).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("A new webhook signing secret, shown once (a commander or liaison of its agency, or staff)"),
        request=None,
        responses=SubscriptionSecretSerializer,
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request: Request, pk: str | None = None) -> Response:
        subscription = self.read_for_change(user=request.user, pk=self.kwargs["pk"])
        secret = services.subscription_rotate_secret(actor=request.user, subscription=subscription)
        return Response(SubscriptionSecretSerializer({"webhook_secret": secret}).data)

    @extend_schema(
        summary=_("Change a subscription (a commander or liaison of its agency, or staff)"),
        request=SubscriptionWriteSerializer,
        responses=SubscriptionSerializer,
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        subscription = self.get_object()
        data = _subscription_kwargs(self.validated(SubscriptionWriteSerializer, instance=subscription, partial=True))
        services.subscription_update(actor=request.user, subscription=subscription, **data)
        return self.read_back(subscription)

    @extend_schema(
        summary=_("Delete a subscription (a commander or liaison of its agency, or staff)"), responses={204: None}
    )
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        services.subscription_delete(actor=request.user, subscription=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(summary=_("Vital objects (ports, refineries, plants, mines, airports, power stations)")),
    retrieve=extend_schema(summary=_("A vital object")),
)
class VitalObjectViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, AccessorViewSet):
    queryset = VitalObject.objects.none()
    serializer_class = VitalObjectSerializer
    read = staticmethod(selectors.vital_object_get)
    read_for_change = staticmethod(selectors.vital_object_get_for_change)
    filterset_class = VitalObjectFilter
    ordering_fields = ["name", "kind", "id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[VitalObject]:
        return selectors.vital_object_list(user=self.request.user)

    @extend_schema(
        summary=_("Register a vital object (a commander or liaison of its operator, or staff)"),
        request=VitalObjectWriteSerializer,
        responses={201: VitalObjectSerializer},
    )
    def create(self, request: Request) -> Response:
        obj = services.vital_object_create(actor=request.user, **self.validated(VitalObjectWriteSerializer))
        return self.read_back(obj, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Change a vital object (a commander or liaison of its operator, or staff)"),
        request=VitalObjectWriteSerializer,
        responses=VitalObjectSerializer,
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        obj = self.get_object()
        data = self.validated(VitalObjectWriteSerializer, instance=obj, partial=True)
        services.vital_object_update(actor=request.user, vital_object=obj, **data)
        return self.read_back(obj)


@extend_schema_view(
    list=extend_schema(summary=_("CCTV cameras")),
    retrieve=extend_schema(summary=_("A camera")),
)
class CameraViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, AccessorViewSet):
    queryset = Camera.objects.none()
    serializer_class = CameraSerializer
    read = staticmethod(selectors.camera_get)
    read_for_change = staticmethod(selectors.camera_get_for_change)
    filterset_class = CameraFilter
    ordering_fields = ["code", "name", "status", "last_seen_at", "id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Camera]:
        return selectors.camera_list(user=self.request.user)

    @extend_schema(
        summary=_("Register a camera (a commander or liaison of its operator, or staff)"),
        request=CameraWriteSerializer,
        responses={201: CameraSerializer},
    )
    def create(self, request: Request) -> Response:
        camera = services.camera_create(actor=request.user, **self.validated(CameraWriteSerializer))
        return self.read_back(camera, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Change a camera (a commander or liaison of its operator, or staff)"),
        request=CameraWriteSerializer,
        responses=CameraSerializer,
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        camera = self.get_object()
        data = self.validated(CameraWriteSerializer, instance=camera, partial=True)
        services.camera_update(actor=request.user, camera=camera, **data)
        return self.read_back(camera)
