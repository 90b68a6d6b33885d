"""Routes of the inbox API (under /api/v1/); names prefixed "api-"."""

from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("my-inbox", api.InboxViewSet, basename="api-my-inbox")
router.register("notifications", api.NotificationViewSet, basename="api-notification")

urlpatterns = router.urls
