from django.urls import path

from . import views

urlpatterns = [
    path("accounts/2fa/setup/", views.two_factor_setup, name="two-factor-setup"),
    path("accounts/2fa/verify/", views.two_factor_verify, name="two-factor-verify"),
    path("accounts/2fa/recovery/", views.two_factor_recovery, name="two-factor-recovery"),
    path("accounts/2fa/recovery/new/", views.two_factor_recovery_regenerate, name="two-factor-recovery-regenerate"),
]
