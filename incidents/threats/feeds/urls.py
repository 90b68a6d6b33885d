"""Staff pages of the CAP sources, included by incidents/threats/urls.py."""

from django.urls import path

from . import views

urlpatterns = [
    path("cap-sources/", views.cap_source_list, name="cap-source-list"),
    path("cap-sources/new/", views.cap_source_create, name="cap-source-create"),
    path("cap-sources/<int:pk>/", views.cap_source_detail, name="cap-source-detail"),
    path("cap-sources/<int:pk>/edit/", views.cap_source_edit, name="cap-source-edit"),
    path("cap-sources/<int:pk>/poll/", views.cap_source_poll, name="cap-source-poll"),
]
