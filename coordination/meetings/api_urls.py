"""Routes of the meetings API (under /api/v1/); names prefixed "api-"."""

from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("meetings", api.MeetingViewSet, basename="api-meeting")

urlpatterns = router.urls
