"""`/api/v1/cap-sources/` (staff), included by incidents/threats/api_urls.py."""

from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("cap-sources", api.CapSourceViewSet, basename="api-cap-source")

urlpatterns = router.urls
