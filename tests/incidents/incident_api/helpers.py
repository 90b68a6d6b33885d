"""What the tests of /api/v1/incidents/ share: the year references are numbered in, its URLs,
reading a list answer, English messages, and a snapshot of an incident that a refused request
must leave as it was.
"""

from django.urls import reverse
from django.utils import timezone

LIST = reverse("api-incident-list")


def year() -> int:
    """The year references are numbered in, read at each use: a run may cross New Year after import."""
    return timezone.now().year


def detail(pk):
    return reverse("api-incident-detail", args=[pk])


def act(pk, name):
    return reverse(f"api-incident-{name}", args=[pk])


def refs(response):
    assert response.status_code == 200, response.content
    return [row["reference"] for row in response.json()["results"]]


def english(client):
    """Messages in English: the portal's default language is Bahasa Indonesia."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def snapshot(incident):
    """What a refused request must leave as it was."""
    incident.refresh_from_db()
    return (
        incident.status,
        incident.title,
        incident.severity,
        incident.lead_agency_id,
        incident.camera_id,
        incident.duplicate_of_id,
        sorted(incident.involved_agencies.values_list("pk", flat=True)),
        incident.events.count(),
    )
