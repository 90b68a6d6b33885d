"""Routes of the bulletins API (under /api/v1/); names prefixed "api-"."""

from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("bulletins", api.BulletinViewSet, basename="api-bulletin")

urlpatterns = router.urls
