"""Dashboard pages of incidents, mounted at the site root (the risk register's: incidents/risks/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("incidents/", views.incident_list, name="incident-list"),
    path("incidents/new/", views.incident_create, name="incident-create"),
    path("incidents/map/", views.incident_map, name="incident-map"),
    path("incidents/areas/", views.incident_area_search, name="incident-area-search"),
    path("incidents/<int:pk>/", views.incident_detail, name="incident-detail"),
    path("incidents/<int:pk>/edit/", views.incident_edit, name="incident-edit"),
    path("incidents/<int:pk>/status/", views.incident_status, name="incident-status"),
    path("incidents/<int:pk>/assign/", views.incident_assign, name="incident-assign"),
    path("incidents/<int:pk>/notes/", views.incident_note, name="incident-note"),
]
