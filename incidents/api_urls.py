"""Routes of the incidents API, mounted under /api/v1/ by config/urls.py.

The exports come before the router: `incidents/export.csv` must not be read as the detail
route of an incident whose id is "export.csv". A SimpleRouter, not a DefaultRouter: the
agencies router already serves the API root, and DefaultRouter's format suffixes would claim
`incidents.geojson` for the list view.
"""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api

# Route names are prefixed "api-" ("api-incident-list"): the dashboard owns "incident-list".
router = SimpleRouter()
router.register("incidents", api.IncidentViewSet, basename="api-incident")

urlpatterns = [
    path("incidents/export.csv", api.IncidentCSVExportView.as_view(), name="api-incident-export-csv"),
    path("incidents.geojson", api.IncidentGeoJSONView.as_view(), name="api-incident-geojson"),
    *router.urls,
]
