"""Routes of the search API (under /api/v1/); names prefixed "api-"."""

from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("search", api.SearchViewSet, basename="api-search")

urlpatterns = router.urls
