"""Dashboard pages of incidents and the risk register, mounted at the site root."""

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
    path("risks/", views.risk_list, name="risk-list"),
    path("risks/heatmap/", views.risk_heatmap, name="risk-heatmap"),
    path("risks/new/", views.risk_create, name="risk-create"),
    path("risks/<int:pk>/edit/", views.risk_edit, name="risk-edit"),
]
