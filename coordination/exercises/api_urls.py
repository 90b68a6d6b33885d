"""Routes of the exercises and action items API (under /api/v1/); names prefixed "api-"."""

from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("exercises", api.ExerciseViewSet, basename="api-exercise")
router.register("action-items", api.ActionItemViewSet, basename="api-action-item")

urlpatterns = router.urls
