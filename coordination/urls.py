"""Dashboard pages of operations, exercises and coordination notifications (site root)."""

from django.urls import path

from . import views

urlpatterns = [
    path("operations/", views.operation_list, name="operation-list"),
    path("operations/new/", views.operation_create, name="operation-create"),
    path("operations/<int:pk>/", views.operation_detail, name="operation-detail"),
    path("operations/<int:pk>/edit/", views.operation_edit, name="operation-edit"),
    path("operations/<int:pk>/status/", views.operation_status, name="operation-status"),
    path("operations/<int:pk>/participations/", views.operation_participation_add, name="operation-participation-add"),
    path(
        "operations/<int:pk>/participations/<int:participation_id>/remove/",
        views.operation_participation_remove,
        name="operation-participation-remove",
    ),
    path("operations/<int:pk>/sitreps/", views.operation_sitrep, name="operation-sitrep"),
    path("exercises/", views.exercise_list, name="exercise-list"),
    path("exercises/new/", views.exercise_create, name="exercise-create"),
    path("exercises/<int:pk>/", views.exercise_detail, name="exercise-detail"),
    path("exercises/<int:pk>/review/", views.exercise_review, name="exercise-review"),
    path("exercises/<int:pk>/action-items/", views.exercise_action_item_add, name="exercise-action-item-add"),
    path("action-items/<int:pk>/status/", views.action_item_status, name="action-item-status"),
    path("notifications/", views.notification_list, name="notification-list"),
]
