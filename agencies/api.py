"""REST API of the agencies app, mounted under /api/v1/ (see agencies/api_urls.py).

Thin on purpose: a view validates its input with a serializer, calls one selector (reads,
already scoped to the user) or one service (writes, which check the actor's role), and renders
the result with an output serializer. Input and output serializers are separate classes; an
input serializer is named after its output's component (`extend_schema_serializer`) so the
schema reads `Agency` / `AgencyRequest` / `PatchedAgencyRequest`.

Access, as the selectors and services decide it (docs/security.md, "Access"):
- anonymous: 401 everywhere;
- areas: any signed-in user;
- agencies, members, partnerships, vital objects, cameras: members of an active agency and
  staff read them; a signed-in user of no agency sees empty lists and 404 details;
- subscriptions and members' phones: only the agency's own members (and staff);
- writes: a user who cannot see the target agency's business gets 404, a member whose role is
  not enough gets 403, staff may do everything.

Updates are PATCH only (no PUT): every write goes through a service that takes the changed
fields, and a partial body cannot accidentally reset the others.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_serializer, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response

from common.api import ScopedViewSet

from . import selectors, services
from .filters import (
    AgencyFilter,
    AreaFilter,
    CameraFilter,
    MembershipFilter,
    PartnershipFilter,
    SubscriptionFilter,
    VitalObjectFilter,
)
from .models import Agency, Area, Camera, Membership, Partnership, Subscription, VitalObject
from .serializers import (
    AgencyRefSerializer,
    AreaRefSerializer,
    CapSeverityField,
    CentroidSerializer,
    CoordinateField,
)
from .validators import validate_latitude, validate_longitude

UserModel = get_user_model()

COORDINATE_KWARGS = {"coerce_to_string": False}


def _name_of(source: str) -> serializers.CharField:
    """The name of a related row (`parent.name`), null when there is none."""
    return serializers.CharField(source=source, read_only=True, allow_null=True)


# --- Areas ----------------------------------------------------------------------------------


class AreaSerializer(serializers.ModelSerializer):
    parent_name = _name_of("parent.name")
    centroid = serializers.SerializerMethodField()

    class Meta:
        model = Area
        fields = ["id", "name", "level", "code", "parent", "parent_name", "postal_code", "timezone", "centroid"]
        read_only_fields = fields

    @extend_schema_field(CentroidSerializer(allow_null=True))
    def get_centroid(self, obj: Area) -> dict[str, Any] | None:
        if obj.centroid_lat is None or obj.centroid_lon is None:
            return None
        return CentroidSerializer({"lat": obj.centroid_lat, "lon": obj.centroid_lon}).data


class AreaDetailSerializer(AreaSerializer):
    ancestors = AreaRefSerializer(many=True, read_only=True, help_text=_("From the province down, root first"))

    class Meta(AreaSerializer.Meta):
        fields = [*AreaSerializer.Meta.fields, "ancestors"]
        read_only_fields = fields


# --- Agencies -------------------------------------------------------------------------------


class AgencySerializer(serializers.ModelSerializer):
    parent_name = _name_of("parent.name")
    jurisdiction = AreaRefSerializer(many=True, read_only=True)
    headquarters_area_name = _name_of("headquarters_area.name")
    member_count = serializers.IntegerField(read_only=True, help_text=_("Active members"))

    class Meta:
        model = Agency
        fields = [
            "id",
            "name",
            "code",
            "kind",
            "parent",
            "parent_name",
            "jurisdiction",
            "headquarters_area",
            "headquarters_area_name",
            "address",
            "latitude",
            "longitude",
            "duty_phone",
            "duty_email",
            "duty_radio",
            "is_active",
            "member_count",
        ]
        read_only_fields = fields
        extra_kwargs = {"latitude": COORDINATE_KWARGS, "longitude": COORDINATE_KWARGS}


@extend_schema_serializer(component_name="Agency")
class AgencyWriteSerializer(serializers.ModelSerializer):
    """What staff may set; a commander of the agency only its contact fields (address, coordinates, duty_*)."""

    latitude = CoordinateField(validate_latitude)
    longitude = CoordinateField(validate_longitude)

    class Meta:
        model = Agency
        fields = [
            "name",
            "code",
            "kind",
            "parent",
            "jurisdiction",
            "headquarters_area",
            "address",
            "latitude",
            "longitude",
            "duty_phone",
            "duty_email",
            "duty_radio",
            "is_active",
        ]
        extra_kwargs = {"jurisdiction": {"help_text": _("Area ids")}}


# --- Members --------------------------------------------------------------------------------


class MembershipSerializer(serializers.ModelSerializer):
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    full_name = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField(help_text=_("Only shown to the member's own agency and to staff"))

    class Meta:
        model = Membership
        fields = [
            "id",
            "agency",
            "agency_name",
            "user",
            "username",
            "full_name",
            "role",
            "title",
            "phone",
            "is_active",
        ]
        read_only_fields = fields

    def get_full_name(self, obj: Membership) -> str:
        return obj.user.get_full_name()

    def get_phone(self, obj: Membership) -> str | None:
        request = self.context.get("request")
        user = request.user if request is not None else None
        return obj.phone if selectors.membership_can_see_contact(user=user, membership=obj) else None


@extend_schema_serializer(component_name="Membership")
class MembershipCreateSerializer(serializers.Serializer):
    agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all())
    user = serializers.PrimaryKeyRelatedField(
        queryset=UserModel.objects.all(), required=False, help_text=_("User id; or give username")
    )
    username = serializers.CharField(required=False, max_length=150, help_text=_("Username; or give user"))
    role = serializers.ChoiceField(choices=Membership.Role.choices)
    title = serializers.CharField(required=False, allow_blank=True, max_length=120, default="")
    phone = serializers.CharField(required=False, allow_blank=True, max_length=32, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        user = attrs.get("user")
        username = attrs.pop("username", None)
        if user is not None and username is not None:
            raise serializers.ValidationError({"username": _("Give either user or username, not both.")})
        if user is None:
            if username is None:
                raise serializers.ValidationError({"user": _("Give a user id or a username.")})
            try:
                attrs["user"] = UserModel.objects.get(username=username)
            except UserModel.DoesNotExist:
                raise serializers.ValidationError({"username": _("No user has this username.")}) from None
        return attrs


@extend_schema_serializer(component_name="Membership")
class MembershipUpdateSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Membership.Role.choices, required=False)
    title = serializers.CharField(required=False, allow_blank=True, max_length=120)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=32)
    is_active = serializers.BooleanField(required=False)


# --- Partnerships ---------------------------------------------------------------------------

SCOPES_HELP = _("Any of: information_sharing, joint_patrol, disaster_response, training")


class PartnershipSerializer(serializers.ModelSerializer):
    agencies = AgencyRefSerializer(many=True, read_only=True)
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=Partnership.Scope.choices), read_only=True, help_text=SCOPES_HELP
    )
    is_current = serializers.SerializerMethodField(help_text=_("Valid today"))

    class Meta:
        model = Partnership
        fields = [
            "id",
            "title",
            "reference",
            "agencies",
            "scopes",
            "valid_from",
            "valid_until",
            "is_current",
            "notes",
            "document",
        ]
        read_only_fields = fields

    def get_is_current(self, obj: Partnership) -> bool:
        return obj.is_valid_on()


@extend_schema_serializer(component_name="Partnership")
class PartnershipWriteSerializer(serializers.ModelSerializer):
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=Partnership.Scope.choices), allow_empty=False, help_text=SCOPES_HELP
    )

    class Meta:
        model = Partnership
        fields = ["title", "reference", "agencies", "scopes", "valid_from", "valid_until", "notes"]
        extra_kwargs = {"agencies": {"help_text": _("Ids of the agencies bound, at least two")}}


# --- Subscriptions --------------------------------------------------------------------------


class SubscriptionSerializer(serializers.ModelSerializer):
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    areas: serializers.PrimaryKeyRelatedField[Area] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text=_("Area ids; each covers its subtree")
    )
    categories = serializers.SerializerMethodField(help_text=_("Category codes; empty means every category"))
    min_severity = CapSeverityField(read_only=True)
    has_webhook_secret = serializers.SerializerMethodField()

    class Meta:
        model = Subscription
        fields = [
            "id",
            "agency",
            "agency_name",
            "name",
            "areas",
            "categories",
            "min_severity",
            "channel_in_app",
            "channel_email",
            "channel_sms",
            "channel_webhook",
            "webhook_url",
            "has_webhook_secret",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_categories(self, obj: Subscription) -> list[str]:
        return sorted(c.code for c in obj.category_codes.all())

    def get_has_webhook_secret(self, obj: Subscription) -> bool:
        return bool(obj.webhook_secret)


@extend_schema_serializer(component_name="Subscription")
class SubscriptionWriteSerializer(serializers.ModelSerializer):
    categories = serializers.ListField(
        child=serializers.SlugField(max_length=60),
        required=False,
        help_text=_("Category codes; empty means every category"),
    )
    min_severity = CapSeverityField(required=False)

    class Meta:
        model = Subscription
        fields = [
            "name",
            "areas",
            "categories",
            "min_severity",
            "channel_in_app",
            "channel_email",
            "channel_sms",
            "channel_webhook",
            "webhook_url",
            "webhook_secret",
            "is_active",
        ]
        extra_kwargs = {
            "areas": {"help_text": _("Area ids; each covers its subtree")},
            "webhook_secret": {
                "write_only": True,
                "help_text": _("HMAC signing secret; generated when a webhook has none. Never returned."),
            },
        }


@extend_schema_serializer(component_name="Subscription")
class SubscriptionCreateSerializer(SubscriptionWriteSerializer):
    agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all())

    class Meta(SubscriptionWriteSerializer.Meta):
        fields = ["agency", *SubscriptionWriteSerializer.Meta.fields]


def _subscription_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    """Input names to the service's: `categories` is called `category_codes` there."""
    data = dict(data)
    if "categories" in data:
        data["category_codes"] = data.pop("categories")
    return data


# --- Vital objects and cameras --------------------------------------------------------------


class VitalObjectSerializer(serializers.ModelSerializer):
    area_name = serializers.CharField(source="area.name", read_only=True)
    operator_name = serializers.CharField(source="operator.name", read_only=True)
    guarding_agencies = AgencyRefSerializer(many=True, read_only=True)

    class Meta:
        model = VitalObject
        fields = [
            "id",
            "name",
            "kind",
            "area",
            "area_name",
            "operator",
            "operator_name",
            "guarding_agencies",
            "is_national",
            "latitude",
            "longitude",
            "address",
            "notes",
        ]
        read_only_fields = fields
        extra_kwargs = {"latitude": COORDINATE_KWARGS, "longitude": COORDINATE_KWARGS}


@extend_schema_serializer(component_name="VitalObject")
class VitalObjectWriteSerializer(serializers.ModelSerializer):
    latitude = CoordinateField(validate_latitude)
    longitude = CoordinateField(validate_longitude)

    class Meta:
        model = VitalObject
        fields = [
            "name",
            "kind",
            "area",
            "operator",
            "guarding_agencies",
            "is_national",
            "latitude",
            "longitude",
            "address",
            "notes",
        ]
        extra_kwargs = {"guarding_agencies": {"help_text": _("Agency ids")}}


class CameraSerializer(serializers.ModelSerializer):
    area_name = serializers.CharField(source="area.name", read_only=True)
    operator_name = serializers.CharField(source="operator.name", read_only=True)
    vital_object_name = _name_of("vital_object.name")

    class Meta:
        model = Camera
        fields = [
            "id",
            "code",
            "name",
            "area",
            "area_name",
            "operator",
            "operator_name",
            "vital_object",
            "vital_object_name",
            "status",
            "last_seen_at",
            "latitude",
            "longitude",
            "stream_url",
        ]
        read_only_fields = fields
        extra_kwargs = {"latitude": COORDINATE_KWARGS, "longitude": COORDINATE_KWARGS}


@extend_schema_serializer(component_name="Camera")
class CameraWriteSerializer(serializers.ModelSerializer):
    """`last_seen_at` is not written here: heartbeats record it (services.camera_heartbeat)."""

    latitude = CoordinateField(validate_latitude)
    longitude = CoordinateField(validate_longitude)

    class Meta:
        model = Camera
        fields = ["code", "name", "area", "operator", "vital_object", "status", "latitude", "longitude", "stream_url"]


# --- Views ----------------------------------------------------------------------------------


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
class AgencyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Agencies: read by members; created and changed by staff; contact fields by their commander."""

    queryset = Agency.objects.none()
    serializer_class = AgencySerializer
    filterset_class = AgencyFilter
    ordering_fields = ["name", "code", "kind", "id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Agency]:
        return selectors.agency_list(user=self.request.user).prefetch_related(
            Prefetch("jurisdiction", queryset=Area.objects.only("id", "name", "level"))
        )

    def get_scoped_object(self, pk: Any) -> Agency:
        agency = selectors.agency_get(user=self.request.user, pk=pk)
        # agency_list annotates the count; a single agency counts its members here.
        agency.member_count = agency.memberships.filter(is_active=True).count()  # type: ignore[attr-defined]
        return agency

    @extend_schema(
        summary=_("Register an agency (staff only)"), request=AgencyWriteSerializer, responses={201: AgencySerializer}
    )
    def create(self, request: Request) -> Response:
        agency = services.agency_create(actor=request.user, **self.validated(AgencyWriteSerializer))
        return self.render(self.get_scoped_object(agency.pk), status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Change an agency (staff; its commander: address, coordinates and duty contacts only)"),
        request=AgencyWriteSerializer,
        responses=AgencySerializer,
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        agency = self.get_object()
        data = self.validated(AgencyWriteSerializer, instance=agency, partial=True)
        services.agency_update(actor=request.user, agency=agency, **data)
        return self.render(self.get_scoped_object(agency.pk))


@extend_schema_view(
    list=extend_schema(
        summary=_("Members of the agencies (filter by agency); phones only of your own agency's members")
    ),
    retrieve=extend_schema(summary=_("A membership")),
)
class MembershipViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Memberships, flat: `/members/?agency=<id>` lists one agency's members.

    Adding, changing and removing a member is for a commander of that agency (or staff): a
    member of another agency gets 404, a member of the same agency without the role 403.
    """

    queryset = Membership.objects.none()
    serializer_class = MembershipSerializer
    filterset_class = MembershipFilter
    ordering_fields = ["role", "user__username", "agency__name", "id"]

    def get_queryset(self) -> QuerySet[Membership]:
        return selectors.membership_list(user=self.request.user)

    def get_scoped_object(self, pk: Any) -> Membership:
        if self.action in ("partial_update", "destroy"):
            return selectors.membership_get_for_change(user=self.request.user, pk=pk)
        # DRF's get_object_or_404 answers 404 to a malformed id too.
        return get_object_or_404(self.get_queryset(), pk=pk)

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
    list=extend_schema(summary=_("Partnerships (MoUs) between agencies")),
    retrieve=extend_schema(summary=_("A partnership")),
)
class PartnershipViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    queryset = Partnership.objects.none()
    serializer_class = PartnershipSerializer
    filterset_class = PartnershipFilter
    ordering_fields = ["valid_from", "valid_until", "title", "id"]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[Partnership]:
        return selectors.partnership_list(user=self.request.user)

    def get_scoped_object(self, pk: Any) -> Partnership:
        return selectors.partnership_get(user=self.request.user, pk=pk)

    @extend_schema(
        summary=_("Record a partnership (a commander of one of its agencies, or staff)"),
        request=PartnershipWriteSerializer,
        responses={201: PartnershipSerializer},
    )
    def create(self, request: Request) -> Response:
        partnership = services.partnership_create(actor=request.user, **self.validated(PartnershipWriteSerializer))
        return self.render(self.get_scoped_object(partnership.pk), status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary=_("Your agencies' alert subscriptions")),
    retrieve=extend_schema(summary=_("A subscription of one of your agencies")),
)
class SubscriptionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """What an agency is alerted about. Only its own members see it; its commanders and liaisons change it.

    `min_severity` is a CAP severity name. `webhook_secret` is write-only: responses carry
    `has_webhook_secret` instead.
    """

    queryset = Subscription.objects.none()
    serializer_class = SubscriptionSerializer
    filterset_class = SubscriptionFilter
    ordering_fields = ["name", "created_at", "id"]

    def get_queryset(self) -> QuerySet[Subscription]:
        return selectors.subscription_list(user=self.request.user)

    def get_scoped_object(self, pk: Any) -> Subscription:
        return selectors.subscription_get(user=self.request.user, pk=pk)

    @extend_schema(
        summary=_("Subscribe one of your agencies to alerts (its commander or liaison, or staff)"),
        request=SubscriptionCreateSerializer,
        responses={201: SubscriptionSerializer},
    )
    def create(self, request: Request) -> Response:
        data = _subscription_kwargs(self.validated(SubscriptionCreateSerializer))
        subscription = services.subscription_create(actor=request.user, **data)
        return self.render(self.get_scoped_object(subscription.pk), status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Change a subscription (a commander or liaison of its agency, or staff)"),
        request=SubscriptionWriteSerializer,
        responses=SubscriptionSerializer,
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        subscription = self.get_object()
        data = _subscription_kwargs(self.validated(SubscriptionWriteSerializer, instance=subscription, partial=True))
        services.subscription_update(actor=request.user, subscription=subscription, **data)
        return self.render(self.get_scoped_object(subscription.pk))

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
class VitalObjectViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    queryset = VitalObject.objects.none()
    serializer_class = VitalObjectSerializer
    filterset_class = VitalObjectFilter
    ordering_fields = ["name", "kind", "id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[VitalObject]:
        return selectors.vital_object_list(user=self.request.user)

    def get_scoped_object(self, pk: Any) -> VitalObject:
        return selectors.vital_object_get(user=self.request.user, pk=pk)

    @extend_schema(
        summary=_("Register a vital object (a commander or liaison of its operator, or staff)"),
        request=VitalObjectWriteSerializer,
        responses={201: VitalObjectSerializer},
    )
    def create(self, request: Request) -> Response:
        obj = services.vital_object_create(actor=request.user, **self.validated(VitalObjectWriteSerializer))
        return self.render(self.get_scoped_object(obj.pk), status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Change a vital object (a commander or liaison of its operator, or staff)"),
        request=VitalObjectWriteSerializer,
        responses=VitalObjectSerializer,
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        obj = self.get_object()
        data = self.validated(VitalObjectWriteSerializer, instance=obj, partial=True)
        services.vital_object_update(actor=request.user, vital_object=obj, **data)
        return self.render(self.get_scoped_object(obj.pk))


@extend_schema_view(
    list=extend_schema(summary=_("CCTV cameras")),
    retrieve=extend_schema(summary=_("A camera")),
)
class CameraViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    queryset = Camera.objects.none()
    serializer_class = CameraSerializer
    filterset_class = CameraFilter
    ordering_fields = ["code", "name", "status", "last_seen_at", "id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Camera]:
        return selectors.camera_list(user=self.request.user)

    def get_scoped_object(self, pk: Any) -> Camera:
        return selectors.camera_get(user=self.request.user, pk=pk)

    @extend_schema(
        summary=_("Register a camera (a commander or liaison of its operator, or staff)"),
        request=CameraWriteSerializer,
        responses={201: CameraSerializer},
    )
    def create(self, request: Request) -> Response:
        camera = services.camera_create(actor=request.user, **self.validated(CameraWriteSerializer))
        return self.render(self.get_scoped_object(camera.pk), status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Change a camera (a commander or liaison of its operator, or staff)"),
        request=CameraWriteSerializer,
        responses=CameraSerializer,
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        camera = self.get_object()
        data = self.validated(CameraWriteSerializer, instance=camera, partial=True)
        services.camera_update(actor=request.user, camera=camera, **data)
        return self.render(self.get_scoped_object(camera.pk))
