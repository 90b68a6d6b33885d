"""Routes of coordination's API (under /api/v1/): one include per feature.

Route names are prefixed "api-": the dashboard owns "operation-list" and the like.
"""

from django.urls import include, path

urlpatterns = [
    path("", include("coordination.operations.api_urls")),
    path("", include("coordination.exercises.api_urls")),
    path("", include("coordination.notifications.api_urls")),
    path("", include("coordination.bulletins.api_urls")),
    path("", include("coordination.meetings.api_urls")),
    path("", include("coordination.community.programmes.api_urls")),
    path("", include("coordination.search.api_urls")),
    path("", include("coordination.community.surveys.api_urls")),
    path("", include("coordination.evaluations.api_urls")),
]
