"""Dashboard pages of joint operations (site root)."""

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
]
