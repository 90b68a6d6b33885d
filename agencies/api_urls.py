"""Routes of the agencies API, mounted under /api/v1/ by config/urls.py."""

from rest_framework.routers import DefaultRouter

from . import api

# Route names are prefixed "api-" ("api-agency-list"): the dashboard owns "agency-list".
router = DefaultRouter()
router.register("areas", api.AreaViewSet, basename="api-area")
router.register("agencies", api.AgencyViewSet, basename="api-agency")
router.register("members", api.MembershipViewSet, basename="api-membership")
router.register("partnerships", api.PartnershipViewSet, basename="api-partnership")
router.register("subscriptions", api.SubscriptionViewSet, basename="api-subscription")
router.register("vital-objects", api.VitalObjectViewSet, basename="api-vital-object")
router.register("cameras", api.CameraViewSet, basename="api-camera")

urlpatterns = router.urls
