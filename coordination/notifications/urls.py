"""The inbox's pages (site root)."""

from django.urls import path

from . import views

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read/", views.inbox_read, name="inbox-read"),
    path("inbox/badge/", views.inbox_badge, name="inbox-badge"),
    path("notifications/", views.notification_list, name="notification-list"),
]
