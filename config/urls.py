from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import JavaScriptCatalog
from django_otp.admin import OTPAdminSite
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

# Django admin asks for a session verified with a second factor (django-otp's admin site, as its
# documentation sets it up): a staff session that has not passed it gets the admin's login page.
# Not when two-factor login is switched off (a closed demo), where staff may have no device.
if settings.SINERGI_REQUIRE_2FA:
    admin.site.__class__ = OTPAdminSite
# Django's admin under the portal's name, in the user's language (not "Administrasi Django").
admin.site.site_header = _("Sinergi administration")
admin.site.site_title = _("Sinergi admin")
admin.site.index_title = _("Portal administration")

api_v1: list[URLPattern | URLResolver] = [
    # The public intake first: URL resolution tries patterns in order, and citizens' reports
    # are the hottest path (bench/report_intake.py).
    path("", include("incidents.reports.api_urls")),
    path("", include("agencies.api_urls")),
    path("", include("agencies.manage.api_urls")),
    path("", include("incidents.api_urls")),
    path("", include("incidents.risks.api_urls")),
    path("", include("incidents.threats.api_urls")),
    path("", include("coordination.api_urls")),
    path("", include("coordination.patrols.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("incidents.reports.urls")),
    path("", include("incidents.urls")),
    path("", include("incidents.risks.urls")),
    path("", include("incidents.threats.urls")),
    path("", include("coordination.urls")),
    path("", include("coordination.patrols.urls")),
    path("", include("coordination.desk.urls")),
    path("", include("agencies.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
