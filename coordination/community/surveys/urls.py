"""Pages of satisfaction surveys (site root): the public /survei/ pages (no login, Indonesian
paths, for citizens: public.py) and the dashboard's /surveys/ pages (views.py)."""

from django.urls import path

from . import public, views

urlpatterns = [
    # Public, no login.
    path("survei/<str:token>/", public.survey_answer, name="survey-answer"),
    path("survei/<str:token>/terima-kasih/", public.survey_thanks, name="survey-thanks"),
    path("survei/<str:token>/hasil/", public.survey_public_results, name="survey-public-results"),
    path("survei/<str:token>/qr.png", public.survey_qr, {"fmt": "png"}, name="survey-qr-png"),
    path("survei/<str:token>/qr.svg", public.survey_qr, {"fmt": "svg"}, name="survey-qr-svg"),
    # Dashboard, signed in.
    path("surveys/", views.survey_list, name="survey-list"),
    path("surveys/index/", views.survey_index, name="survey-index"),
    path("surveys/new/", views.survey_create, name="survey-create"),
    path("surveys/<int:pk>/", views.survey_detail, name="survey-detail"),
    path("surveys/<int:pk>/edit/", views.survey_edit, name="survey-edit"),
    path("surveys/<int:pk>/open/", views.survey_open, name="survey-open"),
    path("surveys/<int:pk>/close/", views.survey_close, name="survey-close"),
    path("surveys/<int:pk>/questions/", views.survey_question_add, name="survey-question-add"),
    path(
        "surveys/<int:pk>/questions/<int:question_pk>/delete/",
        views.survey_question_delete,
        name="survey-question-delete",
    ),
    path("surveys/<int:pk>/questions/<int:question_pk>/move/", views.survey_question_move, name="survey-question-move"),
    path("surveys/<int:pk>/answers/", views.survey_answers, name="survey-answers"),
    path(
        "surveys/<int:pk>/answers/<int:answer_pk>/publish/", views.survey_answer_publish, name="survey-answer-publish"
    ),
    path("surveys/<int:pk>/export.csv", views.survey_export, {"fmt": "csv"}, name="survey-export-csv"),
    path("surveys/<int:pk>/export.xlsx", views.survey_export, {"fmt": "xlsx"}, name="survey-export-xlsx"),
    path("surveys/<int:pk>/poster/", views.survey_poster, name="survey-poster"),
]
