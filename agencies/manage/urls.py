"""Pages for running one's own agency, mounted at the site root by agencies/urls.py."""

from django.urls import path

from . import assets, mou, views

urlpatterns = [
    path("agencies/<int:pk>/members/", views.agency_members, name="agency-members"),
    path("agencies/<int:pk>/members/invite/", views.invitation_create, name="invitation-create"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation-revoke"),
    path("invitations/accept/<str:token>/", views.invitation_accept, name="invitation-accept"),
    path("invitations/accept/<str:token>/switch/", views.invitation_switch_user, name="invitation-switch-user"),
    path("members/<int:pk>/role/", views.membership_role, name="membership-role"),
    path("members/<int:pk>/active/", views.membership_active, name="membership-active"),
    path("agencies/<int:pk>/contact/", views.agency_contact, name="agency-contact"),
    path("agencies/<int:pk>/subscriptions/", views.agency_subscriptions, name="agency-subscriptions"),
    path("agencies/<int:pk>/subscriptions/new/", views.subscription_create, name="subscription-create"),
    path("subscriptions/<int:pk>/edit/", views.subscription_edit, name="subscription-edit"),
    path("subscriptions/<int:pk>/active/", views.subscription_active, name="subscription-active"),
    path("subscriptions/<int:pk>/rotate-secret/", views.subscription_rotate, name="subscription-rotate-secret"),
    path("agencies/<int:pk>/assets/", assets.agency_assets, name="agency-assets"),
    path("agencies/<int:pk>/vital-objects/new/", assets.vital_object_create, name="vital-object-create"),
    path("vital-objects/<int:pk>/", assets.vital_object_detail, name="vital-object-detail"),
    path("vital-objects/<int:pk>/edit/", assets.vital_object_edit, name="vital-object-edit"),
    path("agencies/<int:pk>/cameras/new/", assets.camera_create, name="camera-create"),
    path("cameras/<int:pk>/", assets.camera_detail, name="camera-detail"),
    path("cameras/<int:pk>/edit/", assets.camera_edit, name="camera-edit"),
    path("partnerships/<int:pk>/document/", mou.partnership_document, name="partnership-document"),
    path("partnerships/<int:pk>/document/upload/", mou.partnership_document_upload, name="partnership-document-upload"),
]
