"""Pages of citizen reports, mounted at the site root by config/urls.py (see incidents/reports/views.py)."""

from django.urls import path

from . import views as report_views

urlpatterns = [
    # Public, no login: Indonesian paths, for citizens.
    path("lapor/", report_views.report_create, name="report-create"),
    path("lapor/terkirim/<str:tracking_code>/", report_views.report_submitted, name="report-submitted"),
    path("lapor/lacak/", report_views.report_track, name="report-track"),
    path("lapor/lacak/<str:tracking_code>/", report_views.report_track_detail, name="report-track-detail"),
    path("lapor/lacak/<str:tracking_code>/jawab/", report_views.report_answer, name="report-answer"),
    # Moderation, signed in.
    path("reports/", report_views.report_queue, name="report-queue"),
    path("reports/<int:pk>/", report_views.report_detail, name="report-detail"),
    path("reports/<int:pk>/verify/", report_views.report_moderate, {"action": "verify"}, name="report-verify"),
    path("reports/<int:pk>/reject/", report_views.report_moderate, {"action": "reject"}, name="report-reject"),
    path("reports/<int:pk>/duplicate/", report_views.report_moderate, {"action": "duplicate"}, name="report-duplicate"),
    path("reports/<int:pk>/spam/", report_views.report_moderate, {"action": "spam"}, name="report-spam"),
    path("reports/<int:pk>/ask/", report_views.report_ask, name="report-ask"),
    path("reports/photos/<str:token>/", report_views.report_photo, name="report-photo"),
]
