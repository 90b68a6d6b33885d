"""Routes of the patrol API, mounted under /api/v1/ by config/urls.py.

Route names are prefixed "api-" ("api-shift-list"): the dashboard owns "patrol-*". The feed
comes before the router so that "shifts.ics" is never read as a shift id.
"""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("shifts", api.ShiftViewSet, basename="api-shift")

urlpatterns = [
    path("shifts.ics", api.ShiftFeedView.as_view(), name="api-shift-feed"),
    path("calendar-feed/", api.CalendarFeedView.as_view(), name="api-calendar-feed"),
    path("coverage/", api.CoverageView.as_view(), name="api-coverage"),
    path("coverage/fill/", api.CoverageFillView.as_view(), name="api-coverage-fill"),
    *router.urls,
]
