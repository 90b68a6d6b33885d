"""Pages of the risk register, mounted at the site root by config/urls.py."""

from django.urls import path

from . import views

urlpatterns = [
    path("risks/", views.risk_list, name="risk-list"),
    path("risks/heatmap/", views.risk_heatmap, name="risk-heatmap"),
    path("risks/new/", views.risk_create, name="risk-create"),
    path("risks/<int:pk>/edit/", views.risk_edit, name="risk-edit"),
]
