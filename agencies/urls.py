from django.urls import path

from . import views

urlpatterns = [
    path("agencies/", views.agency_list, name="agency-list"),
    path("agencies/<int:pk>/", views.agency_detail, name="agency-detail"),
    path("agencies/<int:pk>/audit/", views.agency_audit, name="agency-audit"),
    path("areas/", views.area_browser, name="area-browser"),
    path("areas/<int:pk>/", views.area_detail, name="area-detail"),
]
