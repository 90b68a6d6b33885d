"""Dashboard pages of patrol planning, mounted at the site root."""

from django.urls import path

from . import patrol_views

urlpatterns = [
    path("patrols/", patrol_views.patrol_calendar, name="patrol-calendar"),
    path("patrols/shifts/new/", patrol_views.patrol_shift_create, name="patrol-shift-create"),
    path("patrols/shifts/<int:pk>/", patrol_views.patrol_shift_detail, name="patrol-shift-detail"),
    path("patrols/shifts/<int:pk>/check-in/", patrol_views.patrol_check_in, name="patrol-check-in"),
    path("patrols/feed/<int:pk>/", patrol_views.patrol_feed_create, name="patrol-feed-create"),
    path("patrols/feed/<int:pk>/rotate/", patrol_views.patrol_feed_rotate, name="patrol-feed-rotate"),
    path("patrols/generate/", patrol_views.patrol_generate, name="patrol-generate"),
    path("patrols/coverage/", patrol_views.patrol_coverage, name="patrol-coverage"),
    path("patrols/coverage/fill/", patrol_views.patrol_coverage_fill, name="patrol-coverage-fill"),
]
