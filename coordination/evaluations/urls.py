"""Pages of evaluations: the dashboard's (signed in, /evaluations/) and the public summary (/evaluasi/)."""

from django.urls import path

from . import views

urlpatterns = [
    path("evaluations/", views.evaluation_list, name="evaluation-list"),
    path("evaluations/new/", views.evaluation_create, name="evaluation-create"),
    path("evaluations/targets/", views.evaluation_targets, name="evaluation-targets"),
    path("evaluations/<int:pk>/", views.evaluation_detail, name="evaluation-detail"),
    path("evaluations/<int:pk>/summary/", views.evaluation_update, name="evaluation-update"),
    path("evaluations/<int:pk>/recompute/", views.evaluation_recompute, name="evaluation-recompute"),
    path("evaluations/<int:pk>/review/", views.evaluation_review, name="evaluation-review"),
    path("evaluations/<int:pk>/return/", views.evaluation_return, name="evaluation-return"),
    path("evaluations/<int:pk>/publish/", views.evaluation_publish, name="evaluation-publish"),
    path("evaluations/<int:pk>/public/", views.evaluation_public, name="evaluation-public"),
    path("evaluations/<int:pk>/findings/", views.evaluation_finding_add, name="evaluation-finding-add"),
    path("evaluations/findings/<int:pk>/", views.evaluation_finding_edit, name="evaluation-finding-edit"),
    path("evaluations/findings/<int:pk>/delete/", views.evaluation_finding_delete, name="evaluation-finding-delete"),
    path("evaluations/findings/<int:pk>/move/", views.evaluation_finding_move, name="evaluation-finding-move"),
    path("evaluations/<int:pk>/action-items/", views.evaluation_action_item_add, name="evaluation-action-item-add"),
    path("evaluations/<int:pk>/report.pdf", views.evaluation_report_pdf, name="evaluation-pdf"),
    path("evaluations/<int:pk>/tables.xlsx", views.evaluation_tables_xlsx, name="evaluation-xlsx"),
    path("evaluations/<int:pk>/tables/<slug:table>.csv", views.evaluation_table_csv, name="evaluation-csv"),
    path("evaluasi/", views.public_evaluation_list, name="public-evaluation-list"),
    path("evaluasi/<int:pk>/", views.public_evaluation_detail, name="public-evaluation-detail"),
]
