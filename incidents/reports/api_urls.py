"""Routes of the citizen-report API, mounted under /api/v1/ by config/urls.py.

Public (no login, rate-limited): public/reports/, public/reports/<tracking code>/ and its
answers/ (the reporter answers a moderator's question).
Moderation (signed in): reports/, reports/<id>/ and its actions verify, reject, duplicate, spam,
questions (the two-way thread).
Route names are prefixed "api-": the dashboard owns "report-queue", "report-detail".
"""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api as report_api
from .api_questions import PublicReportAnswerView

# SimpleRouter: the API root view is the agencies router's; a second one would shadow nothing
# but clutter the schema.
router = SimpleRouter()
router.register("reports", report_api.CitizenReportViewSet, basename="api-report")

urlpatterns = [
    path("public/reports/", report_api.PublicReportCreateView.as_view(), name="api-public-report-create"),
    path(
        "public/reports/<str:tracking_code>/",
        report_api.PublicReportDetailView.as_view(),
        name="api-public-report-detail",
    ),
    path(
        "public/reports/<str:tracking_code>/answers/",
        PublicReportAnswerView.as_view(),
        name="api-public-report-answer",
    ),
    *router.urls,
]
