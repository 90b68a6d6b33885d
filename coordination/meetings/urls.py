"""Dashboard pages of coordination meetings (site root)."""

from django.urls import path

from . import views

urlpatterns = [
    path("meetings/", views.meeting_list, name="meeting-list"),
    path("meetings/new/", views.meeting_create, name="meeting-create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting-detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting-edit"),
    path("meetings/<int:pk>/cancel/", views.meeting_cancel, name="meeting-cancel"),
    path("meetings/<int:pk>/rsvp/", views.meeting_rsvp, name="meeting-rsvp"),
    path("meetings/<int:pk>/attendance/", views.meeting_attendance, name="meeting-attendance"),
    path("meetings/<int:pk>/minutes/", views.meeting_minutes, name="meeting-minutes"),
    path("meetings/<int:pk>/decisions/", views.meeting_decision_add, name="meeting-decision-add"),
    path("meetings/<int:pk>/action-items/", views.meeting_action_item_add, name="meeting-action-item-add"),
    path("meetings/<int:pk>/invitation.ics", views.meeting_ics, name="meeting-ics"),
]
