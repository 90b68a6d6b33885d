"""What the incident page tests share: a snapshot of an incident that a refused request must leave as it was."""

from incidents.models import IncidentEvent


def _snapshot(incident):
    incident.refresh_from_db()
    return (
        incident.status,
        incident.title,
        incident.lead_agency_id,
        sorted(incident.involved_agencies.values_list("pk", flat=True)),
        IncidentEvent.objects.filter(incident=incident).count(),
    )
