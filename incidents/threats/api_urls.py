"""Routes of the threats, alerts, inbox and CAP API, mounted under /api/v1/ by config/urls.py.

The CAP paths come before the router: `threats/{id}/cap.xml` has no trailing slash (it names a
document), and the public identifiers are CAP identifiers, which may hold dots and colons
("urn:oid:2.49.0.1.360...."). A SimpleRouter, as the other apps' APIs (the agencies router
serves the API root). Route names are prefixed "api-": the dashboard owns "threat-detail".
"""

from django.urls import include, path, re_path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("threats", api.ThreatViewSet, basename="api-threat")
router.register("alerts", api.AlertViewSet, basename="api-alert")
router.register("inbox", api.InboxViewSet, basename="api-inbox")
router.register("cap-senders", api.CapSenderViewSet, basename="api-cap-sender")

urlpatterns = [
    path("threats/<int:pk>/cap.xml", api.ThreatCapView.as_view(), name="api-threat-cap"),
    path(
        "subscriptions/<int:pk>/test-alert/",
        api.SubscriptionTestAlertView.as_view(),
        name="api-subscription-test-alert",
    ),
    path("public/cap/feed.atom", api.PublicCapFeedView.as_view(), name="api-public-cap-feed"),
    re_path(
        r"^public/cap/(?P<identifier>.+)\.xml$",
        api.PublicCapDocumentView.as_view(),
        name="api-public-cap",
    ),
    path("", include("incidents.threats.feeds.api_urls")),
    *router.urls,
]
