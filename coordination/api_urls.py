"""Routes of the operations, exercises, action items and notifications API (under /api/v1/).

Route names are prefixed "api-": the dashboard owns "operation-list" and the like.
"""

from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("operations", api.OperationViewSet, basename="api-operation")
router.register("exercises", api.ExerciseViewSet, basename="api-exercise")
router.register("action-items", api.ActionItemViewSet, basename="api-action-item")
router.register("notifications", api.NotificationViewSet, basename="api-notification")

urlpatterns = router.urls
