"""Routes of the evaluations API (under /api/v1/); names prefixed "api-"."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("evaluations", api.EvaluationViewSet, basename="api-evaluation")
router.register("evaluation-findings", api.EvaluationFindingViewSet, basename="api-evaluation-finding")

# The targets' route comes first: the router's detail route would take "targets" for an id.
urlpatterns = [path("evaluations/targets/", api.KpiTargetView.as_view(), name="api-evaluation-targets"), *router.urls]
