from django.urls import include, path

from . import views

urlpatterns = [
    path("agencies/", views.agency_list, name="agency-list"),
    path("agencies/<int:pk>/", views.agency_detail, name="agency-detail"),
    path("agencies/<int:pk>/audit/", views.agency_audit, name="agency-audit"),
    path("agencies/<int:pk>/two-factor/", views.agency_two_factor, name="agency-two-factor"),
    path("agencies/<int:pk>/partnerships/propose/", views.partnership_propose, name="partnership-propose"),
    path("partnerships/<int:pk>/accept/", views.partnership_accept, name="partnership-accept"),
    path("partnerships/<int:pk>/decline/", views.partnership_decline, name="partnership-decline"),
    path("partnerships/<int:pk>/end/", views.partnership_end, name="partnership-end"),
    path("areas/", views.area_browser, name="area-browser"),
    path("areas/<int:pk>/", views.area_detail, name="area-detail"),
    path("", include("agencies.accounts.urls")),
    path("", include("agencies.manage.urls")),
]
