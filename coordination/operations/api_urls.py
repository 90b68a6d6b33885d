"""Routes of the joint operations API (under /api/v1/); names prefixed "api-"."""

from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("operations", api.OperationViewSet, basename="api-operation")

urlpatterns = router.urls
