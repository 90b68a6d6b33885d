"""Dashboard pages of bulletins (site root)."""

from django.urls import path

from . import views

urlpatterns = [
    path("bulletins/", views.bulletin_list, name="bulletin-list"),
    path("bulletins/new/", views.bulletin_create, name="bulletin-create"),
    path("bulletins/preview/", views.bulletin_preview, name="bulletin-preview"),
    path("bulletins/<int:pk>/", views.bulletin_detail, name="bulletin-detail"),
    path("bulletins/<int:pk>/progress/", views.bulletin_progress, name="bulletin-progress"),
    path("bulletins/<int:pk>/acknowledge/", views.bulletin_acknowledge, name="bulletin-acknowledge"),
    path("bulletins/<int:pk>/amend/", views.bulletin_amend, name="bulletin-amend"),
    path("bulletins/<int:pk>/withdraw/", views.bulletin_withdraw, name="bulletin-withdraw"),
    path("bulletins/<int:pk>/replies/", views.bulletin_reply, name="bulletin-reply"),
    path("bulletins/attachments/<str:token>/", views.bulletin_attachment, name="bulletin-attachment"),
]
