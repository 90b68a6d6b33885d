"""Routes of the risk register API, mounted under /api/v1/ by config/urls.py.

A SimpleRouter (the agencies router already serves the API root). Route names are prefixed
"api-" ("api-risk-list"): the dashboard owns "risk-list".
"""

from rest_framework.routers import SimpleRouter

from . import api as risk_api

router = SimpleRouter()
router.register("risks", risk_api.RiskViewSet, basename="api-risk")

urlpatterns = router.urls
