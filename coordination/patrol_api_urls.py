"""Routes of the patrol API, mounted under /api/v1/ by config/urls.py.

Route names are prefixed "api-" ("api-shift-list"): the dashboard owns "patrol-*". The feed
comes before the router so that "shifts.ics" is never read as a shift id.
"""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import patrol_api

router = SimpleRouter()
router.register("shifts", patrol_api.ShiftViewSet, basename="api-shift")

urlpatterns = [
    path("shifts.ics", patrol_api.ShiftFeedView.as_view(), name="api-shift-feed"),
    path("calendar-feed/", patrol_api.CalendarFeedView.as_view(), name="api-calendar-feed"),
    path("coverage/", patrol_api.CoverageView.as_view(), name="api-coverage"),
    path("coverage/fill/", patrol_api.CoverageFillView.as_view(), name="api-coverage-fill"),
    *router.urls,
]
