"""Pages of community programmes: the dashboard's (signed in) and the public ones (/program/)."""

from django.urls import path

from . import public, views

urlpatterns = [
    path("programmes/", views.programme_list, name="programme-list"),
    path("programmes/calendar/", views.programme_calendar, name="programme-calendar"),
    path("programmes/map/", views.programme_map, name="programme-map"),
    path("programmes/new/", views.programme_create, name="programme-create"),
    path("programmes/<int:pk>/", views.programme_detail, name="programme-detail"),
    path("programmes/<int:pk>/edit/", views.programme_edit, name="programme-edit"),
    path("programmes/<int:pk>/approve/", views.programme_approve, name="programme-approve"),
    path("programmes/<int:pk>/cancel/", views.programme_cancel, name="programme-cancel"),
    path("programmes/<int:pk>/attendance/", views.programme_attendance, name="programme-attendance"),
    path("programmes/<int:pk>/report/", views.programme_report, name="programme-report"),
    path("programmes/<int:pk>/materials/", views.programme_material_add, name="programme-material-add"),
    path("programmes/<int:pk>/action-items/", views.programme_action_item_add, name="programme-action-item-add"),
    path("programmes/materials/<str:token>/", views.programme_material, name="programme-material"),
    path("programmes/photos/<str:token>/", views.programme_photo, name="programme-photo"),
    path("program/", public.public_programme_list, name="public-programme-list"),
    path("program/<int:pk>/", public.public_programme_detail, name="public-programme-detail"),
]
