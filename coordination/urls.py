"""Dashboard pages of coordination's features (site root): one include per feature."""

from django.urls import include, path

urlpatterns = [
    path("", include("coordination.operations.urls")),
    path("", include("coordination.exercises.urls")),
    path("", include("coordination.notifications.urls")),
    path("", include("coordination.bulletins.urls")),
    path("", include("coordination.meetings.urls")),
    path("", include("coordination.community.programmes.urls")),
    path("", include("coordination.search.urls")),
    path("", include("coordination.community.portal.urls")),
    path("", include("coordination.community.surveys.urls")),
    path("", include("coordination.evaluations.urls")),
]
