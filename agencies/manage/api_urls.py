"""Routes of the invitations API, mounted under /api/v1/ by config/urls.py."""

from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("invitations", api.InvitationViewSet, basename="api-invitation")

urlpatterns = router.urls
