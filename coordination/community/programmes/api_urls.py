"""Routes of the programmes API (under /api/v1/); names prefixed "api-"."""

from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("programmes", api.ProgrammeViewSet, basename="api-programme")

urlpatterns = router.urls
