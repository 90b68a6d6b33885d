"""Dashboard pages of patrol planning, mounted at the site root."""

from django.urls import path

from . import views

urlpatterns = [
    path("patrols/", views.patrol_calendar, name="patrol-calendar"),
    path("patrols/shifts/new/", views.patrol_shift_create, name="patrol-shift-create"),
    path("patrols/shifts/<int:pk>/", views.patrol_shift_detail, name="patrol-shift-detail"),
    path("patrols/shifts/<int:pk>/check-in/", views.patrol_check_in, name="patrol-check-in"),
    path("patrols/feed/<int:pk>/", views.patrol_feed_create, name="patrol-feed-create"),
    path("patrols/feed/<int:pk>/rotate/", views.patrol_feed_rotate, name="patrol-feed-rotate"),
    path("patrols/generate/", views.patrol_generate, name="patrol-generate"),
    path("patrols/coverage/", views.patrol_coverage, name="patrol-coverage"),
    path("patrols/coverage/fill/", views.patrol_coverage_fill, name="patrol-coverage-fill"),
]
