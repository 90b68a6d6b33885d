"""Dashboard pages of exercises and their action items (site root)."""

from django.urls import path

from . import views

urlpatterns = [
    path("exercises/", views.exercise_list, name="exercise-list"),
    path("exercises/new/", views.exercise_create, name="exercise-create"),
    path("exercises/<int:pk>/", views.exercise_detail, name="exercise-detail"),
    path("exercises/<int:pk>/review/", views.exercise_review, name="exercise-review"),
    path("exercises/<int:pk>/action-items/", views.exercise_action_item_add, name="exercise-action-item-add"),
    path("action-items/", views.action_item_list, name="action-item-list"),
    path("action-items/<int:pk>/status/", views.action_item_status, name="action-item-status"),
    path("action-items/<int:pk>/edit/", views.action_item_edit, name="action-item-edit"),
]
