"""Public pages of the portal, mounted at the site root (coordination/urls.py). Indonesian
paths, as the citizens' other pages (/lapor/). `/` itself is the desk's route: it hands a
visitor to `visitor_home` (the one view of this package another one calls)."""

from django.urls import path

from . import views

# The view the desk renders for an anonymous request at `/` (coordination.desk.views.dashboard).
visitor_home = views.home

urlpatterns = [
    path("peringatan/", views.alert_list, name="public-alerts"),
    path("peringatan/peta/", views.alert_map, name="public-alert-map"),
]
