"""Dashboard pages of threats and the alert inbox, mounted at the site root."""

from django.urls import include, path

from . import views

urlpatterns = [
    path("threats/", views.threat_list, name="threat-list"),
    path("threats/new/", views.threat_create, name="threat-create"),
    path("threats/<int:pk>/", views.threat_detail, name="threat-detail"),
    path("threats/<int:pk>/edit/", views.threat_edit, name="threat-edit"),
    path("threats/<int:pk>/cancel/", views.threat_cancel, name="threat-cancel"),
    path("threats/<int:pk>/progress/", views.threat_progress, name="threat-progress"),
    path("incidents/<int:pk>/raise-threat/", views.threat_from_incident, name="threat-from-incident"),
    path("subscriptions/<int:pk>/test-alert/", views.subscription_test_alert, name="subscription-test-alert"),
    path("alerts/", views.alert_inbox, name="alert-inbox"),
    path("alerts/badge/", views.alert_badge, name="alert-badge"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert-detail"),
    path("alerts/<int:pk>/acknowledge/", views.alert_acknowledge, name="alert-acknowledge"),
    path("", include("incidents.threats.feeds.urls")),
]
