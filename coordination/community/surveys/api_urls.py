"""Routes of the surveys API (under /api/v1/); names prefixed "api-"."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("surveys", api.SurveyViewSet, basename="api-survey")

urlpatterns = [
    path("public/surveys/<str:token>/", api.PublicSurveyView.as_view(), name="api-public-survey"),
    *router.urls,
]
